"""Turn chunks of record lines into table rows: the CPU-bound part of a load, spread over processes.

Parsing, validating and building rows costs more than the database work, and each line is independent,
so large files are built by a process pool, in order and with a bounded number of chunks in flight. The
database is only ever touched by the loading process.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from ...errors import NewsclaimsError
from .rows import Row, claim_rows, document_rows, mention_rows
from .runs import Quarantined, document_problem, parse_line

CHUNK_LINES = 2000
POOL_MIN_BYTES = 4_000_000  # below this a pool costs more to start than it saves
_MAX_WORKERS = 8
# Rows built from an unvalidated record that lacks a key or has a wrong type fail with one of these.
_RECORD_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)

Builder = Callable[[dict[str, Any], int], dict[str, list[Row]]]
_KINDS: dict[str, tuple[str, Builder, Callable[[dict[str, Any]], str | None] | None]] = {
    "documents": ("doc_id", document_rows, document_problem),
    "mentions": ("mention_id", mention_rows, None),
    "claims": ("claim_id", claim_rows, None),
}


@dataclass(frozen=True)
class Built:
    """One loadable record: its line, id, document and the rows it becomes."""

    line: int
    record_id: str
    doc_id: str | None
    rows: dict[str, list[Row]]


@dataclass(frozen=True)
class Job:
    """A chunk of lines of one record file, to build in a worker."""

    kind: str
    path: str
    first_line: int
    lines: list[bytes]
    load_id: int
    validate: bool


def _set_aside(job: Job, line: int, code: str, doc_id: str | None, **params: Any) -> Quarantined:
    return Quarantined(job.path, line, job.kind, code, NewsclaimsError(code, **params).detail, doc_id)


def build_chunk(job: Job) -> list[Built | Quarantined]:
    """Parse, validate and build the rows of every line in a chunk (runs in a worker process)."""
    id_key, build, check = _KINDS[job.kind]
    out: list[Built | Quarantined] = []
    for offset, raw in enumerate(job.lines):
        line = job.first_line + offset
        item = parse_line(job.path, line, raw, job.kind, validate=job.validate)
        if item is None or isinstance(item, Quarantined):
            if item is not None:
                out.append(item)
            continue
        rec = item[1]
        doc_id = rec["doc_id"] if isinstance(rec.get("doc_id"), str) else None
        try:
            record_id = rec[id_key]
            if not isinstance(record_id, str):
                raise TypeError(f"{id_key} is not a string")
            problem = check(rec) if check else None
            if problem:
                out.append(_set_aside(job, line, "E315", doc_id, doc_id=doc_id, detail=problem))
                continue
            rows = build(rec, job.load_id)
        except _RECORD_ERRORS as err:
            detail = f"{type(err).__name__}: {err}"
            out.append(_set_aside(job, line, "E312", doc_id, kind=job.kind, detail=detail))
            continue
        out.append(Built(line, record_id, doc_id, rows))
    return out


def default_workers() -> int:
    """The CPUs this process may use, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS))


class ChunkBuilder:
    """Builds jobs in order, in a process pool started on first need; close it with `with`."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ChunkBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def build(self, jobs: Iterable[Job], *, parallel: bool) -> Iterator[Built | Quarantined]:
        """Each job's results, in job order."""
        if not parallel or self.workers <= 1:
            for job in jobs:
                yield from build_chunk(job)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        pending: deque[Future[list[Built | Quarantined]]] = deque()
        for job in jobs:
            pending.append(self._pool.submit(build_chunk, job))
            if len(pending) >= 2 * self.workers:  # bounded: a huge file is never all in memory
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
