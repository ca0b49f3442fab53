"""Blocking keeps the work linear: pair comparisons are counted (not timed) on synthetic claims."""

from __future__ import annotations

import pytest

from pipeline.corroborate.blocking import candidate_pairs
from pipeline.corroborate.config import CorroborationConfig
from pipeline.corroborate.features import claim_features
from pipeline.corroborate.synthetic import synthetic_corpus

CONFIG = CorroborationConfig()


def _comparisons(n: int, *, months: int | None = None, config: CorroborationConfig = CONFIG) -> tuple[int, int, int]:
    corpus = synthetic_corpus(n, months=months)
    claims = sorted(corpus.claims, key=lambda c: c["claim_id"])
    feats = [claim_features(i, c, corpus.documents[c["doc_id"]]["published"], config) for i, c in enumerate(claims)]
    pairs, stats = candidate_pairs(feats, config)
    return len(claims), len(pairs), stats.windowed_blocks


@pytest.mark.slow
def test_scaling_comparisons_grow_linearly_with_claims():
    """An archive four times as long (5k -> 20k claims, same claims per month) costs about four times the pairs."""
    small_n, small, _ = _comparisons(5_000)
    big_n, big, windowed = _comparisons(20_000)
    per_claim_small, per_claim_big = small / small_n, big / big_n
    assert windowed == 0
    assert per_claim_big < 1.3 * per_claim_small  # all pairs would be 4x per claim, a month block 4x too
    assert big < 10 * big_n


def test_scaling_dense_block_falls_back_to_sorted_neighbourhood():
    """4,000 claims in a single month: the big blocks are windowed, so the pairs stay within n * window."""
    config = CorroborationConfig(max_block_pairs=2_000, window=20)
    n, pairs, windowed = _comparisons(4_000, months=1, config=config)
    assert windowed > 0
    assert pairs <= 2 * n * config.window
    assert pairs < n * (n - 1) // 20  # far below all pairs
