from __future__ import annotations

import pytest


def quantities(nlp, text):
    doc = nlp(text)
    return [(e.text, e._.newsclaims["quantity"]) for e in doc.ents if e.label_ == "QUANTITY"]


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("over 100 trucks crossed", "over 100", {"value": None, "lower": 100, "lower_inclusive": False, "upper": None}),
        ("more than 200 sedans", "more than 200", {"lower": 200, "lower_inclusive": False, "upper": None}),
        ("hundreds of units", "hundreds", {"vague": True, "lower": 200, "upper": 999}),
        ("dozens of trucks", "dozens", {"vague": True, "lower": 24, "upper": 99}),
        ("importing a single sedan", "a single", {"value": 1, "lower": 1, "upper": 1}),
        (
            "between 30 and 40 trucks",
            "between 30 and 40",
            {"value": None, "lower": 30, "upper": 40, "lower_inclusive": True, "upper_inclusive": True},
        ),
        ("some 3,000 tons of coal", "some 3,000", {"value": 3000, "approximate": True}),
        ("nearly 2 million barrels", "nearly 2 million", {"upper": 2_000_000, "upper_inclusive": False, "approximate": True}),
        ("worth $1.5 billion", "$1.5 billion", {"value": 1_500_000_000, "unit": "USD"}),
        ("paid 20,000 yuan each", "20,000 yuan", {"value": 20000, "unit": "CNY"}),
        ("a large volume of goods", "a large volume", {"vague": True, "value": None, "lower": None, "upper": None}),
        ("prices rose 30 percent", "30 percent", {"value": 30, "unit": "percent"}),
        ("two to three times a week", "two to three", {"lower": 2, "upper": 3, "per": "week"}),
        ("hundreds of units each month", "hundreds", {"per": "month"}),
    ],
)
def test_quantities_bounds_follow_the_words(nlp, text, span, expected):
    found = dict(quantities(nlp, text))
    assert span in found, found
    for key, value in expected.items():
        assert found[span][key] == value, (key, found[span])


@pytest.mark.parametrize(
    "text",
    [
        "under Resolution 2397 of the Security Council",
        "restrictions imposed in 2017 on petroleum",
        "since the borders reopened in August 2023",
        "the second batch of goods arrived",
        "paragraph 7 of the resolution",
        "one expert said it was bad",
        "he spent three years in a camp",
        "a 45-year-old trader",
        "on March 1st Street",
    ],
)
def test_quantities_not_dates_years_or_references(nlp, text):
    assert quantities(nlp, text) == []
