"""Turn an annotated Doc into claim records: one per assertion (clause) about goods, places or agencies."""

from __future__ import annotations

from bisect import bisect_right
from itertools import compress
from typing import Any

from spacy.tokens import Doc

from ..nlp.entities import entity_label_at
from ..nlp.sentences import Tokens, sentence_tokens, tokens
from ..types import Document, Mention, claim_id
from .cues import Cues, Trigger, cues_for
from .timex import TimeExpr, find_times, parse_published

SCHEMA_VERSION = 1
CONTEXT_CHARS = 32
ITEM_LABELS = ("VEHICLE", "GOODS")
PLACE_LABELS = ("COUNTY", "PROVINCE", "PLACE")
CLAUSE_BREAKS = (
    "and",
    "but",
    "while",
    "whereas",
    "yet",
    "which",
    "who",
    "where",
    "after",
    "although",
    "though",
    "because",
    "accusing",
    "so",
    "since",
    "before",
)
TERMINAL_END = (".", "!", "?", "”", '"', "’", "'", ")", "…", ":")


def extract_claims(
    doc: Doc, document: Document, mentions: list[Mention], sentences: list[tuple[int, int]], pack: dict[str, Any]
) -> list[dict[str, Any]]:
    """All claim records of one article, in text order.

    Sentences, clauses and mentions are handled as token indexes into the doc's token table: spaCy builds a
    new object for every `doc[i]`, `doc[a:b]` and `doc.char_span`, which cost more than the rules here."""
    cues = cues_for(pack)
    published = parse_published(document.published)
    frame = cues.smuggling_frame(doc)
    text = document.text
    table = tokens(doc)
    lowered = table.lower if table.aligned else None  # lower-cased once per doc, by the token table
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence_index, []).append(m)
    claims: list[dict[str, Any]] = []
    token_spans = sentence_tokens(doc)
    for index in _trigger_sentences([table.starts[t] for t in cues.trigger_starts(doc)], sentences):
        s_char, e_char = sentences[index]
        if _not_a_statement(text, s_char, e_char, lowered, cues):
            continue
        sent = token_spans[index]
        ments = by_sentence.get(index, [])
        for clause, triggers in _clauses(doc, sent, cues):
            tried: set[str] = set()
            for trigger in triggers:  # the best trigger whose claim type the clause can support
                if trigger.claim_type in tried:
                    continue
                tried.add(trigger.claim_type)
                record = _claim(doc, document, sent, index, clause, trigger, ments, cues, pack, published, frame)
                if record is not None:
                    claims.append(record)
                    break
    return claims


def _trigger_sentences(chars: list[int], sentences: list[tuple[int, int]]) -> list[int]:
    """The indexes, ascending, of the sentences (character spans) where a trigger of the doc starts (`chars`,
    the triggers' first characters, ascending): the others hold no claim, and three sentences in five have none
    (skipping them measured 1.4% of a run's instructions)."""
    firsts = [a for a, _ in sentences]
    out: list[int] = []
    for char in chars:
        k = bisect_right(firsts, char) - 1
        if k >= 0 and char < sentences[k][1] and (not out or out[-1] != k):
            out.append(k)
    return out


def _clauses(doc: Doc, sent: tuple[int, int], cues: Cues) -> list[tuple[tuple[int, int], list[Trigger]]]:
    """Split the sentence of tokens [start, end) at ', and' / ';' where both sides carry their own trigger;
    clauses as token ranges, triggers best first."""
    start, end = sent
    triggers = cues.triggers(doc, start, end)
    if not triggers:
        return []
    bounds = [start]
    lows = tokens(doc).lows
    # A break needs a trigger on either side, so only the marks between the first and the last trigger can
    # be one: most sentences have a single trigger (or several at one token) and none to look at. Those
    # tokens are few, and scanned at C speed (a scan of the whole doc's tokens per article was 0.8% of a run).
    at = [t.start for t in triggers]
    lo, hi = max(start + 1, min(at) + 1), min(end - 1, max(at))
    inner = compress(range(lo, hi), map(_MARKS.__contains__, lows[lo:hi])) if lo < hi else ()
    breaks = [i for i in inner if lows[i] == ";" or lows[i + 1] in CLAUSE_BREAKS]
    for i in breaks:
        left = [t for t in triggers if bounds[-1] <= t.start < i]
        right = [t for t in triggers if i < t.start]
        if left and right and any(map(cues.verbal, left)) and any(map(cues.verbal, right)):
            bounds.append(i + 1)
    bounds.append(end)
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        ranked = [t for t in triggers if a <= t.start < b]  # still best first
        if ranked:
            # "goods can only be imported by ..." is a policy (looked for only where it changes the ranking;
            # with `Cues.policy`'s key words, 0.5% of a run)
            if any(t.claim_type == "trade" for t in ranked) and cues.policy(doc, a, b):
                ranked = [Trigger("policy", t.start, t.end, t.text) for t in ranked if t.claim_type == "trade"] + ranked
            out.append(((a, b), ranked))
    return out


