"""What grouping compares, read once from each claim record: places as chains, item classes, figure and time intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from .config import CorroborationConfig

# Places that are not administrative units: they add to a match but never decide a conflict.
FEATURE_KINDS = frozenset({"river", "bridge", "crossing", "port", "border", "sea", "mountain"})
VAGUE_PLACES = frozenset({"border"})  # too vague to form a block on their own
# Generic item classes and what they cover ("vehicles" covers "trucks"); None = every class of the label.
GENERIC_ITEMS: dict[tuple[str, str], frozenset[str] | None] = {
    ("VEHICLE", "vehicle"): None,
    ("VEHICLE", "heavy_equipment"): frozenset({"excavator", "bulldozer", "crane", "loader", "tractor"}),
    ("GOODS", "consumer_goods"): frozenset({"food", "textiles", "medicine", "machinery_electrical"}),
}
CURRENCY_UNITS = frozenset({"CNY", "USD", "KPW", "EUR", "JPY", "RUB", "KRW"})


@dataclass(frozen=True, slots=True)
class Figure:
    """A claim's quantity as an interval, after widening approximate figures by the configured tolerance."""

    lo: float
    lo_inc: bool
    hi: float
    hi_inc: bool
    unit: str | None
    per: str | None
    exact: bool  # a single stated number, not a bound or an approximation


@dataclass(frozen=True, slots=True)
class Interval:
    """A claim's time as inclusive day ordinals; `basis` is "stated" or "published" (no time in the claim)."""

    start: int
    end: int
    fuzzy: bool
    basis: str


@dataclass(frozen=True, slots=True)
class ClaimFeatures:
    """The grouping view of one claim (index = its position in the sorted claim list)."""

    index: int
    claim_id: str
    doc_id: str
    claim_type: str
    group: str  # the claim type's blocking group
    negative: bool  # negated or denied: never grouped with positive reports
    leaves: tuple[tuple[str, ...], ...]  # most specific administrative chains, e.g. ("KP", "KP-10", "KP-10-kimjongsuk")
    roots: frozenset[str]  # the countries of the leaves
    countries: frozenset[str]  # countries stated without anything more specific
    features: frozenset[str]  # rivers, bridges, crossings, ports, "border"
    items: frozenset[tuple[str, str]]  # (label, class), generic classes dropped when a specific one is present
    generic: tuple[tuple[str, str], ...]  # the generic items among them ("vehicle"), sorted
    figure: Figure | None
    time: Interval | None
    months: tuple[int, ...]  # year * 12 + month - 1 for every month the interval touches
    block_places: tuple[tuple[str, bool], ...]  # (place id, exact): the claim's leaves exact, their ancestors not
    unblocked: str | None  # why the claim is not grouped (no place, no time, time too vague), or None


def chain_of(loc: Mapping[str, Any]) -> tuple[tuple[str, ...] | None, str]:
    """A location's chain from its country down, and its tier: admin, country or feature."""
    canonical = loc.get("canonical") or {}
    pid = canonical.get("id") if isinstance(canonical, dict) else None
    if not pid:
        return None, "none"
    root = pid.split("-", 1)[0]
    if loc.get("kind") in FEATURE_KINDS or not (len(root) == 2 and root.isupper()):
        return (pid,), "feature"
    if "-" not in pid:
        return (pid,), "country"
    parent = loc.get("parent")
    if parent and parent != pid and parent != root:
        return (root, parent, pid), "admin"
    return (root, pid), "admin"


def _places(claim: Mapping[str, Any]) -> tuple[tuple[tuple[str, ...], ...], frozenset[str], frozenset[str]]:
    chains: set[tuple[str, ...]] = set()
    countries: set[str] = set()
    features: set[str] = set()
    for loc in claim.get("locations") or []:
        chain, tier = chain_of(loc)
        if chain is None:
            continue
        if tier == "admin":
            chains.add(chain)
        elif tier == "country":
            countries.add(chain[0])
        else:
            features.add(chain[0])
    leaves = tuple(sorted(c for c in chains if not any(o != c and o[: len(c)] == c for o in chains)))
    countries -= {leaf[0] for leaf in leaves}
    return leaves, frozenset(countries), frozenset(features)


def _items(claim: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    items = {(str(i.get("label") or ""), str(i["class"])) for i in claim.get("items") or [] if i.get("class")}
    out = set()
    for label, cls in items:
        covers = GENERIC_ITEMS.get((label, cls), frozenset())
        specific = {c for lab, c in items if lab == label and c != cls and (covers is None or c in covers)}
        if (label, cls) in GENERIC_ITEMS and specific:
            continue
        out.add((label, cls))
    return frozenset(out)


def normalize_unit(unit: str | None) -> str | None:
    """Currency codes as given; counted nouns lower-cased and singular ("Trucks" -> "truck")."""
    if not unit:
        return None
    if unit in CURRENCY_UNITS or (len(unit) == 3 and unit.isupper()):
        return unit
    u = unit.lower().strip()
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("s", "")):
        if u.endswith(suffix) and len(u) > len(suffix) + 1:
            return u[: -len(suffix)] + repl
    return u


