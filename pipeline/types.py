"""Records that pass between the stages: ingest -> nlp -> claims -> output."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Any


def text_sha256(text: str) -> str:
    """Hex sha256 of the UTF-8 encoded text (the key gold annotations use)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stable_id(*parts: object, length: int = 16) -> str:
    """A short, content-derived id: the same parts always give the same id."""
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8"))
    return h.hexdigest()[:length]


# The ids hash a few dozen bytes each, about 5,700 per 200 articles. For input that short CPython's own
# sha256 (the private `_sha256` module, `_sha2` from Python 3.12) is cheaper than OpenSSL's, which spends
# most of a call setting up its context: 5.6k instructions per id instead of 7.1k (measured). The digest is
# the same; whole texts (`text_sha256`) still go to OpenSSL, which is faster on long input.
try:
    from _sha256 import sha256 as _sha256
except ImportError:  # Python 3.12+, or a build without the module
    try:
        from _sha2 import sha256 as _sha256  # type: ignore[no-redef]
    except ImportError:
        _sha256 = hashlib.sha256  # type: ignore[assignment]


def mention_id(doc_id: str, label: str, start: int, end: int) -> str:
    """`"m" + stable_id(doc_id, label, start, end)`, formatted in one step (computed for every mention)."""
    return "m" + _sha256(f"{doc_id}\x1f{label}\x1f{start}\x1f{end}".encode()).hexdigest()[:16]


def claim_id(doc_id: str, index: int, start: int, end: int, trigger_start: int, claim_type: str) -> str:
    """`"c" + stable_id(doc_id, index, start, end, trigger_start, claim_type)`, formatted in one step."""
    key = f"{doc_id}\x1f{index}\x1f{start}\x1f{end}\x1f{trigger_start}\x1f{claim_type}"
    return "c" + _sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One article: its main text (what every offset indexes into) and its metadata."""

    text: str
    doc_id: str = ""
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or datetime
    source: str | None = None  # the outlet, e.g. "Daily NK"
    # Filled by the ingest stage for web inputs; None for text/JSONL inputs.
    final_url: str | None = None
    author: str | None = None
    site: str | None = None
    language: str | None = None
    obtained: str = "text"  # how the text was obtained: text, jsonl, html, warc, fetch, ...
    origin: str = ""  # where it came from: "path:line" or the URL; not part of the record
    # Added by ingest (after the fields above so positional use is unchanged): <link rel=canonical> or og:url.
    canonical_url: str | None = None

    def __post_init__(self) -> None:
        if not self.doc_id:
            object.__setattr__(self, "doc_id", "d" + self.text_sha256[:15])

    @cached_property
    def text_sha256(self) -> str:  # read by the doc_id default, dedup and the record: hash the text once
        return text_sha256(self.text)

    def to_record(self) -> dict[str, Any]:
        """The `documents.jsonl` record (without sentences, which the NLP stage adds).

        Every field is a string or None, so a plain dict of them is what `dataclasses.asdict` (a recursive
        deep copy, measured at about 5% of a run) would give.
        """
        rec = {name: getattr(self, name) for name in _DOCUMENT_FIELDS}
        rec["text_sha256"] = self.text_sha256
        return rec


_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document) if f.name != "origin")


@dataclass(frozen=True)
class ErrorRecord:
    """A bad input, as written to `errors.jsonl`: nothing is dropped silently."""

    source: str  # file path or URL
    code: str  # e.g. "E102"
    message: str
    line: int | None = None  # 1-based line in a JSONL file, or record number in an archive
    doc_id: str | None = None

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Mention:
    """One entity mention with its code-point offsets into `Document.text`.

    Not frozen: a frozen dataclass sets each field through `object.__setattr__`, and building the mentions
    (about 25 per article) cost twice as much that way (measured). Nothing changes a mention once made.
    """

    doc_id: str
    label: str
    text: str
    start: int
    end: int
    sentence_index: int
    canonical: dict[str, Any] | None
    attrs: dict[str, Any] = field(default_factory=dict)
    # Derived from the fields above; every mention's id is written, so it is computed once, up front
    # (a `cached_property` takes a lock on every first read in Python 3.11).
    mention_id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.mention_id = mention_id(self.doc_id, self.label, self.start, self.end)

    def to_record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "mention_id": self.mention_id,
            "doc_id": self.doc_id,
            "label": self.label,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentence_index": self.sentence_index,
            "canonical": self.canonical,
        }
        rec.update(self.attrs)
        return rec

    def ref(self) -> dict[str, Any]:
        """The short form embedded in claim records."""
        return {
            "mention_id": self.mention_id,
            "label": self.label,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "canonical": self.canonical,
        }
