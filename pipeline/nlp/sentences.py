"""Paragraph-aware sentence boundaries: a blank line always ends a sentence; so do headlines and captions."""

from __future__ import annotations

from spacy.tokens import Doc

TERMINALS = frozenset({".", "!", "?", "...", "…", "?!", "!?", "。"})
CLOSERS = frozenset({"”", '"', "’", "'", ")", "]", "»"})
OPENERS = frozenset({"“", '"', "‘", "'", "(", "[", "«"})


def _starts_sentence_after_terminal(token_text: str) -> bool:
    first = token_text[0]
    return first.isupper() or first.isdigit() or token_text in OPENERS or first in OPENERS


def set_sentence_starts(doc: Doc) -> Doc:
    """Mark `is_sent_start` on every token (deterministic rules, no model)."""
    n = len(doc)
    if n == 0:
        return doc
    starts = [False] * n
    starts[0] = True
    i = 0
    while i < n:
        tok = doc[i]
        if tok.is_space and "\n" in tok.text:
            nxt = i + 1
            if nxt < n:
                blank_line = tok.text.count("\n") >= 2
                prev = doc[i - 1].text if i > 0 else ""
                prev_ends = prev in TERMINALS or prev in CLOSERS or prev.endswith(".")
                wrapped = not prev_ends and doc[nxt].text[:1].islower()
                if blank_line or not wrapped:
                    starts[nxt] = True
        elif tok.text in TERMINALS or (tok.text.endswith(".") and len(tok.text) > 1 and tok.text[-2] in "!?"):
            j = i + 1
            while j < n and doc[j].text in CLOSERS:
                j += 1
            if j < n and not doc[j].is_space:
                if _starts_sentence_after_terminal(doc[j].text) and not _is_initial(doc, i):
                    starts[j] = True
            elif j < n and doc[j].is_space and j + 1 < n and "\n" not in doc[j].text:
                if _starts_sentence_after_terminal(doc[j + 1].text):
                    starts[j + 1] = True
        i += 1
    for k, value in enumerate(starts):
        doc[k].is_sent_start = value
    return doc


def _is_initial(doc: Doc, i: int) -> bool:
    """'J. Smith': a period after a single capital letter is an initial, not a sentence end."""
    if doc[i].text != "." or i == 0:
        return False
    prev = doc[i - 1]
    return len(prev.text) == 1 and prev.text.isupper() and not prev.whitespace_


def sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the non-blank sentences, trimmed of surrounding whitespace."""
    out: list[tuple[int, int]] = []
    for sent in doc.sents:
        toks = [t for t in sent if not t.is_space]
        if not toks:
            continue
        out.append((toks[0].idx, toks[-1].idx + len(toks[-1].text)))
    return out


def token_sentence_index(doc: Doc) -> list[int]:
    """For each token, the index of its sentence in `sentence_offsets` (-1 for blank sentences)."""
    index = [-1] * len(doc)
    k = -1
    for sent in doc.sents:
        if any(not t.is_space for t in sent):
            k += 1
            for t in sent:
                index[t.i] = k
    return index
