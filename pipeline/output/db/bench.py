"""Benchmark: synthesise a run directory of N claims and time loading it (first load, then a no-op reload).

python -m pipeline.output.db.bench 100000 sqlite:///bench.db postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...types import stable_id, text_sha256
from . import LoadReport, connect, load_runs
from .postgres import import_psycopg
from .urls import parse_url

CLAIMS_PER_DOC = 5
_COUNTIES = [
    ("KP-10-hyesan", "Hyesan", "KP-10", "Ryanggang Province"),
    ("KP-10-kimjongsuk", "Kimjongsuk County", "KP-10", "Ryanggang Province"),
    ("KP-09-hoeryong", "Hoeryong", "KP-09", "North Hamgyong Province"),
    ("KP-07-sinuiju", "Sinuiju", "KP-07", "North Pyongan Province"),
]
_VEHICLES = [("truck", "Dongfeng trucks"), ("car", "Toyota sedans"), ("excavator", "excavators")]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]  # fmt: skip


def _ref(doc_id: str, label: str, text: str, start: int, canonical: dict[str, str] | None) -> dict[str, Any]:
    end = start + len(text)
    mention_id = "m" + stable_id(doc_id, label, start, end)
    return {"mention_id": mention_id, "label": label, "text": text, "start": start, "end": end, "canonical": canonical}


def _sentence(doc_id: str, index: int, offset: int, n: int, variant: int) -> tuple[str, list[Any], dict[str, Any]]:
    """One sentence's text, its mention records and its claim record, with offsets from `offset`."""
    county_id, county, province_id, province = _COUNTIES[n % len(_COUNTIES)]
    vehicle_class, vehicle = _VEHICLES[n % len(_VEHICLES)]
    month = n % 12 + 1
    year = 2023 + n % 3
    count = 10 + n % 90 + variant
    parts = ["Customs officers", " seized ", str(count), " ", vehicle, " in ", county, ", ", province, ", in ",
             f"{_MONTHS[month - 1]} {year}", "."]  # fmt: skip
    starts = [offset + sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    text = "".join(parts)
    agency = _ref(doc_id, "AGENCY", parts[0], starts[0], {"id": "KP-CUSTOMS", "name": "North Korean customs"})
    quantity = _ref(doc_id, "QUANTITY", parts[2], starts[2], None)
    item = _ref(doc_id, "VEHICLE", vehicle, starts[4], {"id": vehicle_class, "name": vehicle_class})
    place = _ref(doc_id, "COUNTY", county, starts[6], {"id": county_id, "name": county})
    prov = _ref(doc_id, "PROVINCE", province, starts[8], {"id": province_id, "name": province})
    qty = {"value": count, "lower": count, "upper": count, "lower_inclusive": True, "upper_inclusive": True,
           "approximate": False, "vague": False, "unit": None, "per": None}  # fmt: skip
    mentions = [
        {**agency, "doc_id": doc_id, "sentence_index": index, "kind": "customs", "country": "KP"},
        {**quantity, "doc_id": doc_id, "sentence_index": index, "quantity": qty},
        {**item, "doc_id": doc_id, "sentence_index": index, "vehicle_class": vehicle_class, "origin": "CN"},
        {**place, "doc_id": doc_id, "sentence_index": index, "admin_level": "county", "parent": province_id,
         "former_name": False},
        {**prov, "doc_id": doc_id, "sentence_index": index, "admin_level": "province", "parent": None,
         "former_name": False},
    ]  # fmt: skip
    end = offset + len(text)
    time_start = starts[10]
    claim = {
        "claim_id": "c" + stable_id(doc_id, index, text),
        "doc_id": doc_id,
        "claim_type": "seizure",
        "schema_version": 1,
        "sentence": {"index": index, "start": offset, "end": end, "text": text,
                     "selector": {"type": "TextQuoteSelector", "exact": text, "prefix": "", "suffix": ""},
                     "span": {"start": offset, "end": end}},
        "trigger": {"text": "seized", "start": starts[1] + 1, "end": starts[1] + 7, "lemma": "seize"},
        "quantity": {"text": parts[2], "start": starts[2], "end": starts[3], **qty},
        "items": [{**item, "class": vehicle_class, "origin": "CN", "sanctions": []}],
        "locations": [{**place, "kind": None, "parent": province_id, "role": "site"},
                      {**prov, "kind": None, "parent": None, "role": None}],
        "agencies": [{**agency, "role": "enforcer"}],
        "time": {"text": parts[10], "start": time_start, "end": time_start + len(parts[10]),
                 "from": f"{year}-{month:02d}-01", "to": f"{year}-{month:02d}-28", "granularity": "month",
                 "relation": "at", "anchored_to": None, "fuzzy": False, "resolved": True},
        "attribution": {"text": None, "start": None, "end": None, "source": None, "status": "asserted"},
        "negated": False,
        "sanctions": [],
    }  # fmt: skip
    return text, mentions, claim


def synth_run(run_dir: str | Path, n_claims: int, *, variant: int = 0) -> dict[str, int]:
    """Write a valid run directory of `n_claims` claims (5 per document); return the record counts.

    `variant` shifts the stated quantities, so two variants are the same articles "re-extracted" with
    every claim changed.
    """
    path = Path(run_dir)
    path.mkdir(parents=True, exist_ok=True)
    counts = {"documents": 0, "mentions": 0, "claims": 0}
    with (
        (path / "documents.jsonl").open("w", encoding="utf-8") as docs,
        (path / "mentions.jsonl").open("w", encoding="utf-8") as mentions,
        (path / "claims.jsonl").open("w", encoding="utf-8") as claims,
    ):
        n = 0
        while n < n_claims:
            doc_id = f"bench-{counts['documents']:07d}"
            texts: list[str] = []
            spans: list[list[int]] = []
            offset = 0
            for index in range(min(CLAIMS_PER_DOC, n_claims - n)):
                text, mention_recs, claim = _sentence(doc_id, index, offset, n, variant)
                texts.append(text)
                spans.append([offset, offset + len(text)])
                offset += len(text) + 1
                for rec in mention_recs:
                    mentions.write(json.dumps(rec, sort_keys=True, ensure_ascii=False) + "\n")
                claims.write(json.dumps(claim, sort_keys=True, ensure_ascii=False) + "\n")
                counts["mentions"] += len(mention_recs)
                counts["claims"] += 1
                n += 1
            full = " ".join(texts)
            doc = {"doc_id": doc_id, "url": f"https://example.org/{doc_id}", "final_url": None,
                   "title": f"Seizures report {doc_id}", "author": None, "published": "2025-06-01",
                   "source": "Bench News", "site": "example.org", "language": "en", "obtained": "jsonl",
                   "text": full, "text_sha256": text_sha256(full), "sentences": spans}  # fmt: skip
            docs.write(json.dumps(doc, sort_keys=True, ensure_ascii=False) + "\n")
            counts["documents"] += 1
    manifest = {"newsclaims_version": "bench", "schema_version": 1, "counts": counts, "complete": True}
    (path / "manifest.json").write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    return counts


def bench_load(n_claims: int, db_url: str, *, validate: bool = True, changed: bool = False) -> dict[str, Any]:
    """Time loading `n_claims` synthetic claims into `db_url`: a first load, then an unchanged reload, and with
    `changed` a reload of the same articles re-extracted with every claim changed.

    Use an empty database: the bench's documents (ids `bench-*`) are loaded into it and left there.
    `validate=False` skips the JSON Schema check, to show what it costs.
    """
    with tempfile.TemporaryDirectory(prefix="newsclaims-bench-") as tmp:
        clock = time.perf_counter()
        counts = synth_run(Path(tmp) / "run", n_claims)
        synth = time.perf_counter() - clock
        connect(db_url).close()  # create the schema outside the timings
        first, load = _timed_load(Path(tmp) / "run", db_url, validate)
        second, reload = _timed_load(Path(tmp) / "run", db_url, validate)
        if changed:
            synth_run(Path(tmp) / "changed", n_claims, variant=1)
            third, changed_reload = _timed_load(Path(tmp) / "changed", db_url, validate)
    claims_first = first.runs[0].count("claims")
    claims_second = second.runs[0].count("claims")
    result = {
        "db": parse_url(db_url).masked,
        "claims": counts["claims"],
        "documents": counts["documents"],
        "mentions": counts["mentions"],
        "synth_seconds": round(synth, 2),
        "load_seconds": round(load, 2),
        "reload_seconds": round(reload, 2),
        "claims_per_second": round(counts["claims"] / load) if load else None,
        "validated": validate,
        "inserted": claims_first.inserted,
        "reload_unchanged": claims_second.unchanged,
    }
    if changed:
        result["changed_reload_seconds"] = round(changed_reload, 2)
        result["changed_inserted"] = third.runs[0].count("claims").inserted
    return result


def _timed_load(run: Path, db_url: str, validate: bool) -> tuple[LoadReport, float]:
    clock = time.perf_counter()
    report = load_runs([run], db_url, validate=validate)
    return report, time.perf_counter() - clock


@contextmanager
def empty_database(db_url: str | None) -> Iterator[str]:
    """An empty database for the bench: a new SQLite file, or a new schema in the PostgreSQL database at
    `db_url`, dropped afterwards. The bench loads into a database that has none of its documents yet."""
    if db_url is None or parse_url(db_url).dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="newsclaims-bench-db-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    psycopg = import_psycopg()
    schema = f"newsclaims_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(parse_url(db_url).target, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            separator = "&" if "?" in db_url else "?"
            yield f"{db_url}{separator}options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bench_loads(n_claims: int, postgres_url: str | None = None) -> list[dict[str, Any]]:
    """`bench_load` into a new SQLite file and, given a PostgreSQL URL (default: the environment's
    NEWSCLAIMS_BENCH_POSTGRES, if set), into a new schema of that database."""
    postgres_url = postgres_url or os.environ.get("NEWSCLAIMS_BENCH_POSTGRES") or None
    results = []
    for url in (None, postgres_url) if postgres_url else (None,):
        with empty_database(url) as empty:
            results.append(bench_load(n_claims, empty))
    return results


# The goals of issue #5: loading 100k claims takes seconds, not minutes.
GOAL_SECONDS = {"sqlite": 10.0, "postgresql": 15.0}


def format_loads(results: list[dict[str, Any]]) -> str:
    """One line per database: first load (with the goal) and unchanged reload."""
    lines = []
    for r in results:
        dialect = "postgresql" if r["db"].startswith("postgresql") else "sqlite"
        name = "PostgreSQL" if dialect == "postgresql" else "SQLite"
        lines.append(
            f"load {r['claims']:,} claims ({r['mentions']:,} mentions) into {name}: first load {r['load_seconds']:.1f} s "
            f"({r['claims_per_second']:,} claims/s; goal: 100,000 in under {GOAL_SECONDS[dialect]:.0f} s), "
            f"unchanged reload {r['reload_seconds']:.1f} s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.output.db.bench [N] [DB_URL ...]`: print the timings as JSON.

    Each URL gets an empty database: SQLite a new file (whatever the URL's path), PostgreSQL a new schema,
    dropped afterwards. With no URL, SQLite.
    """
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 100_000
    urls: list[str | None] = [*args[1:]] or [None]
    results = []
    for url in urls:
        with empty_database(url) as empty:
            results.append(bench_load(n, empty, changed=True))
    print(json.dumps(results, indent=2))
    print(format_loads(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