_MARKS = frozenset((";", ","))


def _not_a_statement(text: str, start: int, end: int, lowered: str | None, cues: Cues) -> bool:
    """Headlines, captions and tag lines carry no claims: no closing punctuation, or a known line prefix.

    Reads text[start:end] in place; `lowered` is the lower-cased text when its slices are those of the text
    (`Tokens.aligned`), else None."""
    last = end
    while last > start and text[last - 1].isspace():  # what `str.rstrip()` drops
        last -= 1
    if not text.endswith(TERMINAL_END, start, last):
        return True
    if lowered is None:
        return text[start:end].lower().startswith(cues.no_claim_prefixes)
    return lowered.startswith(cues.no_claim_prefixes, start, end)


def _claim(
    doc: Doc,
    document: Document,
    sent: tuple[int, int],
    index: int,
    clause: tuple[int, int],
    trigger: Trigger,
    ments: list[Mention],
    cues: Cues,
    pack: dict[str, Any],
    published: Any,
    frame: bool,
) -> dict[str, Any] | None:
    table = tokens(doc)
    c_start, c_end = table.starts[clause[0]], table.ends[clause[1] - 1]
    items: list[Mention] = []
    places: list[Mention] = []
    agencies: list[Mention] = []
    quantities: list[Mention] = []
    for m in ments:  # one pass sorts the clause's mentions by label (a handful per sentence)
        if c_start <= m.start and m.end <= c_end:
            if m.label in ITEM_LABELS:
                items.append(m)
            elif m.label in PLACE_LABELS:
                places.append(m)
            elif m.label == "AGENCY":
                agencies.append(m)
            elif m.label == "QUANTITY":
                quantities.append(m)
    claim_type = trigger.claim_type
    # Checked before the item records are built (a quarter of the clauses tried give no claim); trade turning
    # into smuggling below does not change them, as both need items or quantities.
    if not (items or agencies or places or quantities):
        return None
    if claim_type in ("trade", "smuggling", "seizure") and not (items or quantities):
        return None
    if claim_type in ("crackdown", "policy") and not (agencies or items or places):
        return None
    sanctions_of = _sanctions_by_class(pack)
    item_recs = [_item(m, sanctions_of) for m in items]
    if claim_type == "trade" and (frame or any(i["sanctions"] and i["label"] == "VEHICLE" for i in item_recs)):
        claim_type = "smuggling"  # supplying UN-banned vehicles to North Korea is smuggling by definition
    quantity = _pick_quantity(quantities, items, claim_type)
    times = find_times(doc, clause[0], clause[1], published)
    time = _pick_time(times, trigger)
    attribution = cues.attribution_of(doc, sent[0], sent[1])
    negated = cues.negated(doc, clause[0], clause[1], trigger)
    sanctions = _merge_sanctions(item_recs)
    record: dict[str, Any] = {
        "claim_id": claim_id(document.doc_id, index, c_start, c_end, trigger.start, claim_type),
        "doc_id": document.doc_id,
        "claim_type": claim_type,
        "schema_version": SCHEMA_VERSION,
        "sentence": _sentence(document.text, index, (table.starts[sent[0]], table.ends[sent[1] - 1]), (c_start, c_end)),
        "trigger": {
            "text": trigger.text,
            "start": table.starts[trigger.start],
            "end": table.ends[trigger.end - 1],
            "lemma": trigger.text.lower(),
        },
        "quantity": quantity,
        "items": item_recs,
        "locations": [_location(doc, m, clause[0], cues) for m in places],
        "agencies": [_agency(doc, m, clause[0], claim_type, cues) for m in agencies],
        "time": time.to_record(published) if time else None,
        "attribution": attribution,
        "negated": negated,
        "sanctions": sanctions,
    }
    return record


