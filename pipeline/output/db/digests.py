"""Document digests: a hash of every record line of a document, so a reload can leave unchanged ones alone.

A document's digest covers its documents.jsonl line, its mention lines and its claim lines (each file's in
file order), salted with what turns lines into rows: this loader's code, the record schemas, and whether
records are validated. The loader stores it, in `document_digests`, only for a document whose every line
loaded, and any load that may change the document's rows otherwise drops it. A later run whose lines give
the same digest would write the same rows, so the loader leaves them alone: no parsing, validating or
staging them again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from ... import __version__
from ..schemas import schema
from . import build, rows, runs, tables
from .build import ID_KEYS
from .runs import RunDir, load_json
from .worker import InOrder


@cache
def salt(validate: bool) -> bytes:
    """What, besides the lines, decides the rows: a change to any of it makes every digest differ."""
    h = hashlib.sha256(f"{__version__}\0{validate}\0".encode())
    for module in (build, rows, runs, tables):
        h.update(Path(module.__file__ or "").read_bytes())
    h.update(json.dumps([schema(kind) for kind in ID_KEYS], sort_keys=True).encode())
    return h.digest()


class DocDigests:
    """Digests of documents, from the sha256 of each of their lines, fed file by file in file order."""

    def __init__(self, validate: bool) -> None:
        self._salt = salt(validate)
        self._parts: dict[str, dict[str, Any]] = {kind: {} for kind in ID_KEYS}  # kind -> doc_id -> hash

    def add(self, doc_id: str, kind: str, line_sha: bytes) -> None:
        """Add one line of the document, by the sha256 digest of its bytes."""
        part = self._parts[kind]
        h = part.get(doc_id)
        if h is None:
            h = part[doc_id] = hashlib.sha256()
        h.update(line_sha)

    def add_file(self, kind: str, digests: dict[str, bytes]) -> None:
        """Add the lines of one file at once: per document, the digest of its lines there (`FileScan`)."""
        self._parts[kind] = dict(digests)

    def hexdigest(self, doc_id: str) -> str:
        h = hashlib.sha256(self._salt)
        for part in self._parts.values():
            found = part.get(doc_id)
            h.update(b"-" if found is None else b"+" + (found if isinstance(found, bytes) else found.digest()))
        return h.hexdigest()


@dataclass
class FileScan:
    """One record file read once, parse only: each line's document (None for none), each document's digest
    of its lines there, and the documents with a line whose id another line also has."""

    owners: list[str | None] = field(default_factory=list)
    digests: dict[str, bytes] = field(default_factory=dict)
    unsure: set[str] = field(default_factory=set)


def _doc_and_id(raw: bytes, id_key: str) -> tuple[str | None, object]:
    try:
        rec, _ = load_json(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep: a line no document owns
        return None, None
    if not isinstance(rec, dict):
        return None, None
    doc_id = rec.get("doc_id")
    return (doc_id if isinstance(doc_id, str) else None), rec.get(id_key)


def scan_file(path: Path, kind: str) -> FileScan:
    """Read one record file (see `FileScan`)."""
    scan = FileScan()
    hashes: dict[str, Any] = {}
    first: dict[str, str | None] = {}
    id_key = ID_KEYS[kind]
    with path.open("rb") as f:
        for raw in f:
            doc_id, record_id = _doc_and_id(raw, id_key) if raw.strip() else (None, None)
            scan.owners.append(doc_id)
            if doc_id is not None:
                h = hashes.get(doc_id)
                if h is None:
                    h = hashes[doc_id] = hashlib.sha256()
                h.update(hashlib.sha256(raw).digest())
            if isinstance(record_id, str):
                if record_id in first:
                    scan.unsure.update(d for d in (doc_id, first[record_id]) if d is not None)
                else:
                    first[record_id] = doc_id
    scan.digests = {doc_id: h.digest() for doc_id, h in hashes.items()}
    return scan


def _scanned(path: Path, kind: str) -> Iterator[FileScan]:
    yield scan_file(path, kind)


@dataclass
class SkipPlan:
    """The documents a load leaves alone, and for each record file a flag per line: 1 for a line of one."""

    docs: set[str] = field(default_factory=set)
    flags: dict[str, bytearray] = field(default_factory=dict)
    digests: DocDigests | None = None  # of every document in the run, when the run was scanned


def plan_skips(run: RunDir, validate: bool, stored_digests: Callable[[list[str]], dict[str, str]], *, parallel: bool) -> SkipPlan:
    """Scan the run (parse only) for the documents whose lines match the digest stored for them.

    `stored_digests(doc_ids)` gives the stored digest of those of the documents that have one. A document is
    not skipped if any of its lines shares its id with another line: which of them loads depends on
    validation, so the full path decides. With `parallel`, a worker scans mentions.jsonl meanwhile.
    """
    documents = scan_file(run.files["documents"], "documents")
    stored = stored_digests(list(documents.digests))
    if not stored:
        return SkipPlan()

    with InOrder(partial(_scanned, run.files["mentions"], "mentions"), parallel=parallel) as other:
        claims = scan_file(run.files["claims"], "claims")
        (mentions_scan,) = tuple(other)
    scans = {"documents": documents, "mentions": mentions_scan, "claims": claims}
    digests = DocDigests(validate)
    unsure: set[str] = set()
    for kind, scan in scans.items():
        digests.add_file(kind, scan.digests)
        unsure |= scan.unsure
    skip = {d for d, digest in stored.items() if d not in unsure and digests.hexdigest(d) == digest}
    flags = {kind: bytearray(doc in skip for doc in scan.owners) for kind, scan in scans.items()}
    return SkipPlan(skip, flags, digests)


def batched(items: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Items in lists of at most `size` (for IN lists within every database's parameter limit)."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
