"""Turn chunks of record lines into table rows: parse, validate, check, build. No database access.

Parsing, validating and building rows costs about as much as the database work. Chunks keep the rows in
plain per-table lists, so the loader hands them to the database without touching each record again, and a
worker process can build them (see worker.py) while the loader writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import NewsclaimsError
from .rows import Dumps, Row, claim_rows, document_rows, exact_json, mention_rows, to_json
from .runs import Quarantined, document_problem, parse_line, read_chunks

CHUNK_LINES = 2000
# Rows built from an unvalidated record that lacks a key or has a wrong type fail with one of these.
_RECORD_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)

Builder = Callable[[dict[str, Any], int, bytes, Dumps], dict[str, list[Row]]]
ID_KEYS = {"documents": "doc_id", "mentions": "mention_id", "claims": "claim_id"}
_KINDS: dict[str, tuple[Builder, Callable[[dict[str, Any]], str | None] | None]] = {
    "documents": (document_rows, document_problem),
    "mentions": (mention_rows, None),
    "claims": (claim_rows, None),
}


@dataclass(frozen=True)
class Job:
    """A chunk of lines of one record file; lines whose `skip` flag is set are left out unread."""

    kind: str
    path: str
    first_line: int
    lines: list[bytes]
    load_id: int
    validate: bool
    skip: bytes = b""  # one flag per line, or empty for none


@dataclass
class Chunk:
    """What a chunk of lines becomes: rows per table, with the line number of each row's record alongside;
    the (line, id, doc_id, sha256 of the line) of each record they came from; the lines set aside; and how
    many lines it covered (`size`, of which `skipped` were left out unread)."""

    kind: str
    path: str
    size: int
    skipped: int
    rows: dict[str, list[Row]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    ids: list[tuple[int, str, str | None, bytes]] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)

    def drop_lines(self, lines: set[int]) -> None:
        """Remove the rows of the given records (duplicates and orphans found by the loading process)."""
        for table, numbers in self.lines.items():
            keep = [i for i, n in enumerate(numbers) if n not in lines]
            rows = self.rows[table]
            self.rows[table] = [rows[i] for i in keep]
            self.lines[table] = [numbers[i] for i in keep]
        self.ids = [i for i in self.ids if i[0] not in lines]


def _set_aside(job: Job, line: int, code: str, doc_id: str | None, /, **params: Any) -> Quarantined:
    return Quarantined(job.path, line, job.kind, code, NewsclaimsError(code, **params).detail, doc_id)


def build_chunk(job: Job) -> Chunk:
    """Parse, validate and build the rows of every line in a chunk."""
    id_key = ID_KEYS[job.kind]
    build, check = _KINDS[job.kind]
    chunk = Chunk(job.kind, job.path, len(job.lines), job.skip.count(1))
    out, out_lines = chunk.rows, chunk.lines
    for offset, raw in enumerate(job.lines):
        if job.skip and job.skip[offset]:
            continue
        line = job.first_line + offset
        item = parse_line(job.path, line, raw, job.kind, validate=job.validate)
        if item is None or isinstance(item, Quarantined):
            if item is not None:
                chunk.quarantined.append(item)
            continue
        rec, exact = item
        doc_id = rec["doc_id"] if isinstance(rec.get("doc_id"), str) else None
        try:
            record_id = rec[id_key]
            if not isinstance(record_id, str):
                raise TypeError(f"{id_key} is not a string")
            problem = check(rec) if check else None
            if problem:
                chunk.quarantined.append(_set_aside(job, line, "E315", doc_id, doc_id=doc_id, detail=problem))
                continue
            rows = build(rec, job.load_id, raw, exact_json if exact else to_json)
        except _RECORD_ERRORS as err:
            detail = f"{type(err).__name__}: {err}"
            chunk.quarantined.append(_set_aside(job, line, "E312", doc_id, kind=job.kind, detail=detail))
            continue
        chunk.ids.append((line, record_id, doc_id, hashlib.sha256(raw).digest()))
        for table, table_rows in rows.items():
            if table_rows:
                if table in out:
                    out[table] += table_rows
                    out_lines[table] += [line] * len(table_rows)
                else:
                    out[table] = table_rows
                    out_lines[table] = [line] * len(table_rows)
    return chunk


def build_run(files: dict[str, Path], load_id: int, validate: bool, skip: dict[str, bytearray]) -> Iterator[Chunk]:
    """The chunks of every record file, in order; `skip` flags the lines of the documents left alone."""
    for kind, path in files.items():
        flags = skip.get(kind)
        if flags and 0 not in flags:  # every line is left alone: no need to read them again
            yield Chunk(kind, str(path), len(flags), len(flags))
            continue
        for first, lines in read_chunks(path, CHUNK_LINES):
            part = bytes(flags[first - 1 : first - 1 + len(lines)]) if flags else b""
            yield build_chunk(Job(kind, str(path), first, lines, load_id, validate, part))
