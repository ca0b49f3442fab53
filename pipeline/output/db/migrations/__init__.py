"""Numbered schema migrations, shared by SQLite and PostgreSQL with per-dialect type tokens.

Migrations are append-only: a released migration is never edited; a change is a new numbered module added
to `MIGRATIONS`. The database records each applied migration in `newsclaims_migrations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from ....errors import NewsclaimsError
from ..base import Database
from . import m0001_records, m0002_review, m0003_events, m0004_digests

# Types that differ between the dialects; SQLite keeps to plain types that Datasette shows as they are.
_TOKENS = {
    "sqlite": {
        "{ID_PK}": "INTEGER PRIMARY KEY",
        "{BIGINT}": "INTEGER",
        "{BOOL}": "INTEGER",
        "{REAL}": "REAL",
        "{JSON}": "TEXT",
        "{TIMESTAMP}": "TEXT",
    },
    "postgresql": {
        "{ID_PK}": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "{BIGINT}": "BIGINT",
        "{BOOL}": "BOOLEAN",
        "{REAL}": "DOUBLE PRECISION",
        "{JSON}": "JSONB",
        "{TIMESTAMP}": "TIMESTAMPTZ",
    },
}


@dataclass(frozen=True)
class Migration:
    """One schema step: shared SQL with type tokens, plus optional SQL for one dialect only."""

    version: int
    name: str
    sql: str
    sqlite_extra: str = ""
    postgres_extra: str = ""

    def render(self, dialect: str) -> str:
        """The SQL to run for `dialect`, tokens replaced."""
        sql = self.sql + (self.sqlite_extra if dialect == "sqlite" else self.postgres_extra)
        for token, value in _TOKENS[dialect].items():
            sql = sql.replace(token, value)
        return sql


def _from_module(version: int, module: ModuleType) -> Migration:
    return Migration(
        version,
        module.NAME,
        module.SQL,
        getattr(module, "SQLITE_EXTRA", ""),
        getattr(module, "POSTGRES_EXTRA", ""),
    )


MIGRATIONS: tuple[Migration, ...] = (
    _from_module(1, m0001_records),
    _from_module(2, m0002_review),
    _from_module(3, m0003_events),
    _from_module(4, m0004_digests),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
VERSION_TABLE = "newsclaims_migrations"


def schema_version(db: Database) -> int:
    """The newest migration applied to the database; 0 for a database without newsclaims tables."""
    if not db.table_exists(VERSION_TABLE):
        return 0
    return int(db.scalar(f"SELECT MAX(version) FROM {VERSION_TABLE}") or 0)


def migrate(db: Database, *, target: int | None = None, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply pending migrations up to `target` (default: all), one transaction each; return those applied.

    A database newer than the code raises E304; a failing migration raises E305 and leaves the database at
    the last version that succeeded.
    """
    known = migrations[-1].version if migrations else 0
    target = known if target is None else target
    current = schema_version(db)
    if current > known:
        raise NewsclaimsError("E304", url=db.url, found=current, supported=known)
    applied: list[int] = []
    for migration in migrations:
        if not current < migration.version <= target:
            continue
        with db.transaction():
            db.lock_for_load()  # two processes opening a fresh database must not both create it
            if schema_version(db) >= migration.version:
                continue  # the other process got there first
            try:
                db.run_script(migration.render(db.dialect))
                db.execute(
                    f"INSERT INTO {VERSION_TABLE} (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, db.now()),
                )
            except db.errors as err:
                raise NewsclaimsError("E305", version=migration.version, name=migration.name, detail=db.describe(err)) from err
        applied.append(migration.version)
    return applied
