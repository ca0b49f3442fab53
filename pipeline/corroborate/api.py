"""Corroboration entry points: run directories in, an events file out (the pure work is `corroborate_records`)."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from .compare import PairDecision
from .config import CorroborationConfig
from .evaluate import evaluate_events
from .events import build_event, clause_text
from .features import ClaimFeatures, claim_features
from .group import Link, group_claims
from .io import read_runs, write_records
from .minhash import DocumentText, near_duplicates
from .sources import ClaimSource, OutletBook, document_outlet, resolve_source

__all__ = ["CorroborationResult", "CorroborationSummary", "corroborate_records", "corroborate_runs", "evaluate_events"]

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CorroborationSummary:
    """What a corroboration did: inputs, near-duplicates and citations found, blocking work, events written."""

    runs: int
    documents: int
    claims: int
    duplicate_claims: int  # the same claim_id in several runs, read once
    claims_without_document: int  # their document is in no run: the outlet is unknown, the claim still groups
    near_duplicate_documents: int  # documents that copy an earlier one
    citing_claims: int  # claims credited to an outlet they cite
    unblocked_claims: int  # claims too vague in place or time to group (each its own event)
    ambiguous_claims: int  # claims that fit conflicting events about equally well (each its own event)
    blocks: int
    largest_block: int
    windowed_blocks: int
    comparisons: int
    constraint_checks: int
    rejected_merges: int
    links: int
    events: int
    multi_claim_events: int
    multi_source_events: int
    events_written: int
    seconds: float
    out: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CorroborationResult:
    """The events (sorted by event_id) and the counts of one corroboration, before anything is written."""

    events: tuple[dict[str, Any], ...]
    counts: Mapping[str, int]


def _copy_groups(
    claims: Sequence[Mapping[str, Any]], copies: Mapping[str, Any], features: Sequence[ClaimFeatures]
) -> list[list[int]]:
    """Claims that are one claim printed in several near-duplicate documents (same type, same clause text)."""
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for f, claim in zip(features, claims, strict=True):
        original = copies[f.doc_id].original if f.doc_id in copies else f.doc_id
        text = clause_text(claim)
        groups[(original, f.claim_type, _SPACE.sub(" ", text).strip().casefold())].append(f.index)
    return [g for g in groups.values() if len({features[i].doc_id for i in g}) > 1]


def corroborate_records(
    documents: Mapping[str, Mapping[str, Any]],
    claims: Sequence[Mapping[str, Any]],
    *,
    config: CorroborationConfig,
    on_decision: Callable[[PairDecision], None] | None = None,
) -> CorroborationResult:
    """Group claim records into event records (pure: no files)."""
    with collector_paused():
        return _corroborate(documents, claims, config=config, on_decision=on_decision)


def _corroborate(
    documents: Mapping[str, Mapping[str, Any]],
    claims: Sequence[Mapping[str, Any]],
    *,
    config: CorroborationConfig,
    on_decision: Callable[[PairDecision], None] | None,
) -> CorroborationResult:
    claims = sorted(claims, key=lambda c: c["claim_id"])
    with_claims = sorted({c["doc_id"] for c in claims} & set(documents))
    copies = near_duplicates(
        (DocumentText(d, str(documents[d].get("text") or ""), documents[d].get("published")) for d in with_claims),
        threshold=config.near_duplicate_threshold,
        size=config.shingle_size,
        bins=config.minhash_bins,
        bands=config.lsh_bands,
    )
    book = OutletBook([*(document_outlet(d) for d in documents.values()), *config.outlets], config.outlet_aliases)
    sources: list[ClaimSource] = []
    features: list[ClaimFeatures] = []
    for i, claim in enumerate(claims):
        doc = documents.get(claim["doc_id"]) or {"doc_id": claim["doc_id"]}
        copy = copies.get(claim["doc_id"])
        original = documents.get(copy.original) if copy is not None else None
        sources.append(resolve_source(claim, doc, book, copy=copy, original=original))
        features.append(claim_features(i, claim, doc.get("published"), config))
    grouping = group_claims(features, config, copies=_copy_groups(claims, copies, features), on_decision=on_decision)
    links_of: dict[int, list[Link]] = defaultdict(list)
    group_of = {i: g for g, members in enumerate(grouping.groups) for i in members}
    for link in grouping.links:
        links_of[group_of[link.a]].append(link)
    events = [
        build_event(
            members,
            claims=claims,
            features=features,
            sources=sources,
            docs=documents,
            links=links_of[g],
            config=config,
            ambiguous=grouping.ambiguous,
        )
        for g, members in enumerate(grouping.groups)
    ]
    events.sort(key=lambda e: e["event_id"])
    counts = {
        "documents": len(documents),
        "claims": len(claims),
        "near_duplicate_documents": len(copies),
        "citing_claims": sum(s.via == "citation" for s in sources),
        "unblocked_claims": sum(f.unblocked is not None for f in features),
        "ambiguous_claims": len(grouping.ambiguous),
        **grouping.stats.to_dict(),
        "constraint_checks": grouping.constraint_checks,
        "rejected_merges": grouping.rejected_merges,
        "links": len(grouping.links),
        "events": len(events),
        "multi_claim_events": sum(e["claim_count"] > 1 for e in events),
        "multi_source_events": sum(e["source_count"] > 1 for e in events),
    }
    return CorroborationResult(tuple(events), counts)


def corroborate_runs(
    run_dirs: list[Path],
    out: Path,
    *,
    config: CorroborationConfig,
    min_claims: int = 1,
    pairs_out: Path | None = None,
) -> CorroborationSummary:
    """Group the claims of `run_dirs` into events and write them to `out` (JSONL, one event per line, sorted by id).

    Events with fewer than `min_claims` claims are not written; `pairs_out` gets one line per comparison.
    """
    started = time.perf_counter()
    records = read_runs(run_dirs)
    decisions: list[dict[str, Any]] = []
    claims = list(records.claims.values())
    ids = sorted(c["claim_id"] for c in claims)  # decision indexes are positions in claim_id order

    def keep(d: PairDecision) -> None:
        decisions.append(
            {"claims": [ids[d.a], ids[d.b]], "score": round(d.score, 4), "conflict": d.conflict,
             "linked": d.linked(config.threshold), "fields": d.fields_record()}
        )  # fmt: skip

    result = corroborate_records(records.documents, claims, config=config, on_decision=keep if pairs_out is not None else None)
    written = write_records(out, (e for e in result.events if e["claim_count"] >= min_claims))
    if pairs_out is not None:
        write_records(pairs_out, sorted(decisions, key=lambda r: r["claims"]))
    return CorroborationSummary(
        runs=len(run_dirs),
        duplicate_claims=records.duplicate_claims,
        claims_without_document=records.claims_without_document,
        events_written=written,
        seconds=round(time.perf_counter() - started, 3),
        out=str(out),
        **result.counts,
    )
