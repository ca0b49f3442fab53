"""The worker side of a run: one pipeline per process, shards processed under a per-article time limit."""

from __future__ import annotations

import gc
import json
import math
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from ..errors import Errors
from ..ingest.readers import ReadItem, error
from ..output.jsonl import write_json_atomic, write_jsonl_atomic
from ..types import Document, ErrorRecord

KINDS = ("documents", "mentions", "claims", "errors")
STEP_BATCH = 64  # articles that go through the extraction steps together (see `process_items`)

_NLP: Any = None
_PATTERNS: str | None = None
_CACHE_WARM = False


class DocumentTimeout(Exception):
    """An article took longer than the per-article time limit."""


def init_worker(patterns_dir: str | None) -> None:
    """Load the pipeline once per process (ProcessPoolExecutor initializer, Dask worker plugin)."""
    global _NLP, _PATTERNS, _CACHE_WARM
    from ..nlp.build import build_pipeline

    _NLP = build_pipeline(patterns_dir=patterns_dir, lean=True)  # its Docs never leave the worker
    _PATTERNS = patterns_dir
    _CACHE_WARM = False
    # The pipeline and its pattern pack (about 120k objects) live as long as the process: move them out of
    # the collector's generations so its full passes do not walk them again and again.
    gc.freeze()


def _pipeline(patterns_dir: str | None) -> Any:
    if _NLP is None or _PATTERNS != patterns_dir:
        init_worker(patterns_dir)
    return _NLP


class _Watchdog:
    """The per-article time limit with one SIGALRM timer for a whole shard.

    Each step of each article used to arm and disarm the timer (two system calls, and an article now goes
    through eight steps). Here starting and ending a step only sets `deadline`; the timer fires at least every
    `period` seconds, and its handler raises DocumentTimeout only when the running step is past its article's
    deadline, otherwise it re-arms for that deadline. A step whose deadline comes before the next firing
    (an article that has used most of its time) re-arms the timer itself.
    """

    def __init__(self, period: float) -> None:
        self.period = period
        self.deadline = math.inf
        self.next_fire = math.inf

    def arm(self, seconds: float) -> None:
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6))
        self.next_fire = time.monotonic() + seconds

    def start(self, budget: float) -> None:
        """A step begins; its article has `budget` seconds left."""
        self.deadline = time.monotonic() + budget
        if self.deadline < self.next_fire:
            self.arm(budget)

    def stop(self) -> None:
        self.deadline = math.inf

    def on_alarm(self, signum: int, frame: Any) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.deadline = math.inf
            raise DocumentTimeout
        self.arm(min(remaining, self.period))


