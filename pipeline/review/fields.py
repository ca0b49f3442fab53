"""What a review card shows: highlight spans (code points into the sentence) and the normalised fields as text.

Pure functions over a claim record. Everything leaves here as plain strings and integers; the page renders
them with textContent, so no value is ever markup.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from ..nlp.patterns import default_patterns_dir

# The fixed label set of the highlight palette (app.css has one colour per label). Anything else is OTHER.
LABELS = ("QUANTITY", "TIME", "VEHICLE", "GOODS", "COUNTY", "PROVINCE", "PLACE", "AGENCY", "TRIGGER", "SOURCE")
LABEL_NAMES = {
    "QUANTITY": "quantity",
    "TIME": "time",
    "VEHICLE": "vehicle",
    "GOODS": "goods",
    "COUNTY": "county",
    "PROVINCE": "province",
    "PLACE": "place",
    "AGENCY": "agency",
    "TRIGGER": "trigger",
    "SOURCE": "attribution",
    "OTHER": "other",
}
MAX_URL = 2048


def safe_label(label: Any) -> str:
    """The label if it is in the palette's allow-list, else OTHER."""
    return label if isinstance(label, str) and label in LABELS else "OTHER"


def safe_url(url: Any) -> str | None:
    """The URL if it is an absolute http(s) URL with a host (safe to put in a link), else None."""
    if not isinstance(url, str) or len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


@cache
def province_names() -> dict[str, str]:
    """Province id -> name, from the bundled pattern pack (empty if it is missing)."""
    path = default_patterns_dir() / "provinces.jsonl"
    names: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return names
    for line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("id"), str) and isinstance(obj.get("name"), str):
            names[obj["id"]] = obj["name"]
    return names


