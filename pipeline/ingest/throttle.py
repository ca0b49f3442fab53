"""Politeness: at most N requests in flight per host and overall, and a minimum spacing per host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class Throttle:
    """Gates every request: a per-host slot, then the host's spacing, then an overall slot.

    Spacing is measured between request starts. A server's Retry-After and robots.txt's Crawl-delay push
    the host's next start further out for every request to that host, not only the one that was told.
    """

    def __init__(
        self,
        *,
        per_host: int = 2,
        total: int = 8,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._per_host = max(1, per_host)
        self._total = asyncio.Semaphore(max(1, total))
        self._delay = max(0.0, delay)
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Space requests to `host` at least `seconds` apart (robots.txt Crawl-delay), never less than the default."""
        if seconds is not None:
            self._delays[host] = max(self._delay, seconds)

    def push_back(self, host: str, seconds: float) -> None:
        """Start no request to `host` before `seconds` from now (a Retry-After or a backoff)."""
        self._next[host] = max(self._next.get(host, 0.0), self._clock() + seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold a request slot for `host` for the duration of one request."""
        async with self._hosts.setdefault(host, asyncio.Semaphore(self._per_host)):
            async with self._locks.setdefault(host, asyncio.Lock()):
                # A loop, because a Retry-After may push the start out while this request waits.
                while (wait := self._next.get(host, 0.0) - self._clock()) > 0:
                    await self._sleep(wait)
                self._next[host] = max(self._next.get(host, 0.0), self._clock()) + self._delays.get(host, self._delay)
            async with self._total:
                yield
