"""Pausing Python's cyclic garbage collector around work that allocates many short-lived, acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, collect_after: int | None = None) -> Iterator[None]:
    """No cyclic garbage collection inside the block; reference counting still frees everything acyclic.

    The collector runs every few hundred container allocations and each of its passes walks the objects
    still alive: grouping 100k claims or extracting a shard of articles allocates millions of records that
    never form cycles, so those passes cost a third of corroboration and 7% of extraction (measured). With
    `collect_after` set, one collection of that generation runs at the end, so cyclic garbage, if any, stays
    bounded by the block. A collector already disabled by the caller stays disabled.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if collect_after is not None:
                gc.collect(collect_after)
