"""The day strings `timex` reads itself must get exactly the date dateparser gives them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.claims.timex import MONTHS, _dateparser_day, _explicit_day, _parse_day

dateparser_day = _dateparser_day.__wrapped__  # uncached: each example asks dateparser afresh


def _cased(word: str, how: str) -> str:
    return {"lower": word.lower(), "title": word.title(), "upper": word.upper(), "as-is": word}[how]


# Month words of the grammar, some it lacks that dateparser may read ("June.", "Sept"), and words that are no month.
MONTH_WORDS = st.builds(
    _cased,
    st.sampled_from([*sorted(MONTHS), "June.", "July.", "Ma.", "Mayday", "Marc", "Sept", "Sep", "fortnight", "today"]),
    st.sampled_from(["lower", "title", "upper", "as-is"]),
)
# Days of the month and numbers that are none (0, 32-40 and beyond), some zero-padded, with or without a suffix.
DAY_NUMBERS = st.one_of(st.integers(1, 31), st.integers(0, 40), st.integers(41, 120))
DAYS = st.builds(
    lambda n, pad, suffix: (f"{n:02d}" if pad else str(n)) + suffix,
    DAY_NUMBERS,
    st.booleans(),
    st.sampled_from(["", "", "st", "nd", "rd", "th", "ST", "Th", "d"]),
)
YEARS = st.one_of(st.integers(1890, 2110), st.integers(1000, 9999), st.integers(0, 999)).map(str)
MOST_WITH_A_YEAR = st.one_of(YEARS, YEARS, st.none())  # `_normalise` always gives a year
# Publication bases around leap days and year ends, and anywhere else.
BASES = st.one_of(
    st.sampled_from([dt.datetime(2024, 2, 29), dt.datetime(2023, 3, 1), dt.datetime(2000, 2, 29), dt.datetime(1900, 3, 1)]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: dt.datetime.combine(d.date(), dt.time())
    ),
)


@st.composite
def day_strings(draw: st.DrawFn) -> str:
    month, day = draw(MONTH_WORDS), draw(DAYS)
    year = draw(MOST_WITH_A_YEAR)
    tail = "" if year is None else draw(st.sampled_from([" ", ", "])) + year
    if draw(st.booleans()):
        return f"{month} {day}{tail}"
    return f"{day} {month}{tail}"


@settings(max_examples=400, deadline=None)
@given(text=day_strings(), base=BASES)
@example(text="February 29 2024", base=dt.datetime(2024, 3, 1))
@example(text="February 29 2023", base=dt.datetime(2023, 3, 1))
@example(text="Feb. 30, 2024", base=dt.datetime(2024, 3, 1))
@example(text="31st April 2023", base=dt.datetime(2023, 5, 1))
@example(text="Feb 29 1900", base=dt.datetime(1900, 3, 1))
@example(text="29 Feb 2000", base=dt.datetime(2000, 2, 29))
@example(text="March 32 2023", base=dt.datetime(2023, 5, 1))
@example(text="March 0 2023", base=dt.datetime(2023, 5, 1))
@example(text="March 15", base=dt.datetime(2023, 3, 1))
def test_explicit_day_agrees_with_dateparser(text: str, base: dt.datetime) -> None:
    fast = _explicit_day(text)
    if fast is not None:  # None leaves the string to dateparser
        assert fast == dateparser_day(text, base)
    assert _parse_day(text, base) == dateparser_day(text, base)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("March 15 2023", "2023-03-15"),
        ("March 15, 2023", "2023-03-15"),
        ("15 March 2023", "2023-03-15"),
        ("Sept. 3rd, 2021", "2021-09-03"),
        ("3RD MAY 2022", "2022-05-03"),
        ("feb 29 2024", "2024-02-29"),
        ("Dec. 31 1999", "1999-12-31"),
    ],
)
def test_explicit_day_reads_the_common_forms_without_dateparser(text: str, date: str) -> None:
    assert _explicit_day(text) == dt.date.fromisoformat(date) == dateparser_day(text, dt.datetime(2025, 1, 1))


@pytest.mark.parametrize("text", ["March 32 2023", "March 99, 2023", "40 June 2020", "February 30 2024", "March 15"])
def test_explicit_day_leaves_what_is_no_day_to_dateparser(text: str) -> None:
    assert _explicit_day(text) is None
