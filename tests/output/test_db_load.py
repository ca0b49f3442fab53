"""Loading runs, against SQLite and (marked postgres) a real PostgreSQL: the same behaviour in both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import connect, load_runs
from pipeline.output.db import loader as loader_module
from pipeline.output.db.queries import EXAMPLES
from pipeline.output.db.tables import TABLES

from .records import INJECTION_TEXT, INJECTION_TITLE, corpus_records, table_dump, write_run

DATA_TABLES = tuple(spec.name for spec in TABLES)
ALL_TABLES = (*DATA_TABLES, "load_runs", "load_counts", "load_quarantine", "review_decisions")

TRUCKS_IN_RYANGGANG_SINCE_2024 = EXAMPLES["trucks_in_ryanggang_since_2024"][1]


def _claim_id(trigger: str, *, variant: int = 0) -> str:
    return next(c["claim_id"] for c in corpus_records(variant=variant)["claims"] if c["trigger"]["text"] == trigger)


def _counts(run, table: str) -> tuple[int, int, int, int, int]:
    c = run.count(table)
    return (c.inserted, c.updated, c.unchanged, c.deleted, c.retired)


def test_load_inserts_every_record(db_url: str, small_run: Path) -> None:
    run = load_runs([small_run], db_url).runs[0]
    assert _counts(run, "documents") == (3, 0, 0, 0, 0)
    assert _counts(run, "mentions") == (10, 0, 0, 0, 0)
    assert _counts(run, "claims") == (5, 0, 0, 0, 0)
    assert _counts(run, "sentences") == (8, 0, 0, 0, 0)
    assert run.count("claim_items").inserted == 5
    assert run.count("claim_locations").inserted == 6
    assert run.quarantined == ()


def test_load_twice_changes_nothing(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    before = table_dump(db_url, DATA_TABLES)
    second = load_runs([small_run], db_url).runs[0]
    assert not second.changed
    for counts in second.counts:
        assert counts.unchanged == counts.staged, counts.table
    assert table_dump(db_url, DATA_TABLES) == before


def test_load_reextracted_article_changes_only_its_rows(db_url: str, small_run: Path, small_run_reextracted: Path) -> None:
    first = load_runs([small_run], db_url).runs[0]
    second = load_runs([small_run_reextracted], db_url).runs[0]
    assert _counts(second, "documents") == (0, 1, 2, 0, 0)
    assert _counts(second, "claims") == (1, 0, 5, 0, 0)  # the new bribe claim; the old ones are as they were
    assert _counts(second, "mentions") == (1, 0, 10, 0, 0)
    assert _counts(second, "sentences") == (1, 0, 8, 0, 0)
    with connect(db_url) as db:
        changed = db.query("SELECT doc_id FROM documents WHERE load_id = ?", (second.load_id,))
        assert changed == [("nk-002",)]
        unchanged = db.scalar("SELECT COUNT(*) FROM claims WHERE load_id = ?", (first.load_id,))
        assert unchanged == 5


def test_load_removes_what_a_reextraction_dropped(db_url: str, small_run: Path, small_run_reextracted: Path) -> None:
    load_runs([small_run_reextracted], db_url)
    back = load_runs([small_run], db_url).runs[0]  # the article as it was: the bribe claim is gone again
    assert _counts(back, "claims") == (0, 0, 5, 1, 0)
    assert _counts(back, "mentions") == (0, 0, 10, 1, 0)
    assert back.count("claim_agencies").deleted == 1
    assert back.count("sentences").deleted == 1
    with connect(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM claims WHERE claim_type = 'bribe'") == 0
        assert db.scalar("SELECT COUNT(*) FROM claim_agencies WHERE canonical_id = 'KP-BORDER'") == 0


@pytest.mark.parametrize("exception", [RuntimeError("killed mid-load"), KeyboardInterrupt()])
def test_load_failure_leaves_database_as_it_was(
    db_url: str,
    small_run: Path,
    small_run_reextracted: Path,
    monkeypatch: pytest.MonkeyPatch,
    exception: BaseException,
) -> None:
    load_runs([small_run], db_url)
    before = table_dump(db_url, ALL_TABLES)
    real_delete = loader_module._RunLoader._delete

    def delete_then_die(self, spec, counts):  # every table is merged by now: a late, worst-case failure
        real_delete(self, spec, counts)
        raise exception

    monkeypatch.setattr(loader_module._RunLoader, "_delete", delete_then_die)
    with pytest.raises(type(exception)):
        load_runs([small_run_reextracted], db_url)
    monkeypatch.undo()
    assert table_dump(db_url, ALL_TABLES) == before
    assert load_runs([small_run_reextracted], db_url).runs[0].changed  # and the database still works


def test_load_of_fresh_database_killed_midway_leaves_it_empty(
    db_url: str, small_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(self, spec):
        raise RuntimeError("killed")

    monkeypatch.setattr(loader_module._RunLoader, "_merge", die)
    with pytest.raises(RuntimeError):
        load_runs([small_run], db_url)
    assert all(rows == [] for rows in table_dump(db_url, ALL_TABLES).values())


def test_example_query_trucks_in_ryanggang_since_2024(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    with connect(db_url) as db:
        rows = db.query(TRUCKS_IN_RYANGGANG_SINCE_2024)
    # Hyesan 2023 is too early, Sinuiju is in North Pyongan, excavators are not trucks; the undated claim
    # of nk-003 counts from its article's date (2024-02-01).
    assert [(r[0], r[1]) for r in rows] == [(_claim_id("sent"), "2024-02-01"), (_claim_id("smuggled"), "2025-04-01")]
    assert rows[1][4] == "https://example.org/nk-001"


def test_views_count_vehicles_and_claims_by_place_and_month(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    with connect(db_url) as db:
        vehicles = db.query(
            "SELECT place_id, claim_month, vehicle_class, claims, vehicles_stated FROM vehicle_counts"
            " WHERE place_label = 'COUNTY' ORDER BY place_id, claim_month, vehicle_class"
        )
        by_place = db.query(
            "SELECT place_name, claim_month, claims FROM claims_by_place_month"
            " WHERE place_label = 'COUNTY' ORDER BY place_name, claim_month"
        )
    # The Sinuiju claim is negated, so it is no vehicle count; "over 100" counts as its lower bound.
    assert [tuple(r[:4]) for r in vehicles] == [
        ("KP-10-hyesan", "2023-06", "truck", 1),
        ("KP-10-hyesan", "2025-04", "excavator", 1),
        ("KP-10-kimjongsuk", "2025-04", "truck", 1),
    ]
    assert [float(r[4]) for r in vehicles] == [30.0, 12.0, 100.0]
    assert by_place == [
        ("Hyesan", "2023-06", 1),
        ("Hyesan", "2025-04", 1),
        ("Kimjongsuk County", "2025-04", 1),
        ("Sinuiju", "2024-08", 1),
    ]


def test_injection_payloads_are_stored_verbatim_and_harmless(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    with connect(db_url) as db:
        title, text = db.query("SELECT title, text FROM documents WHERE doc_id = 'nk-002'")[0]
        sentences = [r[0] for r in db.query("SELECT text FROM sentences WHERE doc_id = 'nk-002' ORDER BY 1")]
        record = db.scalar("SELECT record FROM claims WHERE doc_id = 'nk-002'")
        assert db.scalar("SELECT COUNT(*) FROM documents") == 3
        assert db.scalar("SELECT COUNT(*) FROM claims") == 5
    assert title == INJECTION_TITLE
    assert text == INJECTION_TEXT
    assert any("🚚" in s and "혜산" in s for s in sentences)
    rec = json.loads(record) if isinstance(record, str) else record
    assert "DELETE FROM documents" in rec["sentence"]["text"] or rec["sentence"]["text"] in INJECTION_TEXT


def test_invalid_lines_are_quarantined_and_the_rest_loads(db_url: str, tmp_path: Path) -> None:
    records = corpus_records()
    bad_claim = {**records["claims"][0], "claim_type": "robbery", "claim_id": "c-bad"}
    orphan = {**records["claims"][1], "claim_id": "c-orphan", "doc_id": "nk-999"}
    bad_doc = {**records["documents"][2], "doc_id": "nk-bad-sha", "text_sha256": "0" * 64}
    nul = {**records["documents"][0], "doc_id": "nk-nul", "title": "a\x00b"}
    run = write_run(tmp_path / "run", records)
    with (run / "claims.jsonl").open("a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write(json.dumps(bad_claim) + "\n")
        f.write(json.dumps(orphan) + "\n")
        f.write(json.dumps(records["claims"][2]) + "\n")  # a duplicate claim_id
    with (run / "documents.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(bad_doc) + "\n")
        f.write(json.dumps(nul) + "\n")
    result = load_runs([run], db_url).runs[0]
    found = [(Path(q.file).name, q.line, q.code) for q in result.quarantined]
    assert found == [
        ("documents.jsonl", 4, "E315"),
        ("documents.jsonl", 5, "E316"),
        ("claims.jsonl", 6, "E311"),
        ("claims.jsonl", 7, "E312"),
        ("claims.jsonl", 8, "E313"),
        ("claims.jsonl", 9, "E314"),
    ]
    assert "claim_type" in result.quarantined[3].message
    assert result.count("claims").inserted == 5
    assert result.count("documents").inserted == 3
    with connect(db_url) as db:
        stored = db.query("SELECT line, code FROM load_quarantine WHERE load_id = ? ORDER BY file, line",
                          (result.load_id,))  # fmt: skip
        assert sorted(stored) == sorted((line, code) for _, line, code in found)
        assert db.scalar("SELECT quarantined FROM load_runs WHERE load_id = ?", (result.load_id,)) == 6


def test_quarantined_claim_line_keeps_its_documents_loaded_claims(db_url: str, tmp_path: Path) -> None:
    records = corpus_records()
    load_runs([write_run(tmp_path / "good", records)], db_url)
    broken = dict(records)
    broken["claims"] = [{**records["claims"][0], "negated": "no"}, *records["claims"][1:]]
    result = load_runs([write_run(tmp_path / "broken", broken)], db_url).runs[0]
    assert [q.code for q in result.quarantined] == ["E312"]
    assert result.count("claims").deleted == 0  # nk-001's run is incomplete, so nothing of it is removed
    with connect(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM claims") == 5


def test_reviewed_claim_dropped_by_reextraction_is_retired_not_deleted(
    db_url: str, small_run: Path, small_run_reextracted: Path
) -> None:
    load_runs([small_run_reextracted], db_url)
    bribe = _claim_id("took", variant=1)
    with connect(db_url) as db, db.transaction():
        db.execute(
            "INSERT INTO review_decisions (decision_id, claim_id, reviewer, decision, created_at) VALUES (?, ?, ?, ?, ?)",
            ("r1", bribe, "ana", "accept", db.now()),
        )
    back = load_runs([small_run], db_url).runs[0]
    assert _counts(back, "claims") == (0, 0, 5, 0, 1)
    assert back.count("claim_agencies").deleted == 0  # a retired claim keeps its parts
    with connect(db_url) as db:
        assert db.query("SELECT is_current FROM claims WHERE claim_id = ?", (bribe,)) in ([(0,)], [(False,)])
        assert db.scalar("SELECT COUNT(*) FROM claim_details WHERE claim_id = ?", (bribe,)) == 0
        assert db.scalar("SELECT decision FROM claim_review_status WHERE claim_id = ?", (bribe,)) == "accept"
    again = load_runs([small_run_reextracted], db_url).runs[0]  # extracted once more: current again
    assert _counts(again, "claims") == (0, 1, 5, 0, 0)


def test_load_refuses_a_newer_database(db_url: str, small_run: Path) -> None:
    with connect(db_url) as db, db.transaction():
        db.execute(
            "INSERT INTO newsclaims_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (99, "from the future", db.now()),
        )
    with pytest.raises(NewsclaimsError) as err:
        load_runs([small_run], db_url)
    assert err.value.code == "E304"
    assert "99" in str(err.value)


def test_load_stops_at_the_first_failing_run_and_keeps_the_earlier(db_url: str, small_run: Path, tmp_path: Path) -> None:
    broken = write_run(tmp_path / "broken", corpus_records())
    (broken / "manifest.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(NewsclaimsError) as err:
        load_runs([small_run, broken], db_url)
    assert err.value.code == "E306"
    with connect(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM load_runs") == 1
        assert db.scalar("SELECT COUNT(*) FROM claims") == 5


def test_load_records_the_run_with_credentials_masked(db_url: str, tmp_path: Path) -> None:
    inputs = ["https://reader:hunter2@feeds.example.org/nk.xml", "corpus/"]
    run = write_run(tmp_path / "run", corpus_records(), inputs=inputs, pattern_pack_sha256="ab" * 32)
    report = load_runs([run], db_url)
    with connect(db_url) as db:
        manifest, name, pack, complete = db.query("SELECT manifest, run_name, pattern_pack_sha256, run_complete FROM load_runs")[
            0
        ]
        counts = db.query("SELECT table_name, inserted FROM load_counts WHERE table_name = 'claims'")
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    assert "hunter2" not in text and "reader:***@feeds.example.org" in text
    assert (name, pack, bool(complete)) == ("run", "ab" * 32, True)
    assert counts == [("claims", 5)]
    assert "***" not in report.db_url or ":***@" in report.db_url


def test_database_error_mid_load_is_e308_and_rolled_back(db_url: str, small_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_merge(self, spec):
        self.db.execute("INSERT INTO no_such_table VALUES (1)")

    monkeypatch.setattr(loader_module._RunLoader, "_merge", broken_merge)
    with pytest.raises(NewsclaimsError) as err:
        load_runs([small_run], db_url)
    assert err.value.code == "E308"
    assert str(small_run) in str(err.value) and "no_such_table" in str(err.value)
    assert isinstance(err.value.__cause__, Exception)
    monkeypatch.undo()
    assert all(rows == [] for rows in table_dump(db_url, ALL_TABLES).values())


def test_progress_and_totals_are_reported(sqlite_url: str, small_run: Path, small_run_reextracted: Path) -> None:
    seen: list[tuple[str, int]] = []
    report = load_runs([small_run, small_run_reextracted], sqlite_url, progress=lambda f, n: seen.append((f, n)))
    assert [(Path(f).parent.name, Path(f).name, n) for f, n in seen] == [
        ("run1", "documents.jsonl", 3), ("run1", "mentions.jsonl", 10), ("run1", "claims.jsonl", 5),
        ("run2", "documents.jsonl", 3), ("run2", "mentions.jsonl", 11), ("run2", "claims.jsonl", 6),
    ]  # fmt: skip
    claims = next(t for t in report.totals() if t.table == "claims")
    assert (claims.staged, claims.inserted, claims.unchanged) == (11, 6, 5)
    assert report.schema_version >= 2 and report.quarantined == ()


def test_unvalidated_load_still_sets_aside_records_it_cannot_read(sqlite_url: str, tmp_path: Path) -> None:
    records = corpus_records()
    broken = {k: v for k, v in records["claims"][0].items() if k != "trigger"}
    run = write_run(tmp_path / "run", {**records, "claims": [broken, *records["claims"][1:]]})
    result = load_runs([run], sqlite_url, validate=False).runs[0]
    assert [(q.code, q.line) for q in result.quarantined] == [("E312", 1)]
    assert "trigger" in result.quarantined[0].message
    assert result.count("claims").inserted == 4
