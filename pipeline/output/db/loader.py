"""Load run directories: one transaction per run, staged, merged by stable id, every change counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ... import __version__
from ...errors import NewsclaimsError
from .base import Database
from .build import CHUNK_LINES, Job, build_chunk
from .rows import Row, to_json
from .runs import Quarantined, RunDir, open_run, read_chunks
from .tables import (
    CLAIM_PARTS,
    CLAIMS,
    DOCUMENTS,
    MENTIONS,
    SCOPE_CLAIMS,
    SCOPE_DOCS,
    TABLES,
    TableSpec,
    claim_scope_sql,
    count_new_sql,
    delete_sql,
    merge_sql,
    orphans_sql,
    retire_sql,
)
from .urls import mask_secrets

Progress = Callable[[str, int], None]
_BATCH = 5000
_PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class TableCounts:
    """What one load did to one table. `retired`: reviewed claims a re-extraction dropped (kept, not current)."""

    table: str
    staged: int
    inserted: int
    updated: int
    unchanged: int
    deleted: int = 0
    retired: int = 0


@dataclass(frozen=True)
class RunLoad:
    """The outcome of loading one run directory."""

    run_dir: str
    load_id: int
    counts: tuple[TableCounts, ...]
    quarantined: tuple[Quarantined, ...]
    seconds: float
    run_complete: bool | None

    def count(self, table: str) -> TableCounts:
        """The counts of one table."""
        return next(c for c in self.counts if c.table == table)

    @property
    def changed(self) -> bool:
        """Whether the load changed any row."""
        return any(c.inserted or c.updated or c.deleted or c.retired for c in self.counts)


class _Stager:
    """Buffers rows (line number last) per table and writes them to the stage tables in batches."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.buffers: dict[str, list[Row]] = {spec.name: [] for spec in TABLES}
        self.specs = {spec.name: spec for spec in TABLES}

    def add(self, rows: dict[str, list[Row]]) -> None:
        for table, table_rows in rows.items():
            buffer = self.buffers[table]
            buffer.extend(table_rows)
            if len(buffer) >= _BATCH:
                self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            if self.buffers[name]:
                spec = self.specs[name]
                self.db.fill_stage(spec.stage, spec.columns, self.buffers[name])
                self.buffers[name] = []


