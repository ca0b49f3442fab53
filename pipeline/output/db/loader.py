"""Load run directories: one transaction per run, staged, merged by stable id, every change counted.

Into a database without records, rows go straight to the tables: nothing can conflict and nothing can be
gone. Otherwise they go to temporary stage tables and are merged from there, and what the run's documents no
longer have is deleted. Documents whose record lines are as last loaded (their digest, see digests.py) are
left alone and their rows counted unchanged, so a reload of an unchanged run reads its files and no more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from ... import __version__
from ...errors import NewsclaimsError
from .base import Database
from .build import ID_KEYS, Chunk, build_run
from .digests import DocDigests, SkipPlan, batched, plan_skips
from .rows import Row, to_json
from .runs import Quarantined, RunDir, open_run
from .tables import (
    DIGESTS,
    DOCUMENTS,
    SCOPE_CLAIMS,
    SCOPE_DOCS,
    SKIP_DOCS,
    TABLES,
    TableSpec,
    claim_scope_sql,
    count_new_sql,
    delete_sql,
    invalidate_digests_sql,
    merge_sql,
    retire_sql,
    skipped_counts_sql,
)
from .urls import mask_secrets
from .worker import InOrder

Progress = Callable[[str, int], None]
_BATCH = 5_000  # rows buffered per table before a write
_PROGRESS_EVERY = 10_000
BIG_RUN_BYTES = 4 << 20  # runs this big use a worker process (worker.py) and bulk_load into an empty database


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
    """Buffers rows per table and writes them in batches, parents first: to the stage
    tables, or with `direct` straight to the tables (whose foreign keys then need the parents there first)."""

    def __init__(self, db: Database, *, direct: bool) -> None:
        self.db, self.direct = db, direct
        self.buffers: dict[str, list[Row]] = {spec.name: [] for spec in TABLES}
        self.written = dict.fromkeys(self.buffers, 0)

    def add(self, rows: dict[str, list[Row]]) -> None:
        full = False
        for table, table_rows in rows.items():
            buffer = self.buffers[table]
            buffer += table_rows
            full = full or len(buffer) >= _BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        for spec in TABLES:
            rows = self.buffers[spec.name]
            if not rows:
                continue
            self.db.insert_rows(spec.name if self.direct else spec.stage, spec.columns, rows)
            self.written[spec.name] += len(rows)
            self.buffers[spec.name] = []


class _KnownDocs:
    """Which doc_ids a mention or claim may refer to: the run's documents, or the database's (asked once each)."""

    def __init__(self, db: Database, *, in_database: bool) -> None:
        self.db, self.in_database = db, in_database
        self.known: set[str] = set()
        self._asked: set[str] = set()

    def unknown(self, doc_ids: Iterable[str | None]) -> set[str | None]:
        """Those of `doc_ids` that are nowhere (None, a doc_id that was not a string, is never known)."""
        ask = {d for d in doc_ids if d is not None and d not in self.known and d not in self._asked}
        if ask and self.in_database:
            for batch in batched(sorted(ask)):
                sql = f"SELECT doc_id FROM documents WHERE doc_id IN ({', '.join('?' * len(batch))})"
                self.known.update(row[0] for row in self.db.query(sql, batch))
        self._asked |= ask
        return {d for d in doc_ids if d not in self.known}


class _RunLoader:
    """The work of one transaction: read, validate, stage, merge, delete what the run dropped, record."""

    def __init__(
        self, db: Database, run: RunDir, load_id: int, *, validate: bool, skip_unchanged: bool, progress: Progress | None
    ) -> None:
        self.db, self.run, self.load_id = db, run, load_id
        self.validate, self.skip_unchanged, self.progress = validate, skip_unchanged, progress
        self.quarantined: list[Quarantined] = []
        self.incomplete_docs: set[str] = set()  # documents with unloadable mention or claim lines
        self.staged_docs: list[str] = []
        self.fresh = False
        self.stager = _Stager(db, direct=False)
        self.plan = SkipPlan()
        self.digests = DocDigests(validate)
        self.docs = _KnownDocs(db, in_database=True)
        self.hash_lines = True  # digests come from the staged lines, not from a scan of the whole run
        self.big = sum(f.stat().st_size for f in run.files.values()) >= BIG_RUN_BYTES
        self._reported: set[str] = set()

    def load(self) -> tuple[TableCounts, ...]:
        db = self.db
        # Foreign keys chain every table to documents: without documents, the database has no records.
        self.fresh = db.scalar("SELECT 1 FROM documents LIMIT 1") is None
        self.stager = _Stager(db, direct=self.fresh)
        self.docs = _KnownDocs(db, in_database=not self.fresh)
        if not self.fresh:
            for spec in TABLES:
                db.create_stage(spec.name, spec.columns)
            if self.skip_unchanged:
                self.plan = plan_skips(self.run, self.validate, self._stored_digests, parallel=self.big)
        if self.plan.digests is not None:
            self.digests = self.plan.digests
            self.hash_lines = False
        self.docs.known |= self.plan.docs
        # A small load would spend more on dropping and re-creating indexes than it saves.
        with db.bulk_load([spec.name for spec in TABLES]) if self.fresh and self.big else nullcontext():
            self._stage_files()
            self.stager.flush()
        counts = self._merge_all()
        self._store_digests()
        self._record(counts)
        return tuple(counts[spec.name] for spec in TABLES)

    def _stored_digests(self, doc_ids: list[str]) -> dict[str, str]:
        stored: dict[str, str] = {}
        for batch in batched(doc_ids):
            sql = f"SELECT doc_id, digest FROM {DIGESTS} WHERE doc_id IN ({', '.join('?' * len(batch))})"
            stored.update(self.db.query(sql, batch))
        return stored

    def _merge_all(self) -> dict[str, TableCounts]:
        db = self.db
        if self.fresh:
            return {spec.name: self._merge(spec) for spec in TABLES}
        for spec in TABLES:
            db.index_stage(spec.stage, spec.key)
        db.create_temp_keys(SCOPE_DOCS, "doc_id")
        db.execute(f"INSERT INTO {SCOPE_DOCS} (doc_id) SELECT doc_id FROM {DOCUMENTS.stage}")
        db.executemany(f"DELETE FROM {SCOPE_DOCS} WHERE doc_id = ?", [(d,) for d in sorted(self.incomplete_docs)])
        db.create_temp_keys(SCOPE_CLAIMS, "claim_id")
        db.analyze([*(spec.stage for spec in TABLES), SCOPE_DOCS])
        db.execute(invalidate_digests_sql())
        counts = {spec.name: self._merge(spec) for spec in TABLES}
        db.execute(claim_scope_sql())
        for spec in reversed(TABLES):
            if spec.scope is not None:
                counts[spec.name] = self._delete(spec, counts[spec.name])
        if self.plan.docs:
            db.create_temp_keys(SKIP_DOCS, "doc_id")
            db.insert_rows(SKIP_DOCS, ("doc_id",), [(d,) for d in sorted(self.plan.docs)])
            skipped = db.query(skipped_counts_sql())[0]
            for spec, rows in zip(TABLES, skipped, strict=True):
                counts[spec.name] = _plus_unchanged(counts[spec.name], int(rows))
        db.drop_temp([*(spec.stage for spec in TABLES), SCOPE_DOCS, SCOPE_CLAIMS, SKIP_DOCS])
        return counts

    def _set_aside(self, item: Quarantined) -> None:
        self.quarantined.append(item)
        if item.doc_id is not None and item.kind != "documents":
            self.incomplete_docs.add(item.doc_id)

    def _stage_files(self) -> None:
        """Build the rows of every line (documents first: mentions and claims need them) and stage them."""
        files = self.run.files
        chunks = partial(build_run, dict(files), self.load_id, self.validate, self.plan.flags)
        first_line: dict[str, int] = {}
        done = dict.fromkeys(ID_KEYS, 0)
        kind = ""
        with InOrder(chunks, parallel=self.big) as built:
            for chunk in built:
                if chunk.kind != kind:
                    self._files_done(done, until=chunk.kind)
                    kind, first_line = chunk.kind, {}
                before = done[kind]
                done[kind] += self._take(chunk, first_line)
                if self.progress and done[kind] // _PROGRESS_EVERY > before // _PROGRESS_EVERY:
                    self.progress(str(files[kind]), done[kind])
        self._files_done(done)

    def _files_done(self, done: dict[str, int], *, until: str | None = None) -> None:
        """Report the final line count of every file before `until` (all when None) not yet reported."""
        for kind in ID_KEYS:
            if kind == until:
                return
            if kind not in self._reported:
                self._reported.add(kind)
                if self.progress:
                    self.progress(str(self.run.files[kind]), done[kind])

    def _take(self, chunk: Chunk, first_line: dict[str, int]) -> int:
        """Set aside a built chunk's bad, duplicate and orphan records, stage the rest; count its records."""
        kind, path = chunk.kind, chunk.path
        for item in chunk.quarantined:
            self._set_aside(item)
        dropped: set[int] = set()
        for line, record_id, doc_id, line_sha in chunk.ids:
            if self.hash_lines and doc_id is not None:
                self.digests.add(doc_id, kind, line_sha)
            if record_id in first_line:
                params = {"key": ID_KEYS[kind], "value": record_id, "first": first_line[record_id]}
                self._set_aside(_quarantined(path, line, kind, "E314", doc_id, **params))
                dropped.add(line)
            else:
                first_line[record_id] = line
        if kind == "documents":
            staged = [record_id for line, record_id, _, _ in chunk.ids if line not in dropped]
            self.staged_docs += staged
            self.docs.known.update(staged)
        else:
            dropped |= self._orphans(kind, chunk.ids, dropped)
        records = len(chunk.ids) + len(chunk.quarantined) + chunk.skipped
        if dropped:
            chunk.drop_lines(dropped)
        self.stager.add(chunk.rows)
        return records

    def _orphans(self, kind: str, ids: list[tuple[int, str, str | None, bytes]], dropped: set[int]) -> set[int]:
        """Set aside the records whose document is neither in the run nor in the database; their lines."""
        unknown = self.docs.unknown({doc_id for line, _, doc_id, _ in ids if line not in dropped})
        if not unknown:
            return set()
        path = str(self.run.files[kind])
        orphans = [(line, doc_id) for line, _, doc_id, _ in ids if doc_id in unknown and line not in dropped]
        for line, doc_id in orphans:
            self.quarantined.append(_quarantined(path, line, kind, "E313", doc_id, doc_id=doc_id))
        return {line for line, _ in orphans}

    def _merge(self, spec: TableSpec) -> TableCounts:
        if self.fresh:
            written = self.stager.written[spec.name]
            return TableCounts(spec.name, written, written, 0, 0)
        staged = int(self.db.scalar(f"SELECT COUNT(*) FROM {spec.stage}"))
        new = int(self.db.scalar(count_new_sql(spec)))
        written = self.db.execute(merge_sql(spec, self.db.distinct_op)).rowcount
        return TableCounts(spec.name, staged, new, written - new, staged - written)

    def _delete(self, spec: TableSpec, counts: TableCounts) -> TableCounts:
        deleted = self.db.execute(delete_sql(spec)).rowcount
        retired = self.db.execute(retire_sql(spec), (self.load_id,)).rowcount if spec.retain_reviewed else 0
        return TableCounts(counts.table, counts.staged, counts.inserted, counts.updated, counts.unchanged, deleted, retired)

    def _store_digests(self) -> None:
        """Record the digest of each staged document all of whose lines loaded (the merge dropped the old)."""
        tainted = {q.doc_id for q in self.quarantined}
        rows = []
        for doc_id in self.staged_docs:
            digest = None if doc_id in tainted else self.digests.hexdigest(doc_id)
            if digest is not None:
                rows.append((doc_id, digest))
        if rows:
            self.db.insert_rows(DIGESTS, ("doc_id", "digest"), rows)

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


def _plus_unchanged(counts: TableCounts, rows: int) -> TableCounts:
    """Counts with `rows` more staged and unchanged: the rows of the documents a load skipped."""
    return replace(counts, staged=counts.staged + rows, unchanged=counts.unchanged + rows)


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
    skip_unchanged: bool = True,
) -> RunLoad:
    """Load one run directory in one transaction: on any failure the database is left as it was (E308).

    `skip_unchanged=False` stages and compares every document, even those whose lines match their digest.
    """
    run = open_run(run_dir)
    clock = time.perf_counter()
    try:
        with db.transaction():
            db.lock_for_load()
            db.tune_for_load()
            load_id = _start(db, run)
            loader = _RunLoader(db, run, load_id, validate=validate, skip_unchanged=skip_unchanged, progress=progress)
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
