"""`review export`: accepted and corrected claims, corrections applied, the whole trail attached."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

from pipeline.output.db import connect
from pipeline.review.export import export_reviewed
from pipeline.review.store import record_decision, undo_last


def _ids(db_url: str) -> dict[str, str]:
    """Claim id by trigger text for the ordinary articles, and 'emoji' for the emoji article's claim."""
    with connect(db_url) as db:
        rows = db.query("SELECT claim_id, doc_id, trigger_text FROM claims")
    return {("emoji" if doc_id == "e-001" else trigger): claim_id for claim_id, doc_id, trigger in rows}


def _decide(db_url: str, claim_id: str, decision: str, reviewer: str = "ana", **kw) -> None:
    with connect(db_url) as db:
        record_decision(db, decision_id=str(uuid.uuid4()), claim_id=claim_id, reviewer=reviewer, decision=decision, **kw)


def _export(db_url: str, **kw) -> tuple[list[dict], object]:
    out = io.StringIO()
    summary = export_reviewed(db_url, out, **kw)
    return [json.loads(line) for line in out.getvalue().splitlines()], summary


def test_export_applies_corrections_and_keeps_the_trail(db_url: str) -> None:
    ids = _ids(db_url)
    _decide(db_url, ids["moved"], "accept")
    corrected = {
        "quantity": {"value": 45, "lower": 45, "upper": 45, "unit": None},
        "locations": [{"text": "Hyesan", "role": "site"}],
    }
    _decide(db_url, ids["moved"], "correct", corrected=corrected, note="see p. 2")
    _decide(db_url, ids["arrested"], "accept")
    records, summary = _export(db_url)
    by_trigger = {r["trigger"]["text"]: r for r in records}
    assert sorted(by_trigger) == ["arrested", "moved"]
    moved = by_trigger["moved"]
    assert moved["quantity"]["value"] == 45 and moved["quantity"]["text"] == "40"
    assert moved["locations"][0]["role"] == "site" and moved["locations"][0]["canonical"]["id"] == "KP-10-hyesan"
    review = moved["review"]
    assert review["status"] == "corrected"
    assert review["corrected_fields"] == ["quantity", "locations"]
    assert review["original"]["quantity"] == {"value": 40, "lower": 40, "upper": 40, "unit": None}
    assert [(d["decision"], d["note"]) for d in review["decisions"]] == [("accept", None), ("correct", "see p. 2")]
    assert review["decisions"][1]["supersedes"] == review["decisions"][0]["decision_id"]
    assert by_trigger["arrested"]["review"]["status"] == "accepted"
    assert (summary.written, summary.accepted, summary.corrected) == (2, 1, 1)


def test_export_leaves_out_rejections_conflicts_skips_flags_and_undone(db_url: str) -> None:
    ids = _ids(db_url)
    _decide(db_url, ids["moved"], "accept")
    _decide(db_url, ids["moved"], "reject", reviewer="ben")  # reviewers disagree
    _decide(db_url, ids["arrested"], "reject")
    _decide(db_url, ids["sent"], "skip")
    _decide(db_url, ids["seized"], "flag", note="check the number")
    _decide(db_url, ids["emoji"], "accept")
    with connect(db_url) as db:
        undo_last(db, decision_id=str(uuid.uuid4()), reviewer="ana")  # withdraws that last accept
    records, summary = _export(db_url)
    assert records == []
    assert (summary.written, summary.rejected, summary.conflicts) == (0, 1, 1)


def test_export_for_one_reviewer_counts_only_their_decisions(db_url: str) -> None:
    ids = _ids(db_url)
    _decide(db_url, ids["moved"], "accept")
    _decide(db_url, ids["moved"], "reject", reviewer="ben")
    records, _ = _export(db_url, reviewer="ana")
    assert [r["claim_id"] for r in records] == [ids["moved"]]
    assert records[0]["review"]["reviewers"] == ["ana"]


def test_export_to_a_file_is_written_whole(review_db: str, tmp_path: Path) -> None:
    _decide(review_db, _ids(review_db)["seized"], "accept")
    out = tmp_path / "reviewed.jsonl"
    summary = export_reviewed(review_db, out)
    assert summary.written == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert not list(tmp_path.glob(".*.partial"))
