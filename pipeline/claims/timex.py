"""Time expressions in a sentence, normalised to an interval anchored to the publication date.

Our own rules handle months, early/mid/late, halves, quarters, since/until and ranges; dateparser (with
`languages=['en']` and `RELATIVE_BASE`) parses only explicit day-month(-year) strings. Nothing here ever
reads today's date: without a publication date, relative expressions stay unresolved and say so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Any, NamedTuple

from spacy.strings import get_string_id
from spacy.tokens import Doc

from ..nlp.sentences import Tokens, lowers, tokens

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS.update(
    {
        "sept": 9,
        "jan.": 1,
        "feb.": 2,
        "mar.": 3,
        "apr.": 4,
        "jun.": 6,
        "jul.": 7,
        "aug.": 8,
        "sep.": 9,
        "sept.": 9,
        "oct.": 10,
        "nov.": 11,
        "dec.": 12,
    }
)
PARTS = {
    "early": (1, 10),
    "beginning": (1, 10),
    "start": (1, 10),
    "mid": (11, 20),
    "middle": (11, 20),
    "late": (21, 31),
    "end": (21, 31),
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
ORDINAL_HALF = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "latter": 2}
ORDINAL_QUARTER = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}
STREET_WORDS = {"street", "st", "st.", "avenue", "road", "square", "plaza", "bridge", "factory", "enterprise", "school"}
# Years 1900-2099 and days of the month ("7", "7th", "31st"), as lower-case token forms.
YEARS = [str(y) for y in range(1900, 2100)]
DAYS = [f"{d}{suffix}" for d in range(1, 32) for suffix in ("", "st", "nd", "rd", "th")]
_YEAR_SET, _DAY_SET = frozenset(YEARS), frozenset(DAYS)


def parse_published(value: str | None) -> dt.date | None:
    """An ISO date or datetime string to a date; None when absent or not ISO."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


class TokenSpan(NamedTuple):
    """Where a time expression is: tokens [start, end) of the doc, their text and character bounds (what a
    spaCy Span would say, without building one)."""

    start: int
    end: int
    text: str
    start_char: int
    end_char: int


@dataclass(frozen=True)
class TimeExpr:
    """One normalised time expression."""

    span: TokenSpan
    start: dt.date | None
    end: dt.date | None
    granularity: str
    relation: str
    fuzzy: bool
    resolved: bool
    anchored: bool

    def to_record(self, published: dt.date | None) -> dict[str, Any]:
        return {
            "text": self.span.text,
            "start": self.span.start_char,
            "end": self.span.end_char,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "granularity": self.granularity,
            "relation": self.relation,
            "fuzzy": self.fuzzy,
            "resolved": self.resolved,
            "anchored_to": published.isoformat() if (published and self.anchored) else None,
        }