def _sentence(text: str, index: int, sent: tuple[int, int], clause: tuple[int, int]) -> dict[str, Any]:
    """The sentence record, with the clause's character span (`sent` and `clause` are character spans)."""
    start, end = sent
    c_start, c_end = clause
    stripped = text[c_start:c_end].rstrip(" ,;")
    c_end = c_start + len(stripped)
    return {
        "index": index,
        "start": start,
        "end": end,
        "text": text[start:end],
        "selector": {
            "type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        "span": {"start": c_start, "end": c_end},
    }


def _pick_quantity(quantities: list[Mention], items: list[Mention], claim_type: str) -> dict[str, Any] | None:
    if not quantities:
        return None
    money = [q for q in quantities if _is_money(q)]
    counts = [q for q in quantities if not _is_money(q)]
    if claim_type in ("price", "bribe") and money:
        chosen = money[0]
    elif counts:
        before_item = [q for q in counts if items and q.end <= items[0].start]
        chosen = before_item[-1] if before_item else counts[0]
    else:
        chosen = money[0]
    q = dict(chosen.attrs.get("quantity") or {})
    q.update(text=chosen.text, start=chosen.start, end=chosen.end, mention_id=chosen.mention_id)
    return q


def _is_money(m: Mention) -> bool:
    unit = (m.attrs.get("quantity") or {}).get("unit")
    return unit in ("USD", "CNY", "KPW", "KRW", "EUR", "RUB", "JPY", "GBP")


def _pick_time(times: list[TimeExpr], trigger: Trigger) -> TimeExpr | None:
    if not times:
        return None
    return min(times, key=lambda t: abs(t.span.start - trigger.start))


SanctionLinks = dict[tuple[str, Any], list[dict[str, Any]]]
_SANCTIONS: dict[str, SanctionLinks] = {}


def _sanctions_by_class(pack: dict[str, Any]) -> SanctionLinks:
    """("vehicle_classes" or "goods_classes", class) -> the links of the sanctions entries listing that class,
    in pack order; built once per pack hash, so an item looks its class up instead of walking every entry."""
    key = pack["sha256"]
    if key not in _SANCTIONS:
        by_class: SanctionLinks = {}
        for entry in pack["sanctions"]:
            link = {k: entry[k] for k in ("id", "resolution", "paragraph", "hs", "description")}
            for field in ("vehicle_classes", "goods_classes"):
                for cls in dict.fromkeys(entry[field]):  # an entry links once, however often it lists a class
                    by_class.setdefault((field, cls), []).append(link)
        _SANCTIONS[key] = by_class
    return _SANCTIONS[key]


def _item(m: Mention, sanctions_of: SanctionLinks) -> dict[str, Any]:
    vehicle = m.label == "VEHICLE"
    cls = m.attrs.get("vehicle_class") if vehicle else m.attrs.get("goods_class")
    record = m.ref()  # a new dict: filled in place rather than copied into another
    record["class"] = cls
    record["origin"] = m.attrs.get("origin")
    # copies: records are handed on, and a change to one must not reach the next article's
    record["sanctions"] = [link.copy() for link in sanctions_of.get(("vehicle_classes" if vehicle else "goods_classes", cls), ())]
    return record


def _location(doc: Doc, m: Mention, clause_start: int, cues: Cues) -> dict[str, Any]:
    first = _first_token(tokens(doc), m)
    role = cues.role(doc, first, clause_start) if first is not None else None
    record = m.ref()
    record["kind"] = m.attrs.get("kind") or m.attrs.get("admin_level") or m.label.lower()
    record["parent"] = m.attrs.get("parent")
    record["role"] = role
    return record


def _agency(doc: Doc, m: Mention, clause_start: int, claim_type: str, cues: Cues) -> dict[str, Any]:
    table = tokens(doc)
    first = _first_token(table, m)
    role = None
    if first is not None:
        prev_words = " ".join(table.lows[max(clause_start, first - 4) : first])
        recipient_cue = any(prev_words.endswith(w) for w in cues.agency_roles["recipient"])
        if claim_type == "bribe" and (recipient_cue or _in_list_after(doc, first, clause_start, "to")):
            role = "recipient"
        elif prev_words.endswith("by"):
            role = "actor"
        elif claim_type in cues.agency_roles["enforcer_types"]:
            role = "enforcer"
        elif claim_type in cues.agency_roles["actor_types"]:
            role = "actor"
    record = m.ref()
    record["role"] = role
    return record


def _first_token(table: Tokens, m: Mention) -> int | None:
    """The mention's first token; None when its bounds are not token bounds (where `doc.char_span` gives None)."""
    first, last = table.token_at(m.start), table.token_at(m.end - 1)
    if first is None or last is None or table.starts[first] != m.start or table.ends[last] != m.end:
        return None
    return first


def _in_list_after(doc: Doc, first: int, clause_start: int, word: str) -> bool:
    """True when the mention starting at token `first` is in a list introduced by `word` ("to customs officers,
    ... and X")."""
    table = tokens(doc)
    label_at = entity_label_at(doc)
    i = first - 1
    while i >= clause_start:
        if table.lows[i] == word:
            return True
        if not (label_at(i) or table.word(i) in (",", "and", "or")):
            return False
        i -= 1
    return False


def _merge_sanctions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per measure, listing the claim's items it covers."""
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        for link in item["sanctions"]:
            row = rows.setdefault(link["id"], {**link, "items": []})
            row["items"].append(item["text"])
    return list(rows.values())
