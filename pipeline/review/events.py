"""The events side of the review page: corroborated events (from `newsclaims corroborate`) and their claims.

An event is read from the `events` and `event_claims` tables; each member claim is joined to the claim,
its document and the reviewers' live decisions, so the page can show the claims side by side with their
highlighted sentences and jump to reviewing any of them. The same SQL runs on SQLite and PostgreSQL.
A member claim that is not in the database (an events file made from more runs than were loaded) is still
shown, from the event record alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import NewsclaimsError
from ..output.db import Database
from . import fields as display
from .cards import document_summary, place_facet

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
SORTS = {
    # Most corroborated first: what an analyst looks for; ties by the latest time, then the id (stable pages).
    "sources": "e.source_count DESC, e.claim_count DESC, {nulls_last}, e.time_from DESC, e.event_id",
    "claims": "e.claim_count DESC, e.source_count DESC, {nulls_last}, e.time_from DESC, e.event_id",
    "time": "{nulls_last}, e.time_from DESC, e.source_count DESC, e.event_id",
}
FIGURE_FILTERS = ("conflict", "several")
_NULLS_LAST = "CASE WHEN e.time_from IS NULL THEN 1 ELSE 0 END"  # SQLite and PostgreSQL sort NULLs differently
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EVENT_COLUMNS = (
    "e.event_id, e.claim_type, e.negated, e.claim_count, e.article_count, e.source_count, e.place_id, e.place_name, "
    "e.time_basis, e.time_from, e.time_to, e.figures_agree, e.record"
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _flag(value: Any) -> bool | None:
    """A boolean column as Python (SQLite hands back 0/1, PostgreSQL a bool)."""
    return None if value is None else bool(value)


def _int(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    raw = (query.get(name) or [""])[0].strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise NewsclaimsError("E510", detail=f"{name} must be a whole number from {low} to {high}, not {raw[:20]!r}")
    return int(raw)


@dataclass(frozen=True)
class EventFilters:
    """What the events list is narrowed to (None: no filter), its order and the page."""

    claim_type: str | None = None
    place: str | None = None  # a canonical id; a province id also matches the places within it
    item_class: str | None = None
    source: str | None = None  # an independent source or an outlet that carried the claim
    figures: str | None = None  # 'conflict': the figures contradict each other; 'several': 2+ comparable figures
    date_from: str | None = None  # the event's time overlaps [date_from, date_to]
    date_to: str | None = None
    min_sources: int = 1
    min_claims: int = 1
    sort: str = "sources"
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_query(cls, query: dict[str, list[str]]) -> EventFilters:
        """Filters from a parsed query string (E510 for a value that cannot be used)."""

        def text(name: str) -> str | None:
            return (query.get(name) or [""])[0].strip()[:200] or None

        figures, sort = text("figures"), text("sort") or "sources"
        if figures is not None and figures not in FIGURE_FILTERS:
            raise NewsclaimsError("E510", detail=f"figures must be one of {', '.join(FIGURE_FILTERS)}, not {figures!r}")
        if sort not in SORTS:
            raise NewsclaimsError("E510", detail=f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        dates = {}
        for name in ("from", "to"):
            value = text(name)
            if value is not None and not _DATE.fullmatch(value):
                raise NewsclaimsError("E510", detail=f"{name} must be a date like 2025-04-30, not {value!r}")
            dates[name] = value
        return cls(
            claim_type=text("claim_type"),
            place=text("place"),
            item_class=text("item_class"),
            source=text("source"),
            figures=figures,
            date_from=dates["from"],
            date_to=dates["to"],
            min_sources=_int(query, "min_sources", 1, 1, 10_000),
            min_claims=_int(query, "min_claims", 1, 1, 1_000_000),
            sort=sort,
            offset=_int(query, "offset", 0, 0, 10_000_000),
            limit=_int(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        )


def _where(filters: EventFilters) -> tuple[str, list[Any]]:
    where = ["e.source_count >= ?", "e.claim_count >= ?"]
    params: list[Any] = [filters.min_sources, filters.min_claims]
    if filters.claim_type is not None:
        where.append("e.claim_type = ?")
        params.append(filters.claim_type)
    if filters.place is not None:
        where.append(
            "EXISTS (SELECT 1 FROM event_claims AS ec JOIN claim_locations AS l ON l.claim_id = ec.claim_id "
            "WHERE ec.event_id = e.event_id AND (l.canonical_id = ? OR l.province_id = ?))"
        )
        params += [filters.place, filters.place]
    if filters.item_class is not None:
        where.append(
            "EXISTS (SELECT 1 FROM event_claims AS ec JOIN claim_items AS i ON i.claim_id = ec.claim_id "
            "WHERE ec.event_id = e.event_id AND i.item_class = ?)"
        )
        params.append(filters.item_class)
    if filters.source is not None:
        where.append(
            "EXISTS (SELECT 1 FROM event_claims AS ec WHERE ec.event_id = e.event_id AND (ec.source = ? OR ec.outlet = ?))"
        )
        params += [filters.source, filters.source]
    if filters.figures == "conflict":
        where.append("e.figures_agree = ?")
        params.append(False)
    elif filters.figures == "several":
        where.append("e.figures_agree IS NOT NULL")
    if filters.date_from is not None:
        where.append("e.time_to >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None:
        where.append("e.time_from <= ?")
        params.append(filters.date_to)
    return " AND ".join(where), params


def figure_state(figures: list[dict[str, Any]], agree: bool | None) -> str:
    """How an event's figures relate: none, one, compatible (they overlap), conflict, or uncompared."""
    if not figures:
        return "none"
    if len(figures) == 1:
        return "one"
    if agree is None:
        return "uncompared"  # two or more figures, but fewer than two with numbers to compare
    return "compatible" if agree else "conflict"


