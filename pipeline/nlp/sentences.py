"""Paragraph-aware sentence boundaries: a blank line always ends a sentence; so do headlines and captions.

Boundaries are found with regular expressions over the text (C speed) and written to the Doc in one
`from_array` call, instead of a Python loop over every token.
"""

from __future__ import annotations

import re
from bisect import bisect_right

import numpy
from spacy.attrs import IDX, IS_PUNCT, LIKE_NUM, LOWER, SENT_START, SPACY
from spacy.tokens import Doc

_NEWLINES = re.compile(r"\n\s*")
# A run of sentence-ending marks, any closing quotes or brackets, then the spaces or tabs before the next
# sentence on the same line (a mark followed by a line break or any other space never starts one here).
# The first mark is written on its own rather than as `[.!?…。]+`: sre only skips ahead to a character of
# the set when the pattern starts with a plain set, and otherwise tries a match at every position (the
# `+` form cost 46M instructions per 200 articles, this one 20M). Most articles have no "!", "?", "…" or
# "。": `_TERMINAL_DOT`, with its literal first ".", finds the same matches there in 6M.
_TERMINAL = re.compile(r"[.!?…。][.!?…。]*[\"”’')\]»]*[ \t]+")
_TERMINAL_DOT = re.compile(r"\.\.*[\"”’')\]»]*[ \t]+")
_CLOSERS = "\"”’')]»"
_OPENERS = "\"“‘'([«"
_ENDS_PARAGRAPH_LINE = ".!?…。:" + _CLOSERS


def text_of(doc: Doc) -> str:
    """`doc.text`, computed once per doc (spaCy joins every token's text on each access)."""
    text = doc.user_data.get("newsclaims_text")
    if text is None:
        text = doc.user_data["newsclaims_text"] = doc.text
    return text


class Tokens:
    """Every token's lower-case form, character bounds and flags, read from the Doc once in one `to_array`
    call. Each `doc[i]` or `doc[a:b]` builds a new Token or Span object (measured at about a tenth of a run),
    so the components index these lists instead."""

    __slots__ = ("text", "lower", "aligned", "lows", "starts", "ends", "like_num", "_is_punct")

    def __init__(self, doc: Doc) -> None:
        self.text = text_of(doc)
        self.lower = self.text.lower()  # the whole text lower-cased, once per doc
        # True when `lower` lines up with `text` character for character and no character's lower case
        # depends on its context (in Python only capital sigma does: "ΣΑΣ" -> "σας", final "ς"), so that
        # `lower[a:b]` is the lower case of `text[a:b]`.
        self.aligned = len(self.lower) == len(self.text) and "Σ" not in self.text
        # the function spaCy computes `token.is_punct` with (the stubs do not declare the attribute)
        self._is_punct = doc.vocab.lex_attr_getters[IS_PUNCT]  # type: ignore[attr-defined]
        if len(doc):
            # SPACY rather than LENGTH: the doc's text is each token's text followed by its trailing space if
            # any, so a token ends where the next one starts less that space, and spaCy reads SPACY without
            # the error checks that make every LENGTH cost about 100 instructions. The ends are computed by
            # numpy: a Python `map(add, starts, lengths)` made an int object per token. Together: 66M
            # instructions per 200 articles for these three lists before, 51M now.
            array = doc.to_array([IDX, SPACY, LIKE_NUM])
            idx = array[:, 0]
            self.starts: list[int] = idx.tolist()
            self.ends: list[int] = (idx[1:] - array[:-1, 1]).tolist()
            self.ends.append(len(self.text) - int(array[-1, 1]))
            self.like_num: list[int] = array[:, 2].tolist()
            if self.aligned:  # the tokens' lower-case forms are slices of the lower-cased text
                lower = self.lower
                self.lows: list[str] = [lower[a:b] for a, b in zip(self.starts, self.ends, strict=True)]
            else:  # e.g. "İ" lower-cases to two code points: ask the vocabulary
                strings = doc.vocab.strings
                self.lows = [strings[h] for h in doc.to_array([LOWER]).tolist()]
        else:
            self.lows, self.starts, self.ends, self.like_num = [], [], [], []

    def is_punct(self, i: int) -> bool:
        """`doc[i].is_punct` (computed on demand: few tokens are asked)."""
        return bool(self._is_punct(self.word(i)))

    def space_after(self, i: int) -> bool:
        """`bool(doc[i].whitespace_)`: a token's own trailing whitespace is one space, and any other
        whitespace is a token of its own, so a gap before the next token is exactly that space."""
        return self.ends[i] < (self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text))

    def word(self, i: int) -> str:
        """`doc[i].text`."""
        return self.text[self.starts[i] : self.ends[i]]

    def span_text(self, start: int, end: int) -> str:
        """`doc[start:end].text` (empty for an empty span)."""
        return self.text[self.starts[start] : self.ends[end - 1]] if end > start else ""

    def token_at(self, char: int) -> int | None:
        """The token whose text holds the character at `char` (None in the space between tokens)."""
        i = bisect_right(self.starts, char) - 1
        return i if i >= 0 and char < self.ends[i] else None


