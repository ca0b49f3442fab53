"""PostgreSQL specifics (a real server, a fresh schema per test): types, parity with SQLite, locking."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import connect, load_runs
from pipeline.output.db.bench import bench_load, bench_loads, format_loads
from pipeline.output.db.queries import EXAMPLES

from .records import corpus_records, normal, write_run

pytestmark = pytest.mark.postgres

# The same SQL, run unchanged on both databases, must give the same answers.
PARITY_QUERIES = (
    EXAMPLES["trucks_in_ryanggang_since_2024"][1],
    "SELECT * FROM claim_details ORDER BY claim_id",
    "SELECT * FROM vehicle_counts ORDER BY place_id, claim_month, vehicle_class",
    "SELECT * FROM claims_by_place_month ORDER BY place_id, claim_month",
    "SELECT claim_type, COUNT(*), SUM(quantity_value), MIN(time_from) FROM claims GROUP BY claim_type ORDER BY 1",
    "SELECT d.source, COUNT(DISTINCT c.claim_id) FROM documents d JOIN claims c ON c.doc_id = d.doc_id"
    " WHERE NOT c.negated GROUP BY d.source ORDER BY 1",
    "SELECT a.canonical_id, a.role, c.claim_type FROM claim_agencies a JOIN claims c USING (claim_id) ORDER BY 1",
    "SELECT label, canonical_id, parent, former_name, quantity_lower FROM mentions ORDER BY mention_id",
    "SELECT doc_id, sentence_index, start_char, end_char, text FROM sentences ORDER BY doc_id, sentence_index",
    "SELECT resolution, paragraph, hs, item FROM claim_sanctions ORDER BY claim_id, position",
    "SELECT doc_id, title, published, text_sha256, sentence_count FROM documents ORDER BY doc_id",
)


def _answers(url: str) -> list[list[tuple[object, ...]]]:
    with connect(url) as db:
        return [[tuple(map(normal, row)) for row in db.query(sql)] for sql in PARITY_QUERIES]


def test_same_run_gives_same_answers_in_sqlite_and_postgresql(
    pg_url: str, sqlite_url: str, small_run: Path, small_run_reextracted: Path
) -> None:
    for url in (pg_url, sqlite_url):
        load_runs([small_run, small_run_reextracted], url)
    pg, lite = _answers(pg_url), _answers(sqlite_url)
    for sql, a, b in zip(PARITY_QUERIES, pg, lite, strict=True):
        assert a == b, sql
    assert all(pg), "every parity query should return rows"


def test_postgresql_uses_native_types(pg_url: str, small_run: Path) -> None:
    load_runs([small_run], pg_url)
    with connect(pg_url) as db:
        types = dict(
            db.query(
                "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
            )
        )
        record = db.scalar("SELECT record -> 'trigger' ->> 'lemma' FROM claims WHERE claim_type = 'seizure'")
    assert types["claims.record"] == "jsonb"
    assert types["claims.negated"] == "boolean"
    assert types["claims.quantity_value"] == "double precision"
    assert types["load_runs.started_at"] == "timestamp with time zone"
    assert types["review_decisions.created_at"] == "timestamp with time zone"
    assert record == "seize"


def test_postgresql_tables_stay_in_the_search_path_schema(pg_url: str, pg_admin, small_run: Path) -> None:
    load_runs([small_run], pg_url)
    schema = pg_url.rsplit("%3D", 1)[1]
    conn = pg_admin[0]
    where = conn.execute(
        "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'claims' AND table_schema LIKE %s",
        (pg_admin[2] + "%",),
    ).fetchall()
    assert (schema,) in where
    assert conn.execute(f'SELECT COUNT(*) FROM "{schema}".claims').fetchone()[0] == 5


def test_concurrent_loaders_wait_for_each_other(pg_url: str, tmp_path: Path) -> None:
    runs = [write_run(tmp_path / f"run{i}", corpus_records(variant=i)) for i in (0, 1)]
    errors: list[BaseException] = []

    def load(run: Path) -> None:
        try:
            load_runs([run], pg_url)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=load, args=(run,)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with connect(pg_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM load_runs") == 2
        assert db.scalar("SELECT COUNT(*) FROM claims") in (5, 6)  # whichever committed last wins


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres:s3cret-pw@127.0.0.1:1/test",  # nothing listens on port 1
        "postgresql://postgres@127.0.0.1:5432/no_such_database_x?password=s3cret-pw",
    ],
)
def test_connection_errors_never_show_the_password(url: str, pg_admin) -> None:
    with pytest.raises(NewsclaimsError) as err:
        connect(url)
    assert err.value.code == "E303"
    assert "s3cret-pw" not in str(err.value)
    assert "***" in str(err.value)
    assert err.value.__cause__ is None  # libpq's own message may quote the URL: it is not chained


def test_bench_on_postgresql(pg_url: str) -> None:
    result = bench_load(200, pg_url)
    assert (result["inserted"], result["reload_unchanged"]) == (200, 200)


def test_bench_loads_into_a_throwaway_schema(pg_admin) -> None:
    conn, url, _ = pg_admin
    results = bench_loads(300, url)
    assert [r["db"].split(":", 1)[0] for r in results] == ["sqlite", "postgresql"]
    assert all((r["inserted"], r["reload_unchanged"]) == (300, 300) for r in results)
    left = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"newsclaims_bench_{os.getpid()}_%",))
    assert left.fetchall() == []
    lines = format_loads(results).splitlines()
    assert [line.split(" into ")[1].split(":")[0] for line in lines] == ["SQLite", "PostgreSQL"]