def _place(record: dict[str, Any]) -> dict[str, Any] | None:
    """The place that names the event, with its province (from the pattern pack) when it is not one."""
    place = record.get("place")
    if not place:
        return None
    entry: dict[str, Any] = next((p for p in record.get("places") or [] if p.get("id") == place.get("id")), {})
    province_id = entry.get("parent") if entry.get("label") != "PROVINCE" else None
    province = display.province_names().get(province_id or "", province_id) if province_id else None
    return {"id": place.get("id"), "name": place.get("name") or place.get("id"), "province": province}


def _time(basis: str | None, start: str | None, end: str | None, record: dict[str, Any]) -> dict[str, Any]:
    return {"basis": basis, "from": start, "to": end, "texts": (record.get("time") or {}).get("texts") or []}


def _reviewed_counts(db: Database, reviewer: str, event_ids: list[str]) -> dict[str, int]:
    if not event_ids:
        return {}
    marks = ", ".join("?" * len(event_ids))
    sql = (
        "SELECT ec.event_id, COUNT(*) FROM event_claims AS ec JOIN claim_review_status AS v ON v.claim_id = ec.claim_id "
        f"WHERE v.reviewer = ? AND v.decision <> 'skip' AND ec.event_id IN ({marks}) GROUP BY ec.event_id"
    )
    return {event_id: int(n) for event_id, n in db.query(sql, [reviewer, *event_ids])}


def event_list(db: Database, reviewer: str, filters: EventFilters) -> dict[str, Any]:
    """One page of the events that pass the filters, most corroborated first, and how many pass in all."""
    where, params = _where(filters)
    total = int(db.scalar(f"SELECT COUNT(*) FROM events AS e WHERE {where}", params) or 0)
    order = SORTS[filters.sort].format(nulls_last=_NULLS_LAST)
    rows = db.query(
        f"SELECT {_EVENT_COLUMNS} FROM events AS e WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, filters.limit, filters.offset],
    )
    reviewed = _reviewed_counts(db, reviewer, [r[0] for r in rows])
    events = []
    for event_id, claim_type, negated, claims, articles, sources, _, _, basis, start, end, agree, record in rows:
        rec = _json(record)
        figures = rec.get("figures") or []
        events.append({
            "id": event_id, "claim_type": claim_type, "negated": bool(negated), "place": _place(rec),
            "time": _time(basis, start, end, rec), "claim_count": int(claims), "article_count": int(articles),
            "source_count": int(sources), "sources": rec.get("source_names") or [],
            "items": [i.get("class") for i in rec.get("items") or []],
            "figures": [f.get("text") for f in figures], "figures_agree": _flag(agree),
            "figure_state": figure_state(figures, _flag(agree)), "reviewed": reviewed.get(event_id, 0),
        })  # fmt: skip
    return {"events": events, "total": total, "offset": filters.offset, "limit": filters.limit}


