"""Compatibility of two claims, field by field, with a score and a reason a reader can check."""

from __future__ import annotations

import math
from typing import NamedTuple

from .config import CorroborationConfig
from .features import CURRENCY_UNITS, GENERIC_ITEMS, ClaimFeatures, Figure, iso

FIELDS = ("place", "time", "items", "quantity")


class FieldMatch(NamedTuple):
    """How one field of two claims compares: status (equal, nested, overlap, differs, missing, conflict ...), score 0-1.

    A NamedTuple rather than a frozen dataclass: grouping makes millions of them, and tuples are built in C.
    """

    field: str
    status: str
    score: float
    detail: str

    def to_record(self) -> dict[str, object]:
        return {"status": self.status, "score": round(self.score, 4), "detail": self.detail}


class PairDecision(NamedTuple):
    """The comparison of claims a and b (indexes, a < b): the field matches, the weighted score, any conflict."""

    a: int
    b: int
    score: float
    fields: tuple[FieldMatch, ...]
    conflict: str | None  # the field that rules the pair out, or None

    def linked(self, threshold: float) -> bool:
        """True when nothing conflicts and the score reaches the threshold."""
        return self.conflict is None and self.score >= threshold

    def fields_record(self) -> dict[str, dict[str, object]]:
        return {f.field: f.to_record() for f in self.fields}


def _missing(field: str, config: CorroborationConfig, detail: str) -> FieldMatch:
    return FieldMatch(field, "missing", config.missing_score, detail)


def match_polarity(a: ClaimFeatures, b: ClaimFeatures) -> FieldMatch | None:
    """A conflict when one claim is negated or denied and the other is not."""
    if a.negative != b.negative:
        return FieldMatch("polarity", "conflict", 0.0, "one claim is negated or denied, the other is not")
    return None


def match_time(a: ClaimFeatures, b: ClaimFeatures, config: CorroborationConfig, explain: bool = True) -> FieldMatch:
    """Overlapping intervals match; the score is sqrt(days in common / days in either), halved when fuzzy."""
    ta, tb = a.time, b.time
    if ta is None or tb is None:
        return _missing("time", config, "a claim has no time")
    common = min(ta.end, tb.end) - max(ta.start, tb.start) + 1
    span = f"{iso(ta.start)}..{iso(ta.end)} vs {iso(tb.start)}..{iso(tb.end)}" if explain else ""
    if common + config.time_slack_days <= 0:
        return FieldMatch("time", "conflict", 0.0, f"no overlap: {span}" if explain else "")
    either = max(ta.end, tb.end) - min(ta.start, tb.start) + 1
    score = math.sqrt(common / either) if common > 0 else 0.1
    if ta.start == tb.start and ta.end == tb.end:
        status = "equal"
    elif (ta.start <= tb.start and tb.end <= ta.end) or (tb.start <= ta.start and ta.end <= tb.end):
        status = "nested"
    else:
        status = "overlap"
    if ta.fuzzy or tb.fuzzy:
        score *= 0.5
        if explain:
            span += " (publication date)" if "published" in (ta.basis, tb.basis) else " (fuzzy time)"
    return FieldMatch("time", status, score, span)


