"""`cues._find` (phrase search by `list.index`) against the token-by-token definition it replaced."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.claims.cues import _find

WORDS = ("said", "according", "to", "reports", "may", "denied", "that")


def _find_by_loop(lows: list[str], offset: int, phrases: list[tuple[str, ...]]) -> tuple[int, int] | None:
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(lows) - n + 1):
            if tuple(lows[i : i + n]) == phrase:
                return offset + i, offset + i + n
    return None


@given(
    st.lists(st.sampled_from(WORDS), max_size=12),
    st.integers(0, 50),
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(tuple), max_size=5),
)
def test_find_is_the_first_phrase_in_phrase_order(lows: list[str], offset: int, phrases: list[tuple[str, ...]]) -> None:
    assert _find(lows, set(lows), offset, phrases) == _find_by_loop(lows, offset, phrases)