def event_facets(db: Database) -> dict[str, list[dict[str, Any]]]:
    """The values each events filter can take, with the number of events, for the filter menus."""
    types = db.query("SELECT claim_type, COUNT(*) FROM events GROUP BY claim_type ORDER BY claim_type")
    joined = "FROM event_claims AS ec JOIN claim_locations AS l ON l.claim_id = ec.claim_id"
    places = db.query(
        f"SELECT l.canonical_id, MIN(l.canonical_name), MIN(l.label), COUNT(DISTINCT ec.event_id) {joined} "
        "WHERE l.canonical_id IS NOT NULL GROUP BY l.canonical_id"
    )
    provinces = db.query(
        f"SELECT l.province_id, COUNT(DISTINCT ec.event_id) {joined} WHERE l.province_id IS NOT NULL GROUP BY l.province_id"
    )
    items = db.query(
        "SELECT i.item_class, COUNT(DISTINCT ec.event_id) FROM event_claims AS ec JOIN claim_items AS i "
        "ON i.claim_id = ec.claim_id WHERE i.item_class IS NOT NULL GROUP BY i.item_class ORDER BY 1"
    )
    sources = db.query(
        "SELECT source, COUNT(DISTINCT event_id) FROM event_claims WHERE source IS NOT NULL GROUP BY source ORDER BY 1"
    )
    return {
        "claim_type": [{"value": v, "name": v, "count": int(n)} for v, n in types],
        "place": place_facet(provinces, places),
        "item_class": [{"value": v, "name": v, "count": int(n)} for v, n in items],
        "source": [{"value": v, "name": v, "count": int(n)} for v, n in sources],
    }


def event_count(db: Database) -> int:
    """How many events the database holds."""
    return int(db.scalar("SELECT COUNT(*) FROM events") or 0)


