"""SQLite: a plain file (WAL mode) that Datasette and sqlite-utils open as it is."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...errors import NewsclaimsError
from .base import STAGE_PREFIX, Database
from .urls import DatabaseURL

# Upserts (3.24), TRUE/FALSE (3.23) and window functions in the review view (3.25).
MIN_SQLITE = (3, 25, 0)


class SQLiteDatabase(Database):
    """A newsclaims database in one SQLite file."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.raw.execute(sql, params or ())

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock now, so a second loader waits (busy timeout) instead of failing later.
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.raw.in_transaction:  # some errors (disk full, I/O) have already rolled it back
                self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def run_script(self, sql: str) -> None:
        # executescript() would COMMIT first; run statement by statement inside the open transaction.
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self.raw.execute(statement)
                statement = ""
        if statement.strip():
            self.raw.execute(statement)

    def table_exists(self, name: str) -> bool:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self.scalar(sql, (name,)) is not None

    def lock_for_load(self) -> None:
        pass  # BEGIN IMMEDIATE already holds the database's single write lock

    def tune_for_load(self) -> None:
        pass  # the connection's pragmas (open_sqlite) already suit a load

    def insert_returning_id(self, sql: str, params: Sequence[Any], id_column: str) -> int:
        return int(self.raw.execute(sql, params).lastrowid)

    def now(self) -> Any:
        return super().now().isoformat()

    def create_stage(self, table: str, columns: Sequence[str]) -> str:
        stage = STAGE_PREFIX + table
        self.raw.execute(f"CREATE TEMP TABLE {stage} AS SELECT {', '.join(columns)} FROM main.{table} WHERE 0")
        return stage

    def index_stage(self, stage: str, key: Sequence[str]) -> None:
        self.raw.execute(f"CREATE UNIQUE INDEX temp.{stage}_key ON {stage} ({', '.join(key)})")

    def create_temp_keys(self, name: str, column: str) -> None:
        self.raw.execute(f"CREATE TEMP TABLE {name} ({column} TEXT PRIMARY KEY)")

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def analyze(self, names: Iterable[str]) -> None:
        pass  # the stage tables' unique indexes are all SQLite's planner needs here

    def drop_temp(self, names: Iterable[str]) -> None:
        for name in names:
            self.raw.execute(f"DROP TABLE IF EXISTS temp.{name}")

    @property
    def distinct_op(self) -> str:
        return "IS NOT"


def open_sqlite(url: DatabaseURL, *, create: bool = True) -> SQLiteDatabase:
    """Open (or, with `create`, create) the SQLite file in WAL mode with foreign keys enforced."""
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise NewsclaimsError("E317", version=sqlite3.sqlite_version)
    path = url.target
    if path != ":memory:" and not create and not Path(path).is_file():
        raise NewsclaimsError("E303", url=url.masked, detail="the database file does not exist")
    try:
        raw = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        # Only a new, empty file takes this (an existing one keeps its page size). A claim row carries its record,
        # about 2 KB of JSON: 4 KB pages hold one such row each, 8 KB pages three; the file is a fifth smaller
        # and a large load writes that much less.
        raw.execute("PRAGMA page_size = 8192")
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
        raw.execute("PRAGMA temp_store = MEMORY")
        # 64 MB instead of 2 MB: a large load's indexes otherwise outgrow the cache and every insert reads.
        raw.execute("PRAGMA cache_size = -65536")
    except sqlite3.Error as err:
        raise NewsclaimsError("E303", url=url.masked, detail=str(err)) from err
    return SQLiteDatabase(raw, url)
