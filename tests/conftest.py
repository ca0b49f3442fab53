"""Shared fixtures: one pipeline per test session, the corpus extracted once."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED_DIR = ROOT.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp.build import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def seed_text() -> str:
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.exists() else []
    if not files:
        pytest.skip("../shared/seed/ is not here (a fresh clone): seed checks run in CI")
    return files[0].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> Path:
    """The bundled corpus (and the seed article when present) extracted once."""
    from pipeline.batch.runner import ExtractOptions, run_extract

    out = tmp_path_factory.mktemp("corpus_run")
    inputs = [str(CORPUS)]
    if SEED_DIR.exists():
        inputs.append(str(SEED_DIR))
    run_extract(inputs, out, options=ExtractOptions(progress=False))
    return out


def ents(nlp, text: str) -> list[tuple[str, str, str]]:
    """(label, text, canonical id) of every mention in `text`."""
    doc = nlp(text)
    return [(e.label_, e.text, e.kb_id_) for e in doc.ents]


# PostgreSQL (127.0.0.1:5432, trust auth, database `test`): one admin connection per session; every test
# gets its own fresh schema; all are dropped at the end. Unreachable: skip, or fail when CI is set.
PG_BASE = "postgresql://{user}@127.0.0.1:5432/test"
PG_USERS = ("postgres", "root")
_schema_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[tuple[Any, str, str]]:
    """(autocommit connection, base URL, schema prefix)."""
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
