"""Fast loads: unchanged documents left alone on reload, a worker process and bulk loading for large runs.

Each shortcut must give exactly the database and the counts that the full path gives, on both databases.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from pipeline.output.db import build as build_module
from pipeline.output.db import connect, load_runs
from pipeline.output.db import loader as loader_module
from pipeline.output.db import runs as runs_module
from pipeline.output.db import worker as worker_module
from pipeline.output.db.tables import TABLES

from .records import corpus_records, table_dump, write_run

DATA_TABLES = tuple(spec.name for spec in TABLES)


def _counts(report) -> list[tuple[Any, ...]]:
    return [(c.table, c.staged, c.inserted, c.updated, c.unchanged, c.deleted, c.retired) for c in report.runs[0].counts]


def _quarantine(report) -> list[tuple[str, int, str]]:
    return [(Path(q.file).name, q.line, q.code) for q in report.quarantined]


@pytest.fixture
def parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the record lines the loader parses (in this process)."""
    seen: list[int] = []
    real = runs_module.parse_line

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "parse_line", counting)
    return seen


def test_unchanged_reload_reads_no_record_twice(db_url: str, small_run: Path, parsed_lines: list[int]) -> None:
    load_runs([small_run], db_url)
    assert len(parsed_lines) == 3 + 10 + 5
    parsed_lines.clear()
    again = load_runs([small_run], db_url).runs[0]
    assert parsed_lines == []
    assert not again.changed
    assert [(c.staged, c.unchanged) for c in again.counts] == [(c.staged, c.staged) for c in again.counts]
    assert again.count("mentions").staged == 10 and again.count("claim_locations").staged == 6


def test_reextracted_article_is_the_only_one_read_again(
    db_url: str, small_run: Path, small_run_reextracted: Path, parsed_lines: list[int]
) -> None:
    load_runs([small_run], db_url)
    parsed_lines.clear()
    load_runs([small_run_reextracted], db_url)
    records = corpus_records(variant=1)
    of_nk002 = sum(1 for kind in ("documents", "mentions", "claims") for r in records[kind] if r["doc_id"] == "nk-002")
    assert len(parsed_lines) == of_nk002


