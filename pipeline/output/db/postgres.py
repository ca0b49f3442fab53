"""PostgreSQL through psycopg 3 (the optional `newsclaims[postgres]` extra): COPY into staging tables, or into
the tables themselves when the database has no records yet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from ...errors import NewsclaimsError
from .base import STAGE_PREFIX, Database
from .urls import DatabaseURL, mask_text


def import_psycopg() -> ModuleType:
    """The psycopg module, imported only when a PostgreSQL URL is used; E302 if it is not installed."""
    try:
        import psycopg
    except ImportError as err:
        raise NewsclaimsError("E302") from err
    return psycopg


class PostgresDatabase(Database):
    """A newsclaims database in a PostgreSQL schema (the first one on the connection's search_path)."""

    dialect = "postgresql"

    def __init__(self, raw: Any, url: DatabaseURL, psycopg: ModuleType) -> None:
        super().__init__(raw, url)
        self.errors = (psycopg.Error,)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        if params is None:
            return self.raw.execute(sql)
        return self.raw.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.raw.transaction():  # rolls back on any exception, BaseException included
            yield

    def run_script(self, sql: str) -> None:
        self.raw.execute(sql)  # without parameters psycopg sends several statements at once

    def table_exists(self, name: str) -> bool:
        sql = "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
        return self.scalar(sql, (name,)) is not None

    def lock_for_load(self) -> None:
        self.raw.execute("SELECT pg_advisory_xact_lock(hashtext('newsclaims:' || current_schema()))")

    def tune_for_load(self) -> None:
        # lz4 compresses the claim records (TOASTed jsonb, about 2 KB each) several times faster than pglz.
        if self.scalar("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"):
            self.raw.execute("SET LOCAL default_toast_compression = 'lz4'")

    @contextmanager
    def bulk_load(self, tables: Sequence[str]) -> Iterator[None]:
        names = list(tables)
        owner = "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class WHERE oid = ANY(?::regclass[])"
        owned = self.scalar(owner, (names,))
        if not owned:  # only a table's owner may drop its indexes and constraints
            yield
            return
        keys = self.query(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(?::regclass[]) ORDER BY conrelid, conname",
            (names,),
        )
        indexes = self.query(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(?::regclass[]) AND NOT indisunique ORDER BY indexrelid",
            (names,),
        )
        for table, name, _ in keys:
            self.raw.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            self.raw.execute(f"DROP INDEX {name}")
        yield
        self.raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            self.raw.execute(definition)
        for table, name, definition in keys:
            self.raw.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def insert_returning_id(self, sql: str, params: Sequence[Any], id_column: str) -> int:
        return int(self.execute(f"{sql} RETURNING {id_column}", params).fetchone()[0])

    def create_stage(self, table: str, columns: Sequence[str]) -> str:
        stage = STAGE_PREFIX + table
        self.raw.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA")
        return stage

    def index_stage(self, stage: str, key: Sequence[str]) -> None:
        self.raw.execute(f"CREATE UNIQUE INDEX ON {stage} ({', '.join(key)})")

    def create_temp_keys(self, name: str, column: str) -> None:
        self.raw.execute(f"CREATE TEMP TABLE {name} ({column} text PRIMARY KEY) ON COMMIT DROP")

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def analyze(self, names: Iterable[str]) -> None:
        # Autovacuum never analyses temporary tables; without statistics the merge joins plan badly.
        for name in names:
            self.raw.execute(f"ANALYZE {name}")

    def drop_temp(self, names: Iterable[str]) -> None:
        for name in names:
            self.raw.execute(f"DROP TABLE IF EXISTS {name}")

    @property
    def distinct_op(self) -> str:
        return "IS DISTINCT FROM"


def open_postgres(url: DatabaseURL) -> PostgresDatabase:
    """Connect (autocommit; the loader opens explicit transactions); E303 with the password masked if it fails."""
    psycopg = import_psycopg()
    try:
        raw = psycopg.connect(url.target, autocommit=True, application_name="newsclaims", connect_timeout=10)
    except psycopg.Error as err:
        detail = mask_text(" ".join(str(err).split()), *url.secrets)
        # Not chained: a malformed-URL error from libpq quotes the whole URL, password included.
        raise NewsclaimsError("E303", url=url.masked, detail=detail) from None
    return PostgresDatabase(raw, url, psycopg)
