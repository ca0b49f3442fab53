"""Sentence cues: claim triggers, attribution, negation and the roles of places and agencies.

Everything here works on token indexes into the doc's token table (`nlp.sentences.tokens`): each `doc[i]`
or `doc[a:b]` builds a new spaCy object, which cost more than the rules themselves.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import compress
from typing import Any, NamedTuple

from spacy.tokens import Doc

from ..nlp.entities import entity_label_at
from ..nlp.sentences import lowers, tokens

ATTRIBUTION_ORDER = ("denied", "alleged", "reported", "planned", "speculative")
SPECULATIVE_WORDS = ("possibility", "may", "might", "could", "likely", "probably")


class Trigger(NamedTuple):
    """The word that makes a clause a claim, and the claim type it signals (a named tuple: an article has dozens,
    made in a loop, and a frozen dataclass is several times dearer to build)."""

    claim_type: str
    start: int  # token index
    end: int
    text: str


class Cues:
    """Compiled cue lexicon from `patterns/claims.json`."""

    def __init__(self, lex: dict[str, Any]) -> None:
        self.types: list[tuple[str, list[tuple[str, ...]]]] = [
            (name, [tuple(w.split()) for w in words]) for name, words in lex["types"]
        ]
        self.priority = {name: i for i, (name, _) in enumerate(self.types)}
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
        for name, phrases in self.types:
            for phrase in phrases:
                self._by_first.setdefault(phrase[0], []).append((phrase, name, len(phrase)))
        self.frame = tuple(lex["smuggling_frame"])
        self.frame_min = int(lex["smuggling_frame_min"])
        self.attribution = {k: [tuple(w.split()) for w in v] for k, v in lex["attribution"].items()}
        self._attribution_firsts = {k: frozenset(p[0] for p in v) for k, v in self.attribution.items()}
        self.outlets = sorted(lex["outlets"], key=len, reverse=True)
        self.negation = {tuple(w.split()) for w in lex["negation"]}
        self._negation_by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(self.negation):
            self._negation_by_first.setdefault(phrase[0], []).append(phrase)
        self._negation_firsts = frozenset(self._negation_by_first)
        self.negation_exceptions = {tuple(w.split()) for w in lex["negation_exceptions"]}
        self.roles = {role: [tuple(w.split()) for w in words] for role, words in lex["roles"].items()}
        self._roles_by_last: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for role, phrases in self.roles.items():
            for phrase in phrases:
                self._roles_by_last.setdefault(phrase[-1], []).append((role, phrase))
        self.agency_roles = lex["agency_roles"]
        self.policy_override = [tuple(w.split()) for w in lex.get("policy_override", [])]
        # one word of each policy phrase, its longest (the rarest, as a rule: "only", "required", "ordered"):
        # a clause without any of them holds none of the phrases
        self._policy_keys = frozenset(max(p, key=len) for p in self.policy_override)
        self.verbal_irregular = frozenset(lex.get("verbal_irregular", []))
        self.weak = frozenset(lex.get("weak_triggers", []))
        self.no_claim_prefixes = tuple(lex.get("no_claim_line_prefixes", []))

    def verbal(self, trigger: Trigger) -> bool:
        """A verb-like trigger ("smuggled", "were brought"), able to head a clause of its own."""
        last = trigger.text.lower().split()[-1]
        return last.endswith(("ed", "ing")) or last in self.verbal_irregular or len(trigger.text.split()) > 1

    def triggers(self, doc: Doc, start: int, end: int) -> list[Trigger]:
        """Every trigger in tokens [start, end), best first."""
        starts, found = self._doc_triggers(doc)
        inside = found[bisect_left(starts, start) : bisect_left(starts, end)]
        return sorted([t for t in inside if t.end <= end], key=self.rank)

    def trigger_starts(self, doc: Doc) -> list[int]:
        """The start tokens of every trigger of the doc, ascending."""
        return self._doc_triggers(doc)[0]

    def _doc_triggers(self, doc: Doc) -> tuple[list[int], list[Trigger]]:
        """Every trigger of the doc in text order, with their start tokens: found once per doc, so that each
        sentence only picks its own (one dict lookup per token of the article, not per sentence scan)."""
        cached = doc.user_data.get("newsclaims_triggers")
        if cached is not None and cached[0] is self:
            return cached[1], cached[2]
        table = tokens(doc)
        lows, text, starts, ends = table.lows, table.text, table.starts, table.ends
        by_first = self._by_first
        # Only the tokens that can start a trigger (picked at C speed, a few dozen per article) need their
        # entity's label, each looked up on its own rather than every token of the article labelled first.
        label_at = entity_label_at(doc)
        found = []
        for i in compress(range(len(lows)), map(by_first.__contains__, lows)):
            # A trigger word inside an entity ("Sanctions Committee", "smuggling boats" as a VEHICLE) does not
            # count; inside a quantity it does.
            if label_at(i) not in ("", "QUANTITY"):
                continue
            for phrase, name, n in by_first[lows[i]]:
                if n > 1 and tuple(lows[i : i + n]) != phrase:
                    continue
                if name == "trade" and lows[i] == "crossing" and i + n < len(lows) and lows[i + n] in ("point", "points"):
                    continue  # a border crossing point is a place, not trade
                found.append(Trigger(name, i, i + n, text[starts[i] : ends[i + n - 1]]))
        starts = [t.start for t in found]
        doc.user_data["newsclaims_triggers"] = (self, starts, found)
        return starts, found

    def rank(self, trigger: Trigger) -> tuple[bool, int, int]:
        """Strong triggers first (a bare noun like 'smugglers' only counts when nothing else does), then type priority."""
        return (trigger.text.lower() in self.weak, self.priority[trigger.claim_type], trigger.start)

    def smuggling_frame(self, doc: Doc) -> bool:
        """True when the article is about smuggling (so 'brought in' reads as smuggling, not trade)."""
        text = tokens(doc).lower
        seen = 0
        for word in self.frame:  # most articles reach the count with the first word or two
            seen += text.count(word)
            if seen >= self.frame_min:
                return True
        return seen >= self.frame_min

    def policy(self, doc: Doc, start: int, end: int) -> bool:
        """True when tokens [start, end) hold a policy phrase ("goods can only be imported by ...")."""
        lows = lowers(doc)[start:end]
        if self._policy_keys.isdisjoint(lows):  # most clauses: no set of their words to build
            return False
        return _find(lows, set(lows), start, self.policy_override) is not None

    def attribution_of(self, doc: Doc, start: int, end: int) -> dict[str, Any]:
        """Status, attributing phrase and named source of the sentence in tokens [start, end)."""
        table = tokens(doc)
        lows = table.lows[start:end]
        present = set(lows)
        for status in ATTRIBUTION_ORDER:
            if present.isdisjoint(self._attribution_firsts[status]):
                continue  # most sentences hold none of a status's cue words: one set operation says so
            hit = _find(lows, present, start, self.attribution[status])
            if hit is not None and _is_month_may(doc, hit, start):
                hit = None  # "in May" is a month, not the modal "may"
            if hit is None:
                continue
            source = self.outlet(table.text[table.starts[start] : table.ends[end - 1]])
            s, e = self._phrase(doc, start, end, hit)
            if status == "reported":
                spec = _find(lows, present, start, self.attribution["speculative"])
                if spec and table.lows[spec[0]] in SPECULATIVE_WORDS:
                    status = "speculative"
            return {
                "status": status,
                "source": source,
                "text": table.span_text(s, e),
                "start": table.starts[s],
                "end": table.ends[e - 1],
            }
        return {"status": "asserted", "source": None, "text": None, "start": None, "end": None}

    def _phrase(self, doc: Doc, start: int, end: int, hit: tuple[int, int]) -> tuple[int, int]:
        """The tokens of the attributing phrase around a cue: back to the clause start, forward to the clause end
        (in the sentence of tokens [start, end))."""
        table = tokens(doc)
        lows, text, starts, ends = table.lows, table.text, table.starts, table.ends
        s, e = hit
        # token texts read in place (`Tokens.word` is a method call per step)
        while s > start and text[starts[s - 1] : ends[s - 1]] not in (",", ";", "“", '"', ":") and s - hit[0] > -8:
            s -= 1
        if lows[hit[0]] in ("according",):
            s = hit[0]
        while e < end and text[starts[e] : ends[e]] not in (",", ";", ".", "”", '"', ":") and e - hit[1] < 8:
            e += 1
        for k in range(hit[1], e):
            if lows[k] == "that":
                e = k
                break
        while s < e - 1 and (table.is_punct(s) or lows[s] == "that"):
            s += 1
        return s, e

    def outlet(self, text: str) -> str | None:
        for name in self.outlets:
            if name in text:
                return name
        return None

    def negated(self, doc: Doc, start: int, end: int, trigger: Trigger) -> bool:
        """A negation cue in the clause close to the trigger ("did not", "no trucks were")."""
        lo = max(start, trigger.start - 6)
        hi = min(end, trigger.end + 2)
        lows = lowers(doc)[lo:hi]
        # most clauses have no cue word near the trigger: one set operation says so (3.6M instructions fewer
        # per 200 articles than the loop below)
        if self._negation_firsts.isdisjoint(lows):
            return False
        for i in range(len(lows)):
            for phrase in self._negation_by_first.get(lows[i], ()):
                n = len(phrase)
                if tuple(lows[i : i + n]) == phrase:
                    nxt = tuple(lows[i : i + 2])
                    if nxt in self.negation_exceptions or (phrase[0] == "no" and i + 1 < len(lows) and lows[i + 1] == "longer"):
                        continue
                    return True
        return False

    def role(self, doc: Doc, start: int, clause_start: int) -> str | None:
        """The role a preposition before the mention starting at token `start` gives it ("from Dandong" -> origin)."""
        lo = max(clause_start, start - 9)
        lows = lowers(doc)[lo:start]
        for hops, i in enumerate(range(len(lows) - 1, -1, -1)):
            if hops >= 6 or lows[i] in (".", ";") or not lows[i].strip():
                return None
            for role, phrase in self._roles_by_last.get(lows[i], ()):
                n = len(phrase)
                if i - n + 1 >= 0 and tuple(lows[i - n + 1 : i + 1]) == phrase:
                    return role
        return None


def _find(lows: list[str], present: set[str], offset: int, phrases: list[tuple[str, ...]]) -> tuple[int, int] | None:
    """The first (in phrase order) of `phrases` in `lows` (the tokens from `offset` on; `present` is their set,
    made once by the caller for all the phrase lists it tries)."""
    for phrase in phrases:
        first = phrase[0]
        if first not in present:
            continue
        # the first word's places found by `list.index` at C speed, not by a Python loop over every token of
        # the sentence (with `_phrase` reading token texts in place: 2.5M instructions fewer per 200 articles)
        n = len(phrase)
        i = -1
        for _ in range(lows.count(first) if n > 1 else 1):
            i = lows.index(first, i + 1)
            if n == 1 or tuple(lows[i : i + n]) == phrase:
                return offset + i, offset + i + n
    return None


def _is_month_may(doc: Doc, hit: tuple[int, int], sent_start: int) -> bool:
    return hit[0] != sent_start and tokens(doc).word(hit[0]) == "May"


_CACHE: dict[str, Cues] = {}


def cues_for(pack: dict[str, Any]) -> Cues:
    """The compiled cues of a pattern pack (compiled once per pack hash)."""
    key = pack["sha256"]
    if key not in _CACHE:
        _CACHE[key] = Cues(pack["claims"])
    return _CACHE[key]