def _story(tmp_path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Runs that change documents in every way a load can: re-extraction, rows moved to another document,
    lines of a document whose documents.jsonl line is in another run, a review, and back again."""
    base, changed = corpus_records(), corpus_records(variant=1)
    moved_claim = {**base["claims"][0], "doc_id": "nk-003"}  # nk-001's first claim now said to be nk-003's
    edited_claim = {**base["claims"][2], "claim_type": "trade"}  # a claim of nk-002 without its document
    runs = [
        ("base", base),
        ("changed", changed),
        ("review", None),
        ("moved", {**base, "documents": base["documents"][2:], "mentions": [], "claims": [moved_claim]}),
        ("base-again", base),
        ("edited", {"documents": [], "mentions": [], "claims": [edited_claim]}),
        ("changed-again", changed),
        ("base-last", base),
        ("base-unchanged", base),
    ]
    return [(write_run(tmp_path / name, records) if records else Path(), {"name": name}) for name, records in runs]


def test_skipping_unchanged_documents_gives_the_full_loads_database(db_url: str, second_db_url: str, tmp_path: Path) -> None:
    full = second_db_url
    bribe = next(c["claim_id"] for c in corpus_records(variant=1)["claims"] if c["claim_type"] == "bribe")
    for run, meta in _story(tmp_path / "runs"):
        if meta["name"] == "review":
            for url in (db_url, full):
                with connect(url) as db, db.transaction():
                    db.execute(
                        "INSERT INTO review_decisions (decision_id, claim_id, reviewer, decision, created_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        ("r1", bribe, "ana", "accept", db.now()),
                    )
            continue
        fast = load_runs([run], db_url)
        slow = load_runs([run], full, skip_unchanged=False)
        assert _counts(fast) == _counts(slow), meta["name"]
        assert _quarantine(fast) == _quarantine(slow), meta["name"]
        assert table_dump(db_url, DATA_TABLES) == table_dump(full, DATA_TABLES), meta["name"]
    assert not fast.runs[0].changed


def test_a_change_of_validation_reads_every_line_again(sqlite_url: str, tmp_path: Path) -> None:
    records = corpus_records()
    odd = {**records["claims"][0], "claim_type": "robbery"}  # loads unvalidated; the schema refuses it
    run = write_run(tmp_path / "run", {**records, "claims": [odd, *records["claims"][1:]]})
    assert load_runs([run], sqlite_url, validate=False).quarantined == ()
    validated = load_runs([run], sqlite_url)
    assert [(q.line, q.code) for q in validated.quarantined] == [(1, "E312")]
    again = load_runs([run], sqlite_url)  # nk-001 stays incomplete: read, and set aside, every time
    assert [(q.line, q.code) for q in again.quarantined] == [(1, "E312")]


def test_a_digest_row_dropped_by_hand_only_costs_time(db_url: str, small_run: Path, parsed_lines: list[int]) -> None:
    load_runs([small_run], db_url)
    with connect(db_url) as db, db.transaction():
        db.execute("DELETE FROM document_digests WHERE doc_id = 'nk-003'")
    parsed_lines.clear()
    again = load_runs([small_run], db_url).runs[0]
    assert not again.changed and len(parsed_lines) == 1 + 2 + 2  # nk-003's lines
    with connect(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM document_digests") == 3


@pytest.fixture
def big_path(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every run counts as large: a worker process builds the rows, an empty database is bulk loaded.

    Yields a list that records, for each worker the loader asked for, whether it really forked one.
    """
    monkeypatch.setattr(loader_module, "BIG_RUN_BYTES", 0)
    forked: list[bool] = []
    real_init = worker_module.InOrder.__init__

    def spy(self, produce, *, parallel: bool) -> None:
        real_init(self, produce, parallel=parallel)
        if parallel:
            forked.append(self.parallel)

    monkeypatch.setattr(worker_module.InOrder, "__init__", spy)
    return forked


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_large_runs_load_like_small_ones(
    db_url: str, second_db_url: str, tmp_path: Path, big_path: list[bool], method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if worker_module.start_method() is None or method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no second core, or no {method} here")
    monkeypatch.setattr(worker_module, "start_method", lambda: method)  # whichever this process would choose
    small = second_db_url
    records = corpus_records()
    bad = [*records["claims"], {**records["claims"][0], "claim_type": "robbery", "claim_id": "c-bad"}, records["claims"][1]]
    story = [
        write_run(tmp_path / "a", {**records, "claims": bad}),
        write_run(tmp_path / "b", corpus_records(variant=1)),
        write_run(tmp_path / "c", records),
    ]
    for run in [*story, story[-1]] if method == "fork" else story[1:]:  # spawning takes a second each time
        big = load_runs([run], db_url)
        loader_module.BIG_RUN_BYTES = 1 << 60
        normal = load_runs([run], small)
        loader_module.BIG_RUN_BYTES = 0
        assert (_counts(big), _quarantine(big)) == (_counts(normal), _quarantine(normal))
        assert table_dump(db_url, DATA_TABLES) == table_dump(small, DATA_TABLES)
    assert all(big_path) and len(big_path) >= 3  # a worker built the rows (and scanned for unchanged documents)


def _schema_objects(db_url: str) -> list[tuple[Any, ...]]:
    with connect(db_url) as db:
        if db.dialect == "sqlite":
            return db.query("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'table') ORDER BY name")
        indexes = db.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")
        keys = db.query(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
        )
        return [*indexes, *keys]


def test_bulk_load_keeps_every_index_and_foreign_key(db_url: str, small_run: Path, big_path: list[bool]) -> None:
    connect(db_url).close()
    before = _schema_objects(db_url)
    assert load_runs([small_run], db_url).runs[0].count("claims").inserted == 5
    assert _schema_objects(db_url) == before
    with connect(db_url) as db, pytest.raises(db.errors), db.transaction():  # still enforced
        db.execute("INSERT INTO sentences (doc_id, sentence_index, start_char, end_char, text) VALUES ('nope', 0, 0, 1, 'x')")


def test_a_worker_is_forked_only_from_a_process_with_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(worker_module.sys, "platform", "linux")
    monkeypatch.setattr(worker_module.threading, "active_count", lambda: 1)
    assert worker_module.start_method() == "fork"
    monkeypatch.setattr(worker_module.threading, "active_count", lambda: 2)
    assert worker_module.start_method() == "spawn"
    monkeypatch.setattr(worker_module.os, "cpu_count", lambda: 1)
    assert worker_module.start_method() is None


def _one_then_fail(message: str) -> Iterator[int]:
    yield 1
    raise OSError(message)


def test_worker_failure_is_raised_in_the_loader() -> None:
    if worker_module.start_method() is None:
        pytest.skip("one core: no worker process")
    seen = []
    items = worker_module.InOrder(partial(_one_then_fail, "disk gone"), parallel=True)
    with pytest.raises(OSError, match="disk gone") as err, items:
        assert items.parallel
        seen.extend(items)
    assert seen == [1]
    assert "in the load's worker process" in "\n".join(getattr(err.value, "__notes__", []))
    assert multiprocessing.active_children() == []


def test_failure_while_a_worker_builds_leaves_the_database(db_url: str, small_run: Path, big_path, monkeypatch) -> None:
    load_runs([small_run], db_url)
    before = table_dump(db_url, (*DATA_TABLES, "document_digests", "load_runs"))
    real_take = loader_module._RunLoader._take

    def take_then_die(self, chunk, first_line):
        if chunk.kind == "mentions":
            raise RuntimeError("killed mid-load")
        return real_take(self, chunk, first_line)

    monkeypatch.setattr(loader_module._RunLoader, "_take", take_then_die)
    with pytest.raises(RuntimeError, match="killed mid-load"):
        load_runs([write_run(small_run.parent / "changed", corpus_records(variant=1))], db_url)
    assert table_dump(db_url, (*DATA_TABLES, "document_digests", "load_runs")) == before
    assert multiprocessing.active_children() == []
    assert big_path and all(big_path) == (worker_module.start_method() is not None)


def test_a_line_nested_too_deep_is_set_aside(sqlite_url: str, tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", corpus_records())
    with (run / "claims.jsonl").open("a", encoding="utf-8") as f:
        f.write("[" * 100_000 + "]" * 100_000 + "\n")
    result = load_runs([run], sqlite_url).runs[0]
    assert [(q.line, q.code) for q in result.quarantined] == [(6, "E311")]
    assert result.count("claims").inserted == 5
    again = load_runs([run], sqlite_url).runs[0]
    assert [(q.line, q.code) for q in again.quarantined] == [(6, "E311")] and not again.changed


@pytest.mark.parametrize(
    "line",
    [
        '{"a": NaN}',
        '{"a": "\\ud800"}',
        '{"a": "\\u0000"}',
        '{"a": 1e400}',
        '{"a": 1, }',
        '\ufeff{"a": 1}',
        '{"a": "\\ud83d\\ude9a", "b": [1.5, -0.0, 1e-07, 1234567890123456789]}',
        '{"a": 1}\r\n',
        "[1, 2]",
    ],
)
def test_json_lines_read_as_json_reads_them(line: str) -> None:
    raw = line.encode("utf-8", "surrogatepass")
    try:
        expected: Any = json.loads(raw.decode("utf-8"))
    except ValueError as err:
        with pytest.raises(ValueError) as found:
            runs_module.load_json(raw)
        assert str(found.value) == str(err)
        return
    value, _ = runs_module.load_json(raw)
    assert json.dumps(value, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_new_sqlite_files_use_8k_pages_and_old_ones_keep_theirs(tmp_path: Path, small_run: Path) -> None:
    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE x (y)").connection.close()  # a 4 KB-page file from before
    for path, size in ((tmp_path / "new.db", 8192), (old, 4096)):
        load_runs([small_run], f"sqlite:///{path}")
        with connect(f"sqlite:///{path}") as db:
            assert (db.scalar("PRAGMA page_size"), db.scalar("SELECT COUNT(*) FROM claims")) == (size, 5)