def _patterns() -> dict[str, list[list[dict[str, Any]]]]:
    """The time-expression grammar: Matcher patterns by kind."""
    # Sets, not REGEX predicates: a set is one hash lookup per token, a REGEX runs for every token and state
    # (the matcher was a tenth of a run's time).
    month = {"LOWER": {"IN": sorted(MONTHS)}}
    year = {"LOWER": {"IN": YEARS}}
    day = {"LOWER": {"IN": DAYS}}
    part = {"LOWER": {"IN": sorted(PARTS)}}
    dash = {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}
    of = {"LOWER": "of", "OP": "?"}
    rel = {"LOWER": {"IN": ["this", "last", "next", "past", "previous", "current"]}}
    unit = {"LOWER": {"IN": ["year", "month", "week", "spring", "summer", "autumn", "fall", "winter"]}}
    patterns: dict[str, list[list[dict[str, Any]]]] = {}
    patterns["MONTH"] = [
        [month],
        [month, year],
        [month, {"ORTH": ",", "OP": "?"}, year],
        [month, day],
        [month, day, {"ORTH": ","}, year],
        [month, day, year],
        [day, month],
        [day, month, year],
        [part, dash, of, month],
        [part, dash, of, month, year],
        [{"LOWER": "the"}, part, of, month],
        [{"LOWER": "the"}, part, of, month, year],
    ]
    patterns["RANGE"] = [
        [{"LOWER": "from"}, part, {"LOWER": "to"}, part, dash, month],
        [{"LOWER": "from"}, part, {"LOWER": "to"}, part, dash, month, year],
        [{"LOWER": {"IN": ["from", "between"]}}, month, {"LOWER": {"IN": ["to", "and", "through", "until"]}}, month],
        [{"LOWER": {"IN": ["from", "between"]}}, month, {"LOWER": {"IN": ["to", "and", "through", "until"]}}, month, year],
        [
            {"LOWER": {"IN": ["from", "between"]}},
            month,
            year,
            {"LOWER": {"IN": ["to", "and", "through", "until"]}},
            month,
            year,
        ],
        [{"LOWER": {"IN": ["from", "between"]}}, year, {"LOWER": {"IN": ["to", "and", "through", "until"]}}, year],
    ]
    patterns["YEAR"] = [[year], [part, dash, year], [part, of, year], [{"LOWER": "the"}, part, of, year]]
    patterns["REL"] = [
        [rel, unit],
        [part, rel, unit],
        [{"LOWER": "earlier"}, {"LOWER": "this"}, unit],
        [{"LOWER": "later"}, {"LOWER": "this"}, unit],
        [part, {"LOWER": "this"}, unit],
        [{"LOWER": "a"}, unit, {"LOWER": "ago"}],
    ]
    patterns["HALF"] = [
        [{"LOWER": "the"}, {"LOWER": {"IN": sorted(ORDINAL_HALF)}}, {"LOWER": "half"}, {"LOWER": "of"}, year],
        [
            {"LOWER": "the"},
            {"LOWER": {"IN": sorted(ORDINAL_HALF)}},
            {"LOWER": "half"},
            {"LOWER": "of"},
            rel,
            {"LOWER": "year"},
        ],
    ]
    patterns["QUARTER"] = [
        [{"LOWER": "the"}, {"LOWER": {"IN": sorted(ORDINAL_QUARTER)}}, {"LOWER": "quarter"}, {"LOWER": "of"}, year],
        [{"LOWER": {"IN": ["q1", "q2", "q3", "q4"]}}, year],
    ]
    patterns["FUZZY"] = [
        [{"LOWER": {"IN": ["recently", "lately"]}}],
        [{"LOWER": "in"}, {"LOWER": "recent"}, {"LOWER": {"IN": ["weeks", "months", "days", "years"]}}],
        [{"LOWER": "until"}, {"LOWER": "recently"}],
    ]
    return patterns


# Every time expression holds one of these words: a clause without any holds none.
ANCHORS = (
    frozenset(MONTHS)
    | _YEAR_SET
    | {
        "year",
        "month",
        "week",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
        "half",
        "quarter",
        "q1",
        "q2",
        "q3",
        "q4",
        "recently",
        "lately",
        "recent",
    }
)


class _Node:
    """A trie node: the next word sets by id, and the kinds (string ids) of the patterns that end here."""

    __slots__ = ("children", "keys")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.keys: list[int] = []


