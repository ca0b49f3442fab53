"""Review decisions: append-only rows in `review_decisions`, written through the db layer's connection.

Every decision a reviewer makes on a claim supersedes that reviewer's previous one on the same claim, so each
(claim, reviewer) pair has one live row and `claim_review_status` never has to break a tie. An undo is one
more row that supersedes the decision it withdraws. Nothing is updated or deleted (the tables' triggers
refuse it), and a retry with a decision id already recorded returns the stored row instead of a second one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import NewsclaimsError
from ..output.db import Database
from .corrections import validate_correction

ACTIONS = ("accept", "reject", "correct", "skip", "flag")
STATUSES = ("accept", "reject", "correct", "flag", "skip")  # what a live decision can be (undo withdraws)
MAX_NOTE = 2000
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COLUMNS = "decision_id, claim_id, reviewer, decision, corrected, note, created_at, supersedes"
_LIVE = "NOT EXISTS (SELECT 1 FROM review_decisions AS s WHERE s.supersedes = r.decision_id)"


@dataclass(frozen=True)
class Decision:
    """One row of `review_decisions`."""

    decision_id: str
    claim_id: str
    reviewer: str
    decision: str
    corrected: dict[str, Any] | None
    note: str | None
    created_at: str
    supersedes: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Recorded:
    """The outcome of a write: the stored decision, and whether this call created it (False for a retry)."""

    decision: Decision
    created: bool


def check_reviewer(name: str) -> str:
    """The reviewer name, stripped; E502 when it is empty, too long or has control characters."""
    stripped = name.strip()
    if not 1 <= len(stripped) <= 64:
        raise NewsclaimsError("E502", name=name, detail="it must have 1 to 64 characters")
    if any(unicodedata.category(ch).startswith("C") for ch in stripped):
        raise NewsclaimsError("E502", name=name, detail="it contains control or invisible format characters")
    return stripped


def check_decision_id(decision_id: Any) -> str:
    """A lowercase UUID string (what crypto.randomUUID() makes); E506 otherwise."""
    if not isinstance(decision_id, str) or not _UUID.fullmatch(decision_id):
        raise NewsclaimsError("E506", decision_id=str(decision_id)[:80])
    return decision_id


def _check_note(note: Any) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise NewsclaimsError("E510", detail="the note must be text")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise NewsclaimsError("E510", detail=f"the note has {len(note)} characters, more than {MAX_NOTE}")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in note):
        raise NewsclaimsError("E510", detail="the note contains control characters")
    return note or None


def _timestamp() -> str:
    # Microseconds, unlike Database.now(): two decisions in one second must still sort in the order made.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _row(db: Database, row: tuple[Any, ...]) -> Decision:
    decision_id, claim_id, reviewer, decision, corrected, note, created_at, supersedes = row
    if isinstance(corrected, str):
        corrected = json.loads(corrected)
    if isinstance(created_at, datetime):
        created_at = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return Decision(decision_id, claim_id, reviewer, decision, corrected, note, str(created_at), supersedes)


def _by_id(db: Database, decision_id: str) -> Decision | None:
    rows = db.query(f"SELECT {_COLUMNS} FROM review_decisions WHERE decision_id = ?", (decision_id,))
    return _row(db, rows[0]) if rows else None


def _head(db: Database, claim_id: str, reviewer: str) -> Decision | None:
    """The reviewer's live decision on a claim (an undo included): what a new decision supersedes."""
    sql = (
        f"SELECT {_COLUMNS} FROM review_decisions AS r WHERE claim_id = ? AND reviewer = ? AND {_LIVE} "
        "ORDER BY created_at DESC, decision_id DESC LIMIT 1"
    )
    rows = db.query(sql, (claim_id, reviewer))
    return _row(db, rows[0]) if rows else None


def _lock(db: Database, reviewer: str) -> None:
    # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs a lock so that two tabs of one
    # reviewer cannot both supersede the same decision.
    if db.dialect == "postgresql":
        db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"newsclaims-review:{reviewer}",))


def _insert(db: Database, row: Decision) -> bool:
    corrected = None if row.corrected is None else json.dumps(row.corrected, sort_keys=True, ensure_ascii=False)
    created_at: Any = row.created_at if db.dialect == "sqlite" else datetime.fromisoformat(row.created_at)
    cursor = db.execute(
        f"INSERT INTO review_decisions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (decision_id) DO NOTHING",
        (row.decision_id, row.claim_id, row.reviewer, row.decision, corrected, row.note, created_at, row.supersedes),
    )
    return bool(cursor.rowcount)


def _same(stored: Decision, wanted: Decision) -> bool:
    keys = ("reviewer", "decision") if wanted.decision == "undo" else ("claim_id", "reviewer", "decision", "corrected", "note")
    return all(getattr(stored, k) == getattr(wanted, k) for k in keys)