@contextmanager
def _watchdog(seconds: float) -> Iterator[_Watchdog | None]:
    """A watchdog for articles limited to `seconds` each, or None when there is no limit (0) or no SIGALRM
    (only a process's main thread gets signals)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield None
        return
    dog = _Watchdog(seconds)
    previous = signal.signal(signal.SIGALRM, dog.on_alarm)
    dog.arm(seconds)
    try:
        yield dog
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_items(items: list[ReadItem], *, patterns_dir: str | None, doc_timeout: float) -> dict[str, list[dict[str, Any]]]:
    """Extract a list of documents; errors (bad input, timeouts, crashes) become records, never exceptions.

    The articles go through the extraction steps together, step by step (see `extraction_steps`); records
    and errors come out in input order.
    """
    from ..extract import Extraction

    nlp = _pipeline(patterns_dir)
    errors: list[tuple[int, dict[str, Any]]] = []
    jobs: list[tuple[int, Extraction]] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        if isinstance(item, ErrorRecord):
            errors.append((index, item.to_record()))
        elif item.doc_id in seen:
            errors.append((index, error(item.origin, "E109", doc_id=item.doc_id, first=seen[item.doc_id]).to_record()))
        else:
            seen[item.doc_id] = item.origin
            jobs.append((index, Extraction(item)))
    _warm_tokenizer_cache(nlp, items)
    # strings and docs of this shard are freed when it is done
    done: list[tuple[int, Extraction]] = []
    # collected once per shard (after the shard is written, when `process_shard` runs it): no cycles are made
    with collector_paused(collect_after=1), nlp.memory_zone(), _watchdog(doc_timeout) as dog:
        for at in range(0, len(jobs), STEP_BATCH):  # a few dozen Docs alive at once, not a whole shard
            done += _run_steps(nlp, jobs[at : at + STEP_BATCH], errors, dog, doc_timeout)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for _, x in done:
        assert x.result is not None
        out["documents"].append(x.result.document)
        out["mentions"].extend(x.result.mentions)
        out["claims"].extend(x.result.claims)
    out["errors"] = [record for _, record in sorted(errors, key=lambda e: e[0])]
    return out


def _run_steps(
    nlp: Any, jobs: list[tuple[int, Any]], errors: list[tuple[int, dict[str, Any]]], dog: _Watchdog | None, doc_timeout: float
) -> list[tuple[int, Any]]:
    """Each step over every article still in the batch; an article that fails or runs out of time in a step
    is recorded (E107, E110) and leaves the batch."""
    from ..extract import extraction_steps

    for step in extraction_steps(nlp):
        kept = []
        for index, x in jobs:
            started = time.monotonic()
            try:
                if dog is not None:
                    dog.start(doc_timeout - x.seconds)
                try:
                    step(x)
                finally:
                    if dog is not None:
                        dog.stop()
            except DocumentTimeout:
                errors.append(
                    (index, error(x.document.origin, "E110", doc_id=x.document.doc_id, seconds=doc_timeout).to_record())
                )
                continue
            except Exception as err:  # a bad article must not stop the batch; recorded with its code
                errors.append((index, _crash(x.document, err)))
                continue
            x.seconds += time.monotonic() - started
            kept.append((index, x))
        jobs = kept
    return jobs


def _warm_tokenizer_cache(nlp: Any, items: list[ReadItem]) -> None:
    """Fill the tokenizer's chunk cache from the first shard this process sees, outside any memory zone.

    Inside `memory_zone()` spaCy reads its tokenizer cache but never adds to it (the cached lexemes would be
    freed with the zone), so without this every word of every article is split afresh: measured about half
    the run's time. The cache is capped by spaCy (10,000 chunks), and the strings of one shard stay interned
    for the life of the process, so memory stays flat. Tokenisation is the same with or without the cache.
    """
    global _CACHE_WARM
    if _CACHE_WARM:
        return
    _CACHE_WARM = True
    for item in items:
        if isinstance(item, Document) and len(item.text) <= 200_000:
            nlp.tokenizer(item.text)


def _crash(item: Document, err: BaseException) -> dict[str, Any]:
    return ErrorRecord(
        source=item.origin, code="E107", doc_id=item.doc_id, message=Errors.E107.format(detail=f"{type(err).__name__}: {err}")
    ).to_record()


def write_shard(shard_dir: str, shard_id: str, out: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Write a shard's files atomically, then its `.done` marker (the commit point), and return its counts."""
    base = Path(shard_dir)
    for kind in KINDS:
        write_jsonl_atomic(base / f"{shard_id}.{kind}.jsonl", out[kind])
    stats = shard_stats(out)
    write_json_atomic(base / f"{shard_id}.done", stats)
    return stats


def process_shard(
    shard_dir: str, shard_id: str, items: list[ReadItem], patterns_dir: str | None = None, doc_timeout: float = 0
) -> dict[str, Any]:
    """Extract one shard and write it; idempotent (a shard whose marker exists is left as it is)."""
    done = Path(shard_dir) / f"{shard_id}.done"
    if done.exists():
        return json.loads(done.read_text(encoding="utf-8"))
    # One collection per shard, after its records are written and freed: it then walks almost nothing, where
    # collecting with the shard's records still alive cost 3% of a run and found no cycles (measured).
    with collector_paused(collect_after=1):
        return write_shard(shard_dir, shard_id, process_items(items, patterns_dir=patterns_dir, doc_timeout=doc_timeout))


def shard_stats(out: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Counts of one shard (summed into the run summary and manifest)."""
    return {
        "documents": len(out["documents"]),
        "mentions": dict(Counter(m["label"] for m in out["mentions"])),
        "claims": dict(Counter(c["claim_type"] for c in out["claims"])),
        "errors": dict(Counter(e["code"] for e in out["errors"])),
    }
