"""Rule-based entity matching and linking: PhraseMatcher over alias spellings, Matcher for vehicles."""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

# Span extension holding the mention's attributes (stored in doc.user_data, so it survives doc.ents copies).
EXT = "newsclaims"
if not Span.has_extension(EXT):
    Span.set_extension(EXT, default=None)

LABEL_PRIORITY = {"AGENCY": 0, "COUNTY": 1, "PROVINCE": 2, "PLACE": 3, "VEHICLE": 4, "GOODS": 5, "QUANTITY": 6}


class EntityMatcher:
    """Finds PROVINCE, COUNTY, PLACE, AGENCY and VEHICLE mentions and links each to its canonical entry."""

    def __init__(self, nlp: Language, pack: dict[str, Any]) -> None:
        self.pack = pack
        self.entries: dict[str, dict[str, Any]] = pack["entries"]
        self._names = {k: v["name"] for k, v in self.entries.items()}
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
        self._phrase_info: dict[str, tuple[str, str, bool, bool]] = {}
        for key, texts in groups.items():
            label, entry_id, flag, cap = key.split("|")
            self._phrase_info[key] = (label, entry_id, flag == "former", cap == "C")
            self.phrase_matcher.add(key, list(nlp.tokenizer.pipe(texts)))
        self.vehicle_matcher = Matcher(nlp.vocab)
        self._add_vehicle_patterns(nlp)

    def _add_vehicle_patterns(self, nlp: Language) -> None:
        """Few patterns with IN-sets (brand? modifier{0,2} head), so matching stays fast."""
        veh = self.pack["vehicles"]

        def toks(text: str) -> list[str]:
            return [t.lower_ for t in nlp.make_doc(text)]

        brands_by_len: dict[int, list[list[str]]] = {}
        for brand in veh["brands"]:
            seq = toks(brand)
            brands_by_len.setdefault(len(seq), []).append(seq)
        brand_prefixes: list[list[dict[str, Any]]] = [[]]
        for length, seqs in sorted(brands_by_len.items()):
            brand_prefixes.append([{"LOWER": {"IN": sorted({s[i] for s in seqs})}} for i in range(length)])
        mods_by_class: dict[str, list[str]] = {}
        for mod, classes in veh["modifiers"].items():
            for cls in classes:
                mods_by_class.setdefault(cls, []).append(mod)
        heads_by_class: dict[str, list[list[str]]] = {}
        for head, cls in veh["heads"].items():
            heads_by_class.setdefault(cls, []).append(toks(head))
        for cls, heads in heads_by_class.items():
            single = sorted({h[0] for h in heads if len(h) == 1})
            tails: list[list[dict[str, Any]]] = []
            if single:
                tails.append([{"LOWER": {"IN": single}}])
            tails.extend([{"LOWER": t} for t in h] for h in heads if len(h) > 1)
            mods = sorted(mods_by_class.get(cls, []))
            patterns: list[list[dict[str, Any]]] = []
            for tail in tails:
                middles: list[list[dict[str, Any]]] = [[]]
                if mods:
                    middles.append([{"LOWER": {"IN": mods}, "OP": "{1,2}"}])
                for prefix in brand_prefixes:
                    for middle in middles:
                        patterns.append([*prefix, *middle, *tail])
            self.vehicle_matcher.add(f"VEH:{cls}", patterns)
        for model, cls in veh["models"].items():
            self.vehicle_matcher.add(f"VEH:{cls}", [[{"LOWER": t} for t in toks(model)]])
        # Every vehicle pattern ends on a head or model token: the matcher only runs around those.
        self._vehicle_ends = frozenset([toks(h)[-1] for h in veh["heads"]] + [toks(m)[-1] for m in veh["models"]])

    def __call__(self, doc: Doc) -> Doc:
        candidates: list[Span] = []
        for key_id, start, end in self.phrase_matcher(doc):
            label, entry_id, former, capitalised = self._phrase_info[doc.vocab.strings[key_id]]
            if capitalised and not doc[start].text[:1].isupper():
                continue
            if not self._context_ok(doc, label, entry_id, start, end):
                continue
            span = Span(doc, start, end, label=label, kb_id=entry_id)
            candidates.append(span)
            self._pending_attrs(span, former=former)
        for key_id, start, end in windowed_matches(self.vehicle_matcher, doc, self._vehicle_ends, before=6, after=1):
            cls = doc.vocab.strings[key_id].split(":", 1)[1]
            if not self._context_ok(doc, "VEHICLE", cls, start, end):
                continue
            span = Span(doc, start, end, label="VEHICLE", kb_id=cls)
            candidates.append(span)
        kept = _resolve_overlaps(candidates, list(doc.ents))
        doc.ents = kept
        self._attach_attrs(doc)
        return doc

    def _pending_attrs(self, span: Span, *, former: bool) -> None:
        if former:
            span.doc.user_data.setdefault("newsclaims_former", set()).add((span.start_char, span.end_char))

    def _context_ok(self, doc: Doc, label: str, entry_id: str, start: int, end: int) -> bool:
        nxt = doc[end].lower_ if end < len(doc) else ""
        if nxt in ("-", "–") and end + 1 < len(doc):
            nxt_word = "-" + doc[end + 1].lower_
            if nxt_word in self.not_before.get(label, ()):
                return False
        if nxt in self.not_before.get(label, ()):
            return False
        prev = doc[start - 1].lower_ if start > 0 else ""
        if prev in self.not_after.get(label, ()):
            return False
        if label == "VEHICLE" and end < len(doc) and nxt in ("'s", "’s"):
            return True
        if entry_id in self.metonymy_ids and end < len(doc):
            if nxt in self.metonymy_verbs:
                return False
            if nxt in ("'s", "’s") and end + 1 < len(doc) and doc[end + 1].lower_ in self.metonymy_nouns:
                return False
        return True

    def _attach_attrs(self, doc: Doc) -> None:
        former = doc.user_data.pop("newsclaims_former", set())
        previous_vehicle: Span | None = None
        for ent in doc.ents:
            if ent.label_ == "QUANTITY":
                continue
            entry = self.entries.get(ent.kb_id_)
            attrs: dict[str, Any] = dict(entry["attrs"]) if entry else {}
            if ent.label_ in ("COUNTY", "PROVINCE"):
                attrs["former_name"] = (ent.start_char, ent.end_char) in former
                attrs.setdefault("parent", None)
            elif ent.label_ == "PLACE":
                attrs.setdefault("country", attrs.get("iso"))
            elif ent.label_ == "AGENCY":
                attrs.setdefault("country", None)
            if ent.label_ == "VEHICLE":
                attrs["vehicle_class"] = ent.kb_id_
                origin = self._origin(doc, ent)
                if origin is None and previous_vehicle is not None and _coordinated(doc, previous_vehicle, ent):
                    origin = previous_vehicle._.get(EXT).get("origin")
                attrs["origin"] = origin
                previous_vehicle = ent
            ent._.set(EXT, attrs)

    def _origin(self, doc: Doc, ent: Span) -> str | None:
        """An origin adjective right before the vehicle, possibly behind other adjectives."""
        lo = max(ent.sent.start if doc.has_annotation("SENT_START") else 0, ent.start - 6)
        j = ent.start
        while j > lo:
            for i in range(max(lo, j - 4), j):
                phrase = doc[i:j].text.lower()
                if phrase in self.origins:
                    return self.origins[phrase]
            if doc[j - 1].lower_ not in self.vehicle_adjectives and not doc[j - 1].lower_.endswith("-made"):
                return None
            j -= 1
        return None

    def names(self) -> dict[str, str]:
        """Canonical id -> display name."""
        return self._names


