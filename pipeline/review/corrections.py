"""Corrections a reviewer makes to a claim: the editable fields, their validation, and applying them.

A correction stores only what the reviewer typed (the fields that changed); `apply_correction` turns it
into a claim record, keeping the original parts (offsets, canonical ids) of entries whose text is unchanged
and looking new entries up among the mentions of the claim's sentence. Pure functions: no database.
"""

from __future__ import annotations

import copy
import math
import unicodedata
from datetime import date
from functools import cache
from typing import Any

from ..errors import NewsclaimsError
from ..output.schemas import schema

FIELDS = ("claim_type", "quantity", "time", "items", "locations", "agencies", "attribution_status", "negated")
MAX_ENTRIES = 30
MAX_TEXT = 200
_ITEM_LABELS = ("VEHICLE", "GOODS")
_LOCATION_LABELS = ("COUNTY", "PROVINCE", "PLACE")


@cache
def vocabulary() -> dict[str, list[str]]:
    """The closed value sets of the editable fields, read from the claims JSON Schema."""
    props = schema("claims")["properties"]
    return {
        "claim_types": list(props["claim_type"]["enum"]),
        "attribution_statuses": list(props["attribution"]["properties"]["status"]["enum"]),
        "location_roles": [r for r in props["locations"]["items"]["properties"]["role"]["enum"] if r],
        "agency_roles": [r for r in props["agencies"]["items"]["properties"]["role"]["enum"] if r],
    }


def editable(record: dict[str, Any]) -> dict[str, Any]:
    """The claim's editable fields in the shape a correction uses (what the form starts from)."""
    q = record.get("quantity")
    t = record.get("time")
    return {
        "claim_type": record["claim_type"],
        "quantity": None if q is None else {k: q.get(k) for k in ("value", "lower", "upper", "unit")},
        "time": None if t is None else {"from": t.get("from"), "to": t.get("to")},
        "items": [{"text": i["text"], "class": i.get("class")} for i in record.get("items", [])],
        "locations": [{"text": p["text"], "role": p.get("role")} for p in record.get("locations", [])],
        "agencies": [{"text": a["text"], "role": a.get("role")} for a in record.get("agencies", [])],
        "attribution_status": (record.get("attribution") or {}).get("status"),
        "negated": bool(record.get("negated")),
    }


def _fail(detail: str) -> NewsclaimsError:
    return NewsclaimsError("E508", detail=detail)


