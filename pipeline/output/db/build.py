"""Turn chunks of record lines into table rows: parse, validate, check, build. No database access.

Parsing, validating and building rows costs more than the database work. Chunks keep the rows in plain
per-table lists, so the loader hands them to the database without touching each record again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import NewsclaimsError
from .rows import Row, claim_rows, document_rows, mention_rows
from .runs import Quarantined, document_problem, parse_line

CHUNK_LINES = 2000
# Rows built from an unvalidated record that lacks a key or has a wrong type fail with one of these.
_RECORD_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)

Builder = Callable[[dict[str, Any], int, str], dict[str, list[Row]]]
_KINDS: dict[str, tuple[str, Builder, Callable[[dict[str, Any]], str | None] | None]] = {
    "documents": ("doc_id", document_rows, document_problem),
    "mentions": ("mention_id", mention_rows, None),
    "claims": ("claim_id", claim_rows, None),
}


@dataclass
class Chunk:
    """What a chunk of lines becomes: rows per table (the line number appended to each row), the
    (line, id, doc_id) of each record they came from, and the lines set aside."""

    rows: dict[str, list[Row]]
    ids: list[tuple[int, str, str | None]]
    quarantined: list[Quarantined]

    def drop_lines(self, lines: set[int]) -> None:
        """Remove the rows of the given records (duplicates found by the loading process)."""
        self.rows = {t: [r for r in rows if r[-1] not in lines] for t, rows in self.rows.items()}
        self.ids = [i for i in self.ids if i[0] not in lines]


@dataclass(frozen=True)
class Job:
    """A chunk of lines of one record file."""

    kind: str
    path: str
    first_line: int
    lines: list[bytes]
    load_id: int
    validate: bool


def _set_aside(job: Job, line: int, code: str, doc_id: str | None, /, **params: Any) -> Quarantined:
    return Quarantined(job.path, line, job.kind, code, NewsclaimsError(code, **params).detail, doc_id)


def build_chunk(job: Job) -> Chunk:
    """Parse, validate and build the rows of every line in a chunk."""
    id_key, build, check = _KINDS[job.kind]
    chunk = Chunk({}, [], [])
    for offset, raw in enumerate(job.lines):
        line = job.first_line + offset
        item = parse_line(job.path, line, raw, job.kind, validate=job.validate)
        if item is None or isinstance(item, Quarantined):
            if item is not None:
                chunk.quarantined.append(item)
            continue
        rec, text = item
        doc_id = rec["doc_id"] if isinstance(rec.get("doc_id"), str) else None
        try:
            record_id = rec[id_key]
            if not isinstance(record_id, str):
                raise TypeError(f"{id_key} is not a string")
            problem = check(rec) if check else None
            if problem:
                chunk.quarantined.append(_set_aside(job, line, "E315", doc_id, doc_id=doc_id, detail=problem))
                continue
            rows = build(rec, job.load_id, text)
        except _RECORD_ERRORS as err:
            detail = f"{type(err).__name__}: {err}"
            chunk.quarantined.append(_set_aside(job, line, "E312", doc_id, kind=job.kind, detail=detail))
            continue
        chunk.ids.append((line, record_id, doc_id))
        for table, table_rows in rows.items():
            chunk.rows.setdefault(table, []).extend([(*row, line) for row in table_rows])
    return chunk
