"""WARC archives (warcio), streamed record by record: 200 HTML `response` and `resource` records."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from typing import IO, Any

from ..types import ErrorRecord
from .html import DEFAULT_MAX_BYTES, HTML_TYPES, document_from_html, read_capped
from .readers import ReadItem, Source, error, register_reader

_DRAIN = 1 << 16
_SIGNATURES = (b"WARC/", b"filedesc://")  # WARC, and the ARC files warcio also reads


def _head(path: str) -> bytes:
    """The first bytes of the archive's text, through gzip when it is compressed."""
    with open(path, "rb") as stream:
        start = stream.read(2)
    try:
        opener = gzip.open if start == b"\x1f\x8b" else open
        with opener(path, "rb") as stream:
            return stream.read(64).lstrip(b"\r\n")
    except (OSError, EOFError, zlib.error):
        return b""


def read_warc(path: str, *, max_chars: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadItem]:
    """Yield a document (or error) per HTML page in a .warc / .warc.gz file, never the whole file at once."""
    from warcio.archiveiterator import ArchiveIterator  # lazy: keeps `import pipeline.ingest` cheap
    from warcio.exceptions import ArchiveLoadFailed

    if os.path.getsize(path) == 0:
        yield error(path, "E102")
        return
    head = _head(path)
    if not head.startswith(_SIGNATURES):
        # warcio would try to read any text as an old ARC file, record after record, and find nothing.
        yield error(path, "E215", detail=f"it starts with {head[:20]!r}, not 'WARC/'")
        return
    number = 0
    # The first record's item waits for the second record: a WARC gzipped as one stream only shows that
    # it is one (warcio's "non-chunked gzip") when the second record is read; then the file is refused whole.
    held: ReadItem | None = None
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except ArchiveLoadFailed as err:
                if "non-chunked gzip" in str(err):
                    yield error(path, "E213", path=path)
                    return
                yield from _release(held)
                yield _broken(path, stream, number + 1, str(err).strip().splitlines()[0])
                return
            except (OSError, EOFError, zlib.error, ValueError, AttributeError, IndexError, KeyError) as err:
                # warcio fails in these ways on a record cut inside its header block
                yield from _release(held)
                yield _broken(path, stream, number + 1, f"{type(err).__name__}: {err}")
                return
            number += 1
            item = _read_record(record, path=path, number=number, max_chars=max_chars, max_bytes=max_bytes)
            if number == 1:
                held = item
                continue
            if number == 2:
                yield from _release(held)
                held = None
            yield from _release(item)
        yield from _release(held)
        if _leftover(stream, records.offset):
            # warcio ends quietly when the file stops inside a record's header; that is a truncation too.
            yield error(path, "E214", line=number + 1, record=number + 1, detail="the file ends inside its header")


def _release(item: ReadItem | None) -> Iterator[ReadItem]:
    if item is not None:
        yield item


def _read_record(record: Any, *, path: str, number: int, max_chars: int, max_bytes: int) -> ReadItem | None:
    """The document or error of one record; None for records that are not 200 HTML pages."""
    from warcio.bufferedreaders import ChunkedDataException

    content_type = _html_content_type(record)
    try:
        data = read_capped(record.content_stream(), max_bytes) if content_type is not None else None
        truncated = _truncation(record)
    except (ChunkedDataException, OSError, EOFError, zlib.error, ValueError) as err:
        return error(path, "E215", line=number, detail=f"record {number}: {type(err).__name__}: {err}")
    if truncated is not None:
        return error(path, "E214", line=number, record=number, detail=truncated)
    if content_type is None:
        return None
    if data is None:
        return error(path, "E203", line=number, limit=max_bytes)
    url = record.rec_headers.get_header("WARC-Target-URI")
    return document_from_html(
        data,
        url=url,
        final_url=url,
        content_type=content_type,
        obtained="warc",
        origin=path,
        line=number,
        max_chars=max_chars,
    )


def _html_content_type(record: Any) -> str | None:
    """The HTML content type of a 200 response or a resource record, else None."""
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return None
        content_type = http.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    return content_type if mime in HTML_TYPES else None


def _truncation(record: Any) -> str | None:
    """'N of M bytes' when the record's block ends before its Content-Length, else None."""
    raw = record.raw_stream
    while raw.read(_DRAIN):
        pass
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        # Every WARC record has one: without it the file ended inside the record's header block.
        return "the file ends inside its header"
    missing = getattr(raw, "limit", 0)
    if not missing:
        return None
    expected = record.length if isinstance(record.length, int) else None
    if expected is None:
        return "the file ends inside it"
    return f"{expected - missing} of {expected} bytes"


def _leftover(stream: IO[bytes], offset: int) -> bool:
    """True when bytes other than blank lines follow the last complete record."""
    try:
        stream.seek(offset)
    except (OSError, ValueError):
        return False
    return bool(stream.read(_DRAIN).strip())


def _broken(path: str, stream: IO[bytes], number: int, detail: str) -> ErrorRecord:
    """E214 when the file ends inside a record (a cut-short download), else E215."""
    try:
        at_end = stream.tell() >= os.fstat(stream.fileno()).st_size
    except (OSError, ValueError):
        at_end = False
    if at_end:
        return error(path, "E214", line=number, record=number, detail="the file ends inside it")
    return error(path, "E215", detail=detail)


def _read_warc_source(source: Source) -> Iterator[ReadItem]:
    yield from read_warc(source.path, max_chars=source.max_chars)


register_reader("warc", (".warc", ".warc.gz"), _read_warc_source)
