"""Sentence cues: claim triggers, attribution, negation and the roles of places and agencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from ..nlp.sentences import lowers, text_of


@dataclass(frozen=True)
class Trigger:
    """The word that makes a clause a claim, and the claim type it signals."""

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
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, phrases in self.types:
            for phrase in phrases:
                self._by_first.setdefault(phrase[0], []).append((phrase, name))
        self.frame = tuple(lex["smuggling_frame"])
        self.frame_min = int(lex["smuggling_frame_min"])
        self.attribution = {k: [tuple(w.split()) for w in v] for k, v in lex["attribution"].items()}
        self.outlets = sorted(lex["outlets"], key=len, reverse=True)
        self.negation = {tuple(w.split()) for w in lex["negation"]}
        self._negation_by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(self.negation):
            self._negation_by_first.setdefault(phrase[0], []).append(phrase)
        self.negation_exceptions = {tuple(w.split()) for w in lex["negation_exceptions"]}
        self.roles = {role: [tuple(w.split()) for w in words] for role, words in lex["roles"].items()}
        self._roles_by_last: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for role, phrases in self.roles.items():
            for phrase in phrases:
                self._roles_by_last.setdefault(phrase[-1], []).append((role, phrase))
        self.agency_roles = lex["agency_roles"]
        self.policy_override = [tuple(w.split()) for w in lex.get("policy_override", [])]
        self.verbal_irregular = frozenset(lex.get("verbal_irregular", []))
        self.weak = frozenset(lex.get("weak_triggers", []))
        self.no_claim_prefixes = tuple(lex.get("no_claim_line_prefixes", []))

    def verbal(self, trigger: Trigger) -> bool:
        """A verb-like trigger ("smuggled", "were brought"), able to head a clause of its own."""
        last = trigger.text.lower().split()[-1]
        return last.endswith(("ed", "ing")) or last in self.verbal_irregular or len(trigger.text.split()) > 1

    def triggers(self, doc: Doc, start: int, end: int) -> list[Trigger]:
        """Every trigger in tokens [start, end): one dict lookup per token."""
        out = []
        lows = lowers(doc)
        by_first = self._by_first
        for i in range(start, end):
            if lows[i] not in by_first:
                continue
            for phrase, name in by_first[lows[i]]:
                n = len(phrase)
                if i + n > end or (n > 1 and tuple(lows[i : i + n]) != phrase):
                    continue
                if not self._vetoed(doc, i, i + n, name):
                    out.append(Trigger(name, i, i + n, doc[i : i + n].text))
        return sorted(out, key=self.rank)

    def rank(self, trigger: Trigger) -> tuple[bool, int, int]:
        """Strong triggers first (a bare noun like 'smugglers' only counts when nothing else does), then type priority."""
        return (trigger.text.lower() in self.weak, self.priority[trigger.claim_type], trigger.start)

    def _vetoed(self, doc: Doc, s: int, e: int, name: str) -> bool:
        tok = doc[s]
        # A trigger word inside an entity ("Sanctions Committee", "smuggling boats" as a VEHICLE) does not count.
        if tok.ent_type_ and tok.ent_type_ not in ("QUANTITY",):
            return True
        lows = lowers(doc)
        if name == "trade" and lows[s] == "crossing" and e < len(doc) and lows[e] in ("point", "points"):
            return True
        return False

    def smuggling_frame(self, doc: Doc) -> bool:
        """True when the article is about smuggling (so 'brought in' reads as smuggling, not trade)."""
        lowers = text_of(doc).lower()
        return sum(lowers.count(w) for w in self.frame) >= self.frame_min

    def find(self, doc: Doc, start: int, end: int, phrases: list[tuple[str, ...]]) -> tuple[int, int] | None:
        """The first (in phrase order) of `phrases` found in tokens [start, end)."""
        lows = lowers(doc)[start:end]
        present = set(lows)
        for phrase in phrases:
            if phrase[0] not in present:
                continue
            n = len(phrase)
            for i in range(len(lows) - n + 1):
                if lows[i] == phrase[0] and tuple(lows[i : i + n]) == phrase:
                    return start + i, start + i + n
        return None

    def attribution_of(self, doc: Doc, sent: Span) -> dict[str, Any]:
        """Status, attributing phrase and named source of a sentence."""
        for status in ("denied", "alleged", "reported", "planned", "speculative"):
            hit = self.find(doc, sent.start, sent.end, self.attribution[status])
            if hit is not None and _is_month_may(doc, hit, sent):
                hit = None  # "in May" is a month, not the modal "may"
            if hit is None:
                continue
            source = self.outlet(text_of(doc)[sent.start_char : sent.end_char])
            phrase = self._phrase(doc, sent, hit)
            if status == "reported" and self.find(doc, sent.start, sent.end, self.attribution["speculative"]):
                spec = self.find(doc, sent.start, sent.end, self.attribution["speculative"])
                if spec and doc[spec[0]].lower_ in ("possibility", "may", "might", "could", "likely", "probably"):
                    status = "speculative"
            return {"status": status, "source": source, "text": phrase.text, "start": phrase.start_char, "end": phrase.end_char}
        return {"status": "asserted", "source": None, "text": None, "start": None, "end": None}

    def _phrase(self, doc: Doc, sent: Span, hit: tuple[int, int]) -> Span:
        """The attributing phrase around a cue: back to the clause start, forward to the clause end."""
        s, e = hit
        while s > sent.start and doc[s - 1].text not in (",", ";", "“", '"', ":") and s - hit[0] > -8:
            s -= 1
        if doc[hit[0]].lower_ in ("according",):
            s = hit[0]
        while e < sent.end and doc[e].text not in (",", ";", ".", "”", '"', ":") and e - hit[1] < 8:
            e += 1
        for k in range(hit[1], e):
            if doc[k].lower_ == "that":
                e = k
                break
        while s < e - 1 and (doc[s].is_punct or doc[s].lower_ == "that"):
            s += 1
        return doc[s:e]

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
        for i in range(len(lows)):
            for phrase in self._negation_by_first.get(lows[i], ()):
                n = len(phrase)
                if tuple(lows[i : i + n]) == phrase:
                    nxt = tuple(lows[i : i + 2])
                    if nxt in self.negation_exceptions or (phrase[0] == "no" and i + 1 < len(lows) and lows[i + 1] == "longer"):
                        continue
                    return True
        return False

    def role(self, doc: Doc, ent: Span, clause_start: int) -> str | None:
        """The role a preposition before the mention gives it ("from Dandong" -> origin)."""
        lo = max(clause_start, ent.start - 9)
        lows = lowers(doc)[lo : ent.start]
        for hops, i in enumerate(range(len(lows) - 1, -1, -1)):
            if hops >= 6 or lows[i] in (".", ";") or not lows[i].strip():
                return None
            for role, phrase in self._roles_by_last.get(lows[i], ()):
                n = len(phrase)
                if i - n + 1 >= 0 and tuple(lows[i - n + 1 : i + 1]) == phrase:
                    return role
        return None


def _is_month_may(doc: Doc, hit: tuple[int, int], sent: Span) -> bool:
    tok = doc[hit[0]]
    return tok.text == "May" and tok.i != sent.start


_CACHE: dict[str, Cues] = {}


def cues_for(pack: dict[str, Any]) -> Cues:
    """The compiled cues of a pattern pack (compiled once per pack hash)."""
    key = pack["sha256"]
    if key not in _CACHE:
        _CACHE[key] = Cues(pack["claims"])
    return _CACHE[key]
