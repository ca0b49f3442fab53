"""Duplicate documents: the same normalised URL (tracking parameters stripped) or the same text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..types import Document, ErrorRecord
from .readers import ReadItem, error
from .urls import url_key


class Deduplicator:
    """Remembers the documents seen so far; a later copy is reported (E204) instead of processed again.

    The canonical URL is deliberately not a key: sites that put the same canonical link on every page
    would otherwise lose all but one article.
    """

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def add_url(self, url: str, origin: str) -> str | None:
        """Record a URL before fetching it; returns the first origin when it is a duplicate."""
        normal = url_key(url)
        if normal is None:
            return None
        key = "url " + normal
        if key in self._first:
            return self._first[key]
        self._first[key] = origin
        return None

    def check(self, doc: Document) -> ErrorRecord | None:
        """E204 when the document repeats an earlier one, else None (and the document is remembered)."""
        keys = [("text", "text " + doc.text_sha256)]
        for url in (doc.url, doc.final_url):
            normal = url_key(url) if url else None
            if normal is not None:
                keys.append(("URL", "url " + normal))
        label = doc.origin or doc.url or doc.doc_id
        for kind, key in keys:
            first = self._first.get(key)
            if first is not None and first != label:
                return error(label, "E204", doc_id=doc.doc_id, first=first, key=kind)
        for _, key in keys:
            self._first.setdefault(key, label)
        return None


def deduplicate(items: Iterable[ReadItem]) -> Iterator[ReadItem]:
    """Pass documents and errors through, replacing repeated documents by an E204 error."""
    seen = Deduplicator()
    for item in items:
        if isinstance(item, Document):
            duplicate = seen.check(item)
            yield duplicate if duplicate is not None else item
        else:
            yield item
