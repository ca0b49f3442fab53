"""`newsclaims review stats`: progress per reviewer, and Cohen's kappa where two reviewers judged the same claims."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

from ..output.db import connect
from .cards import progress
from .store import current_decisions

JUDGEMENTS = ("accept", "correct", "reject")  # what agreement is measured on; skips and flags are not judgements


@dataclass(frozen=True)
class ReviewerStats:
    """One reviewer's live decisions over the current claims."""

    reviewer: str
    total: int
    reviewed: int
    accepted: int
    rejected: int
    corrected: int
    flagged: int
    skipped: int


@dataclass(frozen=True)
class Agreement:
    """Agreement of two reviewers on the claims both accepted, corrected or rejected."""

    first: str
    second: str
    claims: int
    observed: float | None  # share of those claims with the same decision
    kappa: float | None  # over accept / correct / reject; None when undefined
    kappa_kept: float | None  # over kept (accept or correct) / rejected


@dataclass(frozen=True)
class ReviewStats:
    total_claims: int
    reviewers: tuple[ReviewerStats, ...]
    agreements: tuple[Agreement, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' labels, (po - pe) / (1 - pe); None for no pairs, or when pe is 1
    (both raters used one and the same label throughout, so chance explains every agreement)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def _kept(label: str) -> str:
    return "reject" if label == "reject" else "kept"


def agreement(first: str, second: str, labels: dict[str, dict[str, str]]) -> Agreement:
    """How two reviewers agree on the claims both judged (`labels`: reviewer -> claim -> decision)."""
    a, b = labels.get(first, {}), labels.get(second, {})
    shared = sorted(set(a) & set(b))
    pairs = [(a[c], b[c]) for c in shared]
    observed = sum(x == y for x, y in pairs) / len(pairs) if pairs else None
    kept = [(_kept(x), _kept(y)) for x, y in pairs]
    return Agreement(first, second, len(pairs), observed, cohen_kappa(pairs), cohen_kappa(kept))


def review_stats(db_url: str) -> ReviewStats:
    """Progress of every reviewer and the agreement of every pair who judged claims in common."""
    with connect(db_url, create=False) as db:
        total = int(db.scalar("SELECT COUNT(*) FROM claims WHERE is_current") or 0)
        current = {c for (c,) in db.query("SELECT claim_id FROM claims WHERE is_current")}
        live = current_decisions(db)
        labels: dict[str, dict[str, str]] = {}
        for (claim_id, reviewer), decision in live.items():
            if claim_id in current and decision.decision in JUDGEMENTS:
                labels.setdefault(reviewer, {})[claim_id] = decision.decision
        names = sorted({reviewer for (_, reviewer) in live})
        reviewers = []
        for name in names:
            p = progress(db, name)
            c = p.counts
            reviewers.append(
                ReviewerStats(name, p.total, p.reviewed, c["accept"], c["reject"], c["correct"], c["flag"], c["skip"])
            )
    pairs = tuple(agreement(x, y, labels) for x, y in combinations(names, 2))
    return ReviewStats(total, tuple(reviewers), tuple(p for p in pairs if p.claims))


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return [line.rstrip() for line in lines]


def format_stats(stats: ReviewStats) -> str:
    """A plain-text report: one row per reviewer, then one per pair of reviewers."""
    if not stats.reviewers:
        return f"{stats.total_claims} claims, none reviewed yet."
    rows = [
        [
            r.reviewer,
            f"{r.reviewed} / {r.total}",
            str(r.accepted),
            str(r.rejected),
            str(r.corrected),
            str(r.flagged),
            str(r.skipped),
        ]
        for r in stats.reviewers
    ]
    lines = _table(["reviewer", "reviewed", "accepted", "rejected", "corrected", "flagged", "skipped"], rows)
    if stats.agreements:
        pair_rows = [
            [f"{a.first} / {a.second}", str(a.claims), _fmt(a.observed), _fmt(a.kappa), _fmt(a.kappa_kept)]
            for a in stats.agreements
        ]
        lines += ["", *_table(["reviewers", "claims", "agreement", "kappa", "kappa kept/rejected"], pair_rows)]
        lines.append(
            "kappa: Cohen's kappa over accept / correct / reject on the claims both judged (1 = full agreement, "
            "0 = what chance gives); n/a when undefined."
        )
    else:
        lines += ["", "No two reviewers judged the same claims yet: no agreement to report."]
    return "\n".join(lines)