def _figures(record: dict[str, Any], reporters: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct figures, lettered A, B, ... in the event's order, each with who reported it."""
    out = []
    for n, fig in enumerate(record.get("figures") or []):
        reported = [reporters[c] for c in fig.get("claim_ids") or [] if c in reporters]
        reported.sort(key=lambda r: (r["published"] or "", r["outlet"] or "", r["claim_id"]))
        out.append({
            "letter": chr(ord("A") + n) if n < 26 else str(n + 1), "text": fig.get("text"), "texts": fig.get("texts") or [],
            "bounds": display.quantity_bounds(fig), "unit": fig.get("unit"), "per": fig.get("per"),
            "approximate": bool(fig.get("approximate")), "vague": bool(fig.get("vague")),
            "sources": fig.get("sources") or [], "source_count": fig.get("source_count"),
            "article_count": fig.get("article_count"), "claim_ids": fig.get("claim_ids") or [], "reported_by": reported,
        })  # fmt: skip
    return out


def _entry_clause(sentence: str, clause: str | None) -> list[int]:
    """Clause offsets (code points) for a claim known only from the event record."""
    at = sentence.find(clause) if clause else -1
    return [at, at + len(clause or "")] if at >= 0 else [0, len(sentence)]


def _member(
    row: tuple[Any, ...], entry: dict[str, Any], sources: dict[str, int], figures: dict[str, int], reviews: list[tuple[str, str]],
    reviewer: str, db: Database,
) -> dict[str, Any]:  # fmt: skip
    claim_id, position, doc_id, outlet, source, via, cites, republication_of, record, is_current, has_doc = row
    rec = _json(record)
    base = {
        "claim_id": claim_id, "position": int(position), "in_database": rec is not None,
        "is_current": None if is_current is None else bool(is_current), "outlet": outlet, "source": source,
        "source_number": sources.get(claim_id), "via": via, "cites": cites, "republication_of": republication_of,
        "figure": figures.get(claim_id), "not_grouped_because": entry.get("not_grouped_because"),
        "status": next((d for who, d in reviews if who == reviewer), None),
        "reviews": [{"reviewer": who, "decision": d} for who, d in reviews],
    }  # fmt: skip
    if has_doc:
        document = document_summary(db, doc_id)
    else:
        document = {"doc_id": doc_id, "title": None, "url": None, "url_text": None, "source": outlet,
                    "published": entry.get("published"), "site": None}  # fmt: skip
    if rec is None:  # known only from the events file
        sentence = entry.get("sentence") or ""
        return {
            **base, "claim_type": entry.get("claim_type"), "document": document,
            "sentence": {"index": entry.get("sentence_index"), "text": sentence,
                         "clause": _entry_clause(sentence, entry.get("clause"))},
            "highlights": [], "dropped_highlights": 0,
            "quantity": {"text": entry["quantity"], "bounds": None} if entry.get("quantity") else None,
            "time": {"text": entry.get("time"), "from": entry.get("time_from"), "to": entry.get("time_to")}
            if entry.get("time") else None,
            "attribution": {"status": entry.get("attribution_status"), "text": None, "source": None},
            "negated": bool(entry.get("negated")),
        }  # fmt: skip
    marks, dropped = display.highlights(rec)
    q, t, attribution = rec.get("quantity"), rec.get("time"), rec.get("attribution") or {}
    return {
        **base, "claim_type": rec.get("claim_type"), "document": document,
        "sentence": {"index": rec["sentence"]["index"], "text": rec["sentence"]["text"], "clause": display.clause(rec)},
        "highlights": marks, "dropped_highlights": dropped,
        "quantity": {"text": q.get("text"), "bounds": display.quantity_bounds(q)} if q else None,
        "time": {"text": t.get("text"), "from": t.get("from"), "to": t.get("to")} if t else None,
        "attribution": {key: attribution.get(key) for key in ("status", "text", "source")},
        "negated": bool(rec.get("negated")),
    }  # fmt: skip


def event_view(db: Database, event_id: str, reviewer: str) -> dict[str, Any]:
    """Everything the page shows for one event: merged fields, figures, and each claim (E516 if unknown)."""
    rows = db.query(f"SELECT {_EVENT_COLUMNS} FROM events AS e WHERE e.event_id = ?", (event_id,))
    if not rows:
        raise NewsclaimsError("E516", event_id=event_id[:80])
    _, claim_type, negated, claims, articles, n_sources, _, _, basis, start, end, agree, record = rows[0]
    rec = _json(record)
    members = db.query(
        "SELECT ec.claim_id, ec.position, ec.doc_id, ec.outlet, ec.source, ec.via, ec.cites, ec.republication_of, "
        "c.record, c.is_current, d.doc_id FROM event_claims AS ec LEFT JOIN claims AS c ON c.claim_id = ec.claim_id "
        "LEFT JOIN documents AS d ON d.doc_id = ec.doc_id WHERE ec.event_id = ? ORDER BY ec.position, ec.claim_id",
        (event_id,),
    )
    reviews: dict[str, list[tuple[str, str]]] = {}
    live = db.query(
        "SELECT v.claim_id, v.reviewer, v.decision FROM claim_review_status AS v JOIN event_claims AS ec "
        "ON ec.claim_id = v.claim_id WHERE ec.event_id = ? ORDER BY v.reviewer",
        (event_id,),
    )
    for claim_id, who, decision in live:
        reviews.setdefault(claim_id, []).append((who, decision))
    source_list = [
        {"number": n, "source": s.get("source"), "via": s.get("via") or [], "outlets": s.get("outlets") or [],
         "doc_ids": s.get("doc_ids") or [], "article_count": s.get("article_count"), "claim_ids": s.get("claim_ids") or []}
        for n, s in enumerate(rec.get("sources") or [], start=1)
    ]  # fmt: skip
    source_of = {c: s["number"] for s in source_list for c in s["claim_ids"]}
    entries = {e.get("claim_id"): e for e in rec.get("claims") or []}
    reporters = {
        m[0]: {"claim_id": m[0], "doc_id": m[2], "outlet": m[3], "published": (entries.get(m[0]) or {}).get("published")}
        for m in members
    }
    figures = _figures(rec, reporters)
    figure_of = {c: n for n, f in enumerate(figures) for c in f["claim_ids"]}
    agree = _flag(agree)
    return {
        "event": {
            "event_id": event_id, "claim_type": claim_type, "claim_types": rec.get("claim_types") or [claim_type],
            "negated": bool(negated), "claim_count": int(claims), "article_count": int(articles),
            "source_count": int(n_sources), "place": _place(rec), "places": rec.get("places") or [],
            "items": rec.get("items") or [], "time": _time(basis, start, end, rec),
            "figures_agree": agree, "figure_state": figure_state(figures, agree),
        },
        "sources": source_list,
        "figures": figures,
        "claims": [
            _member(m, entries.get(m[0]) or {}, source_of, figure_of, reviews.get(m[0], []), reviewer, db) for m in members
        ],
        "links": rec.get("links") or [],
    }  # fmt: skip
