"""The quantity and time grammars are matched by hand-written fast paths (quantities on short runs of tokens
around anchors, times by a pattern tree inside a clause); for any text they must find exactly what a spaCy
Matcher with the same patterns finds on the whole doc (a fast path that loses a quantity or a date would be a
silent bug)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from pipeline.claims.timex import _matches_in, _patterns
from pipeline.nlp.entities import anchor_runs
from pipeline.nlp.sentences import tokens

# Words the grammars are made of, mixed with words that break runs; glued by spaces so tokens touch.
WORDS = st.sampled_from(
    [
        "over",
        "more",
        "than",
        "about",
        "100",
        "1,200",
        "2.5",
        "$",
        "¥",
        "yuan",
        "million",
        "two",
        "hundred",
        "dozens",
        "of",
        "tens",
        "thousands",
        "a",
        "few",
        "to",
        "and",
        "or",
        "-",
        "between",
        "from",
        "percent",
        "per",
        "cent",
        "percentage",
        "points",
        "north",
        "korean",
        "won",
        "us$",
        "dollars",
        "€",
        "%",
        "per",
        "trucks",
        "smuggled",
        "the",
        "early",
        "mid",
        "late",
        "end",
        "March",
        "may",
        "May",
        "2024",
        "2025",
        "1999",
        "3rd",
        "15",
        "first",
        "half",
        "quarter",
        "q3",
        "last",
        "this",
        "year",
        "month",
        "week",
        "ago",
        "recently",
        "in",
        "recent",
        "weeks",
        "until",
        "since",
        "spring",
        ",",
        ".",
        "\n\n",
        "Hyesan",
        # phrases, so that whole expressions (and their near misses) come up often
        "the end of",
        "early of",
        "from early to mid-",
        "the first half of",
        "the third quarter of",
        "in recent weeks",
        "between March and",
        "from 2023 to",
        "a year ago",
        "more than 1,000",
        "between 30 and 40",
        "tens of thousands of",
        "$1.5 million",
        "30-40",
    ]
)
TEXTS = st.lists(WORDS, min_size=1, max_size=80).map(" ".join)


def _whole_doc(matcher, doc) -> list[tuple[int, int, int]]:
    return sorted(set(matcher(doc)), key=lambda m: (m[1], m[2], m[0]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_quantity_runs_find_every_match_of_the_whole_doc(nlp, grammar, text: str) -> None:
    quantities = nlp.get_pipe("newsclaims_quantities")._impl
    doc = nlp.make_doc(text)
    assert quantities._matches(doc, tokens(doc)) == _whole_doc(grammar, doc)


# Every word of the vague phrases ("a large number", "tens of thousands"), with numbers, currency and breakers:
# the vague matches are found from one anchor word per phrase, which must be inside a run.
VAGUE_WORDS = st.sampled_from(
    sorted(
        {
            *"hundreds several hundred dozens dozen scores thousands thousand tens of millions million".split(),
            *"a few couple handful large volume number amount quantity quantities volumes significant".split(),
            *"small great deal numerous single".split(),
            *["100", "2", "$", "to", "and", "percent", "trucks", "the", ",", ".", "A", "Large", "SEVERAL"],
        }
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(VAGUE_WORDS, min_size=1, max_size=40).map(" ".join))
def test_vague_phrases_are_found_wherever_they_are(nlp, grammar, text: str) -> None:
    quantities = nlp.get_pipe("newsclaims_quantities")._impl
    doc = nlp.make_doc(text)
    assert quantities._matches(doc, tokens(doc)) == _whole_doc(grammar, doc)


@pytest.fixture(scope="module")
def grammar(nlp) -> Matcher:
    """The whole quantity grammar as one Matcher over the whole doc: the reference the fast path must equal."""
    quantities = nlp.get_pipe("newsclaims_quantities")._impl
    matcher = Matcher(nlp.vocab)
    for key in ("NUM", "RANGE"):
        matcher.add(key, quantities.matcher.get(key)[1])
    matcher.add("VAGUE", [[{"LOWER": t} for t in key] for key in quantities.vague])
    return matcher


@pytest.fixture(scope="module")
def time_grammar(nlp) -> Matcher:
    """The time-expression patterns in a spaCy Matcher over the whole doc: the reference for `_matches_in`."""
    matcher = Matcher(nlp.vocab)
    for key, patterns in _patterns().items():
        matcher.add(key, patterns)
    return matcher


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, cut=st.integers(min_value=0, max_value=80))
def test_time_runs_find_every_match_of_the_whole_doc_inside_any_clause(nlp, time_grammar, text: str, cut: int) -> None:
    doc = nlp.make_doc(text)
    whole = _whole_doc(time_grammar, doc)
    assert _matches_in(doc, 0, len(doc)) == whole
    # a clause is a part of the doc: exactly the matches that lie inside it
    start, end = min(cut, len(doc)), len(doc)
    fresh = nlp.make_doc(text)
    assert _matches_in(fresh, start, end) == [m for m in whole if start <= m[1] and m[2] <= end]


def test_runs_break_at_words_outside_the_grammar_and_need_an_anchor() -> None:
    lows = ["over", "100", "trucks", "of", "a", "few", "and", "the"]
    inner = frozenset({"over", "of", "a", "few", "and", "the"})
    assert anchor_runs(lows, inner, frozenset({"few"}), [0, 1, 0, 0, 0, 0, 0, 0]) == [(0, 2), (3, 8)]
    assert anchor_runs(lows, inner, frozenset(), [0] * 8) == []


def _runs_by_scanning(lows: list[str], inner: frozenset[str], anchors: frozenset[str], numeric: list[int] | None):
    """The definition of `anchor_runs`, token by token: the maximal runs of tokens that can be in a match,
    kept when one of their tokens is an anchor."""
    can = [bool(numeric and numeric[i]) or low in inner for i, low in enumerate(lows)]
    runs, i = [], 0
    while i < len(lows):
        if not can[i]:
            i += 1
            continue
        j = i
        while j < len(lows) and can[j]:
            j += 1
        if any(lows[k] in anchors or (numeric and numeric[k]) for k in range(i, j)):
            runs.append((i, j))
        i = j
    return runs


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(["a", "b", "c", "x", "y", "1"]), max_size=40),
    with_numeric=st.booleans(),
)
def test_runs_found_from_the_anchors_are_the_runs_of_the_definition(words: list[str], with_numeric: bool) -> None:
    inner, anchors = frozenset({"a", "b", "x"}), frozenset({"x", "y"})  # "y" anchors but can be in no run
    numeric = [int(w == "1") for w in words] if with_numeric else None
    assert anchor_runs(words, inner, anchors, numeric) == _runs_by_scanning(words, inner, anchors, numeric)
