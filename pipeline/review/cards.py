"""The read side of the review page: the queue (filtered, in document order), cards, facets and progress.

The same SQL runs on SQLite and PostgreSQL (the db layer turns `?` into the driver's placeholders). Text
search is done in Python with casefold, so it treats non-ASCII text alike in both databases.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, fields
from typing import Any

from ..errors import NewsclaimsError
from ..output.db import Database
from . import fields as display
from .corrections import apply_correction, editable
from .store import STATUSES, Decision, claim_history, current_decisions

ORDER = "c.doc_id, c.sentence_start, c.span_start, c.claim_id"
MAX_FILTER = 200


@dataclass(frozen=True)
class Filters:
    """What the queue is narrowed to; None means no filter. `status` is a decision or 'unreviewed'."""

    claim_type: str | None = None
    status: str | None = None
    place: str | None = None  # a canonical id; a province id also matches the places within it
    agency: str | None = None
    item_class: str | None = None
    source: str | None = None
    doc_id: str | None = None
    event_id: str | None = None  # the claims of one corroborated event
    q: str | None = None

    @classmethod
    def from_query(cls, query: dict[str, list[str]]) -> Filters:
        """Filters from a parsed query string (unknown keys are ignored; values are cut to 200 characters)."""
        values = {}
        for f in fields(cls):
            raw = (query.get(f.name) or [""])[0].strip()[:MAX_FILTER]
            values[f.name] = raw or None
        if values["status"] is not None and values["status"] not in ("unreviewed", *STATUSES):
            raise NewsclaimsError("E510", detail=f"unknown status filter {values['status']!r}")
        return cls(**values)


@dataclass(frozen=True)
class Progress:
    """One reviewer's progress over the current claims."""

    total: int
    counts: dict[str, int]  # live decisions by kind: accept, reject, correct, flag, skip

    @property
    def reviewed(self) -> int:
        """Claims with a decision other than skip (a flag is a decision: it asks for a second look)."""
        return sum(n for kind, n in self.counts.items() if kind != "skip")

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "reviewed": self.reviewed, "counts": self.counts}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _searchable(text: str) -> str:
    """Text as the search compares it: NFC, casefolded, whitespace collapsed (accents still count)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def progress(db: Database, reviewer: str) -> Progress:
    """How many current claims the reviewer has accepted, rejected, corrected, flagged and skipped."""
    total = int(db.scalar("SELECT COUNT(*) FROM claims WHERE is_current") or 0)
    sql = (
        "SELECT v.decision, COUNT(*) FROM claim_review_status AS v JOIN claims AS c ON c.claim_id = v.claim_id "
        "WHERE c.is_current AND v.reviewer = ? GROUP BY v.decision"
    )
    counts = dict.fromkeys(STATUSES, 0)
    for decision, n in db.query(sql, (reviewer,)):
        counts[decision] = int(n)
    return Progress(total, counts)


def queue(db: Database, reviewer: str, filters: Filters) -> list[dict[str, Any]]:
    """The current claims that pass the filters, in document order, each with the reviewer's status."""
    where, params = ["c.is_current"], []
    for column, value in (("c.claim_type", filters.claim_type), ("d.source", filters.source), ("c.doc_id", filters.doc_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if filters.place is not None:
        where.append(
            "EXISTS (SELECT 1 FROM claim_locations AS l WHERE l.claim_id = c.claim_id"
            " AND (l.canonical_id = ? OR l.province_id = ?))"
        )
        params += [filters.place, filters.place]
    if filters.agency is not None:
        where.append("EXISTS (SELECT 1 FROM claim_agencies AS a WHERE a.claim_id = c.claim_id AND a.canonical_id = ?)")
        params.append(filters.agency)
    if filters.item_class is not None:
        where.append("EXISTS (SELECT 1 FROM claim_items AS i WHERE i.claim_id = c.claim_id AND i.item_class = ?)")
        params.append(filters.item_class)
    if filters.event_id is not None:
        where.append("EXISTS (SELECT 1 FROM event_claims AS ec WHERE ec.claim_id = c.claim_id AND ec.event_id = ?)")
        params.append(filters.event_id)
    sql = (
        "SELECT c.claim_id, c.doc_id, c.claim_type, c.sentence_text, d.title FROM claims AS c "
        f"JOIN documents AS d ON d.doc_id = c.doc_id WHERE {' AND '.join(where)} ORDER BY {ORDER}"
    )
    statuses = {claim_id: d.decision for (claim_id, _), d in current_decisions(db, reviewer).items()}
    needle = _searchable(filters.q) if filters.q else None
    out = []
    for claim_id, doc_id, claim_type, sentence, title in db.iter_rows(sql, params):
        status = statuses.get(claim_id)
        if filters.status is not None and (status or "unreviewed") != filters.status:
            continue
        if needle and needle not in _searchable(f"{sentence} {title or ''}"):
            continue
        out.append({"id": claim_id, "doc": doc_id, "type": claim_type, "status": status})
    return out


def facets(db: Database) -> dict[str, list[dict[str, Any]]]:
    """The values each filter can take (with the number of current claims), for the filter menus."""
    current = "JOIN claims AS c ON c.claim_id = x.claim_id AND c.is_current"
    types = db.query("SELECT claim_type, COUNT(*) FROM claims WHERE is_current GROUP BY claim_type ORDER BY claim_type")
    sources = db.query(
        "SELECT d.source, COUNT(*) FROM claims AS c JOIN documents AS d ON d.doc_id = c.doc_id "
        "WHERE c.is_current AND d.source IS NOT NULL GROUP BY d.source ORDER BY d.source"
    )
    places = db.query(
        f"SELECT x.canonical_id, MIN(x.canonical_name), MIN(x.label), COUNT(DISTINCT x.claim_id) FROM claim_locations AS x "
        f"{current} WHERE x.canonical_id IS NOT NULL GROUP BY x.canonical_id"
    )
    provinces = db.query(
        f"SELECT x.province_id, COUNT(DISTINCT x.claim_id) FROM claim_locations AS x {current} "
        "WHERE x.province_id IS NOT NULL GROUP BY x.province_id"
    )
    agencies = db.query(
        f"SELECT x.canonical_id, MIN(x.canonical_name), COUNT(DISTINCT x.claim_id) FROM claim_agencies AS x {current} "
        "WHERE x.canonical_id IS NOT NULL GROUP BY x.canonical_id ORDER BY 2"
    )
    items = db.query(
        f"SELECT x.item_class, COUNT(DISTINCT x.claim_id) FROM claim_items AS x {current} "
        "WHERE x.item_class IS NOT NULL GROUP BY x.item_class ORDER BY 1"
    )
    return {
        "claim_type": [{"value": v, "name": v, "count": int(n)} for v, n in types],
        "source": [{"value": v, "name": v, "count": int(n)} for v, n in sources],
        "place": place_facet(provinces, places),
        "agency": [{"value": v, "name": name or v, "count": int(n)} for v, name, n in agencies],
        "item_class": [{"value": v, "name": v, "count": int(n)} for v, n in items],
    }


def place_facet(provinces: list[tuple[Any, ...]], places: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The place filter menu: provinces (id, count) first, then the other places (id, name, label, count)
    not already listed, grouped and sorted by name."""
    names = display.province_names()
    rows: dict[str, dict[str, Any]] = {}
    for pid, count in provinces:
        rows[pid] = {"value": pid, "name": names.get(pid, pid), "group": "Provinces", "count": int(count)}
    for pid, name, label, count in places:
        if pid not in rows:
            group = {"COUNTY": "Counties and cities", "PROVINCE": "Provinces"}.get(label, "Other places")
            rows[pid] = {"value": pid, "name": name or pid, "group": group, "count": int(count)}
    return sorted(rows.values(), key=lambda p: (p["group"], p["name"]))


def document_summary(db: Database, doc_id: str) -> dict[str, Any]:
    """A document's title, link (only http(s)), source and date, as a card shows them."""
    rows = db.query("SELECT title, url, final_url, source, published, site FROM documents WHERE doc_id = ?", (doc_id,))
    title, url, final_url, source, published, site = rows[0]
    return {
        "doc_id": doc_id,
        "title": title,
        "url": display.safe_url(url) or display.safe_url(final_url),
        "url_text": url or final_url,
        "source": source,
        "published": published,
        "site": site,
    }


def _sentence(db: Database, doc_id: str, index: int) -> str | None:
    sql = "SELECT text FROM sentences WHERE doc_id = ? AND sentence_index = ?"
    return db.scalar(sql, (doc_id, index))


def mention_records(db: Database, doc_id: str) -> list[dict[str, Any]]:
    """A document's mentions shaped like mentions.jsonl records (what `apply_correction` looks entries up in)."""
    sql = (
        "SELECT mention_id, label, text, start_char, end_char, sentence_index, canonical_id, canonical_name, "
        "parent, kind, vehicle_class, origin, attrs FROM mentions WHERE doc_id = ? ORDER BY start_char"
    )
    out = []
    for mid, label, text, start, end, index, cid, cname, parent, kind, vclass, origin, attrs in db.query(sql, (doc_id,)):
        out.append({
            "mention_id": mid, "label": label, "text": text, "start": start, "end": end, "sentence_index": index,
            "canonical": {"id": cid, "name": cname} if cid else None, "parent": parent, "kind": kind,
            "vehicle_class": vclass, "origin": origin, "attrs": _json(attrs) or {},
        })  # fmt: skip
    return out


def _decision(d: Decision | None) -> dict[str, Any] | None:
    return None if d is None else d.to_dict()


def card(db: Database, claim_id: str, reviewer: str) -> dict[str, Any]:
    """Everything the page shows for one claim (E504 if it is not in the database)."""
    rows = db.query("SELECT record, is_current, doc_id FROM claims WHERE claim_id = ?", (claim_id,))
    if not rows:
        raise NewsclaimsError("E504", claim_id=claim_id)
    record, is_current, doc_id = _json(rows[0][0]), bool(rows[0][1]), rows[0][2]
    index = record["sentence"]["index"]
    marks, dropped = display.highlights(record)
    live = current_decisions_for(db, claim_id, reviewer)
    corrected_fields = None
    if live is not None and live.decision == "correct" and live.corrected:
        corrected_record = apply_correction(record, live.corrected, mentions=mention_records(db, doc_id))
        corrected_fields = display.display_fields(corrected_record)
    return {
        "claim_id": claim_id,
        "claim_type": record["claim_type"],
        "is_current": is_current,
        "document": document_summary(db, doc_id),
        "sentence": {"index": index, "text": record["sentence"]["text"], "clause": display.clause(record)},
        "before": _sentence(db, doc_id, index - 1) if index > 0 else None,
        "after": _sentence(db, doc_id, index + 1),
        "highlights": marks,
        "dropped_highlights": dropped,
        "fields": display.display_fields(record),
        "corrected_fields": corrected_fields,
        "editable": editable(record),
        "decision": _decision(live),
        "history": [d.to_dict() for d in claim_history(db, claim_id)],
    }


def current_decisions_for(db: Database, claim_id: str, reviewer: str) -> Decision | None:
    """The reviewer's live decision on one claim, or None."""
    sql = "SELECT decision_id FROM claim_review_status WHERE claim_id = ? AND reviewer = ?"
    decision_id = db.scalar(sql, (claim_id, reviewer))
    if decision_id is None:
        return None
    return next(d for d in claim_history(db, claim_id) if d.decision_id == decision_id)


def document_view(db: Database, doc_id: str, reviewer: str) -> dict[str, Any]:
    """An article with all its current claims (clause text, type, the reviewer's status), in order."""
    if db.scalar("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)) is None:
        raise NewsclaimsError("E510", detail=f"unknown document {doc_id[:80]!r}")
    claims = queue(db, reviewer, Filters(doc_id=doc_id))
    texts = dict(db.query("SELECT claim_id, sentence_text FROM claims WHERE doc_id = ? AND is_current", (doc_id,)))
    for entry in claims:
        entry["sentence"] = texts.get(entry["id"])
    return {"document": document_summary(db, doc_id), "claims": claims}
