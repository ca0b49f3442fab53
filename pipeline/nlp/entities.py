"""Rule-based entity matching and linking: PhraseMatcher over alias spellings, Matcher for vehicles."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from itertools import compress
from typing import Any

from spacy.attrs import ENT_TYPE
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .sentences import Tokens, tokens

# Span extension holding the mention's attributes (stored in doc.user_data, so it survives doc.ents copies).
EXT = "newsclaims"
ATTRS = "newsclaims_attrs"
# Where components built with `doc_ents=False` keep the doc's entities instead of `doc.ents` (see `doc_entities`).
ENTS = "newsclaims_ents"


def span_attrs(span: Span) -> dict[str, Any] | None:
    """The attributes our components gave a span (`span._.newsclaims`), or None."""
    table = span.doc.user_data.get(ATTRS)
    return table.get((span.start_char, span.end_char)) if table else None


def set_span_attrs(doc: Doc, start_char: int, end_char: int, attrs: dict[str, Any]) -> None:
    """Attach attributes to the span [start_char, end_char) of `doc`.

    Kept in one dict in `doc.user_data` (spaCy's own extension storage is keyed the same way, but setting a
    value through `span._` builds an Underscore object on every call, which showed in the profiles).
    """
    doc.user_data.setdefault(ATTRS, {})[(start_char, end_char)] = attrs


if not Span.has_extension(EXT):
    Span.set_extension(EXT, getter=span_attrs)

# An entity as the components pass it around: token start, token end, label, canonical id (or class).
Candidate = tuple[int, int, str, str]


def doc_entities(doc: Doc) -> list[Candidate] | None:
    """The doc's entities in text order, when our components keep them in `doc.user_data` (built with
    `doc_ents=False`); None when they are in `doc.ents`.

    Writing `doc.ents` means a Span per entity, a `set_ents` pass over every token per component, and reading
    the entity arrays back per token (each attribute read through spaCy's per-token getter): 11% of a batch
    run's instructions (measured with callgrind). The batch worker's Docs never leave it, so its pipeline
    skips that.
    """
    ents: list[Candidate] | None = doc.user_data.get(ENTS)
    return ents


def entity_label_at(doc: Doc) -> Callable[[int], str]:
    """A function from a token index to the label of the entity holding that token ("" outside any), for
    callers that ask about a few tokens: found by bisection in `doc_entities` when the entities are kept
    there, else read from `doc.ents` (the ENT_TYPE column, once)."""
    ents = doc_entities(doc)
    if ents is None:
        types = doc.to_array(ENT_TYPE).tolist() if len(doc) else []
        strings = doc.vocab.strings
        return lambda i: strings[types[i]] if types[i] else ""
    starts = [e[0] for e in ents]

    def label_at(i: int) -> str:
        k = bisect_right(starts, i) - 1  # entities are in text order and never overlap
        return ents[k][2] if k >= 0 and i < ents[k][1] else ""

    return label_at


LABEL_PRIORITY = {"AGENCY": 0, "COUNTY": 1, "PROVINCE": 2, "PLACE": 3, "VEHICLE": 4, "GOODS": 5, "QUANTITY": 6}


class EntityMatcher:
    """Finds PROVINCE, COUNTY, PLACE, AGENCY and VEHICLE mentions and links each to its canonical entry."""

    def __init__(self, nlp: Language, pack: dict[str, Any], *, doc_ents: bool = True) -> None:
        self.pack = pack
        self.doc_ents = doc_ents  # write `doc.ents`, or keep the entities in `doc.user_data` (`doc_entities`)
        self.entries: dict[str, dict[str, Any]] = pack["entries"]
        self._names = {k: v["name"] for k, v in self.entries.items()}
        self._base_cache: dict[tuple[str, str], dict[str, Any]] = {}
        guards = pack["guards"]
        self.not_before = {k: frozenset(v) for k, v in guards["not_before"].items()}
        self.not_after = {k: frozenset(v) for k, v in guards["not_after"].items()}
        meto = guards["metonymy"]
        self.metonymy_ids = frozenset(meto["ids"])
        self.metonymy_verbs = frozenset(meto["verbs"])
        self.metonymy_nouns = frozenset(meto["possessive_nouns"])
        self.origins: dict[str, str] = {k: v for k, v in guards["origins"].items() if not k.startswith("_")}
        self.vehicle_adjectives = frozenset(guards["vehicle_adjectives"])
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        groups: dict[str, list[str]] = {}
        for label, entry_id, text, flag in pack["phrases"]:
            capitalised = "C" if text[:1].isupper() else "c"
            groups.setdefault(f"{label}|{entry_id}|{flag}|{capitalised}", []).append(text)
        self._phrase_info: dict[int, tuple[str, str, bool, bool]] = {}  # by the match key's hash
        for key, texts in groups.items():
            label, entry_id, flag, cap = key.split("|")
            self._phrase_info[nlp.vocab.strings.add(key)] = (label, entry_id, flag == "former", cap == "C")
            self.phrase_matcher.add(key, list(_tokenizer(nlp).pipe(texts)))
        self._add_vehicle_patterns(nlp)
        # The string ids of every label and canonical id, added here, outside any memory zone (so they stay):
        # a Span given strings adds both to the StringStore on every call, a third of its cost (measured).
        names = {x for info in self._phrase_info.values() for x in info[:2]} | set(self._vehicle_class.values())
        self._string_ids = {x: nlp.vocab.strings.add(x) for x in names | {"VEHICLE"}}

    def _add_vehicle_patterns(self, nlp: Language) -> None:
        """Heads and models go to a PhraseMatcher; modifiers and brands are added by a left extension.

        (A token Matcher with brand? modifier{0,2} head patterns gave the same spans at a third of the
        speed of the whole pipeline: measured, see README.)
        """
        veh = self.pack["vehicles"]

        def toks(text: str) -> tuple[str, ...]:
            return tuple(t.lower_ for t in nlp.make_doc(text))

        by_class: dict[str, list[str]] = {}
        for head, cls in veh["heads"].items():
            by_class.setdefault(cls, []).append(head)
        for model, cls in veh["models"].items():
            by_class.setdefault(cls, []).append(model)
        self._vehicle_class: dict[int, str] = {}  # match key hash -> vehicle class
        for cls, texts in by_class.items():
            # keys of the alias PhraseMatcher: one pass over each doc instead of two (each pass reads every
            # token's LOWER through spaCy's per-token attribute getter)
            self.phrase_matcher.add(f"VEH:{cls}", list(_tokenizer(nlp).pipe(texts)))
            self._vehicle_class[nlp.vocab.strings.add(f"VEH:{cls}")] = cls
        self.vehicle_mods: dict[str, frozenset[str]] = {}
        for mod, classes in veh["modifiers"].items():
            for cls in classes:
                self.vehicle_mods[cls] = self.vehicle_mods.get(cls, frozenset()) | {mod}
        self.brands = frozenset(toks(b) for b in veh["brands"])
        self.max_brand = max((len(b) for b in self.brands), default=0)

    def _extend_vehicle(self, lows: list[str], cls: str, start: int) -> int:
        """Move the start left over up to two noun modifiers of the class, then one brand."""
        mods = self.vehicle_mods.get(cls, frozenset())
        taken = 0
        while taken < 2 and start > 0 and lows[start - 1] in mods:
            start -= 1
            taken += 1
        for n in range(min(self.max_brand, start), 0, -1):
            if tuple(lows[start - n : start]) in self.brands:
                return start - n
        return start

    def __call__(self, doc: Doc) -> Doc:
        table = tokens(doc)
        text, lows, starts = table.text, table.lows, table.starts
        candidates: list[Candidate] = []
        vehicles: list[Candidate] = []  # after the aliases, as when they had a matcher of their own
        former: set[tuple[int, int]] = set()
        phrase_info, vehicle_class = self._phrase_info, self._vehicle_class
        for key_id, start, end in self.phrase_matcher(doc):
            info = phrase_info.get(key_id)
            if info is None:
                cls = vehicle_class[key_id]
                start = self._extend_vehicle(lows, cls, start)
                if self._context_ok(lows, "VEHICLE", cls, start, end):
                    vehicles.append((start, end, "VEHICLE", cls))
                continue
            label, entry_id, is_former, capitalised = info
            if capitalised and not text[starts[start]].isupper():
                continue
            if not self._context_ok(lows, label, entry_id, start, end):
                continue
            candidates.append((start, end, label, entry_id))
            if is_former:
                former.add((start, end))
        candidates += vehicles
        if not self.doc_ents:
            kept = doc.user_data[ENTS] = _resolve_overlaps(candidates, doc_entities(doc) or [])
            self._attach_attrs(doc, table, kept, former)
            return doc
        existing: dict[Candidate, Span] = {(s.start, s.end, s.label_, s.kb_id_): s for s in doc.ents}
        kept = _resolve_overlaps(candidates, list(existing))
        # Spans only for the entities kept (candidates are several times as many); `set_ents` with its
        # default "outside" is what assigning `doc.ents` does, without copying every Span once more.
        ids = self._string_ids
        doc.set_ents([existing.get(c) or Span(doc, c[0], c[1], label=ids[c[2]], kb_id=ids[c[3]]) for c in kept])
        self._attach_attrs(doc, table, kept, former)
        return doc

    def _context_ok(self, lows: list[str], label: str, entry_id: str, start: int, end: int) -> bool:
        n = len(lows)
        nxt = lows[end] if end < n else ""
        if nxt in ("-", "–") and end + 1 < n:
            nxt_word = "-" + lows[end + 1]
            if nxt_word in self.not_before.get(label, ()):
                return False
        if nxt in self.not_before.get(label, ()):
            return False
        prev = lows[start - 1] if start > 0 else ""
        if prev in self.not_after.get(label, ()):
            return False
        if label == "VEHICLE" and end < n and nxt in ("'s", "’s"):
            return True
        if entry_id in self.metonymy_ids and end < n:
            if nxt in self.metonymy_verbs:
                return False
            if nxt in ("'s", "’s") and end + 1 < n and lows[end + 1] in self.metonymy_nouns:
                return False
        return True

    def _attach_attrs(self, doc: Doc, table: Tokens, ents: list[Candidate], former: set[tuple[int, int]]) -> None:
        """Attributes of every entity (`ents` is what `doc.ents` now holds, in order)."""
        store: dict[tuple[int, int], dict[str, Any]] = doc.user_data.setdefault(ATTRS, {})
        starts, ends = table.starts, table.ends
        previous_vehicle: Candidate | None = None
        previous_origin: str | None = None
        for ent in ents:
            start, end, label, kb_id = ent
            if label == "QUANTITY":
                continue
            attrs = dict(self._base_attrs(label, kb_id))
            if label in ("COUNTY", "PROVINCE"):
                attrs["former_name"] = (start, end) in former
            elif label == "VEHICLE":
                origin = self._origin(table, start)
                if origin is None and previous_vehicle is not None and _coordinated(table, previous_vehicle[1], start):
                    origin = previous_origin
                attrs["origin"] = origin
                previous_vehicle, previous_origin = ent, origin
            store[(starts[start], ends[end - 1])] = attrs

    def _base_attrs(self, label: str, kb_id: str) -> dict[str, Any]:
        """The attributes every mention of this entry has (its pack entry's, with the label's defaults);
        built once per entry and copied per mention."""
        key = (label, kb_id)
        base = self._base_cache.get(key)
        if base is None:
            entry = self.entries.get(kb_id)
            base = dict(entry["attrs"]) if entry else {}
            if label in ("COUNTY", "PROVINCE"):
                base.setdefault("parent", None)
            elif label == "PLACE":
                base.setdefault("country", base.get("iso"))
            elif label == "AGENCY":
                base.setdefault("country", None)
            elif label == "VEHICLE":
                base["vehicle_class"] = kb_id
            self._base_cache[key] = base
        return base

    def _origin(self, table: Tokens, start: int) -> str | None:
        """An origin adjective right before the vehicle (token `start`), possibly behind other adjectives."""
        lo = max(0, start - 6)
        j = start
        lows, starts, ends, text = table.lows, table.starts, table.ends, table.text
        while j > lo:
            for i in range(max(lo, j - 4), j):
                phrase = text[starts[i] : ends[j - 1]].lower()
                if phrase in self.origins:
                    return self.origins[phrase]
            if lows[j - 1] not in self.vehicle_adjectives and not lows[j - 1].endswith("-made"):
                return None
            j -= 1
        return None

    def names(self) -> dict[str, str]:
        """Canonical id -> display name."""
        return self._names


def _tokenizer(nlp: Language) -> Any:
    """The pipeline's Tokenizer (typed loosely: spaCy types it as a plain callable)."""
    return nlp.tokenizer


def anchor_runs(
    lows: list[str], inner: frozenset[str], anchors: frozenset[str], numeric: list[Any] | None = None
) -> list[tuple[int, int]]:
    """Maximal runs [lo, hi) of tokens that can be part of a match (in `inner`, or numeric when `numeric` is
    given) and hold at least one anchor (a word of `anchors` that is in `inner`, or a numeric token). When
    every match is made of such tokens and holds an anchor, the matcher finds the same matches on these runs
    as on the whole doc, at a fraction of the cost.

    Found from the anchors outwards: anchors are rare and picked at C speed, where a Python test of every
    token of the doc (common words such as "to" and "and" are in `inner`) cost more than the matching.
    """
    n = len(lows)
    seeds = [i for i in compress(range(n), map(anchors.__contains__, lows)) if lows[i] in inner]
    if numeric is not None:
        seeds = sorted({*seeds, *compress(range(n), numeric)})

        def can_be_in(i: int) -> bool:
            return bool(numeric[i]) or lows[i] in inner
    else:

        def can_be_in(i: int) -> bool:
            return lows[i] in inner

    runs: list[tuple[int, int]] = []
    hi = 0
    for seed in seeds:
        if seed < hi:
            continue  # inside the run found last
        lo, hi = seed, seed + 1
        while lo > 0 and can_be_in(lo - 1):  # never back into the last run: the token after it cannot be in
            lo -= 1
        while hi < n and can_be_in(hi):
            hi += 1
        runs.append((lo, hi))
    return runs


def _coordinated(table: Tokens, left_end: int, right_start: int) -> bool:
    """True when only commas and 'and'/'or' separate two mentions ("trucks, excavators, and sedans")."""
    return 0 < right_start - left_end <= 3 and all(table.word(i) in (",", "and", "or", "&") for i in range(left_end, right_start))


def _resolve_overlaps(candidates: list[Candidate], existing: list[Candidate]) -> list[Candidate]:
    """Longest match wins, then label priority, then the earlier one; rule spans replace overlapping others."""
    ordered = sorted(candidates, key=lambda c: (c[0] - c[1], LABEL_PRIORITY.get(c[2], 9), c[0]))
    taken = bytearray(max((c[1] for c in candidates), default=0) + 1)
    kept: list[Candidate] = []
    for c in ordered:
        if not any(taken[c[0] : c[1]]):
            kept.append(c)
            taken[c[0] : c[1]] = b"\x01" * (c[1] - c[0])
    others = [c for c in existing if not any(taken[c[0] : c[1]])]
    return sorted(kept + others, key=lambda c: c[0])
