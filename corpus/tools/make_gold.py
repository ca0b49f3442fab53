#!/usr/bin/env python3
"""Build the gold files in corpus/gold/ from the hand annotations in annotations.py.

This script documents how the gold was made. The annotations are written by hand in
`annotations.py` (one entry per article: entity tuples `(exact substring, occurrence, label, canonical)`,
claims, and the deliberate non-annotations). This script only turns them into offsets and checks them:

- every tuple is found in the article text (the n-th occurrence, counting overlapping matches),
  lies on word boundaries and reproduces `text[start:end]`;
- no two spans of one label overlap (spans of different labels must not overlap either);
- labels, canonical ids, vehicle classes, claim types, roles and attribution statuses are valid
  (and, when `patterns/` is present, every PROVINCE/COUNTY/PLACE/AGENCY id exists there);
- every claim's sentence is a unique substring of the text; for the articles written for the project it is
  expanded to the whole sentence (for the third-party seed article it is kept as a short substring so that
  no sentence of it is copied into the repository); every item, location, agency, quantity and time text of
  a claim occurs in its sentence, and locations/agencies/quantities are annotated entities there;
- a lint lists every occurrence of an annotated surface form that is neither annotated nor listed in the
  article's `ignore` list (the documented hard negatives).

It must not import or call the newsclaims pipeline: the gold is independent of the extractor.

    .venv/bin/python corpus/tools/make_gold.py            # check and write corpus/gold/*.gold.json
    .venv/bin/python corpus/tools/make_gold.py --check    # check only; fail if a written file differs
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent
REPO = CORPUS.parent
ARTICLES = CORPUS / "articles.jsonl"
GOLD = CORPUS / "gold"
PATTERNS = REPO / "patterns"
SEED_DIR = REPO.parent / "shared" / "seed"

sys.path.insert(0, str(HERE))
import annotations as ann  # noqa: E402  (the hand annotations, plain data)

LABELS = ("PROVINCE", "COUNTY", "VEHICLE", "AGENCY", "QUANTITY", "PLACE")
VEHICLE_CLASSES = {
    "car",
    "truck",
    "bus",
    "van",
    "tractor",
    "excavator",
    "bulldozer",
    "crane",
    "loader",
    "motorcycle",
    "vessel",
    "rail",
    "heavy_equipment",
    "vehicle",
}
AGENCY_IDS = {
    "KP-MSS",
    "KP-MSOS",
    "KP-CUSTOMS",
    "KP-BORDER-GUARDS",
    "KP-TRADE-BUREAU",
    "KP-TRADING-CO",
    "KP-WPK",
    "KP-CABINET",
    "KP-KPA",
    "KP-PROSECUTORS",
    "UN-SC",
    "UN-1718",
    "UN-POE",
    "CN-CUSTOMS",
    "CN-POLICE",
    "US-OFAC",
}
# Item classes of goods that are not vehicles (the goods_class values of patterns/goods.jsonl, plus "other").
GOODS_CLASSES = {
    "refined_petroleum",
    "crude_oil",
    "coal",
    "metals",
    "seafood",
    "textiles",
    "food",
    "consumer_goods",
    "medicine",
    "machinery_electrical",
    "luxury",
    "fertilizer",
    "timber",
    "arms",
    "currency",
    "other",
}
CLAIM_TYPES = {
    "smuggling",
    "trade",
    "seizure",
    "arrest",
    "crackdown",
    "price",
    "bribe",
    "sanction",
    "policy",
    "other",
}
LOCATION_ROLES = {"origin", "destination", "route", "site"}
AGENCY_ROLES = {"actor", "recipient", "enforcer", "target"}
ATTRIBUTION = {"asserted", "reported", "alleged", "denied", "planned", "speculative"}
QUANTITY_FIELDS = ("value", "lower", "upper", "lower_inclusive", "upper_inclusive", "vague", "approximate")
ORIGINS = {"CN", "KP", "RU", "JP", "KR", "US", "DE", "EU", None}

# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital, digit, $ or an
# opening quote. Lines (paragraphs, headline, caption, tag line) always end a sentence. The articles avoid
# abbreviations with periods so this rule is exact for them.
_SENT_END = re.compile(r"[.!?][\"”’')]*(?=\s+[\"“‘(]?[A-Z0-9$])")


class GoldError(Exception):
    pass


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for m in _SENT_END.finditer(line):
            spans.append((offset + start, offset + m.end()))
            start = m.end()
            while start < len(line) and line[start].isspace():
                start += 1
        if line[start:].strip():
            spans.append((offset + start, offset + len(line.rstrip())))
        offset += len(line) + 1
    return spans


def nth(text: str, sub: str, n: int) -> int:
    """Start of the n-th (1-based) occurrence of `sub`, counting overlapping matches."""
    i = -1
    for _ in range(n):
        i = text.find(sub, i + 1)
        if i < 0:
            return -1
    return i


def is_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def load_pattern_ids() -> dict[str, set[str]] | None:
    if not PATTERNS.is_dir():
        return None
    ids: dict[str, set[str]] = {}
    for name in ("provinces", "counties", "places", "agencies", "vehicles"):
        path = PATTERNS / f"{name}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                ids.setdefault(obj.get("label", ""), set()).add(obj["id"])
    return ids


def check_canonical(label: str, canonical: Any, where: str, pattern_ids: dict[str, set[str]] | None) -> None:
    if label == "QUANTITY":
        if canonical is not None:
            raise GoldError(f"{where}: QUANTITY canonical must be None")
        return
    if not isinstance(canonical, str) or not canonical:
        raise GoldError(f"{where}: {label} needs a canonical id")
    if label == "VEHICLE" and canonical not in VEHICLE_CLASSES:
        raise GoldError(f"{where}: unknown vehicle class {canonical!r}")
    if label == "AGENCY" and canonical not in AGENCY_IDS:
        raise GoldError(f"{where}: unknown agency id {canonical!r}")
    if label == "PROVINCE" and not re.fullmatch(r"KP-(0[2-9]|10)", canonical):
        raise GoldError(f"{where}: bad province id {canonical!r}")
    if label == "COUNTY" and not re.fullmatch(r"KP-\d\d(-[a-z0-9-]+)?", canonical):
        raise GoldError(f"{where}: bad county id {canonical!r}")
    if pattern_ids is not None and label in ("PROVINCE", "COUNTY", "PLACE", "AGENCY", "VEHICLE"):
        known = pattern_ids.get(label)
        if known and canonical not in known:
            raise GoldError(f"{where}: {label} id {canonical!r} is not in patterns/")


def build_entities(doc_id: str, text: str, tuples: list[tuple], pattern_ids) -> list[dict[str, Any]]:
    ents: list[dict[str, Any]] = []
    for tup in tuples:
        if len(tup) != 4:
            raise GoldError(f"{doc_id}: entity tuple needs 4 fields: {tup!r}")
        surface, occ, label, canonical = tup
        where = f"{doc_id}: {surface!r} #{occ}"
        if label not in LABELS:
            raise GoldError(f"{where}: unknown label {label!r}")
        start = nth(text, surface, occ)
        if start < 0:
            raise GoldError(f"{where}: occurrence not found")
        end = start + len(surface)
        if text[start:end] != surface:
            raise GoldError(f"{where}: offsets do not reproduce the text")
        if not is_boundary(text, start, end):
            raise GoldError(f"{where}: span is not on word boundaries: {text[max(0, start - 5) : end + 5]!r}")
        if surface != surface.strip() or surface.lower().startswith("the "):
            raise GoldError(f"{where}: span has surrounding space or a leading 'the'")
        check_canonical(label, canonical, where, pattern_ids)
        ents.append({"start": start, "end": end, "label": label, "text": surface, "canonical": canonical})
    ents.sort(key=lambda e: (e["start"], e["end"]))
    for a, b in zip(ents, ents[1:], strict=False):
        if b["start"] < a["end"]:
            kind = "same label" if a["label"] == b["label"] else "different labels"
            raise GoldError(f"{doc_id}: overlapping spans ({kind}): {a} / {b}")
    seen = set()
    for e in ents:
        key = (e["start"], e["end"])
        if key in seen:
            raise GoldError(f"{doc_id}: duplicate span {e}")
        seen.add(key)
    return ents


def _iso(value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError) as err:
        raise GoldError(f"{where}: bad date {value!r}") from err
    return value


def _entity_in(ents, label: str, surface: str, lo: int, hi: int, where: str) -> dict[str, Any]:
    hits = [
        e
        for e in ents
        if e["label"] == label and e["text"] == surface and lo <= e["start"] and e["end"] <= hi
    ]
    if not hits:
        raise GoldError(f"{where}: {surface!r} is not an annotated {label} in the sentence")
    if len({e["canonical"] for e in hits}) > 1:
        raise GoldError(f"{where}: {surface!r} is ambiguous in the sentence")
    return hits[0]


def build_claim(doc_id: str, text: str, ents, spans, spec: dict[str, Any], expand: bool) -> dict[str, Any]:
    unknown = set(spec) - {
        "sentence",
        "clause",
        "claim_type",
        "quantity",
        "items",
        "locations",
        "agencies",
        "time",
        "attribution",
        "negated",
    }
    where = f"{doc_id}: claim {spec.get('sentence', '')[:50]!r}"
    if unknown:
        raise GoldError(f"{where}: unknown keys {sorted(unknown)}")
    sub = spec["sentence"]
    first = text.find(sub)
    if first < 0:
        raise GoldError(f"{where}: sentence not found")
    if text.find(sub, first + 1) >= 0:
        raise GoldError(f"{where}: sentence substring is not unique")
    containing = [s for s in spans if s[0] <= first and first + len(sub) <= s[1]]
    if len(containing) != 1:
        raise GoldError(f"{where}: substring is not inside exactly one sentence")
    s_lo, s_hi = containing[0]
    sentence = text[s_lo:s_hi] if expand else sub
    lo, hi = (s_lo, s_hi)
    out: dict[str, Any] = {"sentence": sentence}
    if spec.get("clause") is not None:
        clause = spec["clause"]
        # Unique in the whole text (scorers locate the clause with a plain search), inside the sentence.
        c = text.find(clause)
        if c < s_lo or c + len(clause) > s_hi or text.find(clause, c + 1) >= 0:
            raise GoldError(
                f"{where}: clause {clause!r} is not a unique substring of the text inside the sentence"
            )
        out["clause"] = clause
    ctype = spec["claim_type"]
    if ctype not in CLAIM_TYPES:
        raise GoldError(f"{where}: bad claim_type {ctype!r}")
    out["claim_type"] = ctype

    q = spec.get("quantity")
    if q is None:
        out["quantity"] = None
    else:
        qtext, fields = q
        if isinstance(fields, (int, float)):
            # An exact number is the interval [n, n] (README.md, Quantities): "three", "a single".
            n = fields
            fields = {"value": n, "lower": n, "upper": n, "lower_inclusive": True, "upper_inclusive": True}
        elif fields.get("value") is not None and not fields.get("approximate"):
            raise GoldError(f"{where}: write an exact quantity as (text, number)")
        bad = set(fields) - set(QUANTITY_FIELDS)
        if bad:
            raise GoldError(f"{where}: bad quantity fields {sorted(bad)}")
        _entity_in(ents, "QUANTITY", qtext, lo, hi, where)
        qd: dict[str, Any] = {"text": qtext}
        for name in QUANTITY_FIELDS:
            qd[name] = fields.get(name, False if name in ("vague", "approximate") else None)
        for side in ("lower", "upper"):
            if qd[side] is not None and qd[f"{side}_inclusive"] is None:
                raise GoldError(f"{where}: {side} needs {side}_inclusive")
            if qd[side] is None and qd[f"{side}_inclusive"] is not None:
                raise GoldError(f"{where}: {side}_inclusive without {side}")
        if qd["lower"] is not None and qd["upper"] is not None and qd["lower"] > qd["upper"]:
            raise GoldError(f"{where}: lower > upper")
        out["quantity"] = qd

    items = []
    for it in spec.get("items", []):
        itext, iclass, origin = it
        if text.find(itext, lo, hi) < 0:
            raise GoldError(f"{where}: item {itext!r} not in the sentence")
        vehicle_hits = [
            e for e in ents if e["label"] == "VEHICLE" and e["text"] == itext and lo <= e["start"] < hi
        ]
        if vehicle_hits:
            if iclass != vehicle_hits[0]["canonical"]:
                raise GoldError(
                    f"{where}: item {itext!r} class {iclass!r} != entity {vehicle_hits[0]['canonical']!r}"
                )
        elif iclass not in GOODS_CLASSES:
            raise GoldError(f"{where}: item {itext!r} has unknown goods class {iclass!r}")
        if origin not in ORIGINS:
            raise GoldError(f"{where}: bad origin {origin!r}")
        items.append({"text": itext, "class": iclass, "origin": origin})
    out["items"] = items

    locs = []
    for ltext, role in spec.get("locations", []):
        if role not in LOCATION_ROLES:
            raise GoldError(f"{where}: bad location role {role!r}")
        hits = [
            e
            for e in ents
            if e["label"] in ("PROVINCE", "COUNTY", "PLACE")
            and e["text"] == ltext
            and lo <= e["start"]
            and e["end"] <= hi
        ]
        if not hits:
            raise GoldError(f"{where}: location {ltext!r} is not an annotated place in the sentence")
        locs.append({"text": ltext, "canonical": hits[0]["canonical"], "role": role})
    out["locations"] = locs

    ags = []
    for atext, role in spec.get("agencies", []):
        if role not in AGENCY_ROLES:
            raise GoldError(f"{where}: bad agency role {role!r}")
        e = _entity_in(ents, "AGENCY", atext, lo, hi, where)
        ags.append({"text": atext, "canonical": e["canonical"], "role": role})
    out["agencies"] = ags

    t = spec.get("time")
    if t is None:
        out["time"] = None
    else:
        ttext, tfrom, tto = t
        if text.find(ttext, lo, hi) < 0:
            raise GoldError(f"{where}: time {ttext!r} not in the sentence")
        tfrom, tto = _iso(tfrom, where), _iso(tto, where)
        if tfrom and tto and tfrom > tto:
            raise GoldError(f"{where}: time from > to")
        out["time"] = {"text": ttext, "from": tfrom, "to": tto}

    status, source = spec.get("attribution", ("asserted", None))
    if status not in ATTRIBUTION:
        raise GoldError(f"{where}: bad attribution status {status!r}")
    if source is not None and source not in text:
        raise GoldError(f"{where}: attribution source {source!r} not in the text")
    out["attribution"] = {"status": status, "source": source}
    neg = spec.get("negated", False)
    if not isinstance(neg, bool):
        raise GoldError(f"{where}: negated must be a bool")
    out["negated"] = neg
    return out


# Words that are often part of a mention; the lint also reports them (and every number) when uncovered.
LINT_TERMS = {
    "car",
    "cars",
    "truck",
    "trucks",
    "bus",
    "buses",
    "van",
    "vans",
    "tractor",
    "tractors",
    "boat",
    "boats",
    "ship",
    "ships",
    "vessel",
    "vessels",
    "train",
    "trains",
    "vehicle",
    "vehicles",
    "tanker",
    "tankers",
    "excavator",
    "excavators",
    "loader",
    "loaders",
    "crane",
    "cranes",
    "equipment",
    "machinery",
    "customs",
    "police",
    "guards",
    "party",
    "ministry",
    "security",
    "army",
    "committee",
    "council",
    "panel",
    "bureau",
    "bureaus",
    "company",
    "companies",
    "prosecutors",
    "cabinet",
    "bowibu",
    "percent",
    "yuan",
    "won",
    "dollars",
    "million",
    "billion",
    "hundreds",
    "thousands",
    "dozens",
    "dozen",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "single",
    "border",
}
_NUMBER = re.compile(r"\$?\d(?:[\d,.]*\d)?")
_YEAR = re.compile(r"(19|20)\d\d")


def lint(doc_id: str, text: str, ents, ignore, vocabulary: set[str]) -> list[str]:
    """Occurrences of annotated surface forms, mention words and numbers that are neither annotated nor
    deliberately ignored."""
    covered = [(e["start"], e["end"]) for e in ents]
    for item in ignore:
        surface, occ = item[0], item[1]
        if occ is None:
            starts = [m.start() for m in re.finditer(re.escape(surface), text)]
            if not starts:
                raise GoldError(f"{doc_id}: ignore entry {surface!r} not found")
        else:
            s = nth(text, surface, occ)
            if s < 0:
                raise GoldError(f"{doc_id}: ignore entry {surface!r} #{occ} not found")
            starts = [s]
        covered.extend((s, s + len(surface)) for s in starts)
    warnings = []
    low = text.lower()
    matches = [
        m
        for term in sorted(vocabulary | LINT_TERMS)
        for m in re.finditer(r"(?<![\w])" + re.escape(term) + r"(?![\w])", low)
    ]
    matches += [
        m
        for m in _NUMBER.finditer(text)
        if is_boundary(text, m.start(), m.end()) and not _YEAR.fullmatch(m.group())
    ]
    for m in sorted(matches, key=lambda m: m.start()):
        if not any(a < m.end() and m.start() < b for a, b in covered):
            warnings.append(
                f"{doc_id}: unannotated {text[m.start() : m.end()]!r} at {m.start()}: "
                f"{text[max(0, m.start() - 30) : m.end() + 30]!r}"
            )
    return warnings


def read_seed() -> str | None:
    path = SEED_DIR / ann.SEED["file"]
    if not path.exists():
        return None
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8").replace("\r\n", "\n")


def load_articles() -> list[dict[str, Any]]:
    arts = []
    ids = set()
    for n, line in enumerate(ARTICLES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        for key in ("id", "title", "published", "source", "url", "text"):
            if not isinstance(obj.get(key), str) or not obj[key]:
                raise GoldError(f"articles.jsonl:{n}: missing {key}")
        dt.date.fromisoformat(obj["published"])
        if not obj["url"].startswith("https://example.org/"):
            raise GoldError(f"articles.jsonl:{n}: url must be an example.org address")
        if obj["id"] in ids:
            raise GoldError(f"articles.jsonl:{n}: duplicate id {obj['id']}")
        if "\r" in obj["text"]:
            raise GoldError(f"articles.jsonl:{n}: text contains \\r")
        words = len(obj["text"].split())
        if not 150 <= words <= 500:
            raise GoldError(f"articles.jsonl:{n}: {words} words (want 150-500)")
        ids.add(obj["id"])
        arts.append(obj)
    return arts


def make_doc(doc_id: str, text: str, spec: dict[str, Any], expand: bool, pattern_ids) -> dict[str, Any]:
    ents = build_entities(doc_id, text, spec["entities"], pattern_ids)
    spans = sentence_spans(text)
    claims = [build_claim(doc_id, text, ents, spans, c, expand) for c in spec.get("claims", [])]
    return {"doc_id": doc_id, "text_sha256": sha256(text), "entities": ents, "claims": claims}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="verify only; fail if a gold file would change")
    ap.add_argument("--strict", action="store_true", help="treat lint warnings as errors")
    ap.add_argument("--no-patterns", action="store_true", help="do not check ids against patterns/")
    args = ap.parse_args(argv)

    pattern_ids = None if args.no_patterns else load_pattern_ids()
    arts = load_articles()
    by_id = {a["id"]: a for a in arts}
    missing = sorted(set(by_id) - set(ann.ANNOTATIONS))
    extra = sorted(set(ann.ANNOTATIONS) - set(by_id))
    if missing or extra:
        raise GoldError(f"annotations and articles differ: missing {missing}, extra {extra}")

    docs: list[tuple[str, dict[str, Any]]] = []
    vocabulary = {t[0].lower() for spec in ann.ANNOTATIONS.values() for t in spec["entities"]}
    vocabulary |= {t[0].lower() for t in ann.SEED["entities"]}
    warnings: list[str] = []
    for art in arts:
        spec = ann.ANNOTATIONS[art["id"]]
        doc = make_doc(art["id"], art["text"], spec, True, pattern_ids)
        warnings += lint(art["id"], art["text"], doc["entities"], spec.get("ignore", []), vocabulary)
        docs.append((f"{art['id']}.gold.json", doc))
    seed_text = read_seed()
    if seed_text is None:
        print(f"note: {SEED_DIR} not found; the seed gold file is left as it is", file=sys.stderr)
    else:
        doc = make_doc(ann.SEED["doc_id"], seed_text, ann.SEED, False, pattern_ids)
        warnings += lint("seed", seed_text, doc["entities"], ann.SEED.get("ignore", []), vocabulary)
        docs.append((f"seed-{doc['text_sha256']}.gold.json", doc))

    for w in warnings:
        print("lint:", w, file=sys.stderr)
    if warnings and args.strict:
        return 1

    changed = []
    GOLD.mkdir(exist_ok=True)
    for name, doc in docs:
        body = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
        path = GOLD / name
        if not path.exists() or path.read_text(encoding="utf-8") != body:
            changed.append(name)
            if not args.check:
                path.write_text(body, encoding="utf-8")
    produced = {name for name, _ in docs}
    stale = sorted(
        p.name
        for p in GOLD.glob("*.gold.json")
        if p.name not in produced and not (seed_text is None and p.name.startswith("seed-"))
    )
    for name in stale:
        print(f"warning: {name} has no annotations (stale?)", file=sys.stderr)

    n_ent = sum(len(d["entities"]) for _, d in docs)
    n_claim = sum(len(d["claims"]) for _, d in docs)
    verb = "would change" if args.check else "written"
    print(f"{len(docs)} gold files, {n_ent} entities, {n_claim} claims; {len(changed)} {verb}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GoldError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
