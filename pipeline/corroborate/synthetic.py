"""Synthetic claim records with a known grouping, for the scaling test and the benchmark.

Events (a claim type, a county, a month, an item class, a true count) are reported by one to four
outlets; some reports give only the province, a fuzzy time or no time, some documents are republished
copies. The time span grows with the number of claims (about 1,000 claims a month, as in a busy archive),
unless `months` fixes it; then the blocks grow with the number of claims.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..types import stable_id

PROVINCES = ("KP-03", "KP-04", "KP-09", "KP-10", "KP-13")
COUNTIES_PER_PROVINCE = 12
TYPES = ("smuggling", "trade", "seizure", "arrest", "price", "crackdown")
ITEMS = (("VEHICLE", "truck"), ("VEHICLE", "car"), ("VEHICLE", "excavator"), ("GOODS", "food"), ("GOODS", "coal"))
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")  # fmt: skip


@dataclass(frozen=True)
class SyntheticCorpus:
    """Documents by id, claim records, and the true event of every claim."""

    documents: dict[str, dict[str, Any]]
    claims: list[dict[str, Any]]
    truth: dict[str, str]  # claim_id -> event key


def _month_bounds(month: int) -> tuple[date, date]:
    first = date(2020 + month // 12, month % 12 + 1, 1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _claim(doc_id: str, index: int, offset: int, text: str, **fields: Any) -> dict[str, Any]:
    end = offset + len(text)
    return {
        "claim_id": "c" + stable_id(doc_id, index, text),
        "doc_id": doc_id,
        "schema_version": 1,
        "sentence": {"index": index, "start": offset, "end": end, "text": text, "span": {"start": offset, "end": end}},
        "negated": False,
        "attribution": {"status": "reported", "source": None, "text": None, "start": None, "end": None},
        **fields,
    }


def synthetic_corpus(n_claims: int, *, seed: int = 0, months: int | None = None, words: int = 40) -> SyntheticCorpus:
    """At least `n_claims` claims with their documents (each with `words` words of filler) and true events."""
    rng = random.Random(seed)
    months = months or max(1, round(n_claims / 1000))
    outlets = [f"Outlet {i:02d}" for i in range(40)]
    vocabulary = [f"w{i}" for i in range(2000)]
    reports: list[tuple[str, dict[str, Any]]] = []  # (event key, claim fields and text)
    e = -1
    while len(reports) < n_claims:
        e += 1
        ctype, province = rng.choice(TYPES), rng.choice(PROVINCES)
        county = f"{province}-county{rng.randrange(COUNTIES_PER_PROVINCE):02d}"
        month, (label, cls) = rng.randrange(months), rng.choice(ITEMS)
        count = rng.choice((20, 40, 60, 100, 150, 300))
        start, end = _month_bounds(month)
        key = f"event{e}"
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            specific = rng.random() > 0.1
            loc: dict[str, Any] = (
                {"label": "COUNTY", "canonical": {"id": county, "name": county}, "kind": "county", "parent": province}
                if specific
                else {"label": "PROVINCE", "canonical": {"id": province, "name": province}, "kind": "province", "parent": None}
            )
            roll = rng.random()
            time: dict[str, Any] | None
            if roll < 0.1:
                time = {"text": "recently", "from": (end - timedelta(days=89)).isoformat(), "to": end.isoformat(), "fuzzy": True}
            elif roll < 0.15:
                time = None
            else:
                time = {"text": f"in {MONTH_NAMES[start.month - 1]}", "from": start.isoformat(), "to": end.isoformat()}
            approx = rng.random() < 0.3
            quantity = {"text": f"{'about ' if approx else ''}{count}", "value": count, "lower": None if approx else count,
                        "upper": None if approx else count, "approximate": approx, "vague": False, "unit": cls + "s",
                        "per": None}  # fmt: skip
            text = f"{quantity['text']} {cls}s {ctype} at {loc['canonical']['id']} {time['text'] if time else ''} {key}"
            fields = {"claim_type": ctype, "locations": [loc], "time": time, "quantity": quantity,
                      "items": [{"label": label, "class": cls, "text": cls + "s"}], "published": end.isoformat()}  # fmt: skip
            reports.append((key, {"text": text, "outlet": rng.choice(outlets), **fields}))
    rng.shuffle(reports)
    documents: dict[str, dict[str, Any]] = {}
    claims: list[dict[str, Any]] = []
    truth: dict[str, str] = {}
    i = 0
    while i < len(reports):
        batch = reports[i : i + rng.choice((1, 2, 3, 4))]
        i += len(batch)
        doc_id = f"syn-{len(documents):07d}"
        copies = [doc_id] + ([f"{doc_id}-copy"] if rng.random() < 0.05 else [])
        filler = " ".join(rng.choices(vocabulary, k=words))  # distinct prose around the claims
        text = f"Report {doc_id}. " + " ".join(r["text"] + "." for _, r in batch) + " " + filler
        published = max(r["published"] for _, r in batch)
        for n, cid in enumerate(copies):
            outlet = batch[0][1]["outlet"] if n == 0 else rng.choice(outlets)
            body = text + (" Republished." if n else "")
            documents[cid] = {"doc_id": cid, "text": body, "published": published, "source": outlet}
            offset = len(f"Report {doc_id}. ")
            for index, (key, r) in enumerate(batch):
                fields = {k: v for k, v in r.items() if k not in ("text", "outlet", "published")}
                claim = _claim(cid, index, offset, r["text"] + ".", **fields)
                offset += len(r["text"]) + 2
                claims.append(claim)
                truth[claim["claim_id"]] = key
    return SyntheticCorpus(documents, claims, truth)
