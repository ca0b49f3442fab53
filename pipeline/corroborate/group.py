"""Grouping: links between compatible claims, merged strongest first, never joining two claims that conflict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .blocking import BlockStats, candidate_pairs
from .compare import PairDecision, compare
from .config import CorroborationConfig
from .features import ClaimFeatures


@dataclass(frozen=True)
class Link:
    """Why two claims are in one event: a field comparison, or the same sentence in a republished copy."""

    a: int
    b: int
    reason: str  # "fields" or "republication"
    decision: PairDecision | None


@dataclass(frozen=True)
class Grouping:
    """The events as lists of claim indexes (sorted), the links that built them, and the work done."""

    groups: tuple[tuple[int, ...], ...]
    links: tuple[Link, ...]
    stats: BlockStats
    constraint_checks: int  # extra comparisons made to keep conflicting claims apart
    rejected_merges: int  # links not applied because a claim of one side conflicts with one of the other
    ambiguous: Mapping[int, str]  # claims left alone because they fit conflicting claims about equally well


class _Components:
    """Union-find that also keeps each component's members (to check conflicts before a merge)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))


def group_claims(
    features: Sequence[ClaimFeatures],
    config: CorroborationConfig,
    *,
    copies: Sequence[Sequence[int]] = (),
    on_decision: Callable[[PairDecision], None] | None = None,
) -> Grouping:
    """Group claims into events; `copies` lists claims that are one claim in republished documents.

    `on_decision` sees every comparison made inside the blocks (for an explanation file).
    """
    comps = _Components(len(features))
    links: list[Link] = []
    for copy_group in copies:
        first, *rest = sorted(copy_group)
        for other in rest:
            if comps.find(first) != comps.find(other):
                comps.union(first, other)
                links.append(Link(first, other, "republication", None))
    pairs, stats = candidate_pairs(features, config)
    accepted: list[PairDecision] = []
    conflicts: set[tuple[int, int]] = set()
    compatible: set[tuple[int, int]] = set()  # compared, no conflict (linked or not)
    explain = on_decision is not None
    for a, b in pairs:
        d = compare(features[a], features[b], config, explain=explain)
        if on_decision is not None:
            on_decision(d)
        if d.conflict is not None:
            conflicts.add((a, b))
            continue
        compatible.add((a, b))
        if d.score >= config.threshold:
            accepted.append(d)
    accepted.sort(key=lambda d: (-d.score, d.a, d.b))
    checks = 0

    def conflicting(x: int, y: int) -> bool:
        nonlocal checks
        key = (x, y) if x < y else (y, x)
        if key in conflicts:
            return True
        if key in compatible:
            return False
        checks += 1
        if compare(features[key[0]], features[key[1]], config, explain=False).conflict is None:
            compatible.add(key)
            return False
        conflicts.add(key)
        return True

    ambiguous = _ambiguous(accepted, features, config, conflicting)
    accepted = [d for d in accepted if d.a not in ambiguous and d.b not in ambiguous]
    rejected = 0
    for d in accepted:
        ra, rb = comps.find(d.a), comps.find(d.b)
        if ra == rb:
            continue
        if any(conflicting(x, y) for x in comps.members[ra] for y in comps.members[rb]):
            rejected += 1
            continue
        comps.union(d.a, d.b)
        links.append(Link(d.a, d.b, "fields", d if explain else compare(features[d.a], features[d.b], config)))
    groups = tuple(sorted(tuple(sorted(m)) for m in comps.members.values()))
    return Grouping(groups, tuple(links), stats, checks, rejected, ambiguous)


def _ambiguous(
    accepted: Sequence[PairDecision],
    features: Sequence[ClaimFeatures],
    config: CorroborationConfig,
    conflicting: Callable[[int, int], bool],
) -> dict[int, str]:
    """Claims whose best link and a link to a claim that conflicts with it are within `ambiguity_margin`.

    A vague claim ("more than 100 trucks in Ryanggang Province recently") fits the runs of two counties and
    two months equally well; joining it to whichever scored a hair higher would invent a corroboration.
    """
    partners: dict[int, list[tuple[float, int]]] = {}
    for d in accepted:
        partners.setdefault(d.a, []).append((d.score, d.b))
        partners.setdefault(d.b, []).append((d.score, d.a))
    out: dict[int, str] = {}
    for x in sorted(partners):
        ranked = sorted(partners[x], key=lambda sy: (-sy[0], sy[1]))
        best_score, best = ranked[0]
        for score, other in ranked[1:]:
            if best_score - score >= config.ambiguity_margin:
                break
            if conflicting(best, other):
                out[x] = (
                    f"ambiguous: fits {features[best].claim_id} ({best_score:.2f}) and {features[other].claim_id} "
                    f"({score:.2f}), which conflict"
                )
                break
    return out