def _is_prefix(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    return len(short) <= len(long) and long[: len(short)] == short


def match_place(a: ClaimFeatures, b: ClaimFeatures, config: CorroborationConfig, explain: bool = True) -> FieldMatch:
    """Same unit, or one inside the other (a county in its province); different units of one country conflict."""
    shared = a.roots & b.roots
    if shared:
        root = "KP" if "KP" in shared else min(shared)  # North Korean places decide first
        la = [leaf for leaf in a.leaves if leaf[0] == root]
        lb = [leaf for leaf in b.leaves if leaf[0] == root]
        best: tuple[float, str, tuple[str, ...], tuple[str, ...]] | None = None
        for x in la:
            for y in lb:
                if x == y:
                    m = (1.0 if len(x) >= 3 else 0.8, "equal", x, y)
                elif _is_prefix(x, y) or _is_prefix(y, x):
                    m = (0.6, "nested", x, y)
                else:
                    continue
                if best is None or m[0] > best[0]:
                    best = m
        if best is None:
            names = " / ".join(leaf[-1] for leaf in la) + " vs " + " / ".join(leaf[-1] for leaf in lb) if explain else ""
            return FieldMatch("place", "conflict", 0.0, f"different places: {names}" if explain else "")
        score, status, x, y = best
        detail = ""
        if explain:
            inner, outer = (y, x) if len(x) < len(y) else (x, y)
            detail = x[-1] if status == "equal" else f"{inner[-1]} in {outer[-1]}"
        return FieldMatch("place", status, score if root == "KP" else score * 0.8, detail)
    common = (a.features | a.countries) & (b.features | b.countries)
    if common:
        return FieldMatch("place", "weak", 0.3, "only " + ", ".join(sorted(common)) + " in common" if explain else "")
    return _missing("place", config, "no place in common to compare")


def match_items(a: ClaimFeatures, b: ClaimFeatures, config: CorroborationConfig, explain: bool = True) -> FieldMatch:
    """Shared classes match; a generic class ("vehicles") matches the classes it covers; others conflict."""
    if not a.items or not b.items:
        return _missing("items", config, "a claim names no goods or vehicles")
    shared = a.items & b.items
    if shared:
        score = len(shared) / min(len(a.items), len(b.items))
        status = "equal" if a.items == b.items else "overlap"
        return FieldMatch("items", status, score, ", ".join(sorted(c for _, c in shared)) if explain else "")
    for x, y in ((a, b), (b, a)):
        for label, cls in x.generic:
            covers = GENERIC_ITEMS[(label, cls)]
            hit = sorted(c for lab, c in y.items if lab == label and (covers is None or c in covers))
            if hit:
                return FieldMatch("items", "nested", 0.6, f"{hit[0]} is a kind of {cls}")
    if not explain:
        return FieldMatch("items", "conflict", 0.0, "")
    names = ", ".join(sorted(c for _, c in a.items)) + " vs " + ", ".join(sorted(c for _, c in b.items))
    return FieldMatch("items", "conflict", 0.0, f"different items: {names}")


def _fmt(f: Figure) -> str:
    lo = ("[" if f.lo_inc else "(") + f"{f.lo:g}"
    hi = ("inf" if math.isinf(f.hi) else f"{f.hi:g}") + ("]" if f.hi_inc else ")")
    return f"{lo}, {hi}" + (f" {f.unit}" if f.unit else "")


def overlaps(x: Figure, y: Figure) -> bool:
    """True when the two intervals share at least one number."""
    lo, lo_inc = (x.lo, x.lo_inc) if (x.lo, not x.lo_inc) > (y.lo, not y.lo_inc) else (y.lo, y.lo_inc)
    hi, hi_inc = (x.hi, x.hi_inc) if (x.hi, x.hi_inc) < (y.hi, y.hi_inc) else (y.hi, y.hi_inc)
    return lo < hi or (lo == hi and lo_inc and hi_inc)


def match_quantity(a: ClaimFeatures, b: ClaimFeatures, config: CorroborationConfig, explain: bool = True) -> FieldMatch:
    """Overlapping figures agree; nearby ones (within max_quantity_ratio) differ but may be one event; far ones conflict."""
    fa, fb = a.figure, b.figure
    if fa is None or fb is None:
        return _missing("quantity", config, "a claim states no figure")
    if fa.unit != fb.unit and fa.unit and fb.unit:
        if fa.unit in CURRENCY_UNITS or fb.unit in CURRENCY_UNITS:
            return FieldMatch("quantity", "conflict", 0.0, f"different measures: {fa.unit} vs {fb.unit}")
        return _missing("quantity", config, f"figures count different things: {fa.unit} vs {fb.unit}")
    if fa.per != fb.per:
        return _missing("quantity", config, f"figures are rates of different periods: {fa.per} vs {fb.per}")
    detail = f"{_fmt(fa)} vs {_fmt(fb)}" if explain else ""
    if fa == fb:
        return FieldMatch("quantity", "equal", 1.0, detail)
    if overlaps(fa, fb):
        return FieldMatch("quantity", "overlap", 0.8 if fa.exact or fb.exact else 0.7, detail)
    low, high = (fa, fb) if fa.hi <= fb.lo else (fb, fa)
    ratio = high.lo / low.hi if low.hi > 0 else math.inf
    if ratio <= config.max_quantity_ratio:
        return FieldMatch("quantity", "differs", 0.2, f"{detail} (ratio {ratio:.2f})" if explain else "")
    limit = f" > {config.max_quantity_ratio:g}"
    return FieldMatch("quantity", "conflict", 0.0, f"{detail} (ratio {ratio:.2f}{limit})" if explain else "")


_MATCHERS = (match_time, match_place, match_items, match_quantity)


def compare(a: ClaimFeatures, b: ClaimFeatures, config: CorroborationConfig, *, explain: bool = True) -> PairDecision:
    """Compare two claims: the first conflicting field decides, else the weighted score does.

    With `explain=False` the field details are left empty (grouping re-explains only the links it keeps).
    """
    if a.index > b.index:
        a, b = b, a
    polarity = match_polarity(a, b)
    if polarity is not None:
        return PairDecision(a.index, b.index, 0.0, (polarity,), "polarity")
    matches: list[FieldMatch] = []
    for fn in _MATCHERS:
        m = fn(a, b, config, explain)
        matches.append(m)
        if m.status == "conflict":
            return PairDecision(a.index, b.index, 0.0, tuple(matches), m.field)
    t, p, i, q = matches
    score = (
        config.weight_time * t.score
        + config.weight_place * p.score
        + config.weight_items * i.score
        + config.weight_quantity * q.score
    ) / (config.weight_time + config.weight_place + config.weight_items + config.weight_quantity)
    return PairDecision(a.index, b.index, score, tuple(matches), None)
