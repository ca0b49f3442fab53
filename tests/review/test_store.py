"""Decisions: append-only, one live row per reviewer and claim, retries recorded once, undo supersedes."""

from __future__ import annotations

import uuid

import pytest

from pipeline.errors import NewsclaimsError
from pipeline.output.db import connect
from pipeline.review.store import current_decisions, record_decision, undo_last

from .conftest import decision_rows


def _claims(db_url: str) -> list[str]:
    with connect(db_url) as db:
        return [r[0] for r in db.query("SELECT claim_id FROM claims ORDER BY doc_id, sentence_start, claim_id")]


def _decide(db_url: str, claim_id: str, decision: str = "accept", *, reviewer: str = "ana", decision_id: str | None = None, **kw):
    with connect(db_url) as db:
        return record_decision(
            db, decision_id=decision_id or str(uuid.uuid4()), claim_id=claim_id, reviewer=reviewer, decision=decision, **kw
        )


def _status(db_url: str, reviewer: str = "ana") -> dict[str, str]:
    with connect(db_url) as db:
        return {claim: d.decision for (claim, who), d in current_decisions(db, reviewer).items()}


def test_store_retry_with_the_same_decision_id_is_recorded_once(db_url: str) -> None:
    claim = _claims(db_url)[0]
    decision_id = str(uuid.uuid4())
    first = _decide(db_url, claim, decision_id=decision_id)
    again = _decide(db_url, claim, decision_id=decision_id)
    assert (first.created, again.created) == (True, False)
    assert again.decision == first.decision
    assert [r[0] for r in decision_rows(db_url)] == [decision_id]


def test_store_same_id_for_a_different_decision_is_refused(db_url: str) -> None:
    claim = _claims(db_url)[0]
    decision_id = str(uuid.uuid4())
    _decide(db_url, claim, decision_id=decision_id)
    with pytest.raises(NewsclaimsError) as err:
        _decide(db_url, claim, "reject", decision_id=decision_id)
    assert err.value.code == "E507"
    assert len(decision_rows(db_url)) == 1


def test_store_a_new_decision_supersedes_the_reviewers_previous_one(db_url: str) -> None:
    claim = _claims(db_url)[0]
    first = _decide(db_url, claim, "accept").decision
    second = _decide(db_url, claim, "reject").decision
    other = _decide(db_url, claim, "accept", reviewer="ben").decision
    assert second.supersedes == first.decision_id
    assert other.supersedes is None  # another reviewer's decision is not superseded
    assert _status(db_url) == {claim: "reject"}
    assert _status(db_url, "ben") == {claim: "accept"}
    assert len(decision_rows(db_url)) == 3  # nothing replaced


def test_store_undo_adds_a_superseding_row_and_walks_back(db_url: str) -> None:
    a, b = _claims(db_url)[:2]
    da = _decide(db_url, a, "accept").decision
    db_ = _decide(db_url, b, "reject").decision
    with connect(db_url) as db:
        undo1 = undo_last(db, decision_id=str(uuid.uuid4()), reviewer="ana").decision
    assert (undo1.decision, undo1.claim_id, undo1.supersedes) == ("undo", b, db_.decision_id)
    assert _status(db_url) == {a: "accept"}
    with connect(db_url) as db:
        undo2 = undo_last(db, decision_id=str(uuid.uuid4()), reviewer="ana").decision
    assert undo2.supersedes == da.decision_id
    assert _status(db_url) == {}
    # Deciding again after an undo supersedes the undo row: one live row per claim and reviewer.
    redo = _decide(db_url, b, "accept").decision
    assert redo.supersedes == undo1.decision_id
    assert _status(db_url) == {b: "accept"}
    assert [r[3] for r in decision_rows(db_url)] == ["accept", "reject", "undo", "undo", "accept"]


def test_store_undo_retry_is_recorded_once_and_nothing_left_is_E509(db_url: str) -> None:
    claim = _claims(db_url)[0]
    _decide(db_url, claim)
    undo_id = str(uuid.uuid4())
    with connect(db_url) as db:
        first = undo_last(db, decision_id=undo_id, reviewer="ana")
        again = undo_last(db, decision_id=undo_id, reviewer="ana")
        assert (first.created, again.created, again.decision.supersedes) == (True, False, first.decision.supersedes)
        with pytest.raises(NewsclaimsError) as err:
            undo_last(db, decision_id=str(uuid.uuid4()), reviewer="ana")
    assert err.value.code == "E509"
    assert len(decision_rows(db_url)) == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"decision_id": "not-a-uuid"}, "E506"),
        ({"decision_id": str(uuid.uuid4()).upper()}, "E506"),
        ({"decision": "delete"}, "E505"),
        ({"decision": "undo"}, "E505"),
        ({"claim_id": "c-no-such-claim"}, "E504"),
        ({"corrected": {"claim_type": "trade"}}, "E508"),  # only 'correct' carries corrections
        ({"decision": "correct", "corrected": {}}, "E508"),
        ({"decision": "correct", "corrected": {"claim_type": "<b>"}}, "E508"),
        ({"reviewer": " "}, "E502"),
        ({"reviewer": "ana\u202e"}, "E502"),
        ({"note": "x" * 2001}, "E510"),
    ],
)
def test_store_refuses_bad_decisions_with_a_code(sqlite_url: str, run_dir, change: dict, code: str) -> None:
    from .conftest import load

    load(sqlite_url, run_dir)
    args = {
        "decision_id": str(uuid.uuid4()),
        "claim_id": _claims(sqlite_url)[0],
        "reviewer": "ana",
        "decision": "accept",
        **change,
    }
    with connect(sqlite_url) as db, pytest.raises(NewsclaimsError) as err:
        record_decision(db, **args)
    assert err.value.code == code
    assert decision_rows(sqlite_url) == []


def test_store_rows_cannot_be_changed_afterwards(review_db: str) -> None:
    _decide(review_db, _claims(review_db)[0])
    with connect(review_db) as db:
        for sql in ("UPDATE review_decisions SET decision = 'reject'", "DELETE FROM review_decisions"):
            with pytest.raises(db.errors):
                db.execute(sql)
