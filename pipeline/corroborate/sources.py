"""Independent sources: who originally reported a claim, through republished copies and citations.

A claim's source is, in order: the outlet it cites ("according to Border Monitor", "RFA reported",
"a source told Daily NK": the extractor's `attribution.source`, else a known outlet named in the
attributing phrase, else in the sentence of a reported claim); else the outlet of the original when the
document is a near-duplicate copy; else the document's own outlet (`source`, else `site`, else the URL
host). Outlet names are compared after normalisation and aliases ("RFA" = "Radio Free Asia").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .minhash import NearDuplicate

_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class ClaimSource:
    """Where one claim comes from: the independent source it counts for, and how that was decided."""

    source: str  # display name of the independent source
    source_key: str  # normalised name: the key sources are counted by
    outlet: str  # display name of the outlet that published the document
    via: str  # direct, republication or citation
    cites: str | None  # the outlet the claim cites, when it cites one
    republication_of: str | None  # doc id of the original, when the document is a copy


def outlet_key(name: str) -> str:
    """Normalised outlet name: case, punctuation, spacing and a leading "the" do not matter."""
    key = _NON_WORD.sub(" ", name.casefold()).strip()
    return key[4:] if key.startswith("the ") else key


class OutletBook:
    """Known outlets (document sources, aliases, configured names) and how to find them in text."""

    def __init__(self, names: Iterable[str], aliases: Iterable[tuple[str, str]]) -> None:
        self.alias: dict[str, str] = {outlet_key(a): outlet_key(b) for a, b in aliases}
        self.display: dict[str, str] = {}
        spellings: set[str] = set()
        for alias, target in aliases:
            self.display.setdefault(outlet_key(target), target)
            spellings.update((alias, target))
        for name in sorted(n.strip() for n in names if n and n.strip()):
            self.display.setdefault(self.key(name), name)
            spellings.add(name)
        ordered = sorted(spellings, key=lambda s: (-len(s), s))  # longest first: "NK News" before "NK"
        self._pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(s) for s in ordered) + r")(?!\w)") if ordered else None

    def key(self, name: str) -> str:
        """The counting key of an outlet name (aliases resolved)."""
        k = outlet_key(name)
        return self.alias.get(k, k)

    def name(self, key: str, fallback: str) -> str:
        """The display name of a key."""
        return self.display.get(key, fallback)

    def find(self, text: str | None) -> str | None:
        """The first known outlet named in the text (case-sensitive, whole words), or None."""
        if not text or self._pattern is None:
            return None
        m = self._pattern.search(text)
        return m.group(1) if m else None


def document_outlet(doc: Mapping[str, Any]) -> str:
    """The outlet of a document: `source`, else `site`, else the URL host, else its doc id."""
    for field in ("source", "site"):
        value = doc.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    for field in ("final_url", "url"):
        value = doc.get(field)
        if isinstance(value, str) and value:
            host = urlsplit(value).hostname
            if host:
                return host.removeprefix("www.")
    return f"unknown outlet ({doc.get('doc_id')})"


def cited_outlet(claim: Mapping[str, Any], book: OutletBook) -> str | None:
    """The outlet a claim attributes its content to, or None."""
    attribution = claim.get("attribution") or {}
    named = attribution.get("source")
    if isinstance(named, str) and named.strip():
        return named.strip()
    found = book.find(attribution.get("text"))
    if found is None and attribution.get("status", "asserted") != "asserted":
        found = book.find((claim.get("sentence") or {}).get("text"))
    return found


def resolve_source(
    claim: Mapping[str, Any],
    doc: Mapping[str, Any],
    book: OutletBook,
    *,
    copy: NearDuplicate | None,
    original: Mapping[str, Any] | None,
) -> ClaimSource:
    """The independent source of one claim (`copy`/`original` when its document republishes another)."""
    outlet = document_outlet(doc)
    outlet_k = book.key(outlet)
    cites = cited_outlet(claim, book)
    republication_of = copy.original if copy is not None else None
    if cites is not None and book.key(cites) != outlet_k:
        key = book.key(cites)
        return ClaimSource(book.name(key, cites), key, outlet, "citation", cites, republication_of)
    if copy is not None and original is not None:
        first = document_outlet(original)
        key = book.key(first)
        if key != outlet_k:
            return ClaimSource(book.name(key, first), key, outlet, "republication", cites, republication_of)
    return ClaimSource(book.name(outlet_k, outlet), outlet_k, outlet, "direct", cites, republication_of)