def _text(value: Any, what: str, *, limit: int = MAX_TEXT, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(f"{what} is empty")
        return None
    if not isinstance(value, str):
        raise _fail(f"{what} must be text")
    value = " ".join(value.split())
    if len(value) > limit:
        raise _fail(f"{what} is longer than {limit} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise _fail(f"{what} contains control characters")
    return value


def _choice(value: Any, allowed: list[str], what: str, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if value not in allowed:
        raise _fail(f"{what} must be one of {', '.join(allowed)}, not {str(value)[:40]!r}")
    return str(value)


def _number(value: Any, what: str) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(f"{what} must be a number")
    if value < 0:
        raise _fail(f"{what} must not be negative")
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def _mapping(value: Any, what: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"{what} must be an object or null")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise _fail(f"{what} has unknown field(s) {', '.join(map(str, unknown))}")
    return value


def _quantity(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    value = _mapping(value, "quantity", ("value", "lower", "upper", "unit"))
    q: dict[str, Any] = {k: _number(value.get(k), f"quantity {k}") for k in ("value", "lower", "upper")}
    if all(v is None for v in q.values()):
        raise _fail("quantity needs a value or a bound (or clear it: no quantity)")
    if q["lower"] is not None and q["upper"] is not None and q["lower"] > q["upper"]:
        raise _fail("quantity lower bound is above the upper bound")
    q["unit"] = _text(value.get("unit"), "quantity unit", limit=32, required=False)
    return q


def _date(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _fail(f"{what} must be a date written YYYY-MM-DD") from None


def _time(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    value = _mapping(value, "time", ("from", "to"))
    start, end = _date(value.get("from"), "time from"), _date(value.get("to"), "time to")
    if start is None and end is None:
        raise _fail("time needs a from or a to date (or clear it: no time)")
    if start and end and start > end:
        raise _fail("time from is after time to")
    return {"from": start, "to": end}


def _entries(value: Any, what: str, second: str, allowed: list[str] | None) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _fail(f"{what} must be a list")
    if len(value) > MAX_ENTRIES:
        raise _fail(f"{what} has more than {MAX_ENTRIES} entries")
    out = []
    for n, entry in enumerate(value, start=1):
        entry = _mapping(entry, f"{what} entry {n}", ("text", second))
        text = _text(entry.get("text"), f"{what} entry {n}")
        if allowed is None:
            other = _text(entry.get(second), f"{what} entry {n} {second}", limit=64, required=False)
        else:
            other = _choice(entry.get(second) or None, allowed, f"{what} entry {n} {second}", nullable=True)
        out.append({"text": text, second: other})
    return out


def validate_correction(corrected: Any) -> dict[str, Any]:
    """The correction, checked and normalised (E508 with the reason when a field is wrong)."""
    if not isinstance(corrected, dict) or not corrected:
        raise _fail("a correction must change at least one field (otherwise accept the claim)")
    unknown = sorted(set(corrected) - set(FIELDS))
    if unknown:
        raise _fail(f"unknown field(s) {', '.join(map(str, unknown))}; the fields are {', '.join(FIELDS)}")
    vocab = vocabulary()
    out: dict[str, Any] = {}
    for key, value in corrected.items():
        if key == "claim_type":
            out[key] = _choice(value, vocab["claim_types"], "claim type")
        elif key == "quantity":
            out[key] = _quantity(value)
        elif key == "time":
            out[key] = _time(value)
        elif key == "items":
            out[key] = _entries(value, "items", "class", None)
        elif key == "locations":
            out[key] = _entries(value, "places", "role", vocab["location_roles"])
        elif key == "agencies":
            out[key] = _entries(value, "agencies", "role", vocab["agency_roles"])
        elif key == "attribution_status":
            out[key] = _choice(value, vocab["attribution_statuses"], "attribution status")
        elif key == "negated":
            if not isinstance(value, bool):
                raise _fail("negated must be true or false")
            out[key] = value
    return {k: out[k] for k in FIELDS if k in out}


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _locate(record: dict[str, Any], text: str) -> tuple[int | None, int | None]:
    """Document offsets of `text` in the claim's sentence (code points), or (None, None)."""
    sentence = record["sentence"]
    at = sentence["text"].find(text)
    if at < 0:
        return None, None
    return sentence["start"] + at, sentence["start"] + at + len(text)


def _ref_from_mention(mention: dict[str, Any]) -> dict[str, Any]:
    canonical = mention.get("canonical")
    return {
        "mention_id": mention.get("mention_id"),
        "label": mention["label"],
        "text": mention["text"],
        "start": mention["start"],
        "end": mention["end"],
        "canonical": canonical if isinstance(canonical, dict) else None,
    }


def _resolve(
    record: dict[str, Any],
    entries: list[dict[str, Any]],
    originals: list[dict[str, Any]],
    mentions: list[dict[str, Any]],
    labels: tuple[str, ...],
) -> list[dict[str, Any] | tuple[dict[str, Any], dict[str, Any] | None]]:
    """For each corrected entry: the original part with the same text, or (ref, mention) built afresh.

    A mention in the claim's sentence gives offsets and canonical id; one elsewhere in the article gives
    the canonical id only (the offsets then point into the sentence if the text occurs there).
    """
    by_text = {_fold(p["text"]): p for p in originals}
    index = record["sentence"]["index"]
    here: dict[str, dict[str, Any]] = {}
    elsewhere: dict[str, dict[str, Any]] = {}
    for mention in mentions:
        if mention.get("label") in labels:
            (here if mention.get("sentence_index") == index else elsewhere).setdefault(_fold(mention["text"]), mention)
    out: list[dict[str, Any] | tuple[dict[str, Any], dict[str, Any] | None]] = []
    for entry in entries:
        key = _fold(entry["text"])
        if key in by_text:
            out.append(copy.deepcopy(by_text[key]))
        elif key in here:
            out.append((_ref_from_mention(here[key]), here[key]))
        else:
            start, end = _locate(record, entry["text"])
            other = elsewhere.get(key)
            ref = {"mention_id": None, "label": None, "text": entry["text"], "start": start, "end": end, "canonical": None}
            if other is not None:
                ref.update(label=other["label"], canonical=_ref_from_mention(other)["canonical"])
            out.append((ref, other))
    return out


def _items(record: dict[str, Any], entries: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parts = []
    for entry, part in zip(entries, _resolve(record, entries, record["items"], mentions, _ITEM_LABELS), strict=True):
        if isinstance(part, tuple):
            ref, mention = part
            attrs = (mention or {}).get("attrs") or {}
            cls = (mention or {}).get("vehicle_class") or attrs.get("goods_class")
            part = {**ref, "class": cls, "origin": (mention or {}).get("origin"), "sanctions": []}
        if entry["class"] is not None:
            part["class"] = entry["class"]
        parts.append(part)
    return parts


def _places(record: dict[str, Any], entries: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parts = []
    for entry, part in zip(entries, _resolve(record, entries, record["locations"], mentions, _LOCATION_LABELS), strict=True):
        if isinstance(part, tuple):
            ref, mention = part
            part = {**ref, "kind": (mention or {}).get("kind"), "parent": (mention or {}).get("parent")}
        part["role"] = entry["role"]
        parts.append(part)
    return parts


def _agencies(record: dict[str, Any], entries: list[dict[str, Any]], mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parts = []
    for entry, part in zip(entries, _resolve(record, entries, record["agencies"], mentions, ("AGENCY",)), strict=True):
        if isinstance(part, tuple):
            part = {**part[0], "label": "AGENCY"}
        part["role"] = entry["role"]
        parts.append(part)
    return parts


def _sanctions_for(record: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claim's sanctions that still cover one of its (corrected) items."""
    texts = {i["text"] for i in items}
    kept = []
    for sanction in record.get("sanctions", []):
        if isinstance(sanction.get("items"), list):
            covered = [t for t in sanction["items"] if t in texts]
            if covered:
                kept.append({**sanction, "items": covered})
        elif sanction.get("item") is None or sanction.get("item") in texts:
            kept.append(sanction)
    return kept


def apply_correction(
    record: dict[str, Any],
    corrected: dict[str, Any],
    *,
    mentions: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """A copy of the claim record with the corrected fields replaced.

    `mentions` (the document's mention records, as in mentions.jsonl) let a place, agency or item the
    reviewer added pick up its offsets and canonical id; an entry matching no mention keeps its text, with
    offsets when it occurs in the sentence and no canonical id.
    """
    out = copy.deepcopy(record)
    if "claim_type" in corrected:
        out["claim_type"] = corrected["claim_type"]
    if "quantity" in corrected:
        q = corrected["quantity"]
        base = record.get("quantity") or {
            "text": None, "start": None, "end": None, "lower_inclusive": True, "upper_inclusive": True,
            "approximate": False, "vague": False, "per": None,
        }  # fmt: skip
        out["quantity"] = None if q is None else {**base, **q}
    if "time" in corrected:
        t = corrected["time"]
        base = record.get("time") or {
            "text": None, "start": None, "end": None, "granularity": None, "relation": None,
            "anchored_to": None, "fuzzy": False, "resolved": True,
        }  # fmt: skip
        out["time"] = None if t is None else {**base, **t}
    if "items" in corrected:
        out["items"] = _items(record, corrected["items"], mentions)
        out["sanctions"] = _sanctions_for(record, out["items"])
    if "locations" in corrected:
        out["locations"] = _places(record, corrected["locations"], mentions)
    if "agencies" in corrected:
        out["agencies"] = _agencies(record, corrected["agencies"], mentions)
    if "attribution_status" in corrected:
        out["attribution"] = {**(record.get("attribution") or {}), "status": corrected["attribution_status"]}
    if "negated" in corrected:
        out["negated"] = corrected["negated"]
    return out


def original_values(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The record's values of the given correction fields, before correction."""
    current = editable(record)
    return {f: current[f] for f in fields}
