"""Event records: the claims of one group side by side, merged fields, every figure with who reported it."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from ..types import stable_id
from .compare import overlaps
from .config import CorroborationConfig
from .features import ClaimFeatures, figure_of, iso
from .group import Link
from .sources import ClaimSource

EVENT_SCHEMA_VERSION = 1
_FIGURE_KEYS = ("value", "lower", "upper", "lower_inclusive", "upper_inclusive", "approximate", "vague", "unit", "per")


def event_id(claim_ids: Sequence[str]) -> str:
    """Content-derived event id: the same set of claims always gives the same id."""
    return "e" + stable_id(*sorted(claim_ids))


def clause_text(claim: Mapping[str, Any]) -> str:
    """The text of the clause a claim covers (its sentence when the span is missing)."""
    sent = claim.get("sentence") or {}
    text, start = sent.get("text") or "", sent.get("start") or 0
    span = sent.get("span") or {}
    if span.get("start") is None or span.get("end") is None:
        return text
    return text[span["start"] - start : span["end"] - start] or text


def _claim_entry(
    claim: Mapping[str, Any], f: ClaimFeatures, src: ClaimSource, doc: Mapping[str, Any], ambiguous: str | None
) -> dict[str, Any]:
    sent = claim.get("sentence") or {}
    quantity = claim.get("quantity") or {}
    time = claim.get("time") or {}
    return {
        "claim_id": f.claim_id,
        "doc_id": f.doc_id,
        "claim_type": f.claim_type,
        "published": doc.get("published"),
        "outlet": src.outlet,
        "source": src.source,
        "via": src.via,
        "cites": src.cites,
        "republication_of": src.republication_of,
        "sentence_index": sent.get("index"),
        "sentence": sent.get("text"),
        "clause": clause_text(claim),
        "quantity": quantity.get("text"),
        "time": time.get("text"),
        "time_from": iso(f.time.start) if f.time and f.time.basis == "stated" else None,
        "time_to": iso(f.time.end) if f.time and f.time.basis == "stated" else None,
        "attribution_status": (claim.get("attribution") or {}).get("status"),
        "negated": bool(claim.get("negated")),
        "not_grouped_because": f.unblocked or ambiguous,
    }


def _places(claims: Sequence[Mapping[str, Any]], feats: Sequence[ClaimFeatures]) -> dict[str, Any]:
    seen: dict[str, dict[str, Any]] = {}
    for claim in claims:
        for loc in claim.get("locations") or []:
            canonical = loc.get("canonical") or {}
            pid = canonical.get("id") if isinstance(canonical, dict) else None
            if not pid:
                continue
            entry = seen.setdefault(
                pid,
                {"id": pid, "name": canonical.get("name"), "label": loc.get("label"), "parent": loc.get("parent"),
                 "roles": set(), "claims": set()},
            )  # fmt: skip
            if loc.get("role"):
                entry["roles"].add(loc["role"])
            entry["claims"].add(claim["claim_id"])
    places = [
        {**e, "roles": sorted(e["roles"]), "claim_count": len(e["claims"]), "claims": None} for _, e in sorted(seen.items())
    ]
    for p in places:
        del p["claims"]
    leaf_count: dict[tuple[str, ...], int] = defaultdict(int)
    for f in feats:
        for leaf in f.leaves:
            leaf_count[leaf] += 1
    place = None
    if leaf_count:
        # Named by the most claims; then North Korean, deeper, and lowest id first.
        leaf = min(leaf_count, key=lambda lf: (-leaf_count[lf], lf[0] != "KP", -len(lf), lf[-1]))
        place = {"id": leaf[-1], "name": seen.get(leaf[-1], {}).get("name"), "claim_count": leaf_count[leaf]}
    return {"places": places, "place_ids": [p["id"] for p in places], "place": place}


def _items(claims: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for claim in claims:
        for item in claim.get("items") or []:
            if not item.get("class"):
                continue
            key = (str(item.get("label") or ""), str(item["class"]))
            entry = seen.setdefault(key, {"label": key[0], "class": key[1], "texts": set(), "origins": set(), "claims": set()})
            entry["texts"].add(str(item.get("text") or ""))
            if item.get("origin"):
                entry["origins"].add(item["origin"])
            entry["claims"].add(claim["claim_id"])
    items = [
        {"label": e["label"], "class": e["class"], "texts": sorted(e["texts"]), "origins": sorted(e["origins"]),
         "claim_count": len(e["claims"])}
        for _, e in sorted(seen.items())
    ]  # fmt: skip
    return {"items": items, "item_classes": sorted({i["class"] for i in items})}


def _time(claims: Sequence[Mapping[str, Any]], feats: Sequence[ClaimFeatures]) -> dict[str, Any]:
    stated = [f.time for f in feats if f.time is not None and f.time.basis == "stated"]
    basis = "stated"
    if not stated:
        stated = [f.time for f in feats if f.time is not None]
        basis = "publication dates"
    texts = sorted({str(t["text"]) for c in claims if (t := c.get("time")) and t.get("text")})
    if not stated:
        return {"basis": None, "union": None, "intersection": None, "texts": texts}
    start, end = max(t.start for t in stated), min(t.end for t in stated)
    return {
        "basis": basis,
        "union": {"from": iso(min(t.start for t in stated)), "to": iso(max(t.end for t in stated))},
        "intersection": {"from": iso(start), "to": iso(end)} if start <= end else None,
        "texts": texts,
    }


def _figures(
    claims: Sequence[Mapping[str, Any]], sources: Sequence[ClaimSource], docs: Mapping[str, Mapping[str, Any]],
    config: CorroborationConfig,
) -> dict[str, Any]:  # fmt: skip
    grouped: dict[tuple[Any, ...], list[tuple[Mapping[str, Any], ClaimSource]]] = defaultdict(list)
    for claim, src in zip(claims, sources, strict=True):
        q = claim.get("quantity")
        if q:
            grouped[tuple(q.get(k) for k in _FIGURE_KEYS)].append((claim, src))
    figures = []
    for key, members in grouped.items():
        members = sorted(members, key=lambda m: ((docs.get(m[0]["doc_id"]) or {}).get("published") or "", m[0]["claim_id"]))
        q = members[0][0]["quantity"]
        fig = dict(zip(_FIGURE_KEYS, key, strict=True))
        fig.update(
            text=q.get("text"),
            texts=sorted({m[0]["quantity"].get("text") for m in members}),
            sources=sorted({m[1].source for m in members}),
            source_count=len({m[1].source_key for m in members}),
            claim_ids=sorted(m[0]["claim_id"] for m in members),
            doc_ids=sorted({m[0]["doc_id"] for m in members}),
            article_count=len({m[0]["doc_id"] for m in members}),
        )
        figures.append(fig)
    figures.sort(key=lambda f: (_num(f["value"], f["lower"], f["upper"]), f["text"] or "", f["claim_ids"]))
    agree = None
    if len(figures) >= 2:
        comparable = [p for p in (figure_of(f, config.approx_tolerance) for f in figures) if p is not None]
        if len(comparable) >= 2:
            agree = all(x.unit == y.unit and overlaps(x, y) for x, y in combinations(comparable, 2))
    return {"figures": figures, "figures_agree": agree}


def _num(*values: Any) -> float:
    for v in values:
        if isinstance(v, (int, float)):  # noqa: UP038 (a tuple is faster than a union here)
            return float(v)
    return math.inf


def _link_record(link: Link, feats: Mapping[int, ClaimFeatures]) -> dict[str, Any]:
    a, b = feats[link.a].claim_id, feats[link.b].claim_id
    rec: dict[str, Any] = {"claims": sorted([a, b]), "reason": link.reason}
    if link.decision is None:
        rec.update(
            score=1.0, fields={"sentence": {"status": "equal", "score": 1.0, "detail": "same sentence, near-duplicate documents"}}
        )
    else:
        rec.update(score=round(link.decision.score, 4), fields=link.decision.fields_record())
    return rec


def build_event(
    members: Sequence[int],
    *,
    claims: Sequence[Mapping[str, Any]],
    features: Sequence[ClaimFeatures],
    sources: Sequence[ClaimSource],
    docs: Mapping[str, Mapping[str, Any]],
    links: Sequence[Link],
    config: CorroborationConfig,
    ambiguous: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The record of one event from the indexes of its claims and the links that joined them."""
    cs = [claims[i] for i in members]
    fs = [features[i] for i in members]
    ss = [sources[i] for i in members]
    amb = ambiguous or {}
    entries = [_claim_entry(c, f, s, docs.get(f.doc_id) or {}, amb.get(f.index)) for c, f, s in zip(cs, fs, ss, strict=True)]
    entries.sort(key=lambda e: (e["published"] or "", e["doc_id"], e["sentence_index"] or 0, e["claim_id"]))
    by_source: dict[str, dict[str, Any]] = {}
    for f, s in zip(fs, ss, strict=True):
        entry = by_source.setdefault(
            s.source_key, {"source": s.source, "via": set(), "doc_ids": set(), "outlets": set(), "claim_ids": set()}
        )
        entry["via"].add(s.via)
        entry["doc_ids"].add(f.doc_id)
        entry["outlets"].add(s.outlet)
        entry["claim_ids"].add(f.claim_id)
    source_list = [
        {"source": e["source"], "via": sorted(e["via"]), "doc_ids": sorted(e["doc_ids"]), "outlets": sorted(e["outlets"]),
         "claim_ids": sorted(e["claim_ids"]), "article_count": len(e["doc_ids"])}
        for _, e in sorted(by_source.items(), key=lambda kv: (kv[1]["source"], kv[0]))
    ]  # fmt: skip
    index_of = {i: features[i] for i in members}
    event_links = sorted((_link_record(lk, index_of) for lk in links), key=lambda r: r["claims"])
    claim_ids = sorted(f.claim_id for f in fs)
    return {
        "event_id": event_id(claim_ids),
        "schema_version": EVENT_SCHEMA_VERSION,
        "claim_type": fs[0].group,
        "claim_types": sorted({f.claim_type for f in fs}),
        "negated": fs[0].negative,
        "claim_count": len(fs),
        "article_count": len({f.doc_id for f in fs}),
        "source_count": len(by_source),
        "claim_ids": claim_ids,
        "doc_ids": sorted({f.doc_id for f in fs}),
        "source_names": [s["source"] for s in source_list],
        "sources": source_list,
        "claims": entries,
        **_places(cs, fs),
        **_items(cs),
        "time": _time(cs, fs),
        **_figures(cs, ss, docs, config),
        "links": event_links,
    }
