"""Turn validated run records into table rows (tuples in `TableSpec.columns` order). Pure functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

from .tables import (
    CLAIM_AGENCIES,
    CLAIM_ITEMS,
    CLAIM_LOCATIONS,
    CLAIM_SANCTIONS,
    CLAIMS,
    DOCUMENTS,
    MENTIONS,
    SENTENCES,
)

Row = tuple[Any, ...]
Dumps = Callable[[Any], "str | None"]

_DOCUMENT_KEYS = frozenset(
    {"doc_id", "url", "final_url", "title", "author", "published", "source", "site", "language", "obtained",
     "text", "text_sha256", "sentences"}
)  # fmt: skip
_MENTION_KEYS = frozenset({"mention_id", "doc_id", "label", "text", "start", "end", "sentence_index", "canonical"})
_EMPTY: dict[str, Any] = {}


def exact_json(value: Any) -> str | None:
    """Canonical JSON text (sorted keys, no ASCII escaping): equal values always give equal text."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def to_json(value: Any) -> str | None:
    """`exact_json`, faster: orjson gives the same text for values parsed from JSON by orjson."""
    if value is None:
        return None
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, lone surrogates: json's rules
        return exact_json(value)
    # orjson writes small floats as 0.00001 where json writes 1e-05: text that might hold one goes the json way,
    # so the text stays what earlier versions stored and a reload after an upgrade changes nothing.
    if b"e-" in text or b"0.0000" in text:
        return exact_json(value)
    return text.decode("utf-8")


def _num(value: Any) -> float | None:
    # Both databases store these as floating point; a float here keeps SQLite and PostgreSQL alike.
    return None if value is None else float(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _canonical(value: dict[str, Any] | None) -> tuple[Any, Any]:
    return (None, None) if not value else (value.get("id"), value.get("name"))


def _ref(ref: dict[str, Any]) -> Row:
    return (ref.get("mention_id"), ref["label"], ref["text"], ref["start"], ref["end"], *_canonical(ref["canonical"]))


def document_rows(rec: dict[str, Any], load_id: int, raw: bytes, dumps: Dumps = to_json) -> dict[str, list[Row]]:
    """The `documents` row and the `sentences` rows of one documents.jsonl record."""
    doc_id, text = rec["doc_id"], rec["text"]
    extra = {k: v for k, v in rec.items() if k not in _DOCUMENT_KEYS}
    doc = (
        doc_id, rec["url"], rec["final_url"], rec["title"], rec["author"], rec["published"],
        rec["source"], rec["site"], rec["language"], rec["obtained"], text, rec["text_sha256"],
        len(rec["sentences"]), dumps(extra or None), load_id,
    )  # fmt: skip
    sentences = [(doc_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(rec["sentences"])]
    return {DOCUMENTS.name: [doc], SENTENCES.name: sentences}


def mention_rows(rec: dict[str, Any], load_id: int, raw: bytes, dumps: Dumps = to_json) -> dict[str, list[Row]]:
    """The `mentions` row of one mentions.jsonl record; label-specific attributes also go to `attrs` whole."""
    attrs = {k: v for k, v in rec.items() if k not in _MENTION_KEYS}
    quantity = rec.get("quantity") or _EMPTY
    get = rec.get
    row = (
        rec["mention_id"], rec["doc_id"], rec["label"], rec["text"], rec["start"], rec["end"],
        rec["sentence_index"], *_canonical(rec["canonical"]), get("admin_level"), get("parent"),
        get("former_name"), get("kind"), get("country"), get("vehicle_class"),
        get("origin"), _num(quantity.get("value")), _num(quantity.get("lower")),
        _num(quantity.get("upper")), quantity.get("unit"), dumps(attrs or None), load_id,
    )  # fmt: skip
    return {MENTIONS.name: [row]}


def province_of(location: dict[str, Any]) -> str | None:
    """The province a claim location lies in: itself for a province, its parent for a county."""
    if location["label"] == "PROVINCE":
        return _canonical(location["canonical"])[0]
    if location["label"] == "COUNTY":
        return location.get("parent")
    return None


def _hs(value: Any) -> str | None:
    return ", ".join(value) if isinstance(value, list) else _text(value)


def claim_rows(rec: dict[str, Any], load_id: int, raw: bytes, dumps: Dumps = to_json) -> dict[str, list[Row]]:
    """The `claims` row and the rows of its parts (items, locations, agencies, sanctions).

    `raw` is the record's line as read from claims.jsonl; it becomes `claims.record` as it is, since run
    files are written deterministically (sorted keys), so the same claim always has the same text.
    """
    cid = rec["claim_id"]
    sentence, trigger, attribution = rec["sentence"], rec["trigger"], rec["attribution"]
    q = rec["quantity"] or _EMPTY
    t = rec["time"] or _EMPTY
    claim = (
        cid, rec["doc_id"], rec["claim_type"], rec["schema_version"], sentence["index"], sentence["start"],
        sentence["end"], sentence["text"], sentence["span"]["start"], sentence["span"]["end"],
        trigger["text"], trigger.get("lemma"), trigger["start"], trigger["end"],
        q.get("text"), _num(q.get("value")), _num(q.get("lower")), _num(q.get("upper")),
        q.get("lower_inclusive"), q.get("upper_inclusive"), q.get("approximate"), q.get("vague"),
        q.get("unit"), q.get("per"),
        t.get("text"), t.get("from"), t.get("to"), t.get("granularity"), t.get("relation"),
        t.get("anchored_to"), t.get("fuzzy"), t.get("resolved"),
        attribution.get("text"), attribution.get("source"), attribution["status"], rec["negated"],
        True, raw.decode("utf-8").strip(), load_id,
    )  # fmt: skip
    items = [
        (cid, i, *_ref(it), it.get("class"), it.get("origin"), dumps(it.get("sanctions") or None))
        for i, it in enumerate(rec["items"])
    ]
    locations = [
        (cid, i, *_ref(loc), loc.get("kind"), loc.get("parent"), province_of(loc), loc.get("role"))
        for i, loc in enumerate(rec["locations"])
    ]
    agencies = [(cid, i, *_ref(ag), ag.get("role")) for i, ag in enumerate(rec["agencies"])]
    # One row per (measure, item it covers), so "which claims involve items banned by 2397 para 7" is a filter.
    pairs = [(s, item) for s in rec["sanctions"] for item in (s.get("items") or [s.get("item")])]
    sanctions = [
        (cid, i, s.get("id"), _text(s.get("resolution")), _text(s.get("paragraph")), _hs(s.get("hs")),
         s.get("description"), item)
        for i, (s, item) in enumerate(pairs)
    ]  # fmt: skip
    return {
        CLAIMS.name: [claim],
        CLAIM_ITEMS.name: items,
        CLAIM_LOCATIONS.name: locations,
        CLAIM_AGENCIES.name: agencies,
        CLAIM_SANCTIONS.name: sanctions,
    }
