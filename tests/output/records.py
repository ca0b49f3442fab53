"""Hand-built run records for the output-stage tests (builders, a small corpus, run writer, dumps).

Records follow docs/records.md and are built from the article text, so every offset is right by
construction (`text[start:end] == field`). Nothing here depends on the extractor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.types import stable_id, text_sha256

# Text that must be stored verbatim: SQL injection, COPY's escape sequences, quotes, emoji, Korean.
INJECTION_TITLE = 'Robert\'); DROP TABLE claims;-- "quoted" \\ back\\slash %s ? $1'
INJECTION_TEXT = (
    "Smugglers moved 30 trucks into Hyesan in June 2023, a trader said. "
    "The note read '); DELETE FROM documents WHERE '1'='1'; -- and \\N then \\. and a\ttab. "
    'Drivers 🚚 crossed at 혜산 with "UNION SELECT password FROM users" painted on a crate.'
)


@dataclass
class Doc:
    """A document being built: its record, plus helpers to place mentions by surface text."""

    doc_id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def spans(self) -> list[list[int]]:
        return [[m.start(), m.end()] for m in re.finditer(r"[^ ].*?[.!?](?= |$)", self.text)]

    def find(self, surface: str, occurrence: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(occurrence + 1):
            start = self.text.index(surface, start + 1)
        return start, start + len(surface)

    def sentence_of(self, start: int) -> int:
        return next(i for i, (s, e) in enumerate(self.spans) if s <= start < e)

    def record(self) -> dict[str, Any]:
        rec = {
            "doc_id": self.doc_id,
            "url": f"https://example.org/{self.doc_id}",
            "final_url": None,
            "title": f"Report {self.doc_id}",
            "author": None,
            "published": "2025-05-10",
            "source": "Daily NK",
            "site": "example.org",
            "language": "en",
            "obtained": "jsonl",
            "text": self.text,
            "text_sha256": text_sha256(self.text),
            "sentences": self.spans,
        }
        rec.update(self.meta)
        return rec

    def ref(self, label: str, surface: str, canonical: tuple[str, str] | None, occurrence: int = 0) -> dict:
        start, end = self.find(surface, occurrence)
        return {
            "mention_id": "m" + stable_id(self.doc_id, label, start, end),
            "label": label,
            "text": surface,
            "start": start,
            "end": end,
            "canonical": None if canonical is None else {"id": canonical[0], "name": canonical[1]},
        }

    def mention(self, label: str, surface: str, canonical: tuple[str, str] | None, **attrs: Any) -> dict:
        ref = self.ref(label, surface, canonical)
        return {**ref, "doc_id": self.doc_id, "sentence_index": self.sentence_of(ref["start"]), **attrs}


COUNTY_ATTRS = {"admin_level": "county", "former_name": False}
QTY = {"lower_inclusive": True, "upper_inclusive": True, "approximate": False, "vague": False, "unit": None,
       "per": None}  # fmt: skip


def quantity(doc: Doc, surface: str, value: float | None, lower: float | None = None) -> dict[str, Any]:
    start, end = doc.find(surface)
    low = value if lower is None else lower
    return {"text": surface, "start": start, "end": end, **QTY, "value": value, "lower": low, "upper": value}


def claim(
    doc: Doc,
    trigger: str,
    claim_type: str,
    *,
    lemma: str,
    quantity: dict[str, Any] | None = None,
    items: list[dict[str, Any]] = (),  # type: ignore[assignment]
    locations: list[dict[str, Any]] = (),  # type: ignore[assignment]
    agencies: list[dict[str, Any]] = (),  # type: ignore[assignment]
    time: tuple[str, str | None, str | None] | None = None,
    status: str = "reported",
    negated: bool = False,
) -> dict[str, Any]:
    """A claim record for the sentence holding `trigger`."""
    t_start, t_end = doc.find(trigger)
    index = doc.sentence_of(t_start)
    s_start, s_end = doc.spans[index]
    sentence = doc.text[s_start:s_end]
    time_rec = None
    if time is not None:
        surface, start_date, end_date = time
        a, b = doc.find(surface)
        time_rec = {"text": surface, "start": a, "end": b, "from": start_date, "to": end_date,
                    "granularity": "month", "relation": "at", "anchored_to": None, "fuzzy": False,
                    "resolved": True}  # fmt: skip
    return {
        "claim_id": "c" + stable_id(doc.doc_id, index, t_start, claim_type, json.dumps(quantity)),
        "doc_id": doc.doc_id,
        "claim_type": claim_type,
        "schema_version": 1,
        "sentence": {
            "index": index,
            "start": s_start,
            "end": s_end,
            "text": sentence,
            "selector": {
                "type": "TextQuoteSelector",
                "exact": sentence,
                "prefix": doc.text[max(0, s_start - 20) : s_start],
                "suffix": doc.text[s_end : s_end + 20],
            },
            "span": {"start": s_start, "end": s_end},
        },  # fmt: skip
        "trigger": {"text": trigger, "start": t_start, "end": t_end, "lemma": lemma},
        "quantity": quantity,
        "items": list(items),
        "locations": list(locations),
        "agencies": list(agencies),
        "time": time_rec,
        "attribution": {"text": None, "start": None, "end": None, "source": None, "status": status},
        "negated": negated,
        "sanctions": [
            {
                "id": "UNSCR-2397-7-vehicles",
                "resolution": "2397",
                "paragraph": "7",
                "hs": ["87"],
                "description": "vehicles",
                "items": [i["text"] for i in items if i["label"] == "VEHICLE"],
            }
        ]
        if any(i["label"] == "VEHICLE" for i in items)
        else [],
    }


def item(doc: Doc, surface: str, vehicle_class: str, origin: str | None = "CN", occurrence: int = 0) -> dict:
    sanction = {"id": "UNSCR-2397-7-vehicles", "resolution": "2397", "paragraph": "7", "hs": ["87"], "description": "vehicles"}
    ref = doc.ref("VEHICLE", surface, (vehicle_class, vehicle_class), occurrence)
    return {**ref, "class": vehicle_class, "origin": origin, "sanctions": [sanction]}


def location(doc: Doc, label: str, surface: str, place: tuple[str, str], parent: str | None, role: str | None):
    return {**doc.ref(label, surface, place), "kind": None, "parent": parent, "role": role}


def agency(doc: Doc, surface: str, agency_id: str, name: str, role: str) -> dict[str, Any]:
    return {**doc.ref("AGENCY", surface, (agency_id, name)), "role": role}


HYESAN = ("KP-10-hyesan", "Hyesan")
KIMJONGSUK = ("KP-10-kimjongsuk", "Kimjongsuk County")
RYANGGANG = ("KP-10", "Ryanggang Province")
SINUIJU = ("KP-07-sinuiju", "Sinuiju")


def corpus_records(*, variant: int = 0) -> dict[str, list[dict[str, Any]]]:
    """Three articles. `variant=1` re-extracts the second one after its text changed."""
    d1 = Doc(
        "nk-001",
        "Over 100 Dongfeng trucks were smuggled into Kimjongsuk County, Ryanggang Province, in April 2025, "
        "a source told Daily NK. Customs officers in Hyesan seized 12 excavators in April 2025.",
    )
    text2 = INJECTION_TEXT + (" Border guards took bribes of 500 yuan." if variant else "")
    d2 = Doc("nk-002", text2, {"title": INJECTION_TITLE, "published": "2023-07-01", "source": "RFA"})
    d3 = Doc(
        "nk-003",
        "Officials denied that 40 trucks reached Sinuiju in August 2024. Traders said 25 trucks were sent to Ryanggang Province.",
        {"published": "2024-02-01", "source": "Asia Press"},
    )
    mentions = [
        d1.mention("QUANTITY", "Over 100", None, quantity={**QTY, "value": None, "lower": 100, "upper": None}),
        d1.mention("VEHICLE", "Dongfeng trucks", ("truck", "truck"), vehicle_class="truck", origin="CN"),
        d1.mention("COUNTY", "Kimjongsuk County", KIMJONGSUK, **COUNTY_ATTRS, parent="KP-10"),
        d1.mention("PROVINCE", "Ryanggang Province", RYANGGANG, admin_level="province", parent=None,
                   former_name=False),
        d1.mention("AGENCY", "Customs officers", ("KP-CUSTOMS", "North Korean customs"), kind="customs",
                   country="KP"),
        d1.mention("COUNTY", "Hyesan", HYESAN, **COUNTY_ATTRS, parent="KP-10"),
        d2.mention("COUNTY", "Hyesan", HYESAN, **COUNTY_ATTRS, parent="KP-10"),
        d2.mention("VEHICLE", "trucks", ("truck", "truck"), vehicle_class="truck", origin=None),
        d3.mention("COUNTY", "Sinuiju", SINUIJU, **COUNTY_ATTRS, parent="KP-07"),
        d3.mention("PROVINCE", "Ryanggang Province", RYANGGANG, admin_level="province", parent=None,
                   former_name=False),
    ]  # fmt: skip
    qty1 = {**quantity(d1, "Over 100", None, 100), "upper": None, "lower_inclusive": False}
    claims = [
        claim(d1, "smuggled", "smuggling", lemma="smuggle", quantity=qty1,
              items=[item(d1, "Dongfeng trucks", "truck")],
              locations=[location(d1, "COUNTY", "Kimjongsuk County", KIMJONGSUK, "KP-10", "destination"),
                         location(d1, "PROVINCE", "Ryanggang Province", RYANGGANG, None, None)],
              time=("in April 2025", "2025-04-01", "2025-04-30")),
        claim(d1, "seized", "seizure", lemma="seize", quantity=quantity(d1, "12", 12),
              items=[item(d1, "excavators", "excavator")],
              locations=[location(d1, "COUNTY", "Hyesan", HYESAN, "KP-10", "site")],
              agencies=[agency(d1, "Customs officers", "KP-CUSTOMS", "North Korean customs", "enforcer")],
              time=("in April 2025", "2025-04-01", "2025-04-30"), status="asserted"),
        claim(d2, "moved", "smuggling", lemma="move", quantity=quantity(d2, "30", 30),
              items=[item(d2, "trucks", "truck", None)],
              locations=[location(d2, "COUNTY", "Hyesan", HYESAN, "KP-10", "destination")],
              time=("in June 2023", "2023-06-01", "2023-06-30")),
        claim(d3, "reached", "smuggling", lemma="reach", quantity=quantity(d3, "40", 40),
              items=[item(d3, "trucks", "truck")],
              locations=[location(d3, "COUNTY", "Sinuiju", SINUIJU, "KP-07", "destination")],
              time=("in August 2024", "2024-08-01", "2024-08-31"), status="denied", negated=True),
        claim(d3, "sent", "trade", lemma="send", quantity=quantity(d3, "25", 25),
              items=[item(d3, "trucks", "truck", occurrence=1)],
              locations=[location(d3, "PROVINCE", "Ryanggang Province", RYANGGANG, None, "destination")]),
    ]  # fmt: skip
    if variant:
        claims.append(
            claim(d2, "took", "bribe", lemma="take", quantity={**quantity(d2, "500 yuan", 500), "unit": "CNY"},
                  agencies=[agency(d2, "Border guards", "KP-BORDER", "Border guards", "recipient")])
        )  # fmt: skip
        mentions.append(
            d2.mention("QUANTITY", "500 yuan", None, quantity={**QTY, "value": 500, "lower": 500, "upper": 500, "unit": "CNY"})
        )
    return {"documents": [d1.record(), d2.record(), d3.record()], "mentions": mentions, "claims": claims}


def write_run(path: Path, records: dict[str, list[dict[str, Any]]], **manifest: Any) -> Path:
    """Write a run directory as the extractor would: JSONL with sorted keys, and a manifest."""
    path.mkdir(parents=True, exist_ok=True)
    for kind in ("documents", "mentions", "claims"):
        lines = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records.get(kind, [])]
        (path / f"{kind}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    counts = {kind: len(records.get(kind, [])) for kind in ("documents", "mentions", "claims")}
    meta = {"newsclaims_version": "test", "schema_version": 1, "counts": counts, "complete": True, **manifest}
    (path / "manifest.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    return path


def table_dump(db_url: str, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables, sorted, with values normalised across dialects."""
    from pipeline.output.db import connect

    with connect(db_url) as db:
        return {t: sorted(tuple(map(normal, r)) for r in db.query(f"SELECT * FROM {t}")) for t in tables}


def normal(value: Any) -> Any:
    """One value as both dialects would agree on it (JSON as objects, integers as floats where whole)."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
