"""Paragraph-aware sentence boundaries: a blank line always ends a sentence; so do headlines and captions.

Boundaries are found with regular expressions over the text (C speed) and written to the Doc in one
`from_array` call, instead of a Python loop over every token.
"""

from __future__ import annotations

import re
from typing import Any

import numpy
from spacy.attrs import LOWER, SENT_START
from spacy.tokens import Doc

_NEWLINES = re.compile(r"\n\s*")
_TERMINAL = re.compile(r"[.!?…。]+[\"”’')\]»]*(?=\s)")
_CLOSERS = "\"”’')]»"
_OPENERS = "\"“‘'([«"
_ENDS_PARAGRAPH_LINE = ".!?…。:" + _CLOSERS


def text_of(doc: Doc) -> str:
    """`doc.text`, computed once per doc (spaCy joins every token's text on each access)."""
    text = doc.user_data.get("newsclaims_text")
    if text is None:
        text = doc.user_data["newsclaims_text"] = doc.text
    return text


def lowers(doc: Doc) -> list[str]:
    """Every token's lower-case form, read once per doc (each `doc[i]` builds a new Token object)."""
    cached = doc.user_data.get("newsclaims_lowers")
    if cached is None:
        strings = doc.vocab.strings
        hashes: list[Any] = doc.to_array([LOWER]).reshape(-1).tolist() if len(doc) else []
        cached = doc.user_data["newsclaims_lowers"] = [strings[h] for h in hashes]
    return cached


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPENERS


def _boundary_chars(doc: Doc) -> list[int]:
    """Character offsets where a new sentence begins (the first non-space character)."""
    text = text_of(doc)
    n = len(text)
    out: list[int] = []
    for m in _NEWLINES.finditer(text):
        e = m.end()
        if e >= n:
            continue
        if m.group().count("\n") >= 2:
            out.append(e)
            continue
        before = text[: m.start()].rstrip()
        wrapped = before and before[-1] not in _ENDS_PARAGRAPH_LINE and text[e].islower()
        if not wrapped:
            out.append(e)
    for m in _TERMINAL.finditer(text):
        e = m.end()
        while e < n and text[e] in " \t":
            e += 1
        if e >= n or text[e] == "\n" or not _starts_sentence(text[e]):
            continue
        if text[m.start()] == "." and _abbreviation(doc, m.start()):
            continue
        out.append(e)
    return out


def _abbreviation(doc: Doc, dot: int) -> bool:
    """'U.S.', 'Mr.' (one token with the dot) or an initial ('J. Smith'): not a sentence end."""
    span = doc.char_span(dot, dot + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    token = span[0]
    if len(token.text) > 1 and any(c.isalpha() for c in token.text):
        return True
    text = text_of(doc)
    return dot >= 1 and text[dot - 1].isupper() and (dot < 2 or not text[dot - 2].isalpha())


def set_sentence_starts(doc: Doc) -> Doc:
    """Mark `is_sent_start` on every token (deterministic rules, no model)."""
    if len(doc) == 0:
        return doc
    starts = numpy.zeros(len(doc), dtype=bool)
    starts[0] = True
    for char in _boundary_chars(doc):
        span = doc.char_span(char, char + 1, alignment_mode="expand")
        if span is not None and len(span):
            starts[span.start] = True
    # SENT_START is 1 for a start and -1 for "not a start", stored as uint64 like spaCy's own arrays.
    values = numpy.where(starts, 1, -1).astype("int64").astype("uint64").reshape(-1, 1)
    doc.from_array([SENT_START], values)  # type: ignore[arg-type]
    return doc


def sentence_token_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token spans [start, end) of all sentences, read from the SENT_START array once per doc."""
    cached = doc.user_data.get("newsclaims_sents")
    if cached is None:
        if len(doc) == 0:
            return []
        flags = doc.to_array([SENT_START]).astype("int64").reshape(-1)
        starts = [int(i) for i in numpy.flatnonzero(flags == 1)]
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        cached = list(zip(starts, [*starts[1:], len(doc)], strict=True))
        doc.user_data["newsclaims_sents"] = cached
    return cached


def sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the non-blank sentences, trimmed of surrounding whitespace."""
    out: list[tuple[int, int]] = []
    text = text_of(doc)
    for a, b in sentence_token_spans(doc):
        start = doc[a].idx
        end = doc[b - 1].idx + len(doc[b - 1].text)
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        out.append((start + lead, start + lead + len(stripped)))
    return out


def sentence_tokens(doc: Doc) -> list[tuple[int, int]]:
    """Token spans [start, end) of the sentences of `sentence_offsets`, same order, without the whitespace
    tokens at either end: `doc[start:end]` is what `doc.char_span(*offsets, alignment_mode="expand")` gives."""
    cached = doc.user_data.get("newsclaims_sent_tokens")
    if cached is None:
        lows = lowers(doc)
        cached = []
        for a, b in sentence_token_spans(doc):
            while a < b and not lows[a].strip():
                a += 1
            while b > a and not lows[b - 1].strip():
                b -= 1
            if a < b:
                cached.append((a, b))
        doc.user_data["newsclaims_sent_tokens"] = cached
    return cached


def token_sentence_index(doc: Doc) -> list[int]:
    """For each token, the index of its sentence in `sentence_offsets` (-1 for blank sentences)."""
    index = [-1] * len(doc)
    k = -1
    text = text_of(doc)
    for a, b in sentence_token_spans(doc):
        if text[doc[a].idx : doc[b - 1].idx + len(doc[b - 1].text)].strip():
            k += 1
            index[a:b] = [k] * (b - a)
    return index
