"""The faster sentence boundaries and token table give what the plain versions they replaced gave, on any text."""

from __future__ import annotations

import re
from operator import add

import numpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.attrs import IDX, LENGTH, LIKE_NUM, SENT_START

from pipeline.nlp import sentences

# The characters the rules look at (marks, closers, openers, spaces of every kind, cases, digits, the
# letters whose lower case is not one code point) and a few ordinary ones, so that random text hits them.
CHARS = ".!?…。\"”’')]»“‘([« \t\n\r\x0b\xa0\u2028\u3000aZé9ΣİxY-,:"
WORDS = st.sampled_from(["Mr.", "U.S.", "J.", "3.5", "...", "?!", ".”", "said.", "Kim", "the", "\n\n", "  "])
TEXT = st.one_of(
    st.text(alphabet=CHARS, max_size=80),
    st.lists(st.one_of(WORDS, st.text(alphabet=CHARS, max_size=3)), max_size=30).map(" ".join),
    st.text(max_size=60),
)

_OLD_TERMINAL = re.compile(r"[.!?…。]+[\"”’')\]»]*(?=\s)")


def _old_boundary_chars(doc) -> list[int]:
    """`_boundary_chars` as it was, with a `[.!?…。]+` pattern followed by a loop over the spaces."""
    text = sentences.text_of(doc)
    n = len(text)
    out: list[int] = []
    for m in sentences._NEWLINES.finditer(text):
        e = m.end()
        if e >= n:
            continue
        if m.group().count("\n") >= 2:
            out.append(e)
            continue
        if text[e].islower():
            j = m.start() - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            if j >= 0 and text[j] not in sentences._ENDS_PARAGRAPH_LINE:
                continue
        out.append(e)
    for m in _OLD_TERMINAL.finditer(text):
        e = m.end()
        while e < n and text[e] in " \t":
            e += 1
        if e >= n or text[e] == "\n" or not sentences._starts_sentence(text[e]):
            continue
        if text[m.start()] == "." and sentences._abbreviation(doc, m.start()):
            continue
        out.append(e)
    return out


def _old_sentence_starts(doc) -> tuple[list[int], list[tuple[int, int]]]:
    """The SENT_START values and sentence spans `set_sentence_starts` wrote, computed as it used to."""
    starts = numpy.zeros(len(doc), dtype=bool)
    starts[0] = True
    table = sentences.tokens(doc)
    for char in _old_boundary_chars(doc):
        i = table.token_at(char)
        if i is not None:
            starts[i] = True
    values = numpy.where(starts, 1, -1).astype("int64").astype("uint64")
    return values.tolist(), sentences._spans_from_starts(numpy.flatnonzero(starts).tolist(), len(doc))


@settings(max_examples=400, deadline=None)
@given(text=TEXT)
def test_terminal_patterns_match_the_old_one_followed_by_spaces(text):
    """The old matches that a space or tab follows, each extended over its spaces and tabs (the ones the loop
    kept): the same spans, so the same `m.start()` for the abbreviation check."""
    old = []
    for m in _OLD_TERMINAL.finditer(text):
        e = m.end()
        while e < len(text) and text[e] in " \t":
            e += 1
        if e > m.end():
            old.append((m.start(), e))
    assert [m.span() for m in sentences._TERMINAL.finditer(text)] == old
    if not any(mark in text for mark in "!?…。"):
        assert [m.span() for m in sentences._TERMINAL_DOT.finditer(text)] == old


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_sentence_starts_and_token_table_are_unchanged(nlp, text):
    doc = nlp.make_doc(text)
    doc.user_data["newsclaims_text"] = text
    if not len(doc):
        return
    table = sentences.tokens(doc)
    idx, lengths, like_num = doc.to_array([IDX, LENGTH, LIKE_NUM]).T.tolist()
    assert table.starts == idx
    assert table.ends == list(map(add, idx, lengths))
    assert table.like_num == like_num
    assert all(type(v) is int for v in table.starts + table.ends + table.like_num)
    assert sentences._boundary_chars(doc) == _old_boundary_chars(doc)
    values, spans = _old_sentence_starts(doc)
    sentences.set_sentence_starts(doc)
    assert doc.to_array([SENT_START]).astype("uint64").tolist() == values
    assert doc.user_data["newsclaims_sents"] == spans
