"""The benchmark's arithmetic: what `make bench` reports as steady rates and as 2 workers / 1."""

from __future__ import annotations

import pytest

from pipeline.bench import round_rates, scaling


def test_bench_a_disturbed_small_run_cannot_make_a_round_look_faster():
    # 4,000 articles in 5 s after a 1,000-article run of 2 s: 3,000 articles in 3 s
    assert round_rates(4000, [(2.0, 5.0)]) == [1000.0]
    # the second round's small run was disturbed (3 s): its full run is measured from the fastest small run
    assert round_rates(4000, [(2.0, 5.0), (3.0, 5.0)]) == [1000.0, 1000.0]
    assert round_rates(4000, [(2.0, 5.0), (2.5, 8.0)]) == [1000.0, 500.0]


def test_bench_scaling_pairs_the_runs_of_each_round():
    rates = {1: [1000.0, 500.0, 800.0], 2: [1800.0, 1000.0, 1200.0]}
    assert scaling(rates, 2) == pytest.approx([1.8, 2.0, 1.5])
    with pytest.raises(ValueError):
        scaling({1: [1000.0], 2: [1800.0, 1700.0]}, 2)  # a missing round is an error, not a shorter list
