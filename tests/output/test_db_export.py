"""Exporting claims (JSONL round trip, CSV) and the review tables, against both databases."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import connect, export_claims, load_runs

from .records import corpus_records, table_dump, write_run

CLAIM_TABLES = ("claims", "claim_items", "claim_locations", "claim_agencies", "claim_sanctions")


def _decide(db_url: str, *decisions: tuple[str, str, str, str, str, str | None]) -> None:
    """Insert (decision_id, claim_id, reviewer, decision, created_at, supersedes) rows."""
    with connect(db_url) as db, db.transaction():
        for decision_id, claim_id, reviewer, decision, created_at, supersedes in decisions:
            db.execute(
                "INSERT INTO review_decisions (decision_id, claim_id, reviewer, decision, corrected, note,"
                " created_at, supersedes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (decision_id, claim_id, reviewer, decision,
                 json.dumps({"claim_type": "trade"}) if decision == "correct" else None,
                 f"note {decision_id}", created_at, supersedes),
            )  # fmt: skip


def _claims(trigger_texts: tuple[str, ...] = ()) -> list[str]:
    claims = corpus_records()["claims"]
    return [c["claim_id"] for c in claims if not trigger_texts or c["trigger"]["text"] in trigger_texts]


def test_export_jsonl_is_the_loaded_claims(db_url: str, small_run: Path, tmp_path: Path) -> None:
    load_runs([small_run], db_url)
    out = tmp_path / "claims.jsonl"
    assert export_claims(db_url, out, "jsonl") == 5
    exported = out.read_text(encoding="utf-8").splitlines()
    assert sorted(exported) == sorted((small_run / "claims.jsonl").read_text(encoding="utf-8").splitlines())


def test_export_round_trips_through_a_second_database(db_url: str, small_run: Path, tmp_path: Path, sqlite_url: str) -> None:
    load_runs([small_run], db_url)
    again = write_run(tmp_path / "again", {**corpus_records(), "claims": []})
    export_claims(db_url, again / "claims.jsonl", "jsonl")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    load_runs([again], other)
    assert table_dump(other, CLAIM_TABLES) == table_dump(db_url, CLAIM_TABLES)


def test_claim_review_status_is_each_reviewers_latest_live_decision(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    a, b, c = _claims(("smuggled", "seized", "moved"))
    _decide(
        db_url,
        ("d1", a, "ana", "accept", "2025-06-01T10:00:00+00:00", None),
        ("d2", a, "ana", "correct", "2025-06-01T10:05:00+00:00", "d1"),  # ana changes her mind
        ("d3", a, "ben", "reject", "2025-06-01T11:00:00+00:00", None),
        ("d4", b, "ana", "flag", "2025-06-02T09:00:00+00:00", None),
        ("d5", b, "ana", "undo", "2025-06-02T09:01:00+00:00", "d4"),  # withdrawn: no status
        ("d6", c, "ana", "skip", "2025-06-03T09:00:00+00:00", None),
        ("d7", c, "ben", "accept", "2025-06-03T10:00:00+00:00", None),
    )
    with connect(db_url) as db:
        rows = db.query("SELECT claim_id, reviewer, decision, decision_id FROM claim_review_status")
    assert sorted(rows) == sorted([(a, "ana", "correct", "d2"), (a, "ben", "reject", "d3"),
                                   (c, "ana", "skip", "d6"), (c, "ben", "accept", "d7")])  # fmt: skip
    out = io.StringIO()
    export_claims(db_url, out, "csv")
    status = {r["claim_id"]: r["review_status"] for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert (status[a], status[b], status[c]) == ("conflict", "unreviewed", "accept")
    out = io.StringIO()
    export_claims(db_url, out, "jsonl")
    by_id = {rec["claim_id"]: rec for rec in map(json.loads, out.getvalue().splitlines())}
    assert "review" not in by_id[b]
    decisions = by_id[a]["review"]["decisions"]
    assert [(d["reviewer"], d["decision"]) for d in decisions] == [("ana", "correct"), ("ben", "reject")]
    assert decisions[0]["corrected"] == {"claim_type": "trade"}
    assert decisions[0]["created_at"].startswith("2025-06-01T10:05:00")


def test_review_decisions_are_append_only(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    (a,) = _claims(("smuggled",))
    _decide(db_url, ("d1", a, "ana", "accept", "2025-06-01T10:00:00+00:00", None))
    with connect(db_url) as db:
        for sql in ("UPDATE review_decisions SET decision = 'reject'", "DELETE FROM review_decisions"):
            with pytest.raises(db.errors, match="append-only"), db.transaction():
                db.execute(sql)
        assert db.scalar("SELECT decision FROM review_decisions") == "accept"


def test_review_decision_must_name_a_known_claim_and_decision(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    (a,) = _claims(("smuggled",))
    with connect(db_url) as db:
        for claim_id, decision in (("c-missing", "accept"), (a, "maybe")):
            with pytest.raises(db.errors), db.transaction():
                db.execute(
                    "INSERT INTO review_decisions (decision_id, claim_id, reviewer, decision, created_at) VALUES (?, ?, ?, ?, ?)",
                    ("x", claim_id, "ana", decision, "2025-06-01T10:00:00+00:00"),
                )


def test_export_csv_has_one_flat_row_per_claim(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    out = io.StringIO()
    export_claims(db_url, out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    first = next(r for r in rows if r["trigger"] == "smuggled")
    assert len(rows) == 5
    assert first["location_ids"] == "KP-10-kimjongsuk; KP-10"
    assert (first["quantity_lower"], first["item_classes"], first["negated"]) == ("100", "truck", "false")
    assert (first["claim_date"], first["url"], first["review_status"]) == (
        "2025-04-01", "https://example.org/nk-001", "unreviewed",
    )  # fmt: skip
    assert json.loads(first["record"])["claim_id"] == first["claim_id"]


def test_export_refuses_an_unknown_format(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(NewsclaimsError) as err:
        export_claims(sqlite_url, tmp_path / "x", "xml")
    assert err.value.code == "E309"


def test_export_does_not_create_a_missing_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(NewsclaimsError) as err:
        export_claims(f"sqlite:///{missing}", io.StringIO(), "jsonl")
    assert err.value.code == "E303"
    assert not missing.exists()


def test_export_from_a_database_without_newsclaims_tables(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE unrelated (x)").connection.close()
    with pytest.raises(NewsclaimsError) as err:
        export_claims(f"sqlite:///{other}", io.StringIO(), "jsonl")
    assert err.value.code == "E318"


def test_export_to_an_unwritable_path(sqlite_url: str, small_run: Path, tmp_path: Path) -> None:
    load_runs([small_run], sqlite_url)
    with pytest.raises(NewsclaimsError) as err:
        export_claims(sqlite_url, tmp_path / "no" / "such" / "dir.csv", "csv")
    assert err.value.code == "E310"
