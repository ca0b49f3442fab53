"""Run a generator in a worker process and take its items in order: the loader writes rows to the database
while the worker reads, validates and builds the next ones, so the two halves of a load overlap.

The worker is forked where that is safe (Linux, from a process with one thread): it starts at once with
everything imported. Elsewhere, and in a process that runs other threads (a fork copies locks that those
threads may hold), it is spawned: a fresh interpreter that imports the package first, about a second. The
generator function and its arguments must therefore pickle (a module-level function, `functools.partial`),
and so must what it yields. With one core, the generator simply runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.queues import Queue
from types import TracebackType
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_AHEAD = 16  # items the worker may run ahead of the loader (bounds the memory they hold)
_POLL_SECONDS = 1.0


class _Done:
    """The end of the worker's items."""


class _Failed:
    """The worker's exception (itself when it pickles, else its text)."""

    def __init__(self, err: BaseException) -> None:
        err.add_note("in the load's worker process:\n" + "".join(traceback.format_exception(err)).rstrip())
        try:
            multiprocessing.reduction.ForkingPickler.dumps(err)
            self.err: BaseException = err
        except Exception:
            self.err = RuntimeError(f"the load's worker process failed: {err!r}")


def start_method() -> str | None:
    """How a worker process would start here: "fork", "spawn", or None when there is no second core."""
    if (os.cpu_count() or 1) < 2:
        return None
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def _work(produce: Callable[[], Iterator[Any]], out: Queue[Any]) -> None:
    try:
        for item in produce():
            out.put(item)
        out.put(_Done())
    except BaseException as err:  # reported to the loader, which raises it
        out.put(_Failed(err))
    finally:
        out.close()
        out.join_thread()


class InOrder(Generic[T]):
    """The items of `produce()`, from a worker process when `parallel` (and there is a second core), else
    from here.

    Use it as a context manager: leaving the block early stops a worker that is still running.
    """

    def __init__(self, produce: Callable[[], Iterator[T]], *, parallel: bool) -> None:
        self._produce = produce
        self._process: Any = None
        self._queue: Queue[Any] | None = None
        self._finished = False
        method = start_method() if parallel else None
        if method is not None:
            context: Any = multiprocessing.get_context(method)
            self._queue = context.Queue(maxsize=_AHEAD)
            self._process = context.Process(target=_work, args=(produce, self._queue), daemon=True)
            self._process.start()

    @property
    def parallel(self) -> bool:
        """Whether the items come from a worker process."""
        return self._process is not None

    def __enter__(self) -> InOrder[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if self._process is not None:
            if not self._finished:  # the loader stopped early (an error): the worker's items are not wanted
                self._process.terminate()
            self._process.join()
            self._process = None
        if self._queue is not None:
            self._queue.close()
            self._queue.cancel_join_thread()
            self._queue = None

    def __iter__(self) -> Iterator[T]:
        if self._queue is None:
            yield from self._produce()
            return
        while True:
            try:
                item = self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if self._process is not None and not self._process.is_alive():
                    raise RuntimeError(f"the load's worker process died (exit code {self._process.exitcode})") from None
                continue
            if isinstance(item, _Done):
                self._finished = True
                return
            if isinstance(item, _Failed):
                self._finished = True
                raise item.err
            yield item
