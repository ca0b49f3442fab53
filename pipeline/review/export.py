"""`newsclaims review export`: the reviewed claims as JSONL, corrections applied, with the reviewer trail.

A claim is exported when at least one reviewer accepted or corrected it and no reviewer rejected it (with
`reviewer`, only that reviewer's decision counts). Corrections are applied oldest first, so where two
reviewers corrected the same field the later one wins; both stay in the trail. Skips and flags neither
include nor exclude a claim. Claims that a later extraction dropped (retired) are left out.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import NewsclaimsError
from ..output.db import Database, connect
from .cards import ORDER, mention_records
from .corrections import FIELDS, apply_correction, original_values
from .store import Decision, all_decisions, current_decisions

KEEP = ("accept", "correct")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote and what it left out."""

    written: int
    accepted: int
    corrected: int
    rejected: int
    conflicts: int  # claims some reviewers kept and others rejected: left out


def _verdict(live: list[Decision]) -> str | None:
    """'accept', 'correct', 'reject', 'conflict', or None (nothing decided yet)."""
    kinds = {d.decision for d in live if d.decision in (*KEEP, "reject")}
    if not kinds:
        return None
    if "reject" in kinds:
        return "reject" if kinds == {"reject"} else "conflict"
    return "correct" if "correct" in kinds else "accept"


def _trail(decisions: list[Decision]) -> list[dict[str, Any]]:
    return [d.to_dict() for d in decisions]


def reviewed_records(db: Database, *, reviewer: str | None = None) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(verdict, exported record or None) for each current claim with a decision, in document order."""
    live: dict[str, list[Decision]] = defaultdict(list)
    for (claim_id, _), decision in current_decisions(db, reviewer).items():
        live[claim_id].append(decision)
    history: dict[str, list[Decision]] = defaultdict(list)
    for decision in all_decisions(db):
        if decision.claim_id in live:
            history[decision.claim_id].append(decision)
    sql = f"SELECT c.claim_id, c.doc_id, c.record FROM claims AS c WHERE c.is_current ORDER BY {ORDER}"
    mentions: dict[str, list[dict[str, Any]]] = {}
    for claim_id, doc_id, record in db.iter_rows(sql):
        if claim_id not in live:
            continue
        decisions = sorted(live[claim_id], key=lambda d: (d.created_at, d.decision_id))
        verdict = _verdict(decisions)
        if verdict not in KEEP:
            if verdict is not None:
                yield verdict, None
            continue
        rec = json.loads(record) if isinstance(record, str) else record
        corrections = [d for d in decisions if d.decision == "correct" and d.corrected]
        fields = [f for f in FIELDS if any(f in d.corrected for d in corrections if d.corrected)]
        out = rec
        if corrections:
            if doc_id not in mentions:
                mentions = {doc_id: mention_records(db, doc_id)}  # claims come grouped by document
            for d in corrections:
                out = apply_correction(out, d.corrected or {}, mentions=mentions[doc_id])
        out = {
            **out,
            "review": {
                "status": "corrected" if corrections else "accepted",
                "reviewers": sorted({d.reviewer for d in decisions if d.decision in KEEP}),
                "corrected_fields": fields,
                "original": original_values(rec, fields),
                "decisions": _trail(history[claim_id]),
            },
        }
        yield verdict, out


def write_reviewed(db: Database, out: IO[str], *, reviewer: str | None = None) -> ExportSummary:
    """Write the reviewed claims to a text stream as JSONL (sorted keys); return the counts."""
    counts = {"accept": 0, "correct": 0, "reject": 0, "conflict": 0}
    for verdict, record in reviewed_records(db, reviewer=reviewer):
        counts[verdict] += 1
        if record is not None:
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    written = counts["accept"] + counts["correct"]
    return ExportSummary(written, counts["accept"], counts["correct"], counts["reject"], counts["conflict"])


def export_reviewed(db_url: str, out: str | Path | IO[str], *, reviewer: str | None = None) -> ExportSummary:
    """Write the reviewed claims of a database to `out` (a path, '-' for stdout, or a text stream)."""
    with connect(db_url, create=False) as db:
        if not isinstance(out, str | Path):
            return write_reviewed(db, out, reviewer=reviewer)
        if str(out) == "-":
            return write_reviewed(db, sys.stdout, reviewer=reviewer)
        path = Path(out)
        tmp = path.with_name(f".{path.name}.partial")
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
                summary = write_reviewed(db, stream, reviewer=reviewer)
            tmp.replace(path)  # a reader never sees half an export
        except OSError as err:
            raise NewsclaimsError("E512", path=str(out), detail=err.strerror or str(err)) from err
        finally:
            tmp.unlink(missing_ok=True)
        return summary
