"""HTML pages -> `Document`: decoding, metadata and main text; readers for .html files and JSONL `html`."""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..types import Document
from .article import extract_article, load_tree
from .charset import decode_html
from .pagemeta import read_page_meta
from .readers import (
    DEFAULT_MAX_CHARS,
    ReadItem,
    Source,
    check_text,
    error,
    register_reader,
    register_record_hook,
)

DEFAULT_MAX_BYTES = 10_000_000  # decoded page size; the same default as the fetcher
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Signatures of common non-HTML files that end up saved as .html or served without a content type.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)
_RECORD_FIELDS = ("title", "published", "source", "author", "site", "language", "final_url")


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type of well-known binary files (PDF, images, zip), or None for anything else."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    return None


def document_from_html(
    page: bytes | str,
    *,
    url: str | None = None,
    final_url: str | None = None,
    content_type: str | None = None,
    obtained: str = "html",
    origin: str = "",
    doc_id: str = "",
    line: int | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    overrides: dict[str, str] | None = None,
) -> ReadItem:
    """Turn one page into a `Document`, or an `ErrorRecord` (E201 not an article, E202 not HTML, ...).

    Bytes are decoded here from their BOM, the HTTP `content_type` charset or the page's <meta>; `overrides`
    are metadata fields given with the page (e.g. a JSONL record's title) that win over extracted ones.
    """
    where = origin or url or "<html>"
    if isinstance(page, bytes):
        if not page.strip():
            return error(where, "E102", line=line)
        sniffed = sniff_content_type(page)
        if sniffed is not None:
            return error(where, "E202", line=line, content_type=sniffed)
        html = decode_html(page, content_type=content_type).text
    else:
        html = page.replace("\x00", "")
    if not html.strip():
        return error(where, "E102", line=line)
    try:
        tree = load_tree(html)
        if tree is None:
            return error(where, "E201", line=line, reason="no HTML document in it")
        base = final_url or url
        meta = read_page_meta(html, base_url=base, html_lang=_html_lang(tree, html))
        found = extract_article(tree, url=base, meta=meta)
    except (ValueError, TypeError, AttributeError, RecursionError) as err:
        # trafilatura and lxml fail this way on pathological markup; record it and carry on.
        return error(where, "E107", line=line, detail=f"{type(err).__name__}: {err}")
    if found.not_article is not None:
        return error(where, "E201", line=line, reason=found.not_article)
    fields: dict[str, Any] = {
        "title": found.title,
        "published": found.date,
        "source": found.site_name,
        "author": found.author,
        "language": meta.language,
        "final_url": final_url,
    }
    fields.update({k: v for k, v in (overrides or {}).items() if v is not None})
    address = fields["final_url"] or url or found.canonical_url
    fields["site"] = fields.get("site") or site_of(address)
    doc = Document(
        text=found.text,
        doc_id=doc_id,
        url=url or found.canonical_url,
        obtained=obtained,
        origin=f"{where}:{line}" if line is not None else where,
        canonical_url=found.canonical_url,
        **fields,
    )
    return check_text(doc, where, line, max_chars)


def site_of(url: str | None) -> str | None:
    """The host of a URL without a leading 'www.' ("www.example.org" -> "example.org")."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def read_capped(stream: Any, limit: int) -> bytes | None:
    """Read at most `limit` bytes from a binary stream; None when there is more (the cap is hit)."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def _html_lang(tree: Any, html: str) -> str | None:
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else None
    lang = root.get("lang") if root is not None else None
    if lang:
        return str(lang)
    match = _HTML_LANG.search(html[:8192])
    return match.group(1) if match else None


def _read_html_file(source: Source) -> Iterator[ReadItem]:
    path = source.path
    size = os.path.getsize(path)
    if size == 0:
        yield error(path, "E102")
        return
    if size > DEFAULT_MAX_BYTES and not path.lower().endswith(".gz"):
        yield error(path, "E203", limit=DEFAULT_MAX_BYTES)
        return
    try:
        opener = gzip.open if path.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            data = read_capped(stream, DEFAULT_MAX_BYTES)  # a gzip bomb stops at the cap
    except (OSError, EOFError, zlib.error) as err:
        yield error(path, "E107", detail=f"the compressed file is damaged ({err}); re-create it")
        return
    if data is None:
        yield error(path, "E203", limit=DEFAULT_MAX_BYTES)
        return
    yield document_from_html(data, obtained="html", origin=path, max_chars=source.max_chars)


def document_from_html_record(obj: dict[str, Any], source: str, line: int | None) -> ReadItem:
    """A JSONL record that carries `html` (and usually `url`) instead of `text`."""
    for name in ("url", *_RECORD_FIELDS):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return error(source, "E106", line=line, field=name, expected="a string", got=value)
    doc_id = obj.get("id", obj.get("doc_id"))
    if doc_id is not None and not isinstance(doc_id, (str, int)):
        return error(source, "E106", line=line, field="id", expected="a string", got=doc_id)
    return document_from_html(
        obj["html"],
        url=obj.get("url"),
        final_url=obj.get("final_url"),
        obtained="jsonl-html",
        origin=source,
        doc_id=str(doc_id) if doc_id is not None else "",
        line=line,
        overrides={name: obj[name] for name in _RECORD_FIELDS if isinstance(obj.get(name), str)},
    )


def read_html_path(path: str | Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[ReadItem]:
    """Read one saved page (.html, .htm, .html.gz) from disk."""
    yield from _read_html_file(Source(str(path), "html", max_chars))


register_reader("html", (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml"), _read_html_file)
register_record_hook("html", document_from_html_record)