def tokens(doc: Doc) -> Tokens:
    """The doc's token table, built once per doc."""
    table = doc.user_data.get("newsclaims_tokens")
    if table is None:
        table = doc.user_data["newsclaims_tokens"] = Tokens(doc)
    return table


def lowers(doc: Doc) -> list[str]:
    """Every token's lower-case form (see `Tokens`)."""
    return tokens(doc).lows


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
        if text[e].islower():  # a line wrapped inside a sentence: the line before does not end like one
            j = m.start() - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            if j >= 0 and text[j] not in _ENDS_PARAGRAPH_LINE:
                continue
        out.append(e)
    other_marks = "!" in text or "?" in text or "…" in text or "。" in text
    for m in (_TERMINAL if other_marks else _TERMINAL_DOT).finditer(text):
        e = m.end()  # past the spaces and tabs
        if e >= n or not _starts_sentence(text[e]):
            continue
        if text[m.start()] == "." and _abbreviation(doc, m.start()):
            continue
        out.append(e)
    return out


def _abbreviation(doc: Doc, dot: int) -> bool:
    """'U.S.', 'Mr.' (one token with the dot) or an initial ('J. Smith'): not a sentence end."""
    table = tokens(doc)
    i = table.token_at(dot)
    if i is None:
        return False
    word = table.word(i)
    if len(word) > 1 and any(c.isalpha() for c in word):
        return True
    text = text_of(doc)
    return dot >= 1 and text[dot - 1].isupper() and (dot < 2 or not text[dot - 2].isalpha())


def set_sentence_starts(doc: Doc) -> Doc:
    """Mark `is_sent_start` on every token (deterministic rules, no model)."""
    first = _sentence_starts(doc)
    if first:
        # SENT_START is 1 for a start and -1 for "not a start", stored as uint64 like spaCy's own arrays.
        # Filled and indexed in place: a boolean mask turned into values by `numpy.where` and two `astype`
        # copies, then read back with `flatnonzero`, cost 1.8 times as many instructions (measured).
        values = numpy.full(len(doc), _NOT_A_START)
        values[first] = 1
        doc.from_array([SENT_START], values)  # type: ignore[arg-type]
    return doc


def find_sentences(doc: Doc) -> Doc:
    """The sentences of `set_sentence_starts`, kept for our components only (`sentence_token_spans`): the
    lean pipeline's Docs never leave the batch worker, and writing SENT_START into the Doc was 6% of this
    step (measured with callgrind)."""
    _sentence_starts(doc)
    return doc


def _sentence_starts(doc: Doc) -> list[int]:
    """The first token of every sentence, ascending; the sentence spans cached for `sentence_token_spans`."""
    if len(doc) == 0:
        return []
    starts = {0}
    table = tokens(doc)
    for char in _boundary_chars(doc):
        i = table.token_at(char)  # a boundary is never a space, so it is inside a token
        if i is not None:
            starts.add(i)
    first = sorted(starts)
    doc.user_data["newsclaims_sents"] = _spans_from_starts(first, len(doc))
    return first


_NOT_A_START = numpy.uint64(2**64 - 1)  # -1 as uint64


def _spans_from_starts(starts: list[int], n: int) -> list[tuple[int, int]]:
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return list(zip(starts, [*starts[1:], n], strict=True))


def sentence_token_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token spans [start, end) of all sentences, read from the SENT_START array once per doc."""
    cached = doc.user_data.get("newsclaims_sents")
    if cached is None:
        if len(doc) == 0:
            return []
        flags = doc.to_array([SENT_START]).astype("int64").reshape(-1)
        cached = _spans_from_starts(numpy.flatnonzero(flags == 1).tolist(), len(doc))
        doc.user_data["newsclaims_sents"] = cached
    return cached


def sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the non-blank sentences, trimmed of surrounding whitespace."""
    table = tokens(doc)
    text, starts, ends = table.text, table.starts, table.ends
    out: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []  # their token spans, for `token_sentence_index`
    for a, b in sentence_token_spans(doc):
        start = starts[a]
        chunk = text[start : ends[b - 1]]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        out.append((start + lead, start + lead + len(stripped)))
        spans.append((a, b))
    doc.user_data["newsclaims_nonblank_sents"] = spans
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
    """For each token, the index of its sentence in `sentence_offsets` (-1 for blank sentences).

    Reads which sentences are blank from `sentence_offsets` (the extraction calls it first) rather than
    slicing and stripping every sentence's text again.
    """
    spans = doc.user_data.get("newsclaims_nonblank_sents")
    if spans is None:
        sentence_offsets(doc)
        spans = doc.user_data["newsclaims_nonblank_sents"]
    index = [-1] * len(doc)
    for k, (a, b) in enumerate(spans):
        index[a:b] = [k] * (b - a)
    return index
