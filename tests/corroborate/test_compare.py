"""Field-by-field compatibility of two claims: what matches, how strongly, and what rules a pair out."""

from __future__ import annotations

import pytest

from pipeline.corroborate.compare import compare, match_items, match_place, match_quantity, match_time
from pipeline.corroborate.config import CorroborationConfig
from pipeline.corroborate.features import claim_features
from tests.corroborate.claims import claim

CONFIG = CorroborationConfig()


def feats(index: int = 0, **fields):
    return claim_features(index, claim(f"c{index}", **fields), "2025-05-01", CONFIG)


@pytest.mark.parametrize(
    ("a", "b", "status"),
    [
        ("over 100", "over 100", "equal"),
        ("over 100", "about 120", "overlap"),  # (100, inf) and [90, 150]
        ("60", "about 120", "differs"),  # 90 / 60 = 1.5, within max_quantity_ratio 2
        ("5", "over 100", "conflict"),  # a convoy of five is not the month's hundred trucks
        ("5,000 yuan", "over 100", "conflict"),  # money and a count of trucks
        (None, "over 100", "missing"),
    ],
)
def test_compare_quantity_status(a, b, status):
    assert match_quantity(feats(0, figure=a), feats(1, figure=b), CONFIG).status == status


@pytest.mark.parametrize(
    ("a", "b", "status", "score"),
    [
        (("kimjongsuk",), ("kimjongsuk",), "equal", 1.0),
        (("kimjongsuk",), ("KP-10",), "nested", 0.6),  # a county inside the stated province
        (("kimjongsuk", "KP-10"), ("kimjongsuk",), "equal", 1.0),  # the province adds nothing to a county
        (("kimjongsuk",), ("kimhyongjik",), "conflict", 0.0),
        (("kimjongsuk", "CN-changbai"), ("kimhyongjik", "CN-changbai"), "conflict", 0.0),  # North Korea decides
        (("kimjongsuk",), ("KP-03",), "conflict", 0.0),
        (("river-yalu",), ("river-yalu",), "weak", 0.3),
    ],
)
def test_compare_place_status(a, b, status, score):
    m = match_place(feats(0, places=a), feats(1, places=b), CONFIG)
    assert (m.status, m.score) == (status, score)


@pytest.mark.parametrize(
    ("a", "b", "status"),
    [
        (("truck",), ("truck",), "equal"),
        (("truck", "food"), ("truck",), "overlap"),
        (("truck",), ("vehicle",), "nested"),
        (("excavator",), ("heavy_equipment",), "nested"),
        (("truck",), ("excavator",), "conflict"),
        ((), ("truck",), "missing"),
    ],
)
def test_compare_items_status(a, b, status):
    assert match_items(feats(0, items=a), feats(1, items=b), CONFIG).status == status


def test_compare_time_disjoint_months_conflict():
    m = match_time(feats(0), feats(1, when=("2025-02-01", "2025-02-28")), CONFIG)
    assert m.status == "conflict" and "2025-02-01..2025-02-28" in m.detail


def test_compare_time_fuzzy_halves_the_score():
    sharp = match_time(feats(0), feats(1), CONFIG)
    fuzzy = match_time(feats(0), feats(1, fuzzy=True), CONFIG)
    assert (sharp.status, sharp.score, fuzzy.score) == ("equal", 1.0, 0.5)


def test_compare_time_slack_joins_adjacent_intervals():
    a, b = feats(0, when=("2025-04-01", "2025-04-10")), feats(1, when=("2025-04-12", "2025-04-20"))
    assert match_time(a, b, CONFIG).status == "conflict"
    assert match_time(a, b, CorroborationConfig(time_slack_days=2)).status == "overlap"


def test_compare_negated_claim_never_links_with_a_report():
    d = compare(feats(0), feats(1, negated=True), CONFIG)
    assert d.conflict == "polarity" and not d.linked(CONFIG.threshold)


def test_compare_score_is_the_weighted_mean_of_field_scores():
    d = compare(feats(0, figure="over 100"), feats(1, figure="about 120"), CONFIG)
    # place 1.0, time 1.0, items 1.0, quantity 0.7 (overlap, no exact figure)
    expected = (0.35 + 0.25 + 0.25 + 0.15 * 0.7) / 1.0
    assert d.conflict is None and d.score == pytest.approx(expected)
    assert {f.field: f.status for f in d.fields} == {"time": "equal", "place": "equal", "items": "equal", "quantity": "overlap"}


def test_compare_explain_false_scores_the_same():
    a, b = feats(0), feats(1, places=("KP-10",), figure="about 120")
    assert compare(a, b, CONFIG).score == compare(a, b, CONFIG, explain=False).score


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"when": None}, None),  # no time of its own: the days before publication stand in
        ({"places": ("river-yalu", "KP")}, None),
        ({"places": ()}, "no place"),
        ({"when": ("2023-01-01", "2023-12-31")}, "time spans 12 months"),
    ],
)
def test_features_unblocked_reason(fields, reason):
    f = feats(0, **fields)
    assert (f.unblocked is None) if reason is None else reason in f.unblocked


def test_features_undated_claim_gets_publication_window():
    f = feats(0, when=None)
    assert f.time is not None and (f.time.basis, f.time.fuzzy) == ("published", True)
    off = claim_features(0, claim("c0", when=None), "2025-05-01", CorroborationConfig(undated_window_days=0))
    assert off.unblocked == "no time, and no publication date to stand in"