class _Grammar:
    """The time-expression patterns as a trie over word sets, matched on a clause's lower-case forms.

    The spaCy Matcher builds a Token and calls a Python predicate for every token, pattern state and word
    set. Every token of these patterns accepts a set of words, some optionally ("?"), so the trie of all
    their fixed-length forms finds the same matches with a dict lookup per token; and as every form needs an
    anchor word, most clauses are ruled out by one set operation.
    """

    def __init__(self, patterns: dict[str, list[list[dict[str, Any]]]], anchors: frozenset[str]) -> None:
        self.anchors = anchors
        self.root = _Node()
        self.kinds: dict[int, str] = {}
        set_ids: dict[frozenset[str], int] = {}
        for kind, kind_patterns in patterns.items():
            key = get_string_id(kind)  # the match id the Matcher reports: matches sort by it on ties
            self.kinds[key] = kind
            for pattern in kind_patterns:
                for form in _forms(pattern):
                    if not any(words <= anchors for words in form):
                        raise ValueError(f"time pattern {pattern!r} can match without an anchor word")
                    node = self.root
                    for words in form:
                        set_id = set_ids.setdefault(words, len(set_ids))
                        node = node.children.setdefault(set_id, _Node())
                    node.keys.append(key)
        self.sets_of: dict[str, list[int]] = {}  # word -> ids of the word sets holding it
        for words, set_id in set_ids.items():
            for word in words:
                self.sets_of.setdefault(word, []).append(set_id)
        # the words a match can start with (not "of", "to", "and", "-", ",": only ever inside a match)
        self.firsts = frozenset(w for w, ids in self.sets_of.items() if any(i in self.root.children for i in ids))

    def matches(self, lows: list[str], start: int, end: int) -> list[tuple[int, int, int]]:
        """(key, start, end) of every match inside tokens [start, end), sorted and without repeats."""
        window = lows[start:end]
        if self.anchors.isdisjoint(window):
            return []
        sets_of = self.sets_of
        found: set[tuple[int, int, int]] = set()
        # only the tokens a pattern can start with can start a match: picked at C speed (with the early
        # return of `find_times`, 0.4% of a run)
        for s in compress(range(start, end), map(self.firsts.__contains__, window)):
            stack = [(self.root, s)]
            while stack:
                node, i = stack.pop()
                for key in node.keys:
                    found.add((key, s, i))
                if i < end:
                    for set_id in sets_of.get(lows[i], ()):
                        child = node.children.get(set_id)
                        if child is not None:
                            stack.append((child, i + 1))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))


def _forms(pattern: list[dict[str, Any]]) -> list[tuple[frozenset[str], ...]]:
    """Every fixed-length form of a pattern (each optional token there or left out), as word sets."""
    forms: list[tuple[frozenset[str], ...]] = [()]
    for token in pattern:
        op = token.get("OP")
        if op not in (None, "?"):
            raise ValueError(f"time pattern operator {op!r}: only '?' is supported")
        grown = [(*form, _words(token)) for form in forms]
        forms = grown + forms if op == "?" else grown
    return forms


def _words(token: dict[str, Any]) -> frozenset[str]:
    """The lower-case forms one pattern token accepts. ORTH values must be caseless (punctuation): for them
    the text and the lower-case form are the same."""
    ((attr, value),) = [(a, v) for a, v in token.items() if a != "OP"]
    words = frozenset(value["IN"] if isinstance(value, dict) else [value])
    if attr not in ("LOWER", "ORTH") or (attr == "ORTH" and any(w.lower() != w.upper() for w in words)):
        raise ValueError(f"time pattern token {token!r}: only LOWER and caseless ORTH words are supported")
    return words


_GRAMMAR = _Grammar(_patterns(), ANCHORS)


def _matches_in(doc: Doc, start: int, end: int) -> list[tuple[int, int, int]]:
    """(key, start, end) of the time-expression matches inside tokens [start, end) (a clause that can hold a
    claim), sorted as the Matcher's: by start, end, then key."""
    return _GRAMMAR.matches(lowers(doc), start, end)


AMBIGUOUS_MONTHS = ("may", "march", "june", "august", "jan", "mar", "may.")
SIGNALS = {"since": "since", "until": "until", "till": "until", "by": "by", "before": "until", "after": "since"}
_PREP_OK_FOR_AMBIGUOUS = {
    "in",
    "since",
    "until",
    "by",
    "of",
    "from",
    "early",
    "mid",
    "late",
    "last",
    "this",
    "next",
    "-",
    "between",
    "to",
    "and",
    "through",
    "during",
    "on",
    "before",
    "after",
    "end",
    "beginning",
}


