"""Corroboration options: every threshold and weight in one frozen, validated record."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import NewsclaimsError

# Outlets known under several names (normalised key -> display name); a config can add more.
DEFAULT_OUTLET_ALIASES: tuple[tuple[str, str], ...] = (
    ("RFA", "Radio Free Asia"),
    ("Asiapress", "Asia Press"),
    ("KCNA", "Korean Central News Agency"),
    ("VOA", "Voice of America"),
    ("AP", "Associated Press"),
    ("NK Pro", "NK News"),
    ("Unification Media Group", "Daily NK"),
)


@dataclass(frozen=True)
class CorroborationConfig:
    """How claims are grouped into events and how sources are counted (docs/corroboration.md)."""

    # A pair of claims links when no field conflicts and the weighted field score reaches `threshold`.
    threshold: float = 0.6
    weight_place: float = 0.35
    weight_time: float = 0.25
    weight_items: float = 0.25
    weight_quantity: float = 0.15
    missing_score: float = 0.5  # score of a field that one claim of the pair does not state
    # A claim whose links to two conflicting claims score within this margin joins neither (it is ambiguous).
    ambiguity_margin: float = 0.1
    # Figures: approximate ones ("about 120") are widened by this fraction before comparing; figures that
    # do not overlap still agree loosely when the nearer bounds are within `max_quantity_ratio` of each other.
    approx_tolerance: float = 0.25
    max_quantity_ratio: float = 2.0
    time_slack_days: int = 0  # intervals this many days apart still count as overlapping
    undated_window_days: int = 31  # a claim without a time gets [published - N days, published]; 0 = off
    # Blocking: claims are compared only within (claim type, place, month) blocks.
    max_block_months: int = 4  # a claim whose interval spans more months is not grouped (too vague)
    max_block_pairs: int = 20_000  # a bigger block is compared by sorted neighbourhood instead of all pairs
    window: int = 50  # sorted-neighbourhood window for big blocks
    type_groups: tuple[tuple[str, ...], ...] = ()  # claim types grouped as one, e.g. (("smuggling", "trade"),)
    # Near-duplicate documents (MinHash over word shingles).
    shingle_size: int = 5
    minhash_bins: int = 128
    lsh_bands: int = 32
    near_duplicate_threshold: float = 0.7
    # Sources.
    outlet_aliases: tuple[tuple[str, str], ...] = DEFAULT_OUTLET_ALIASES
    outlets: tuple[str, ...] = ()  # extra outlet names to recognise in attributions ("according to X")

    def __post_init__(self) -> None:
        _check_unit("threshold", self.threshold)
        _check_unit("missing_score", self.missing_score)
        _check_unit("ambiguity_margin", self.ambiguity_margin)
        _check_unit("near_duplicate_threshold", self.near_duplicate_threshold)
        for name in ("weight_place", "weight_time", "weight_items", "weight_quantity", "approx_tolerance"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                raise NewsclaimsError("E401", name=name, expected="a number >= 0", value=value)
        if self.weight_place + self.weight_time + self.weight_items + self.weight_quantity <= 0:
            raise NewsclaimsError("E401", name="weight_*", expected="weights that sum to more than 0", value=0)
        if not _is_number(self.max_quantity_ratio) or self.max_quantity_ratio < 1:
            raise NewsclaimsError("E401", name="max_quantity_ratio", expected="a number >= 1", value=self.max_quantity_ratio)
        for name, low in (
            ("time_slack_days", 0),
            ("undated_window_days", 0),
            ("max_block_months", 1),
            ("max_block_pairs", 1),
            ("window", 1),
            ("shingle_size", 1),
            ("lsh_bands", 1),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise NewsclaimsError("E401", name=name, expected=f"an integer >= {low}", value=value)
        bins = self.minhash_bins
        if not isinstance(bins, int) or bins < 2 or bins > 4096 or bins & (bins - 1):
            raise NewsclaimsError("E401", name="minhash_bins", expected="a power of two from 2 to 4096", value=bins)
        if bins % self.lsh_bands:
            raise NewsclaimsError("E401", name="lsh_bands", expected=f"a divisor of minhash_bins ({bins})", value=self.lsh_bands)
        seen: set[str] = set()
        for group in self.type_groups:
            if not isinstance(group, tuple) or not all(isinstance(t, str) for t in group) or seen & set(group):
                raise NewsclaimsError(
                    "E401", name="type_groups", expected="lists of claim types, each type in one list", value=group
                )
            seen |= set(group)
        for pair in self.outlet_aliases:
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair)):
                raise NewsclaimsError("E401", name="outlet_aliases", expected="[alias, outlet] pairs of names", value=pair)
        if not all(isinstance(o, str) and o.strip() for o in self.outlets):
            raise NewsclaimsError("E401", name="outlets", expected="a list of outlet names", value=self.outlets)

    def type_group(self, claim_type: str) -> str:
        """The blocking name of a claim type: its group's first member, or the type itself."""
        for group in self.type_groups:
            if claim_type in group:
                return group[0]
        return claim_type

    def to_dict(self) -> dict[str, Any]:
        """The options as plain JSON values (tuples become lists)."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, options: dict[str, Any], *, where: str = "options") -> CorroborationConfig:
        """A config from option names and JSON values; unknown names are an error (E403)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise NewsclaimsError("E403", path=where, names=", ".join(unknown), known=", ".join(sorted(known)))
        converted = {k: _tuples(v) if k in ("type_groups", "outlet_aliases", "outlets") else v for k, v in options.items()}
        return cls(**converted)

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> CorroborationConfig:
        """Options from a JSON object file, then `overrides` (options given on the command line)."""
        try:
            options = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise NewsclaimsError("E402", path=path, detail=err) from err
        if not isinstance(options, dict):
            raise NewsclaimsError("E402", path=path, detail="the top level is not an object")
        return cls.from_dict({**options, **overrides}, where=str(path))


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list | tuple) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_unit(name: str, value: Any) -> None:
    if not _is_number(value) or not 0 <= value <= 1:
        raise NewsclaimsError("E401", name=name, expected="a number from 0 to 1", value=value)
