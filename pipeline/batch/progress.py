"""A dependency-free progress line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts documents, claims and errors; redraws at most every 0.2 s on a TTY."""

    def __init__(self, *, enabled: bool | None = None, stream: TextIO | None = None, label: str = "extract") -> None:
        self.stream = stream or sys.stderr
        self.silent = enabled is False
        self.tty = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.documents = self.claims = self.errors = 0
        self.started = time.perf_counter()
        self._last = 0.0

    def update(self, *, documents: int = 0, claims: int = 0, errors: int = 0, note: str = "") -> None:
        self.documents += documents
        self.claims += claims
        self.errors += errors
        now = time.perf_counter()
        if self.silent:
            return
        if self.tty:
            if now - self._last >= 0.2:
                self._last = now
                self.stream.write("\r" + self.line())
                self.stream.flush()
        elif note:
            self.stream.write(f"{self.label}: {note}: {self.line()}\n")

    def line(self) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        return f"{self.documents} documents, {self.claims} claims, {self.errors} errors, {self.documents / elapsed:.1f} docs/s"

    def close(self) -> None:
        if self.tty and not self.silent:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