def find_times(doc: Doc, start: int, end: int, published: dt.date | None) -> list[TimeExpr]:
    """All time expressions in tokens [start, end), longest first, without overlaps, in text order."""
    matches = _matches_in(doc, start, end)
    if not matches:
        return []
    table = tokens(doc)
    matches.sort(key=lambda m: (-(m[2] - m[1]), m[1]))
    taken: set[int] = set()
    out: list[TimeExpr] = []
    for key, s, e in matches:
        if taken.intersection(range(s, e)):
            continue
        kind = _GRAMMAR.kinds[key]
        if not _plausible(table, s, e, kind):
            continue
        span = TokenSpan(s, e, table.span_text(s, e), table.starts[s], table.ends[e - 1])
        expr = _normalise(table.lows, span, kind, published)
        if expr is None:
            continue
        taken.update(range(s, e))
        out.append(expr)
    return sorted(out, key=lambda t: t.span.start)


def _plausible(table: Tokens, start: int, end: int, kind: str) -> bool:
    """False for the words of tokens [start, end) that only look like a date ("March 1st Street", "Resolution 2397")."""
    lows = table.lows
    nxt = lows[end] if end < len(lows) else ""
    nxt_digit = bool(nxt) and table.text[table.starts[end]].isdigit()
    if nxt in STREET_WORDS or (nxt_digit and nxt.endswith(("st", "nd", "rd", "th"))):
        return False
    prev = lows[start - 1] if start > 0 else ""
    if kind == "MONTH":
        month = next(i for i in range(start, end) if lows[i] in MONTHS)
        if not table.text[table.starts[month]].isupper():
            return False
        ambiguous = end - start == 1 and lows[month] in AMBIGUOUS_MONTHS  # "may", "march": also common words
        if ambiguous and prev not in _PREP_OK_FOR_AMBIGUOUS:
            return False
        if nxt_digit and nxt[:-2].isdigit():
            return False  # "March 1st Street"
    if kind == "YEAR":
        if prev in ("resolution", "resolutions", "no", "no.", "article", "paragraph", "$", "us$") or nxt in ("committee",):
            return False
    return True


# The day strings `_normalise` hands to `_parse_day` as the MONTH grammar makes them, a year always
# included: "March 15, 2023", "Sept. 15th 2023", "15 March 2023". ASCII only: in Unicode mode `\d` takes other
# scripts' digits (which `int` reads) and a case-blind "st" takes the long s ("ſt").
_EXPLICIT_DAY = re.compile(
    r"(?:(?P<month>[A-Za-z]+\.?) (?P<day>[0-9]{1,2})(?i:st|nd|rd|th)?,?"
    r"|(?P<day_first>[0-9]{1,2})(?i:st|nd|rd|th)? (?P<month_last>[A-Za-z]+\.?))"
    r" (?P<year>[0-9]{4})",
    re.ASCII,
)


def _parse_day(text: str, base: dt.datetime) -> dt.date | None:
    """The date of one explicit day string, as dateparser reads it.

    Nearly every string is a plain month, day and year, which `_explicit_day` reads directly: dateparser tries
    dozens of patterns per call, and its cache misses as it is keyed by the publication date."""
    return _explicit_day(text) or _dateparser_day(text, base)


def _explicit_day(text: str) -> dt.date | None:
    """The date of "March 15, 2023", "15th Sept. 2023" and the like; None for any other string and for days
    the month does not have (left to dateparser). `tests/claims/test_timex_days.py` checks it against
    dateparser."""
    m = _EXPLICIT_DAY.fullmatch(text)
    if m is None:
        return None
    month = MONTHS.get((m["month"] or m["month_last"]).lower())
    if month is None:
        return None
    try:
        return dt.date(int(m["year"]), month, int(m["day"] or m["day_first"]))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _dateparser_day(text: str, base: dt.datetime) -> dt.date | None:
    """dateparser on one day string, remembered: the same dates recur across an archive (same text, same
    publication date), and dateparser tries many patterns on every call."""
    import dateparser

    parsed = dateparser.parse(
        text, languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month"]}
    )
    return parsed.date() if parsed is not None else None


