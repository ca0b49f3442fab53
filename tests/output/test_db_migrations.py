"""Schema versions: numbered migrations upgrade an older database; a newer one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import SCHEMA_VERSION, connect, load_runs
from pipeline.output.db.migrations import MIGRATIONS, Migration, migrate, schema_version
from pipeline.output.db.tables import TABLES

from .records import normal, table_dump


def test_new_database_is_at_the_current_version(db_url: str) -> None:
    with connect(db_url) as db:
        assert schema_version(db) == SCHEMA_VERSION == len(MIGRATIONS)
        versions = [r[0] for r in db.query("SELECT version FROM newsclaims_migrations ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_every_loaded_column_exists(db_url: str) -> None:
    with connect(db_url) as db:
        for spec in TABLES:
            db.query(f"SELECT {', '.join(spec.columns)} FROM {spec.name} WHERE 1 = 0")


def test_older_database_is_upgraded_and_keeps_its_data(db_url: str, small_run: Path) -> None:
    with connect(db_url, upgrade=False) as db:
        assert migrate(db, target=1) == [1]
        assert not db.table_exists("review_decisions")
    before = load_runs([small_run], db_url)  # connect() upgrades to the current version first
    assert before.schema_version == SCHEMA_VERSION
    with connect(db_url) as db:
        assert db.table_exists("review_decisions")
        assert db.scalar("SELECT COUNT(*) FROM claims") == 5


def test_a_later_migration_applies_on_top(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    before = table_dump(db_url, ("claims", "documents"))
    extra = Migration(SCHEMA_VERSION + 1, "test_extra", "CREATE TABLE test_extra (x INTEGER);")
    with connect(db_url, upgrade=False) as db:
        assert migrate(db, migrations=(*MIGRATIONS, extra)) == [SCHEMA_VERSION + 1]
        assert migrate(db, migrations=(*MIGRATIONS, extra)) == []
        assert db.table_exists("test_extra")
        assert schema_version(db) == SCHEMA_VERSION + 1
        after = {t: sorted(map(tuple, db.query(f"SELECT * FROM {t}"))) for t in ("claims", "documents")}
    assert {t: [tuple(map(normal, r)) for r in rows] for t, rows in after.items()} == before


def test_failing_migration_leaves_the_previous_version(db_url: str) -> None:
    broken = Migration(SCHEMA_VERSION + 1, "broken", "CREATE TABLE half_done (x INTEGER);\nCREATE TABLE (;")
    with connect(db_url, upgrade=False) as db:
        migrate(db)
        with pytest.raises(NewsclaimsError) as err:
            migrate(db, migrations=(*MIGRATIONS, broken))
        assert err.value.code == "E305"
        assert schema_version(db) == SCHEMA_VERSION
        assert not db.table_exists("half_done")


def test_newer_database_is_refused_with_a_clear_error(db_url: str) -> None:
    with connect(db_url) as db, db.transaction():
        db.execute("INSERT INTO newsclaims_migrations VALUES (?, ?, ?)", (SCHEMA_VERSION + 5, "future", db.now()))
    with pytest.raises(NewsclaimsError) as err:
        connect(db_url)
    assert err.value.code == "E304"
    assert f"schema version {SCHEMA_VERSION + 5}" in str(err.value)
    assert "Upgrade newsclaims" in str(err.value)
