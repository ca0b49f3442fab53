"""Progress on stderr: a one-line bar on a terminal, one plain line per item otherwise (logs, CI)."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TextIO

BAR_WIDTH = 28


class Progress:
    """Counts finished items by status and shows them as they finish."""

    def __init__(
        self, total: int, *, label: str = "fetch", stream: TextIO | None = None, bar: bool | None = None, enabled: bool = True
    ) -> None:
        self.total = total
        self.done = 0
        self.counts: Counter[str] = Counter()
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._bar = self._stream.isatty() if bar is None else bar
        self._enabled = enabled

    def update(self, status: str, item: str) -> None:
        """Record one finished item and redraw."""
        self.done += 1
        self.counts[status] += 1
        if not self._enabled:
            return
        if self._bar:
            filled = BAR_WIDTH * self.done // max(1, self.total)
            counts = "  ".join(f"{name} {n}" for name, n in sorted(self.counts.items()))
            line = f"\r{self._label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}  {counts}"
            self._stream.write(line + "\x1b[K")
        else:
            self._stream.write(f"{self._label} {self.done}/{self.total} {status} {item}\n")
        self._stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self._enabled and self._bar and self.done:
            self._stream.write("\n")
            self._stream.flush()