def _parts(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Candidate highlights in priority order: the claim's own parts before trigger and attribution."""
    out: list[tuple[str, dict[str, Any]]] = []
    if record.get("quantity"):
        out.append(("QUANTITY", record["quantity"]))
    out += [(safe_label(p.get("label")), p) for key in ("items", "locations", "agencies") for p in record.get(key) or []]
    if record.get("time"):
        out.append(("TIME", record["time"]))
    if record.get("trigger"):
        out.append(("TRIGGER", record["trigger"]))
    attribution = record.get("attribution") or {}
    if attribution.get("start") is not None:
        out.append(("SOURCE", attribution))
    return out


def highlights(record: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Non-overlapping highlights with offsets relative to the sentence (code points), and how many parts
    were left out because their offsets do not match the sentence text. Of overlapping parts, the first in
    priority order is shown."""
    sentence = record["sentence"]
    text, base = sentence["text"], sentence["start"]
    kept: list[dict[str, Any]] = []
    dropped = 0
    for label, part in _parts(record):
        start, end, surface = part.get("start"), part.get("end"), part.get("text")
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(surface, str)):
            dropped += 1
            continue
        rel_start, rel_end = start - base, end - base
        if not (0 <= rel_start < rel_end <= len(text)) or text[rel_start:rel_end] != surface:
            dropped += 1
            continue
        if any(rel_start < k["end"] and k["start"] < rel_end for k in kept):
            continue  # overlaps a part shown already (an attribution phrase often holds a place): not a defect
        kept.append({"start": rel_start, "end": rel_end, "label": label, "text": surface})
    kept.sort(key=lambda h: h["start"])
    return kept, dropped


def clause(record: dict[str, Any]) -> list[int]:
    """The claim's clause as [start, end] relative to the sentence (the whole sentence if unknown)."""
    sentence = record["sentence"]
    span = sentence.get("span") or {}
    length = len(sentence["text"])
    start = span.get("start", sentence["start"]) - sentence["start"]
    end = span.get("end", sentence["end"]) - sentence["start"]
    if not 0 <= start <= end <= length:
        return [0, length]
    return [start, end]


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _join(*bits: Any) -> str | None:
    text = " · ".join(str(b) for b in bits if b not in (None, "", False))
    return text or None


def quantity_bounds(q: dict[str, Any]) -> str:
    """The bounds of a quantity in symbols: '= 100', '> 20', '≥ 30 and ≤ 40', '≈ 120', 'vague'."""
    value, lower, upper = q.get("value"), q.get("lower"), q.get("upper")
    if value is not None and lower == value and upper == value:
        return f"= {_num(value)}"
    bounds = []
    if lower is not None:
        bounds.append(f"{'≥' if q.get('lower_inclusive', True) else '>'} {_num(lower)}")
    if upper is not None:
        bounds.append(f"{'≤' if q.get('upper_inclusive', True) else '<'} {_num(upper)}")
    if bounds:
        return " and ".join(bounds)
    if value is not None:
        return f"≈ {_num(value)}" if q.get("approximate") else f"= {_num(value)}"
    return "no number"


def _entry(text: Any, detail: str | None = None) -> dict[str, Any]:
    return {"text": "" if text is None else str(text), "detail": detail}


def _canonical_name(part: dict[str, Any]) -> str | None:
    canonical = part.get("canonical") or {}
    name = canonical.get("name")
    return name if name and name != part.get("text") else None


def _sanction_name(s: dict[str, Any]) -> str:
    para = f" ¶{s['paragraph']}" if s.get("paragraph") else ""
    hs = s.get("hs")
    hs_text = f" (HS {', '.join(hs) if isinstance(hs, list) else hs})" if hs else ""
    return f"UNSCR {s.get('resolution') or '?'}{para}{hs_text}"


def display_fields(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The normalised fields as (name, entries), each entry a text and an optional detail line."""
    provinces = province_names()
    q, t = record.get("quantity"), record.get("time")
    quantity = []
    if q:
        per = f"per {q['per']}" if q.get("per") else None
        flags = _join(q.get("unit"), per, "approximate" if q.get("approximate") else None, "vague" if q.get("vague") else None)
        quantity = [_entry(q.get("text") or "(corrected)", _join(quantity_bounds(q), flags))]
    time = []
    if t:
        span = f"{t.get('from') or '…'} → {t.get('to') or '…'}"
        unresolved = "unresolved: no publication date" if t.get("resolved") is False else None
        time = [_entry(t.get("text") or "(corrected)", _join(span, t.get("relation"), t.get("granularity"),
                                                             "fuzzy" if t.get("fuzzy") else None, unresolved))]  # fmt: skip
    places = []
    for p in record.get("locations") or []:
        province_id = (p.get("canonical") or {}).get("id") if p.get("label") == "PROVINCE" else p.get("parent")
        province = provinces.get(province_id or "", province_id) if p.get("label") != "PROVINCE" else None
        places.append(
            _entry(p.get("text"), _join(_canonical_name(p), p.get("kind"), province, p.get("role") and f"role {p['role']}"))
        )
    items = []
    for i in record.get("items") or []:
        bans = ", ".join(_sanction_name(s) for s in i.get("sanctions") or [])
        origin = f"origin {i['origin']}" if i.get("origin") else None
        items.append(_entry(i.get("text"), _join(i.get("class"), origin, bans and f"banned by {bans}")))
    agencies = [
        _entry(
            a.get("text"), _join(_canonical_name(a), (a.get("canonical") or {}).get("id"), a.get("role") and f"role {a['role']}")
        )
        for a in record.get("agencies") or []
    ]
    attribution = record.get("attribution") or {}
    attr_text = attribution.get("text")
    attr = [_entry(attribution.get("status"), _join(attribution.get("source") and f"source {attribution['source']}",
                                                    attr_text and f"“{attr_text}”"))]  # fmt: skip
    negation = [_entry("negated: the sentence says this did not happen" if record.get("negated") else "not negated")]
    sanctions = []
    for s in record.get("sanctions") or []:
        covered = s.get("items") if isinstance(s.get("items"), list) else [s.get("item")] if s.get("item") else []
        sanctions.append(
            _entry(_sanction_name(s), _join(s.get("description"), covered and "items: " + ", ".join(map(str, covered))))
        )
    trigger = record.get("trigger") or {}
    return [
        {"name": "Quantity", "entries": quantity},
        {"name": "Time", "entries": time},
        {"name": "Places", "entries": places},
        {"name": "Items", "entries": items},
        {"name": "Agencies", "entries": agencies},
        {"name": "Attribution", "entries": attr},
        {"name": "Negation", "entries": negation},
        {"name": "Sanctions", "entries": sanctions},
        {"name": "Trigger", "entries": [_entry(trigger.get("text"), trigger.get("lemma") and f"lemma {trigger['lemma']}")]},
    ]
