"""The quantity grammar: spaCy Matcher rules for counts, money and percentages, with normalised bounds.

Matcher rules find the number core ("100", "$1.5 billion", "30 to 40", "hundreds"); a left extension adds
the qualifier ("more than", "between"), and vetoes drop dates, years, durations and reference numbers
("Resolution 2397", "August 2023", "three years"). Bounds follow the words: see README (Quantities).
"""

from __future__ import annotations

import re
from typing import Any

import numpy
from spacy.attrs import ENT_IOB
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from .entities import ENTS, Candidate, anchor_runs, doc_entities, set_span_attrs
from .sentences import Tokens, tokens

_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)$")
_RANGE_JOINERS = ("to", "-", "–", "—", "and", "or")
_JOINER_SET = frozenset(_RANGE_JOINERS)


class QuantityMatcher:
    """Finds QUANTITY mentions and attaches `{"quantity": {...}}` with value, bounds, unit and rate."""

    def __init__(self, nlp: Language, pack: dict[str, Any], *, doc_ents: bool = True) -> None:
        self.doc_ents = doc_ents  # write `doc.ents`, or keep the entities in `doc.user_data` (`doc_entities`)
        lex = pack["quantities"]
        self.number_words: dict[str, float] = lex["number_words"]
        self.scales: dict[str, float] = lex["scales"]
        self.qualifiers = {tuple(k.split()): v for k, v in lex["qualifiers"].items()}
        self.max_qual = max(len(k) for k in self.qualifiers)
        self.vague = {tuple(k.split()): v for k, v in lex["vague"].items()}
        self.cur_prefix: dict[str, str] = lex["currencies"]["prefix"]
        self.cur_suffix = {tuple(k.split()): v for k, v in lex["currencies"]["suffix"].items()}
        self.percent = {tuple(p.split()) for p in lex["percent"]}
        self.not_after = frozenset(lex["not_after"])
        self.not_before = frozenset(lex["not_before"])
        self.months = frozenset(lex["months"])
        self.rate_units: dict[str, str] = lex["rate_units"]
        self.count_units = frozenset(lex["count_units"]) | frozenset(pack["vehicles"]["heads"])
        words = sorted(set(self.number_words) | set(self.scales), key=len, reverse=True)
        # LIKE_NUM is a precomputed lexeme flag (digits, number words, also ordinals, which _number() rejects);
        # far cheaper per token than a REGEX predicate.
        num: dict[str, Any] = {"LIKE_NUM": True}
        cur: dict[str, Any] = {"LOWER": {"IN": sorted(self.cur_prefix)}, "OP": "?"}
        suffix_single = sorted({k[0] for k in self.cur_suffix if len(k) == 1} | {k[0] for k in self.percent if len(k) == 1})
        suffix_multi = [k for k in list(self.cur_suffix) + list(self.percent) if len(k) > 1]
        core: list[dict[str, Any]] = [cur, {**num, "OP": "{1,4}"}]
        # The NUM and RANGE grammar as Matcher patterns: the specification. Runs are matched by
        # `_grammar_matches`, which a property test holds to exactly what this Matcher finds.
        self.matcher = Matcher(nlp.vocab)
        self._num_key = nlp.vocab.strings.add("NUM")
        self._range_key = nlp.vocab.strings.add("RANGE")
        self._currency_words = frozenset(self.cur_prefix)
        self._suffix_single = frozenset(suffix_single)
        self._suffix_multi: dict[str, list[tuple[str, ...]]] = {}
        for multi in suffix_multi:
            self._suffix_multi.setdefault(multi[0], []).append(multi)
        self._kinds = {nlp.vocab.strings.add(kind): kind for kind in ("NUM", "RANGE", "VAGUE")}
        self._label = nlp.vocab.strings.add("QUANTITY")  # a Span given a string adds it to the StringStore per call
        self.matcher.add(
            "NUM",
            [core, [*core, {"LOWER": {"IN": suffix_single}}]]
            + [[*core, *({"LOWER": t} for t in multi)] for multi in suffix_multi],
        )
        joiner: dict[str, Any] = {"LOWER": {"IN": list(_RANGE_JOINERS)}}
        rng: list[dict[str, Any]] = [cur, {**num, "OP": "{1,4}"}, joiner, cur, {**num, "OP": "{1,4}"}]
        self.matcher.add(
            "RANGE",
            [rng, [*rng, {"LOWER": {"IN": suffix_single}}]] + [[*rng, *({"LOWER": t} for t in multi)] for multi in suffix_multi],
        )
        # Vague expressions ("dozens", "tens of thousands") are fixed word sequences: a PhraseMatcher finds
        # them with one hash lookup per token, where 31 more Matcher patterns tripled the Matcher's work.
        self.vague_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.vague_matcher.add("VAGUE", [Doc(nlp.vocab, words=list(key)) for key in self.vague])
        # Every NUM or RANGE match holds a number (LIKE_NUM) and is made only of numbers and the words below,
        # so only the runs of such tokens that hold a number or a currency sign need matching: usually one to
        # three tokens, not the whole doc.
        self._anchors = frozenset(words) | frozenset(self.cur_prefix)
        self._inner = (
            self._anchors | frozenset(_RANGE_JOINERS) | frozenset(suffix_single) | {w for multi in suffix_multi for w in multi}
        )

    def __call__(self, doc: Doc) -> Doc:
        ents = None if self.doc_ents else doc_entities(doc) or []
        if ents is not None:
            taken = {i for start, end, _, _ in ents for i in range(start, end)}  # tokens inside entities
        else:
            iob = doc.to_array([ENT_IOB]).reshape(-1) if len(doc) else numpy.zeros(0, dtype="uint64")
            taken = set(numpy.flatnonzero((iob == 1) | (iob == 3)).tolist())  # tokens inside entities (I or B)
        # Longest final span first (the qualifier extends a match to the left), then the earlier one; a
        # candidate that overlaps one already taken is never analysed (it would be dropped anyway).
        candidates: list[tuple[int, int, str, int, dict[str, Any] | None]] = []
        table = tokens(doc)
        for key_id, start, end in self._matches(doc, table):
            kind = self._kinds[key_id]
            first, qual = self._qualifier(table.lows, start, kind)
            candidates.append((first, end, kind, start, qual))
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        new: list[Candidate] = []
        for final_start, end, kind, start, qual in candidates:
            if taken.intersection(range(final_start, end)):
                continue
            result = self._analyse(table, kind, start, end, (final_start, qual))
            if result is None:
                continue
            first, attrs = result
            taken.update(range(first, end))
            new.append((first, end, "QUANTITY", ""))
            set_span_attrs(doc, table.starts[first], table.ends[end - 1], {"quantity": attrs})
        if ents is not None:
            doc.user_data[ENTS] = sorted(ents + new) if new else ents  # no two overlap: in order of their starts
        elif new:
            # adds them; the entities already there stay as they are
            doc.set_ents([Span(doc, s, e, label=self._label) for s, e, _, _ in new], default="unmodified")
        return doc

    def _matches(self, doc: Doc, table: Tokens) -> list[tuple[int, int, int]]:
        """(key, start, end) of every NUM, RANGE and VAGUE match, sorted: the same as the whole grammar on the
        whole doc (a property test checks it), at a fraction of the cost."""
        # Digit tokens need no anchor words of their own: each is LIKE_NUM ("1,500." without its commas and
        # dots is all digits), and `anchor_runs` takes every LIKE_NUM token as an anchor.
        runs = anchor_runs(table.lows, self._inner, self._anchors, table.like_num)
        found: set[tuple[int, int, int]] = set()
        for lo, hi in runs:
            self._grammar_matches(table.lows, table.like_num, lo, hi, found)
        found.update(self.vague_matcher(doc))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))

    def _grammar_matches(self, lows: list[str], nums: list[int], lo: int, hi: int, found: set[tuple[int, int, int]]) -> None:
        """Add every NUM and RANGE match inside tokens [lo, hi): exactly what `self.matcher` finds on
        `doc[lo:hi]` (a property test checks it on random text), without a Matcher call.

        The grammar is small: `cur? num{1,4} suffix?` and `cur? num{1,4} joiner cur? num{1,4} suffix?`. A Matcher
        call on a short run cost about 10 microseconds, most of it setting up and evaluating its Python set
        predicates; here each start is extended by dict and set lookups.
        """

        def numbers(p: int) -> list[int]:  # ends of 1 to 4 number tokens from p
            ends: list[int] = []
            e = p
            while e < hi and e - p < 4 and nums[e]:
                e += 1
                ends.append(e)
            return ends

        def cores(p: int) -> list[int]:  # ends of `cur? num{1,4}` from p
            if p >= hi:
                return []
            return numbers(p) + numbers(p + 1) if lows[p] in self._currency_words else numbers(p)

        def suffixed(e: int) -> list[int]:  # e, and the end of each suffix that follows it
            ends = [e]
            if e < hi:
                if lows[e] in self._suffix_single:
                    ends.append(e + 1)
                for words in self._suffix_multi.get(lows[e], ()):
                    if e + len(words) <= hi and tuple(lows[e : e + len(words)]) == words:
                        ends.append(e + len(words))
            return ends

        num, rng = self._num_key, self._range_key
        for start in range(lo, hi):
            for e in cores(start):
                found.update((num, start, end) for end in suffixed(e))
                if e < hi and lows[e] in _JOINER_SET:
                    for e2 in cores(e + 1):
                        found.update((rng, start, end) for end in suffixed(e2))

    # -- analysis -------------------------------------------------------------------------------------

    def _analyse(
        self, table: Tokens, kind: str, start: int, end: int, qualified: tuple[int, dict[str, Any] | None]
    ) -> tuple[int, dict[str, Any]] | None:
        """The quantity's first token (a qualifier may extend the match to the left) and its attributes;
        `qualified` is what `_qualifier` gives for the match (found once, when the candidates are ranked)."""
        lows = table.lows
        toks = lows[start:end]
        q: dict[str, Any] = {
            "value": None,
            "lower": None,
            "upper": None,
            "lower_inclusive": None,
            "upper_inclusive": None,
            "approximate": False,
            "vague": False,
            "unit": None,
            "per": None,
        }
        if kind == "VAGUE":
            spec = self.vague[tuple(toks)]
            q["vague"] = "value" not in spec
            self._apply_spec(q, spec)
            if spec.get("value") is not None and not spec.get("approximate"):
                q["lower"] = q["upper"] = spec["value"]
                q["lower_inclusive"] = q["upper_inclusive"] = True
        else:
            currency, toks_core, suffix_unit = self._strip_currency(toks)
            if kind == "RANGE":
                parts = self._split_range(toks_core)
                if parts is None:
                    return None
                lo_toks, joiner, hi_toks = parts
                lo, hi = self._number(lo_toks), self._number(hi_toks)
                if lo is None or hi is None or hi <= lo:
                    return None
                if joiner == "and" and not (start > 0 and lows[start - 1] == "between"):
                    return None
                if joiner in ("-", "–", "—") and (_YEAR.match(lo_toks[-1]) or _spaced_joiner(table, start, end)):
                    return None
                q.update(lower=lo, upper=hi, lower_inclusive=True, upper_inclusive=True)
                if joiner == "or":
                    q["approximate"] = True
            else:
                value = self._number(toks_core)
                if value is None:
                    return None
                q.update(value=value, lower=value, upper=value, lower_inclusive=True, upper_inclusive=True)
            q["unit"] = currency or suffix_unit
            if not self._plausible(table, start, end, toks_core, bool(currency or suffix_unit)):
                return None
        start, qual = qualified
        if qual is not None:
            self._apply_qualifier(q, qual)
        elif (
            kind == "NUM"
            and len(toks) == 1
            and toks[0] in ("one", "half")
            or (kind == "NUM" and len(toks) == 1 and toks[0] in self.scales)
        ):
            return None  # bare determiners "one", "half" and a lone "hundred" are not counts
        if q["unit"] is None:
            q["unit"] = self._counted_unit(table, end)
        q["per"] = self._rate(lows, end)
        return start, q

    def _apply_spec(self, q: dict[str, Any], spec: dict[str, Any]) -> None:
        if "value" in spec:
            q["value"] = spec["value"]
        if "lower" in spec:
            q.update(lower=spec["lower"], upper=spec["upper"], lower_inclusive=True, upper_inclusive=True)
        q["approximate"] = bool(spec.get("approximate", False))

    def _strip_currency(self, toks: list[str]) -> tuple[str | None, list[str], str | None]:
        prefixes = [t for t in toks if t in self.cur_prefix]
        currency = self.cur_prefix[prefixes[0]] if prefixes else None
        core = [t for t in toks if t not in self.cur_prefix]
        suffix_unit = None
        for n in (3, 2, 1):
            tail = tuple(core[-n:])
            if len(core) > n and tail in self.cur_suffix:
                currency = currency or self.cur_suffix[tail]
                core = core[:-n]
                break
            if len(core) > n and tail in self.percent:
                suffix_unit = "percent"
                core = core[:-n]
                break
        return currency, core, suffix_unit

    def _split_range(self, toks: list[str]) -> tuple[list[str], str, list[str]] | None:
        for i, t in enumerate(toks):
            if t in _RANGE_JOINERS and 0 < i < len(toks) - 1:
                hi = [x for x in toks[i + 1 :] if x not in self.cur_prefix]
                return toks[:i], t, hi
        return None

    def _number(self, toks: list[str]) -> float | None:
        """'1,000' -> 1000; '2 million' -> 2e6; 'two hundred' -> 200; mixed junk -> None."""
        if not toks:
            return None
        if _DIGITS.match(toks[0]):
            value = float(toks[0].replace(",", ""))
            for t in toks[1:]:
                if t not in self.scales:
                    return None
                value *= self.scales[t]
            return _tidy(value)
        total, current = 0.0, 0.0
        for t in toks:
            if t in ("hundred", "dozen"):
                current = (current or 1) * self.scales[t]
            elif t in self.scales:
                total += (current or 1) * self.scales[t]
                current = 0
            elif t in self.number_words:
                current += self.number_words[t]
            else:
                return None
        return _tidy(total + current)

    def _plausible(self, table: Tokens, start: int, end: int, core: list[str], has_unit: bool) -> bool:
        lows = table.lows
        prev = lows[start - 1] if start > 0 else ""
        if prev in self.not_after or prev in self.months:
            return False
        nxt = lows[end] if end < len(lows) else ""
        if nxt in self.months:
            return False
        if nxt in ("-", "–") and end + 1 < len(lows) and lows[end + 1] in self.not_before:
            return False
        if nxt in self.not_before and not has_unit:
            return False
        if len(core) == 1 and _YEAR.match(core[0]) and not has_unit and nxt not in self.count_units:
            return False
        if start > 0 and table.word(start - 1) in ("#", "No", "no"):
            return False
        return True

    def _qualifier(self, lows: list[str], start: int, kind: str) -> tuple[int, dict[str, Any] | None]:
        for n in range(min(self.max_qual, start), 0, -1):
            key = tuple(lows[start - n : start])
            if key in self.qualifiers:
                return start - n, self.qualifiers[key]
        if kind == "RANGE" and start > 0 and lows[start - 1] in ("between", "from"):
            return start - 1, {}
        return start, None

    def _apply_qualifier(self, q: dict[str, Any], qual: dict[str, Any]) -> None:
        if qual.get("approximate"):
            q["approximate"] = True
        side = qual.get("side")
        if side is None:
            if qual.get("approximate") and q["value"] is not None:
                q.update(lower=None, upper=None, lower_inclusive=None, upper_inclusive=None)
            return
        bound = q["value"] if q["value"] is not None else (q["lower"] if side == "lower" else q["upper"])
        q.update(value=None, lower=None, upper=None, lower_inclusive=None, upper_inclusive=None)
        q[side] = bound
        q[f"{side}_inclusive"] = bool(qual.get("inclusive"))

    def _counted_unit(self, table: Tokens, end: int) -> str | None:
        lows, n = table.lows, len(table.lows)
        i = end
        if i < n and lows[i] == "of":
            i += 1
        for j in range(i, min(i + 5, n)):
            if table.is_punct(j) and lows[j] != "-":
                return None
            if lows[j] in self.count_units:
                return lows[j]
        return None

    def _rate(self, lows: list[str], end: int) -> str | None:
        for j in range(end, min(end + 8, len(lows) - 1)):
            low = lows[j]
            if low in (".", ";", "!", "?"):
                return None
            if low in ("a", "an", "per", "each", "every") and lows[j + 1] in self.rate_units:
                return self.rate_units[lows[j + 1]]
            if low in ("daily", "weekly", "monthly", "annually", "yearly"):
                return self.rate_units[low]
        return None


def _spaced_joiner(table: Tokens, start: int, end: int) -> bool:
    """A dash range is written tight ("30-40"); a spaced dash is punctuation between clauses."""
    for i in range(start, end):
        if table.lows[i] in ("-", "–", "—"):
            return table.space_after(i) or table.space_after(i - 1)
    return False


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