def figure_of(q: Mapping[str, Any] | None, tolerance: float) -> Figure | None:
    """The interval a quantity allows; None when it has no numbers ("a large volume")."""
    if not q:
        return None
    value, lower, upper = q.get("value"), q.get("lower"), q.get("upper")
    approx = bool(q.get("approximate"))
    unit, per = normalize_unit(q.get("unit")), q.get("per")
    if value is not None:
        v = float(value)
        if approx:
            return Figure(v * (1 - tolerance), True, v * (1 + tolerance), True, unit, per, False)
        return Figure(v, True, v, True, unit, per, True)
    if lower is None and upper is None:
        return None
    lo, lo_inc = (float(lower), q.get("lower_inclusive") is not False) if lower is not None else (0.0, True)
    hi, hi_inc = (float(upper), q.get("upper_inclusive") is not False) if upper is not None else (math.inf, False)
    if approx and lower is None:
        lo, lo_inc = hi * (1 - tolerance), True
    if approx and upper is None:
        hi, hi_inc = lo * (1 + tolerance), True
    return Figure(lo, lo_inc, hi, hi_inc, unit, per, False)


def _day(value: Any) -> int | None:
    return _ordinal(value[:10]) if isinstance(value, str) and len(value) >= 10 else None


@lru_cache(maxsize=65536)
def _ordinal(day: str) -> int | None:
    try:
        return date.fromisoformat(day).toordinal()
    except ValueError:
        return None


def interval_of(claim: Mapping[str, Any], published: str | None, undated_days: int) -> Interval | None:
    """The claim's time interval; a claim without one gets the days before publication (basis "published")."""
    t = claim.get("time")
    if t:
        start, end = _day(t.get("from")), _day(t.get("to"))
        if start is None or end is None or end < start or t.get("resolved") is False:
            return None
        return Interval(start, end, bool(t.get("fuzzy")), "stated")
    pub = _day(published)
    if pub is None or undated_days <= 0:
        return None
    return Interval(pub - undated_days, pub, True, "published")


@lru_cache(maxsize=65536)
def month_index(ordinal: int) -> int:
    """year * 12 + month - 1 of a day ordinal."""
    d = date.fromordinal(ordinal)
    return d.year * 12 + d.month - 1


@lru_cache(maxsize=65536)
def iso(ordinal: int) -> str:
    """ISO date of a day ordinal."""
    return date.fromordinal(ordinal).isoformat()


def claim_features(index: int, claim: Mapping[str, Any], published: str | None, config: CorroborationConfig) -> ClaimFeatures:
    """The grouping view of one claim record."""
    leaves, countries, features = _places(claim)
    time = interval_of(claim, published, config.undated_window_days)
    months: tuple[int, ...] = ()
    unblocked: str | None = None
    if time is not None:
        first, last = month_index(time.start), month_index(time.end)
        if last - first + 1 > config.max_block_months:
            unblocked = f"time spans {last - first + 1} months (over max_block_months {config.max_block_months})"
        else:
            months = tuple(range(first, last + 1))
    elif claim.get("time"):
        unblocked = "its time is open-ended or not resolved"
    else:
        unblocked = "no time, and no publication date to stand in"
    block: dict[str, bool] = {}
    for leaf in leaves:
        block[leaf[-1]] = True
        for depth in range(2, len(leaf)):
            block.setdefault(leaf[depth - 1], False)
    if not block:
        for pid in sorted(countries | (features - VAGUE_PLACES)):
            block[pid] = True
    if not block and unblocked is None:
        unblocked = "no place, or none more specific than the border"
    attribution = claim.get("attribution") or {}
    items = _items(claim)
    return ClaimFeatures(
        index=index,
        claim_id=claim["claim_id"],
        doc_id=claim["doc_id"],
        claim_type=claim["claim_type"],
        group=config.type_group(claim["claim_type"]),
        negative=bool(claim.get("negated")) or attribution.get("status") == "denied",
        leaves=leaves,
        roots=frozenset(leaf[0] for leaf in leaves),
        countries=countries,
        features=features,
        items=items,
        generic=tuple(sorted(i for i in items if i in GENERIC_ITEMS)),
        figure=figure_of(claim.get("quantity"), config.approx_tolerance),
        time=time,
        months=months if unblocked is None else (),
        block_places=tuple(sorted(block.items())) if unblocked is None else (),
        unblocked=unblocked,
    )
