"""What a card shows: highlight offsets (code points), links that are safe, quantity bounds."""

from __future__ import annotations

import pytest

from pipeline.review.fields import display_fields, highlights, quantity_bounds, safe_label, safe_url

from .builders import EMOJI_TEXT, emoji_records, main_records


def test_highlights_are_code_point_offsets_into_the_sentence_with_emoji() -> None:
    record = emoji_records()["claims"][0]
    sentence = record["sentence"]["text"]
    marks, dropped = highlights(record)
    assert dropped == 0
    assert [(m["label"], m["text"]) for m in marks] == [
        ("TRIGGER", "moved"), ("QUANTITY", "30"), ("VEHICLE", "trucks"), ("COUNTY", "Sinu\u0306iju"),
        ("TIME", "in June 2024"), ("SOURCE", "a source told Daily NK"),
    ]  # fmt: skip
    for m in marks:
        assert sentence[m["start"] : m["end"]] == m["text"]
    # The sentence comes after emoji made of surrogate pairs: UTF-16 offsets would be larger.
    assert len(EMOJI_TEXT[: record["sentence"]["start"]].encode("utf-16-le")) // 2 > record["sentence"]["start"]


def test_highlights_drop_parts_whose_offsets_do_not_match() -> None:
    record = main_records()["claims"][0]
    broken = {**record, "quantity": {**record["quantity"], "start": record["quantity"]["start"] + 1}}
    marks, dropped = highlights(broken)
    assert dropped == 1
    assert "QUANTITY" not in {m["label"] for m in marks}


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.dailynk.com/english/x?a=1#b", True),
        ("http://example.org/", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("/relative/path", False),
        (None, False),
        ("https://x.org/" + "a" * 3000, False),
    ],
)
def test_safe_url_allows_only_absolute_http_links(url, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


@pytest.mark.parametrize(("label", "kept"), [("COUNTY", "COUNTY"), ("county", "OTHER"), ('"><img>', "OTHER"), (None, "OTHER")])
def test_safe_label_is_an_allow_list(label, kept: str) -> None:
    assert safe_label(label) == kept


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        ({"value": 100, "lower": 100, "upper": 100}, "= 100"),
        ({"value": None, "lower": 100, "upper": None, "lower_inclusive": False}, "> 100"),
        ({"value": None, "lower": None, "upper": 2_000_000, "upper_inclusive": False}, "< 2,000,000"),
        ({"value": None, "lower": 30, "upper": 40}, "≥ 30 and ≤ 40"),
        ({"value": 120, "lower": None, "upper": None, "approximate": True}, "≈ 120"),
        ({"value": None, "lower": None, "upper": None, "vague": True}, "no number"),
    ],
)
def test_quantity_bounds_say_what_the_words_say(quantity: dict, shown: str) -> None:
    assert quantity_bounds(quantity) == shown


def test_display_fields_show_places_with_their_province() -> None:
    record = main_records()["claims"][0]
    places = next(f for f in display_fields(record) if f["name"] == "Places")
    assert places["entries"] == [{"text": "Hyesan", "detail": "Hyesan City · Ryanggang Province · role destination"}]
