"""Corrections: what a reviewer may send, and how it turns into a corrected claim record."""

from __future__ import annotations

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.review.corrections import apply_correction, editable, validate_correction

from .builders import main_records


def _record(trigger: str) -> dict:
    return next(c for c in main_records()["claims"] if c["trigger"]["text"] == trigger)


def _mentions(doc_id: str) -> list[dict]:
    return [m for m in main_records()["mentions"] if m["doc_id"] == doc_id]


@pytest.mark.parametrize(
    ("corrected", "normalised"),
    [
        ({"claim_type": "seizure"}, {"claim_type": "seizure"}),
        (
            {"quantity": {"value": 40.0, "lower": None, "upper": None, "unit": " "}},
            {"quantity": {"value": 40, "lower": None, "upper": None, "unit": None}},
        ),
        ({"quantity": None, "time": None}, {"quantity": None, "time": None}),
        ({"time": {"from": "2024-03-01", "to": ""}}, {"time": {"from": "2024-03-01", "to": None}}),
        ({"locations": [{"text": "  Hyesan  City ", "role": ""}]}, {"locations": [{"text": "Hyesan City", "role": None}]}),
        ({"negated": True, "attribution_status": "denied"}, {"attribution_status": "denied", "negated": True}),
    ],
)
def test_validate_correction_normalises(corrected: dict, normalised: dict) -> None:
    assert validate_correction(corrected) == normalised


@pytest.mark.parametrize(
    "corrected",
    [
        None,
        {},
        {"claim_type": "rumour"},
        {"colour": "red"},
        {"quantity": {"value": "40"}},
        {"quantity": {"value": None, "lower": None, "upper": None}},
        {"quantity": {"lower": 50, "upper": 10}},
        {"quantity": {"value": -3}},
        {"quantity": {"value": float("nan")}},
        {"quantity": {"value": True}},
        {"quantity": {"value": 1, "extra": 2}},
        {"time": {"from": "2024-13-01"}},
        {"time": {"from": "2024-05-01", "to": "2024-04-01"}},
        {"time": {"from": "May 2024"}},
        {"items": "trucks"},
        {"items": [{"text": ""}]},
        {"items": [{"text": "x" * 201}]},
        {"items": [{"text": "trucks\u0000"}]},
        {"items": [{"text": "t"}] * 31},
        {"locations": [{"text": "Hyesan", "role": "<script>"}]},
        {"agencies": [{"text": "MSS", "role": "victim"}]},
        {"negated": "yes"},
    ],
)
def test_validate_correction_refuses_with_E508(corrected) -> None:
    with pytest.raises(NewsclaimsError) as err:
        validate_correction(corrected)
    assert err.value.code == "E508"


def test_apply_correction_replaces_only_the_corrected_fields() -> None:
    record = _record("moved")
    out = apply_correction(record, {"claim_type": "seizure", "quantity": {"value": 45, "lower": 45, "upper": 45, "unit": None}})
    assert out["claim_type"] == "seizure"
    assert out["quantity"]["value"] == 45 and out["quantity"]["text"] == "40"  # the evidence text is kept
    assert {k: v for k, v in out.items() if k not in ("claim_type", "quantity")} == {
        k: v for k, v in record.items() if k not in ("claim_type", "quantity")
    }
    assert record["claim_type"] == "smuggling"  # the input is not changed


def test_apply_correction_resolves_places_from_the_original_then_the_mentions() -> None:
    record = _record("sent")  # "Traders said 25 excavators were sent to Kimjongsuk County."
    sentence = record["sentence"]
    corrected = validate_correction(
        {
            "locations": [
                {"text": "kimjongsuk county", "role": "origin"},
                {"text": "Traders", "role": None},
                {"text": "Wonsan", "role": "site"},
            ]
        }
    )
    out = apply_correction(record, corrected, mentions=_mentions("a-001"))
    kept, located, unknown = out["locations"]
    assert (kept["canonical"]["id"], kept["role"], kept["text"]) == ("KP-10-kimjongsuk", "origin", "Kimjongsuk County")
    doc_text = main_records()["documents"][0]["text"]
    assert doc_text[located["start"] : located["end"]] == "Traders" and located["canonical"] is None
    assert sentence["start"] <= located["start"] < sentence["end"]
    assert (unknown["start"], unknown["end"], unknown["canonical"]) == (None, None, None)


def test_apply_correction_picks_up_a_mention_the_extraction_missed() -> None:
    record = _record("arrested")
    record = {**record, "locations": []}
    out = apply_correction(record, {"locations": [{"text": "Hyesan", "role": "site"}]}, mentions=_mentions("a-001"))
    assert out["locations"][0]["canonical"] == {"id": "KP-10-hyesan", "name": "Hyesan City"}
    assert out["locations"][0]["parent"] == "KP-10"


def test_apply_correction_drops_sanctions_of_removed_items() -> None:
    record = _record("moved")
    record = {**record, "sanctions": [{"id": "UNSCR-2397-7", "resolution": "2397 (2017)", "paragraph": "7", "hs": "86-89",
                                       "description": "vehicles", "items": ["trucks"]}]}  # fmt: skip
    assert apply_correction(record, {"items": [{"text": "trucks", "class": "truck"}]})["sanctions"] == record["sanctions"]
    assert apply_correction(record, {"items": [{"text": "sedans", "class": "car"}]})["sanctions"] == []


def test_editable_round_trips_through_validation() -> None:
    for record in main_records()["claims"]:
        fields = editable(record)
        assert validate_correction(fields) == fields
        assert apply_correction(record, fields)["claim_type"] == record["claim_type"]
