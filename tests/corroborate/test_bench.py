"""The corroboration benchmark runs end to end and reports work, time and accuracy on its synthetic truth."""

from __future__ import annotations

from pipeline.corroborate.bench import bench_corroborate


def test_bench_corroborate_small():
    result = bench_corroborate(1_000, words=60)
    assert result["claims"] >= 1_000 and result["events"] < result["claims"]
    assert result["comparisons_per_claim"] < 10 and result["windowed_blocks"] == 0
    assert result["bcubed"]["f1"] > 0.8 and result["seconds"] > 0
