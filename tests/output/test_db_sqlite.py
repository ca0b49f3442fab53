"""SQLite specifics: a plain WAL file that Datasette and sqlite-utils open as it is; URLs and errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import connect, load_runs
from pipeline.output.db.bench import bench_load, synth_run

from .records import corpus_records, write_run

PLAIN_TYPES = {"TEXT", "INTEGER", "REAL"}


def test_sqlite_file_is_plain_and_in_wal_mode(small_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    load_runs([small_run], f"sqlite:///{path}")
    conn = sqlite3.connect(path)  # as Datasette or sqlite-utils would: no extension, no custom types
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            types = {r[2] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert types <= PLAIN_TYPES, (table, types)
        views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        assert views == {"claim_details", "claims_by_place_month", "vehicle_counts", "claim_review_status"}
        for view in views:
            conn.execute(f"SELECT * FROM {view}").fetchall()
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {r[2] for r in conn.execute("PRAGMA foreign_key_list(claim_items)")}
        assert fks == {"claims"}
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("url", "relative"),
    [("sqlite:///nc-relative.db", "nc-relative.db"), ("nc-bare.db", "nc-bare.db")],
)
def test_sqlite_urls_relative_and_bare_paths(url: str, relative: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    connect(url).close()
    assert (tmp_path / relative).is_file()


def test_sqlite_absolute_url(tmp_path: Path) -> None:
    connect(f"sqlite:///{tmp_path}/abs.db").close()  # sqlite:////tmp/... : four slashes
    assert (tmp_path / "abs.db").is_file()


def test_sqlite_foreign_keys_are_enforced(sqlite_url: str) -> None:
    with connect(sqlite_url) as db:
        with pytest.raises(sqlite3.IntegrityError), db.transaction():
            db.execute("INSERT INTO sentences VALUES ('no-such-doc', 0, 0, 1, 'x')")


def test_sqlite_unopenable_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(NewsclaimsError) as err:
        connect(f"sqlite:///{tmp_path}/missing-dir/x.db")
    assert err.value.code == "E303"


@pytest.mark.parametrize(
    ("name", "code"),
    [("documents.jsonl", "E007"), ("claims.jsonl", "E007"), ("manifest.json", None)],
)
def test_run_directory_files(name: str, code: str | None, sqlite_url: str, tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", corpus_records())
    (run / name).unlink()
    if code is None:  # a run without a manifest still loads
        assert load_runs([run], sqlite_url).runs[0].count("claims").inserted == 5
        return
    with pytest.raises(NewsclaimsError) as err:
        load_runs([run], sqlite_url)
    assert err.value.code == code and name in str(err.value)


def test_run_of_a_newer_records_schema_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", corpus_records(), schema_version=2)
    with pytest.raises(NewsclaimsError) as err:
        load_runs([run], sqlite_url)
    assert err.value.code == "E307"


def test_synthetic_run_loads_then_reloads_unchanged(sqlite_url: str, tmp_path: Path) -> None:
    counts = synth_run(tmp_path / "synth", 500)
    first = load_runs([tmp_path / "synth"], sqlite_url).runs[0]
    assert first.count("claims").inserted == counts["claims"] == 500
    assert first.count("mentions").inserted == counts["mentions"]
    assert first.quarantined == ()
    second = load_runs([tmp_path / "synth"], sqlite_url).runs[0]
    assert not second.changed
    synth_run(tmp_path / "synth", 500, variant=1)  # every stated count changed: new texts, new claims
    third = load_runs([tmp_path / "synth"], sqlite_url).runs[0]
    assert (third.count("claims").inserted, third.count("claims").deleted) == (500, 500)
    assert third.count("documents").updated == counts["documents"]
    assert third.count("sentences").updated == 500
    mentions = third.count("mentions")  # same spans, new attributes; or moved spans, so new ids
    assert mentions.inserted == mentions.deleted and mentions.updated > 0


def test_bench_reports_timings(tmp_path: Path) -> None:
    result = bench_load(200, f"sqlite:///{tmp_path / 'bench.db'}")
    assert (result["claims"], result["inserted"], result["reload_unchanged"]) == (200, 200, 200)
    assert result["load_seconds"] > 0


def test_bench_times_a_reload_of_changed_articles(tmp_path: Path) -> None:
    result = bench_load(200, f"sqlite:///{tmp_path / 'bench.db'}", changed=True)
    assert (result["changed_inserted"], result["reload_unchanged"]) == (200, 200)
    assert result["changed_reload_seconds"] > 0
