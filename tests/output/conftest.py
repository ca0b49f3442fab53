"""Fixtures for the output-stage tests: hand-built run directories and fresh databases of both kinds."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from .records import corpus_records, write_run


@pytest.fixture
def small_run(tmp_path: Path) -> Path:
    """The three hand-built articles as a run directory."""
    return write_run(tmp_path / "run1", corpus_records())


@pytest.fixture
def small_run_reextracted(tmp_path: Path) -> Path:
    """The same articles after article nk-002 changed and was re-extracted."""
    return write_run(tmp_path / "run2", corpus_records(variant=1))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def second_db_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another fresh database of the same kind as `db_url`, to compare two ways of loading."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.db'}"
    conn, url, prefix = request.getfixturevalue("pg_admin")
    schema = f"{prefix}_second_{uuid.uuid4().hex[:8]}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{url}?options=-csearch_path%3D{schema}"
