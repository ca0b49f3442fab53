"""Small claim records for unit tests (only the fields corroboration reads)."""

from __future__ import annotations

from typing import Any

COUNTIES = {
    "kimjongsuk": ("KP-10-kimjongsuk", "KP-10"),
    "kimhyongjik": ("KP-10-kimhyongjik", "KP-10"),
    "hyesan": ("KP-10-hyesan", "KP-10"),
    "sinuiju": ("KP-03-sinuiju", "KP-03"),
}


def place(name: str) -> dict[str, Any]:
    """A location record: a county key of COUNTIES, a province id ("KP-10"), or a foreign place id."""
    if name in COUNTIES:
        pid, parent = COUNTIES[name]
        return {"label": "COUNTY", "canonical": {"id": pid, "name": name}, "kind": "county", "parent": parent}
    if name.startswith("KP-"):
        return {"label": "PROVINCE", "canonical": {"id": name, "name": name}, "kind": "province", "parent": None}
    kind = "river" if name.startswith("river-") else "country" if "-" not in name else "city"
    return {"label": "PLACE", "canonical": {"id": name, "name": name}, "kind": kind, "parent": None}


def quantity(text: str | None) -> dict[str, Any] | None:
    """The quantity record of a few phrasings: "over 100", "about 120", "60", "5,000 yuan"."""
    if text is None:
        return None
    q: dict[str, Any] = dict.fromkeys(("value", "lower", "upper", "lower_inclusive", "upper_inclusive", "per"))
    q.update(text=text, approximate=False, vague=False, unit="trucks")
    words = text.replace(",", "").split()
    n = int(words[-2] if words[-1] == "yuan" else words[-1])
    if words[-1] == "yuan":
        q["unit"] = "CNY"
    if words[0] == "over":
        q.update(lower=n, lower_inclusive=False)
    elif words[0] == "about":
        q.update(value=n, approximate=True)
    else:
        q.update(value=n, lower=n, upper=n, lower_inclusive=True, upper_inclusive=True)
    return q


def claim(
    claim_id: str,
    *,
    doc_id: str = "d1",
    claim_type: str = "smuggling",
    places: tuple[str, ...] = ("kimjongsuk",),
    items: tuple[str, ...] = ("truck",),
    when: tuple[str, str] | None = ("2025-04-01", "2025-04-30"),
    fuzzy: bool = False,
    figure: str | None = "over 100",
    negated: bool = False,
    sentence: str | None = None,
    attribution: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A claim record with the given fields."""
    text = sentence or f"{figure or 'Some'} {' and '.join(items) or 'goods'} went to {', '.join(places)}."
    goods = {"food", "coal"}
    return {
        "claim_id": claim_id,
        "doc_id": doc_id,
        "claim_type": claim_type,
        "sentence": {"index": 0, "start": 0, "end": len(text), "text": text, "span": {"start": 0, "end": len(text)}},
        "locations": [place(p) for p in places],
        "items": [{"label": "GOODS" if i in goods else "VEHICLE", "class": i, "text": i} for i in items],
        "time": {"text": "in April", "from": when[0], "to": when[1], "fuzzy": fuzzy} if when else None,
        "quantity": quantity(figure),
        "negated": negated,
        "attribution": attribution or {"status": "asserted", "source": None, "text": None},
    }


def document(doc_id: str, source: str, text: str = "", published: str = "2025-05-01") -> dict[str, Any]:
    """A document record."""
    return {"doc_id": doc_id, "source": source, "text": text or f"Article {doc_id} by {source}.", "published": published}
