"""Hand-built run directories for the review tests: ordinary articles, one with emoji and combining
characters before and inside the claim, and one whose every field carries an XSS payload.

Offsets are found with str.index on the Python string, so they are code points by construction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.types import stable_id, text_sha256

EMOJI_TEXT = (
    "Traders 🚚🇰🇵 and 👨‍👩‍👧 families waited at the river. "
    "Smugglers 😀 moved 30 trucks into Sinu\u0306iju in June 2024, a source told Daily NK. "
    "Officials in Hyesan said nothing."
)
XSS = {
    "title": "<img src=x onerror=alert('title')>\"><script>alert('title2')</script>",
    "url": "javascript:alert('url')",
    "source": "<b onmouseover=alert('source')>Daily</b>",
    "before": "Before <iframe src=\"javascript:alert('iframe')\"></iframe> it started.",
    "sentence": (
        "Smugglers moved 30 trucks into Hyesan \"><img src=x onerror=alert('sentence')> and "
        "</mark><script>alert('s')</script> in June 2024."
    ),
    "label": "\"><img src=x onerror=alert('label')>",
    "name": "</dd><svg onload=alert('name')>",
    "claim_type": "<script>alert('type')</script>",
}


@dataclass
class Doc:
    """A document being built: places mentions by surface text, sentences split at '. '."""

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
            "doc_id": self.doc_id, "url": f"https://example.org/{self.doc_id}", "final_url": None,
            "title": f"Report {self.doc_id}", "author": None, "published": "2024-07-01", "source": "Daily NK",
            "site": "example.org", "language": "en", "obtained": "jsonl", "text": self.text,
            "text_sha256": text_sha256(self.text), "sentences": self.spans,
        }  # fmt: skip
        rec.update(self.meta)
        return rec

    def ref(self, label: str, surface: str, canonical: tuple[str, str] | None, occurrence: int = 0) -> dict[str, Any]:
        start, end = self.find(surface, occurrence)
        cid = None if canonical is None else {"id": canonical[0], "name": canonical[1]}
        return {"mention_id": "m" + stable_id(self.doc_id, label, start), "label": label, "text": surface,
                "start": start, "end": end, "canonical": cid}  # fmt: skip

    def mention(self, label: str, surface: str, canonical: tuple[str, str] | None, **attrs: Any) -> dict[str, Any]:
        ref = self.ref(label, surface, canonical)
        return {**ref, "doc_id": self.doc_id, "sentence_index": self.sentence_of(ref["start"]), **attrs}

    def claim(
        self,
        trigger: str,
        claim_type: str,
        *,
        quantity: str | None = None,
        items: tuple[tuple[str, str], ...] = (),
        places: tuple[tuple[str, str, tuple[str, str] | None, str | None, str | None], ...] = (),
        agencies: tuple[tuple[str, tuple[str, str], str], ...] = (),
        time: tuple[str, str, str] | None = None,
        attribution: str | None = None,
        status: str = "reported",
    ) -> dict[str, Any]:
        """A claim record for the sentence holding `trigger`; parts given by their surface text."""
        t_start, t_end = self.find(trigger)
        index = self.sentence_of(t_start)
        s_start, s_end = self.spans[index]
        sentence = self.text[s_start:s_end]
        q = None
        if quantity is not None:
            a, b = self.find(quantity)
            value = int(quantity) if quantity.isdigit() else None
            q = {"text": quantity, "start": a, "end": b, "value": value, "lower": value, "upper": value,
                 "lower_inclusive": True, "upper_inclusive": True, "approximate": False, "vague": False,
                 "unit": None, "per": None}  # fmt: skip
        t = None
        if time is not None:
            a, b = self.find(time[0])
            t = {"text": time[0], "start": a, "end": b, "from": time[1], "to": time[2], "granularity": "month",
                 "relation": "at", "anchored_to": None, "fuzzy": False, "resolved": True}  # fmt: skip
        attr = {"text": None, "start": None, "end": None, "source": None, "status": status}
        if attribution is not None:
            a, b = self.find(attribution)
            attr = {"text": attribution, "start": a, "end": b, "source": "Daily NK", "status": status}
        return {
            "claim_id": "c" + stable_id(self.doc_id, index, t_start, claim_type),
            "doc_id": self.doc_id, "claim_type": claim_type, "schema_version": 1,
            "sentence": {"index": index, "start": s_start, "end": s_end, "text": sentence,
                         "selector": {"type": "TextQuoteSelector", "exact": sentence,
                                      "prefix": self.text[max(0, s_start - 20):s_start],
                                      "suffix": self.text[s_end:s_end + 20]},
                         "span": {"start": s_start, "end": s_end}},
            "trigger": {"text": trigger, "start": t_start, "end": t_end, "lemma": trigger},
            "quantity": q,
            "items": [{**self.ref(label, text, (text, text)), "class": text.rstrip("s"), "origin": "CN", "sanctions": []}
                      for text, label in items],
            "locations": [{**self.ref(label, text, canonical), "kind": None, "parent": parent, "role": role}
                          for text, label, canonical, parent, role in places],
            "agencies": [{**self.ref("AGENCY", text, canonical), "role": role} for text, canonical, role in agencies],
            "time": t, "attribution": attr, "negated": False, "sanctions": [],
        }  # fmt: skip


HYESAN = ("KP-10-hyesan", "Hyesan City")
SINUIJU = ("KP-07-sinuiju", "Sinuiju")
KIMJONGSUK = ("KP-10-kimjongsuk", "Kimjongsuk County")
MSS = ("KP-MSS", "Ministry of State Security")
COUNTY = {"admin_level": "county", "former_name": False}


def main_records() -> dict[str, list[dict[str, Any]]]:
    """Two ordinary articles with four claims in all (the first article has three)."""
    d1 = Doc(
        "a-001",
        "Over the winter smuggling rose. Smugglers moved 40 trucks into Hyesan in March 2024. "
        "Agents of the Ministry of State Security arrested 12 brokers in Hyesan in April 2024. "
        "Traders said 25 excavators were sent to Kimjongsuk County.",
        {"title": "Trucks and brokers in Hyesan", "published": "2024-05-02"},
    )
    d2 = Doc(
        "a-002",
        "Customs officers seized 7 sedans in Sinuiju in May 2024. Nobody was arrested.",
        {"title": "Sedans seized in Sinŭiju", "source": "Asia Press", "published": "2024-06-01"},
    )
    claims = [
        d1.claim("moved", "smuggling", quantity="40", items=(("trucks", "VEHICLE"),),
                 places=(("Hyesan", "COUNTY", HYESAN, "KP-10", "destination"),),
                 time=("in March 2024", "2024-03-01", "2024-03-31")),
        d1.claim("arrested", "arrest", quantity="12", agencies=(("Ministry of State Security", MSS, "enforcer"),),
                 places=(("Hyesan", "COUNTY", HYESAN, "KP-10", "site"),), time=("in April 2024", "2024-04-01", "2024-04-30"),
                 status="asserted"),
        d1.claim("sent", "trade", quantity="25", items=(("excavators", "VEHICLE"),),
                 places=(("Kimjongsuk County", "COUNTY", KIMJONGSUK, "KP-10", "destination"),)),
        d2.claim("seized", "seizure", quantity="7", items=(("sedans", "VEHICLE"),),
                 places=(("Sinuiju", "COUNTY", SINUIJU, "KP-07", "site"),), time=("in May 2024", "2024-05-01", "2024-05-31")),
    ]  # fmt: skip
    mentions = [
        d1.mention("COUNTY", "Hyesan", HYESAN, **COUNTY, parent="KP-10"),
        d1.mention("AGENCY", "Ministry of State Security", MSS, kind="security", country="KP"),
        d1.mention("COUNTY", "Kimjongsuk County", KIMJONGSUK, **COUNTY, parent="KP-10"),
        d2.mention("COUNTY", "Sinuiju", SINUIJU, **COUNTY, parent="KP-07"),
    ]
    return {"documents": [d1.record(), d2.record()], "mentions": mentions, "claims": claims}


def emoji_records() -> dict[str, list[dict[str, Any]]]:
    """One article with emoji (surrogate pairs, a flag, a ZWJ family) before and inside the claim's
    sentence, and a place name spelled with a combining breve."""
    d = Doc("e-001", EMOJI_TEXT, {"title": "Cafe\u0301 talk 🚚 at the border"})
    claim = d.claim(
        "moved", "smuggling", quantity="30", items=(("trucks", "VEHICLE"),),
        places=(("Sinu\u0306iju", "COUNTY", SINUIJU, "KP-07", "destination"),),
        time=("in June 2024", "2024-06-01", "2024-06-30"), attribution="a source told Daily NK",
    )  # fmt: skip
    return {"documents": [d.record()], "mentions": [], "claims": [claim]}


def xss_records() -> dict[str, list[dict[str, Any]]]:
    """One article whose title, URL, source, sentences, label, names and claim type are attack strings
    (load it with validate=False: the label and claim type are not in the schema's enums)."""
    text = f"{XSS['before']} {XSS['sentence']}"
    d = Doc("x-001", text, {"title": XSS["title"], "url": XSS["url"], "source": XSS["source"]})
    claim = d.claim("moved", "smuggling", quantity="30", items=(("trucks", "VEHICLE"),),
                    places=(("Hyesan", "COUNTY", ("KP-10-hyesan", XSS["name"]), "KP-10", "destination"),))  # fmt: skip
    claim["claim_type"] = XSS["claim_type"]
    claim["items"][0]["label"] = XSS["label"]
    claim["items"][0]["class"] = XSS["name"]
    return {"documents": [d.record()], "mentions": [], "claims": [claim]}


def write_run(path: Path, records: dict[str, list[dict[str, Any]]]) -> Path:
    """Write a run directory as the extractor would (sorted-key JSONL and a manifest)."""
    path.mkdir(parents=True, exist_ok=True)
    for kind in ("documents", "mentions", "claims"):
        lines = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records.get(kind, [])]
        (path / f"{kind}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    manifest = {"newsclaims_version": "test", "schema_version": 1, "complete": True}
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return path


def merged(*parts: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {kind: [r for p in parts for r in p.get(kind, [])] for kind in ("documents", "mentions", "claims")}