class _RunLoader:
    """The work of one transaction: read, validate, stage, merge, delete what the run dropped, record."""

    def __init__(self, db: Database, run: RunDir, load_id: int, *, validate: bool, progress: Progress | None) -> None:
        self.db, self.run, self.load_id = db, run, load_id
        self.validate, self.progress = validate, progress
        self.quarantined: list[Quarantined] = []
        self.incomplete_docs: set[str] = set()  # documents with unloadable mention or claim lines

    def load(self) -> tuple[TableCounts, ...]:
        db = self.db
        for spec in TABLES:
            db.create_stage(spec.name, spec.columns, spec.key)
        stager = _Stager(db)
        for kind in ("documents", "mentions", "claims"):
            self._stage_file(kind, stager)
        stager.flush()
        self._drop_orphans()
        db.create_temp_keys(SCOPE_DOCS, "doc_id")
        db.execute(f"INSERT INTO {SCOPE_DOCS} (doc_id) SELECT doc_id FROM {DOCUMENTS.stage}")
        db.executemany(f"DELETE FROM {SCOPE_DOCS} WHERE doc_id = ?", [(d,) for d in sorted(self.incomplete_docs)])
        db.create_temp_keys(SCOPE_CLAIMS, "claim_id")
        db.analyze([*(spec.stage for spec in TABLES), SCOPE_DOCS])
        counts = {spec.name: self._merge(spec) for spec in TABLES}
        db.execute(claim_scope_sql())
        for spec in reversed(TABLES):
            if spec.scope is not None:
                counts[spec.name] = self._delete(spec, counts[spec.name])
        self._record(counts)
        db.drop_temp([*(spec.stage for spec in TABLES), SCOPE_DOCS, SCOPE_CLAIMS])
        return tuple(counts[spec.name] for spec in TABLES)

    def _set_aside(self, item: Quarantined) -> None:
        self.quarantined.append(item)
        if item.doc_id is not None and item.kind != "documents":
            self.incomplete_docs.add(item.doc_id)

    def _stage_file(self, kind: str, stager: _Stager) -> None:
        path = self.run.files[kind]
        first_line: dict[str, int] = {}
        done = 0
        for first, lines in read_chunks(path, CHUNK_LINES):
            chunk = build_chunk(Job(kind, str(path), first, lines, self.load_id, self.validate))
            for item in chunk.quarantined:
                self._set_aside(item)
            duplicates: set[int] = set()
            for line, record_id, doc_id in chunk.ids:
                if record_id in first_line:
                    params = {"key": _ID_KEYS[kind], "value": record_id, "first": first_line[record_id]}
                    self._set_aside(_quarantined(str(path), line, kind, "E314", doc_id, **params))
                    duplicates.add(line)
                else:
                    first_line[record_id] = line
            if duplicates:
                chunk.drop_lines(duplicates)
            stager.add(chunk.rows)
            before, done = done, done + len(chunk.ids) + len(chunk.quarantined)
            if self.progress and done // _PROGRESS_EVERY > before // _PROGRESS_EVERY:
                self.progress(str(path), done)
        if self.progress:
            self.progress(str(path), done)

    def _drop_orphans(self) -> None:
        """Set aside staged mentions and claims whose document is neither in the run nor in the database."""
        for spec in (MENTIONS, CLAIMS):
            orphans = self.db.query(orphans_sql(spec, select="s._line, s.doc_id"))
            if not orphans:
                continue
            path = str(self.run.files[spec.name])
            for line, doc_id in orphans:
                self.quarantined.append(_quarantined(path, line, spec.name, "E313", doc_id, doc_id=doc_id))
            if spec is CLAIMS:
                claim_ids = orphans_sql(CLAIMS, select="s.claim_id")
                for part in CLAIM_PARTS:
                    self.db.execute(f"DELETE FROM {part.stage} WHERE claim_id IN ({claim_ids})")
            self.db.execute(f"DELETE FROM {spec.stage} WHERE _line IN ({orphans_sql(spec, select='s._line')})")

    def _merge(self, spec: TableSpec) -> TableCounts:
        staged = int(self.db.scalar(f"SELECT COUNT(*) FROM {spec.stage}"))
        new = int(self.db.scalar(count_new_sql(spec)))
        written = self.db.execute(merge_sql(spec, self.db.distinct_op)).rowcount
        return TableCounts(spec.name, staged, new, written - new, staged - written)

    def _delete(self, spec: TableSpec, counts: TableCounts) -> TableCounts:
        deleted = self.db.execute(delete_sql(spec)).rowcount
        retired = self.db.execute(retire_sql(spec), (self.load_id,)).rowcount if spec.retain_reviewed else 0
        return TableCounts(counts.table, counts.staged, counts.inserted, counts.updated, counts.unchanged, deleted, retired)

    def _record(self, counts: dict[str, TableCounts]) -> None:
        db = self.db
        db.executemany(
            "INSERT INTO load_counts (load_id, table_name, staged, inserted, updated, unchanged, deleted, retired)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(self.load_id, c.table, c.staged, c.inserted, c.updated, c.unchanged, c.deleted, c.retired)
             for c in counts.values()],
        )  # fmt: skip
        self.quarantined.sort(key=lambda q: (list(self.run.files).index(q.kind), q.line))
        db.executemany(
            "INSERT INTO load_quarantine (load_id, file, line, record_kind, doc_id, code, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self.load_id, q.file, q.line, q.kind, q.doc_id, q.code, q.message) for q in self.quarantined],
        )
        db.execute(
            "UPDATE load_runs SET finished_at = ?, quarantined = ? WHERE load_id = ?",
            (db.now(), len(self.quarantined), self.load_id),
        )


_ID_KEYS = {"documents": "doc_id", "mentions": "mention_id", "claims": "claim_id"}


def _quarantined(path: str, line: int, record_kind: str, code: str, doc_id: str | None, /, **params: Any) -> Quarantined:
    detail = NewsclaimsError(code, **params).detail
    return Quarantined(path, line, record_kind, code, detail, doc_id)


def _start(db: Database, run: RunDir) -> int:
    manifest = run.manifest or {}
    resolved = run.path.resolve()
    complete = manifest.get("complete")
    return db.insert_returning_id(
        "INSERT INTO load_runs (run_dir, run_name, manifest, newsclaims_version, loader_version,"
        " records_schema_version, pattern_pack_sha256, run_complete, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(resolved),
            resolved.name,
            to_json(mask_secrets(run.manifest)),
            manifest.get("newsclaims_version"),
            __version__,
            manifest.get("schema_version"),
            manifest.get("pattern_pack_sha256"),
            complete if isinstance(complete, bool) else None,
            db.now(),
        ),
        "load_id",
    )


def load_run(
    db: Database,
    run_dir: str | Path,
    *,
    validate: bool = True,
    progress: Progress | None = None,
) -> RunLoad:
    """Load one run directory in one transaction: on any failure the database is left as it was (E308)."""
    run = open_run(run_dir)
    clock = time.perf_counter()
    try:
        with db.transaction():
            db.lock_for_load()
            load_id = _start(db, run)
            loader = _RunLoader(db, run, load_id, validate=validate, progress=progress)
            counts = loader.load()
    except db.errors as err:
        raise NewsclaimsError("E308", path=str(run.path), detail=db.describe(err)) from err
    complete = (run.manifest or {}).get("complete")
    return RunLoad(
        str(run.path),
        load_id,
        counts,
        tuple(loader.quarantined),
        round(time.perf_counter() - clock, 3),
        complete if isinstance(complete, bool) else None,
    )
