"""Blocking: which claims are compared at all, so the work grows with the number of claims, not its square.

A claim joins one block per (claim type group, place, month) it touches. Its most specific places join as
*exact* members; the units that contain them (the province of a county) join as *inside* members. Inside a
block, exact members are compared with each other and with the inside members, never two inside members
with each other (two different counties of one province conflict anyway, and two claims about the same
county meet in that county's block), and only when their items may match (a claim about trucks is not
compared with one about excavators; one that names no goods or only "vehicles" is compared with all).
A block whose pairs would exceed `max_block_pairs` is compared by sorted neighbourhood instead: each
claim against the next `window` claims in (item, start day) order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .config import CorroborationConfig
from .features import ClaimFeatures

BlockKey = tuple[str, str, int]  # (claim type group, place id, month index)


@dataclass(frozen=True)
class BlockStats:
    """How much blocking left to compare."""

    blocks: int
    largest_block: int
    windowed_blocks: int  # blocks compared by sorted neighbourhood (recall may suffer there)
    comparisons: int  # distinct claim pairs compared

    def to_dict(self) -> dict[str, int]:
        return {
            "blocks": self.blocks,
            "largest_block": self.largest_block,
            "windowed_blocks": self.windowed_blocks,
            "comparisons": self.comparisons,
        }


def build_blocks(features: Sequence[ClaimFeatures]) -> dict[BlockKey, tuple[list[int], list[int]]]:
    """Every block with its exact and inside members (claim indexes, ascending)."""
    blocks: dict[BlockKey, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for f in features:
        for place, exact in f.block_places:
            for month in f.months:
                blocks[(f.group, place, month)][0 if exact else 1].append(f.index)
    return dict(blocks)


def _wild(f: ClaimFeatures) -> bool:
    """True when the claim's items cannot rule anything out (none named, or a generic one like "vehicles")."""
    return not f.items or bool(f.generic)


def _may_share_items(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    return _wild(a) or _wild(b) or not a.items.isdisjoint(b.items)


def _block_pairs(exact: list[int], inside: list[int], features: Sequence[ClaimFeatures]) -> Iterator[tuple[int, int]]:
    """Exact x exact and exact x inside pairs whose items may match (claims naming different goods never do)."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    wild: list[int] = []
    for i in (*exact, *inside):
        if _wild(features[i]):
            wild.append(i)
        else:
            for item in features[i].items:
                index[item].append(i)
    is_exact = set(exact)
    for a in exact:
        if _wild(features[a]):
            partners: Iterable[int] = (*exact, *inside)
        else:
            partners = (*wild, *(b for item in features[a].items for b in index[item]))
        for b in partners:
            if b != a and (b not in is_exact or b > a or _wild(features[b])):
                yield a, b


def _order(f: ClaimFeatures) -> tuple[str, int, int]:
    first_item = min((c for _, c in f.items), default="")
    return (first_item, f.time.start if f.time else 0, f.index)


def candidate_pairs(features: Sequence[ClaimFeatures], config: CorroborationConfig) -> tuple[list[tuple[int, int]], BlockStats]:
    """The distinct pairs (a < b) that share a block, in a deterministic order, and the blocking statistics."""
    blocks = build_blocks(features)
    n = len(features)
    seen: set[int] = set()
    pairs: list[tuple[int, int]] = []
    windowed = largest = 0

    def add(a: int, b: int) -> None:
        if a > b:
            a, b = b, a
        key = a * n + b
        if key not in seen:
            seen.add(key)
            pairs.append((a, b))

    for key in sorted(blocks):
        exact, inside = blocks[key]
        largest = max(largest, len(exact) + len(inside))
        work = len(exact) * (len(exact) - 1) // 2 + len(exact) * len(inside)
        if work <= config.max_block_pairs:
            for a, b in _block_pairs(exact, inside, features):
                add(a, b)
            continue
        windowed += 1
        is_exact = set(exact)
        members = sorted([*exact, *inside], key=lambda i: _order(features[i]))
        for i, a in enumerate(members):
            for b in members[i + 1 : i + 1 + config.window]:
                if (a in is_exact or b in is_exact) and _may_share_items(features[a], features[b]):
                    add(a, b)
    return pairs, BlockStats(len(blocks), largest, windowed, len(pairs))
