"""Fixtures for the output-stage tests: hand-built run directories and fresh databases of both kinds."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .records import corpus_records, write_run

PG_BASE = "postgresql://{user}@127.0.0.1:5432/test"
PG_USERS = ("postgres", "root")


@pytest.fixture
def small_run(tmp_path: Path) -> Path:
    """The three hand-built articles as a run directory."""
    return write_run(tmp_path / "run1", corpus_records())


@pytest.fixture
def small_run_reextracted(tmp_path: Path) -> Path:
    """The same articles after article nk-002 changed and was re-extracted."""
    return write_run(tmp_path / "run2", corpus_records(variant=1))


# PostgreSQL: one server connection per session; each test gets its own schema, all dropped at the end.


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[tuple[Any, str, str]]:
    """(autocommit connection, base URL, session prefix); skips if the server is unreachable, unless CI."""
    psycopg = pytest.importorskip("psycopg")
    errors = []
    for user in PG_USERS:
        url = PG_BASE.format(user=user)
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
            break
        except psycopg.Error as err:
            errors.append(f"{user}: {' '.join(str(err).split())}")
    else:
        reason = "PostgreSQL at 127.0.0.1:5432 is unreachable (" + "; ".join(errors) + ")"
        if os.environ.get("CI"):
            pytest.fail(reason + " and CI is set: the PostgreSQL tests must run in CI")
        pytest.skip(reason)
    prefix = f"nc_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        yield conn, url, prefix
    finally:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (prefix + "%",)).fetchall()
        for (name,) in rows:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        conn.close()


_schema_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_admin: tuple[Any, str, str]) -> str:
    """A URL whose search_path is a fresh, empty schema."""
    conn, url, prefix = pg_admin
    schema = f"{prefix}_{next(_schema_numbers)}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{url}?options=-csearch_path%3D{schema}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'newsclaims.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")
