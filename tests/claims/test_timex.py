from __future__ import annotations

import datetime as dt

import pytest

from pipeline.claims.timex import find_times


def times(nlp, text, published):
    doc = nlp(text)
    pub = dt.date.fromisoformat(published) if published else None
    return [t.to_record(pub) for t in find_times(doc, 0, len(doc), pub)]


@pytest.mark.parametrize(
    ("text", "published", "expr", "start", "end"),
    [
        ("In March, goods were smuggled in.", "2025-05-20", "March", "2025-03-01", "2025-03-31"),
        ("From early to mid-April, sedans came in.", "2025-05-20", "from early to mid-April", "2025-04-01", "2025-04-20"),
        ("Trade has grown since August 2023.", "2025-05-20", "August 2023", "2023-08-01", "2025-05-20"),
        ("In December, prices rose.", "2025-01-15", "December", "2024-12-01", "2024-12-31"),
        ("Last month, trucks crossed.", "2025-05-31", "Last month", "2025-04-01", "2025-04-30"),
        ("Last month, trucks crossed.", "2024-03-01", "Last month", "2024-02-01", "2024-02-29"),
        ("Earlier this month guards were replaced.", "2024-02-29", "Earlier this month", "2024-02-01", "2024-02-29"),
        ("In the first half of 2024, exports fell.", "2025-05-20", "the first half of 2024", "2024-01-01", "2024-06-30"),
        ("Late last year the bridge reopened.", "2025-05-20", "Late last year", "2024-09-01", "2024-12-31"),
        ("On April 15, 2025 a truck crossed.", "2025-05-20", "April 15, 2025", "2025-04-15", "2025-04-15"),
    ],
)
def test_timex_intervals_anchored_to_publication(nlp, text, published, expr, start, end):
    found = {t["text"].lower(): t for t in times(nlp, text, published)}
    t = found[expr.lower()]
    assert (t["from"], t["to"]) == (start, end)


def test_timex_since_without_publication_is_unresolved_not_today(nlp):
    (t,) = times(nlp, "Smuggling has surged since March.", None)
    assert t["resolved"] is False and t["from"] is None and t["to"] is None and t["anchored_to"] is None


def test_timex_since_is_open_ended_to_publication(nlp):
    (t,) = times(nlp, "Smuggling has surged since March.", "2025-05-20")
    assert t["relation"] == "since" and t["from"] == "2025-03-01" and t["to"] == "2025-05-20"


@pytest.mark.parametrize(
    "text",
    [
        "Officials may inspect the trucks.",
        "Traders gathered on March 1st Street.",
        "A source told Daily NK about it.",
        "Under Resolution 2397 the ban holds.",
    ],
)
def test_timex_not_dates(nlp, text):
    assert times(nlp, text, "2025-05-20") == []
