"""`review stats`: progress per reviewer and Cohen's kappa, checked against numbers worked out by hand."""

from __future__ import annotations

import uuid

import pytest

from pipeline.output.db import connect
from pipeline.review.stats import cohen_kappa, format_stats, review_stats
from pipeline.review.store import record_decision


def test_cohen_kappa_matches_a_hand_computed_example() -> None:
    # 10 claims. Rater A: 6 accept, 4 reject; rater B: 5 accept, 5 reject; they agree on 4 accepts and
    # 3 rejects, so po = 7/10 = 0.7; pe = (6*5 + 4*5) / 100 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    pairs = [("accept", "accept")] * 4 + [("accept", "reject")] * 2 + [("reject", "accept")] + [("reject", "reject")] * 3
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_cohen_kappa_three_categories_by_hand() -> None:
    # A/B over accept, correct, reject. Counts (A row, B column):
    #            acc cor rej
    #   accept    3   1   0      A: acc 4, cor 3, rej 1;  B: acc 4, cor 2, rej 2
    #   correct   1   1   1      po = (3 + 1 + 1) / 8 = 0.625
    #   reject    0   0   1      pe = (4*4 + 3*2 + 1*2) / 64 = 24/64 = 0.375 -> kappa = 0.25 / 0.625 = 0.4
    pairs = ([("accept", "accept")] * 3 + [("accept", "correct")] + [("correct", "accept"), ("correct", "correct"),
             ("correct", "reject"), ("reject", "reject")])  # fmt: skip
    assert cohen_kappa(pairs) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("pairs", "kappa"),
    [
        ([], None),
        ([("accept", "accept")] * 5, None),  # pe = 1: undefined, not 1.0
        ([("accept", "reject"), ("reject", "accept")], -1.0),
        ([("accept", "accept"), ("reject", "reject")], 1.0),
    ],
)
def test_cohen_kappa_edge_cases(pairs, kappa) -> None:
    assert cohen_kappa(pairs) == (None if kappa is None else pytest.approx(kappa))


def test_review_stats_progress_and_agreement(db_url: str) -> None:
    with connect(db_url) as db:
        claims = [r[0] for r in db.query("SELECT claim_id FROM claims ORDER BY claim_id")]
        plan = {"ana": ["accept", "accept", "reject", "correct", "skip"], "ben": ["accept", "reject", "reject", "flag", "accept"]}
        for reviewer, decisions in plan.items():
            for claim, decision in zip(claims, decisions, strict=True):
                corrected = {"claim_type": "other"} if decision == "correct" else None
                record_decision(
                    db, decision_id=str(uuid.uuid4()), claim_id=claim, reviewer=reviewer, decision=decision, corrected=corrected
                )
    stats = review_stats(db_url)
    ana, ben = stats.reviewers
    assert (ana.reviewer, ana.reviewed, ana.accepted, ana.rejected, ana.corrected, ana.skipped) == ("ana", 4, 2, 1, 1, 1)
    assert (ben.reviewed, ben.flagged) == (5, 1)
    (pair,) = stats.agreements
    # Shared judgements (skips and flags aside): (acc, acc), (acc, rej), (rej, rej) -> po = 2/3;
    # A: acc 2, rej 1; B: acc 1, rej 2 -> pe = (2*1 + 1*2) / 9 = 4/9; kappa = (2/3 - 4/9) / (5/9) = 0.4.
    assert (pair.claims, pair.observed) == (3, pytest.approx(2 / 3))
    assert pair.kappa == pytest.approx(0.4)
    text = format_stats(stats)
    assert "ana" in text and "0.40" in text


def test_review_stats_without_decisions(review_db: str) -> None:
    assert format_stats(review_stats(review_db)) == "5 claims, none reviewed yet."