def _replay(stored: Decision, wanted: Decision) -> Recorded:
    if not _same(stored, wanted):
        recorded = f"{stored.decision} of claim {stored.claim_id} by {stored.reviewer}"
        raise NewsclaimsError("E507", decision_id=stored.decision_id, recorded=recorded)
    return Recorded(stored, False)


def _write(db: Database, wanted: Decision, pick: Any) -> Recorded:
    """Insert `wanted` (with `supersedes` and claim filled in by `pick(db)`) once, in one transaction."""
    try:
        with db.transaction():
            _lock(db, wanted.reviewer)
            stored = _by_id(db, wanted.decision_id)
            if stored is not None:
                return _replay(stored, wanted)
            row = pick(db)
            if _insert(db, row):
                return Recorded(row, True)
            stored = _by_id(db, wanted.decision_id)  # another process inserted this id a moment ago
    except db.errors as err:
        raise NewsclaimsError("E514", detail=db.describe(err)) from err
    if stored is None:
        raise NewsclaimsError("E514", detail="the row vanished after a conflicting insert")
    return _replay(stored, wanted)


def record_decision(
    db: Database,
    *,
    decision_id: str,
    claim_id: str,
    reviewer: str,
    decision: str,
    corrected: Any = None,
    note: Any = None,
) -> Recorded:
    """Append a decision that supersedes the reviewer's current one on the claim; a known id is a retry."""
    check_decision_id(decision_id)
    reviewer = check_reviewer(reviewer)
    if decision not in ACTIONS:
        raise NewsclaimsError("E505", decision=decision, allowed=", ".join(ACTIONS))
    if decision == "correct":
        corrected = validate_correction(corrected)
    elif corrected is not None:
        raise NewsclaimsError("E508", detail=f"only a 'correct' decision carries corrected fields, not {decision!r}")
    note = _check_note(note)
    if not isinstance(claim_id, str) or not claim_id:
        raise NewsclaimsError("E504", claim_id=str(claim_id)[:80])
    wanted = Decision(decision_id, claim_id, reviewer, decision, corrected, note, "", None)

    def pick(db: Database) -> Decision:
        if db.scalar("SELECT 1 FROM claims WHERE claim_id = ?", (claim_id,)) is None:
            raise NewsclaimsError("E504", claim_id=claim_id)
        head = _head(db, claim_id, reviewer)
        supersedes = head.decision_id if head else None
        return Decision(decision_id, claim_id, reviewer, decision, corrected, note, _timestamp(), supersedes)

    return _write(db, wanted, pick)


def undo_last(db: Database, *, decision_id: str, reviewer: str) -> Recorded:
    """Withdraw the reviewer's most recent live decision with an 'undo' row that supersedes it (E509 if none).

    Undoing again withdraws the decision before that, and so on. The undone claim becomes unreviewed for
    this reviewer; `Recorded.decision.supersedes` names the decision withdrawn.
    """
    check_decision_id(decision_id)
    reviewer = check_reviewer(reviewer)
    wanted = Decision(decision_id, "", reviewer, "undo", None, None, "", None)

    def pick(db: Database) -> Decision:
        sql = (
            f"SELECT {_COLUMNS} FROM review_decisions AS r WHERE reviewer = ? AND decision <> 'undo' AND {_LIVE} "
            "ORDER BY created_at DESC, decision_id DESC LIMIT 1"
        )
        rows = db.query(sql, (reviewer,))
        if not rows:
            raise NewsclaimsError("E509", reviewer=reviewer)
        last = _row(db, rows[0])
        return Decision(decision_id, last.claim_id, reviewer, "undo", None, None, _timestamp(), last.decision_id)

    return _write(db, wanted, pick)


def current_decisions(db: Database, reviewer: str | None = None) -> dict[tuple[str, str], Decision]:
    """Each reviewer's live decision per claim (the `claim_review_status` view), keyed by (claim_id, reviewer)."""
    columns = ", ".join(f"r.{c}" for c in _COLUMNS.split(", "))
    sql = f"SELECT {columns} FROM claim_review_status AS v JOIN review_decisions AS r ON r.decision_id = v.decision_id"
    params: tuple[Any, ...] = ()
    if reviewer is not None:
        sql += " WHERE v.reviewer = ?"
        params = (reviewer,)
    found: dict[tuple[str, str], Decision] = {}
    for row in db.iter_rows(sql, params):
        decision = _row(db, row)
        found[(decision.claim_id, decision.reviewer)] = decision
    return found


def claim_history(db: Database, claim_id: str) -> list[Decision]:
    """Every decision ever recorded on a claim, superseded ones and undos included, oldest first."""
    sql = f"SELECT {_COLUMNS} FROM review_decisions WHERE claim_id = ? ORDER BY created_at, decision_id"
    return [_row(db, r) for r in db.query(sql, (claim_id,))]


def all_decisions(db: Database) -> Iterator[Decision]:
    """Every decision in the database, oldest first."""
    for row in db.iter_rows(f"SELECT {_COLUMNS} FROM review_decisions ORDER BY created_at, decision_id"):
        yield _row(db, row)