def _month_bounds(year: int, month: int, first_day: int = 1, last_day: int = 31) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(first_day, last)), dt.date(year, month, min(last_day, last))


def _infer_year(month: int, published: dt.date | None) -> int | None:
    """A month without a year is the most recent such month up to publication (news reports the past)."""
    if published is None:
        return None
    return published.year if month <= published.month else published.year - 1


def _relation(lows: list[str], span: TokenSpan) -> str:
    prev = lows[span.start - 1] if span.start > 0 else ""
    return SIGNALS.get(prev, "at")


def _normalise(lows: list[str], span: TokenSpan, kind: str, published: dt.date | None) -> TimeExpr | None:
    toks = lows[span.start : span.end]
    years = [int(t) for t in toks if t in _YEAR_SET]
    months = [MONTHS[t] for t in toks if t in MONTHS]
    parts = [t for t in toks if t in PARTS]
    relation = "from-to" if kind == "RANGE" else _relation(lows, span)
    explicit_year = bool(years)
    if kind in ("MONTH", "RANGE") and months:
        year = years[-1] if years else _infer_year(months[-1], published)
        if year is None:
            return _unresolved(span, "month", relation)
        if kind == "RANGE" and len(months) == 1:  # from early to mid-April
            a, b = PARTS[parts[0]], PARTS[parts[1]]
            start, _ = _month_bounds(year, months[0], a[0], a[1])
            _, end = _month_bounds(year, months[0], b[0], b[1])
            return _expr(span, start, end, "day", relation, published, explicit_year, end_cap=relation == "since")
        if kind == "RANGE":
            y0 = years[0] if len(years) > 1 else (year if months[0] <= months[-1] else year - 1)
            start, _ = _month_bounds(y0, months[0])
            _, end = _month_bounds(year, months[-1])
            return _expr(span, start, end, "month", relation, published, explicit_year)
        days = [int(re.sub(r"\D", "", t)) for t in toks if t in _DAY_SET and t not in MONTHS]
        if days:
            base = dt.datetime(year, 12, 31) if published is None else dt.datetime.combine(published, dt.time())
            day = _parse_day(span.text if years else f"{span.text} {year}", base)
            if day is None:
                return None
            return _expr(span, day, day, "day", relation, published, explicit_year)
        if parts:
            first_day, last_day = PARTS[parts[0]]
            start, end = _month_bounds(year, months[0], first_day, last_day)
            return _expr(span, start, end, "day", relation, published, explicit_year)
        start, end = _month_bounds(year, months[0])
        return _expr(span, start, end, "month", relation, published, explicit_year)
    if kind == "RANGE" and len(years) == 2:
        return _expr(span, dt.date(years[0], 1, 1), dt.date(years[1], 12, 31), "year", relation, published, True)
    if kind == "YEAR" and years:
        y = years[0]
        if parts:
            lo, hi = {
                "early": (1, 4),
                "beginning": (1, 4),
                "start": (1, 4),
                "mid": (5, 8),
                "middle": (5, 8),
                "late": (9, 12),
                "end": (9, 12),
            }[parts[0]]
            return _expr(span, dt.date(y, lo, 1), _month_bounds(y, hi)[1], "month", relation, published, True)
        return _expr(span, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", relation, published, True)
    if kind in ("HALF", "QUARTER"):
        if years:
            y = years[0]
        elif published is not None:
            y = published.year - (1 if "last" in toks or "previous" in toks else 0)
        else:
            return _unresolved(span, kind.lower(), relation)
        if kind == "HALF":
            h = next(ORDINAL_HALF[t] for t in toks if t in ORDINAL_HALF)
            return _expr(
                span,
                dt.date(y, 1 if h == 1 else 7, 1),
                dt.date(y, 6, 30) if h == 1 else dt.date(y, 12, 31),
                "half",
                relation,
                published,
                bool(years),
            )
        q = next((ORDINAL_QUARTER[t] for t in toks if t in ORDINAL_QUARTER), None) or int(toks[0][1])
        start = dt.date(y, 3 * q - 2, 1)
        return _expr(span, start, _month_bounds(y, 3 * q)[1], "quarter", relation, published, bool(years))
    if kind == "REL":
        return _relative(span, toks, parts, relation, published)
    if kind == "FUZZY":
        if published is None:
            return _unresolved(span, "month", "at", fuzzy=True)
        return TimeExpr(span, published - dt.timedelta(days=90), published, "month", "at", True, True, True)
    return None


def _relative(span: TokenSpan, toks: list[str], parts: list[str], relation: str, published: dt.date | None) -> TimeExpr | None:
    unit = next((t for t in toks if t in ("year", "month", "week") or t in SEASONS), None)
    if unit is None:
        return None
    if published is None:
        return _unresolved(span, unit if unit in ("year", "month", "week") else "month", relation)
    shift = -1 if ("last" in toks or "previous" in toks or "past" in toks or "ago" in toks) else (1 if "next" in toks else 0)
    expr = _relative_interval(span, toks, parts, unit, shift, relation, published)
    if relation == "since":  # "since last month": open-ended up to publication
        return TimeExpr(span, expr.start, published, expr.granularity, relation, False, True, True)
    if relation in ("until", "by"):
        return TimeExpr(span, None, expr.end, expr.granularity, relation, False, True, True)
    return expr


def _relative_interval(
    span: TokenSpan, toks: list[str], parts: list[str], unit: str, shift: int, relation: str, published: dt.date
) -> TimeExpr:
    if unit == "year":
        y = published.year + shift
        start, end = dt.date(y, 1, 1), dt.date(y, 12, 31)
        if parts:
            lo, hi = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}.get(parts[0], (1, 12))
            start, end = dt.date(y, lo, 1), _month_bounds(y, hi)[1]
        if "earlier" in toks:
            start, end = dt.date(y, 1, 1), published
        if shift == 0:
            end = min(end, published)
        return TimeExpr(span, start, end, "year" if not parts else "month", relation, False, True, True)
    if unit == "month":
        y, m = published.year, published.month + shift
        if m < 1:
            y, m = y - 1, 12
        elif m > 12:
            y, m = y + 1, 1
        start, end = _month_bounds(y, m)
        return TimeExpr(span, start, min(end, published) if shift == 0 else end, "month", relation, False, True, True)
    if unit == "week":
        start = published - dt.timedelta(days=published.weekday() + (7 if shift < 0 else 0))
        return TimeExpr(span, start, start + dt.timedelta(days=6), "day", relation, False, True, True)
    lo, hi = SEASONS[unit]
    y = published.year + shift
    start = dt.date(y if lo != 12 else y - 1, lo, 1)
    end = _month_bounds(y, hi)[1]
    return TimeExpr(span, start, end, "month", relation, False, True, True)


def _expr(
    span: TokenSpan,
    start: dt.date,
    end: dt.date,
    granularity: str,
    relation: str,
    published: dt.date | None,
    explicit_year: bool,
    *,
    end_cap: bool = False,
) -> TimeExpr:
    anchored = not explicit_year
    if relation == "since":
        end = published if published is not None else None  # type: ignore[assignment]
        anchored = True
        return TimeExpr(span, start, end, granularity, relation, False, published is not None or explicit_year, anchored)
    if relation in ("until", "by"):
        return TimeExpr(span, None, end, granularity, relation, False, True, anchored)
    return TimeExpr(span, start, end, granularity, relation, False, True, anchored)


def _unresolved(span: TokenSpan, granularity: str, relation: str, *, fuzzy: bool = False) -> TimeExpr:
    return TimeExpr(span, None, None, granularity, relation, fuzzy, False, False)
