"""Write claims back out of the database as JSONL (the records as loaded) or CSV, with review status."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime
from typing import IO, Any

from ...errors import NewsclaimsError
from .base import Database

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "claim_id", "doc_id", "claim_type", "claim_date", "title", "url", "source", "published", "sentence_index",
    "sentence", "trigger", "quantity", "quantity_value", "quantity_lower", "quantity_upper", "quantity_unit",
    "items", "item_classes", "locations", "location_ids", "agencies", "agency_ids", "time", "time_from",
    "time_to", "attribution_status", "attribution_source", "negated", "is_current", "review_status",
    "review_decisions", "record",
)  # fmt: skip


def _json(db: Database, value: Any) -> Any:
    """A JSON column's value: PostgreSQL hands back Python objects, SQLite the text."""
    return json.loads(value) if db.dialect == "sqlite" and isinstance(value, str) else value


def _timestamp(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def review_decisions(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Each claim's current decisions (one per reviewer), from the `claim_review_status` view."""
    by_claim: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sql = (
        "SELECT claim_id, reviewer, decision, decision_id, corrected, note, created_at "
        "FROM claim_review_status ORDER BY claim_id, reviewer"
    )
    for claim_id, reviewer, decision, decision_id, corrected, note, created_at in db.iter_rows(sql):
        by_claim[claim_id].append(
            {
                "reviewer": reviewer,
                "decision": decision,
                "decision_id": decision_id,
                "corrected": _json(db, corrected),
                "note": note,
                "created_at": _timestamp(created_at),
            }
        )
    return by_claim


def review_status(decisions: list[dict[str, Any]]) -> str:
    """One word for a claim: unreviewed, the reviewers' shared decision, or conflict.

    Skips and flags are neutral (a flag is a note, not a verdict), as in `newsclaims review export`: they
    count only when nothing else was decided.
    """
    kinds = {d["decision"] for d in decisions}
    if not kinds:
        return "unreviewed"
    decided = kinds - {"skip", "flag"} or kinds - {"skip"} or kinds
    return decided.pop() if len(decided) == 1 else "conflict"


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else value


def _joined(parts: list[dict[str, Any]], key: str) -> str:
    values = []
    for part in parts:
        value = (part.get("canonical") or {}).get(key) if key in ("id", "name") else part.get(key)
        values.append(value if value is not None else part.get("text", ""))
    return "; ".join(str(v) for v in values)


def _csv_row(rec: dict[str, Any], doc: dict[str, Any], is_current: bool, review: list[dict[str, Any]]) -> list[Any]:
    q = rec.get("quantity") or {}
    t = rec.get("time") or {}
    attribution = rec.get("attribution") or {}
    published = doc["published"]
    claim_date = t.get("from") or (published[:10] if published else None)
    values = (
        rec["claim_id"], rec["doc_id"], rec["claim_type"], claim_date, doc["title"], doc["url"], doc["source"],
        published, rec["sentence"]["index"], rec["sentence"]["text"], rec["trigger"]["text"], q.get("text"),
        q.get("value"), q.get("lower"), q.get("upper"), q.get("unit"),
        "; ".join(i["text"] for i in rec["items"]), _joined(rec["items"], "class"),
        _joined(rec["locations"], "name"), _joined(rec["locations"], "id"),
        _joined(rec["agencies"], "name"), _joined(rec["agencies"], "id"),
        t.get("text"), t.get("from"), t.get("to"), attribution.get("status"), attribution.get("source"),
        rec["negated"], is_current, review_status(review), json.dumps(review, ensure_ascii=False) if review else "",
        json.dumps(rec, ensure_ascii=False, sort_keys=True),
    )  # fmt: skip
    return [_cell(v) for v in values]


def write_claims(db: Database, out: IO[str], fmt: str, *, include_retired: bool = False) -> int:
    """Write claims to a text stream, ordered by document and position; return how many were written.

    JSONL lines are the claim records exactly as loaded, plus a `review` object for reviewed claims, so a
    database without reviews exports the claims.jsonl it was loaded from.
    """
    if fmt not in FORMATS:
        raise NewsclaimsError("E309", fmt=fmt)
    reviews = review_decisions(db)
    sql = (
        "SELECT c.record, c.is_current, d.title, d.url, d.source, d.published "
        "FROM claims AS c JOIN documents AS d ON d.doc_id = c.doc_id"
        + ("" if include_retired else " WHERE c.is_current")
        + " ORDER BY c.doc_id, c.sentence_start, c.span_start, c.claim_id"
    )
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(CSV_COLUMNS)
    written = 0
    for record, is_current, title, url, source, published in db.iter_rows(sql):
        rec = _json(db, record)
        review = reviews.get(rec["claim_id"], [])
        if writer:
            doc = {"title": title, "url": url, "source": source, "published": published}
            writer.writerow(_csv_row(rec, doc, bool(is_current), review))
        else:
            if review:
                rec = {**rec, "review": {"status": review_status(review), "decisions": review}}
            out.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
        written += 1
    return written