def windowed_matches(
    matcher: Matcher, doc: Doc, anchors: frozenset[str], *, before: int, after: int
) -> list[tuple[int, int, int]]:
    """Run `matcher` only on windows around anchor tokens (a set lookup per token is far cheaper than the
    matcher's per-token state machine); match offsets are returned relative to the doc."""
    windows: list[list[int]] = []
    for tok in doc:
        if tok.lower_ in anchors:
            lo, hi = max(0, tok.i - before), min(len(doc), tok.i + after + 1)
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
    found: set[tuple[int, int, int]] = set()
    for lo, hi in windows:
        for key, s, e in matcher(doc[lo:hi]):
            found.add((key, lo + s, lo + e))
    return sorted(found, key=lambda m: (m[1], m[2], m[0]))


def _coordinated(doc: Doc, left: Span, right: Span) -> bool:
    """True when only commas and 'and'/'or' separate two mentions ("trucks, excavators, and sedans")."""
    between = doc[left.end : right.start]
    return 0 < len(between) <= 3 and all(t.text in (",", "and", "or", "&") for t in between)


def _resolve_overlaps(candidates: list[Span], existing: list[Span]) -> list[Span]:
    """Longest match wins, then label priority, then the earlier one; rule spans replace overlapping others."""
    ordered = sorted(candidates, key=lambda s: (-(s.end - s.start), LABEL_PRIORITY.get(s.label_, 9), s.start))
    taken: set[int] = set()
    kept: list[Span] = []
    for span in ordered:
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    others = [s for s in existing if not taken.intersection(range(s.start, s.end))]
    return sorted(kept + others, key=lambda s: s.start)
