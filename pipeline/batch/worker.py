"""The worker side of a run: one pipeline per process, shards processed under a per-article time limit."""

from __future__ import annotations

import gc
import json
import math
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..collector import collector_paused
from ..errors import Errors
from ..ingest.readers import ReadItem, error
from ..output.jsonl import AtomicLines, encode_line, write_json_atomic
from ..types import Document, ErrorRecord

if TYPE_CHECKING:
    from ..extract import ExtractResult

KINDS = ("documents", "mentions", "claims", "errors")
# Articles that go through the extraction steps together (see `process_items`). Small enough that a batch's
# Docs and records stay in a core's cache from step to step: 64 had twice the cache misses of 8 (simulated
# 4 MiB last-level cache, callgrind over a shard: 1.31 M against 0.61 M), memory traffic that two workers
# side by side compete for; instructions are the same within 0.1%.
STEP_BATCH = 8

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


def ensure_pipeline(patterns_dir: str | None) -> Any:
    """This process's pipeline for `patterns_dir`, built on first use.

    The local engine's pool initializer: the parent builds the pipeline before it forks the workers (see
    `runner._new_pool`), so a worker starts with it already in place and shares its memory pages with the
    parent and the other workers, instead of spending about two seconds building its own copy.
    """
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

    Records and errors come out in input order (see `_extract`).
    """
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}

    def keep(result: ExtractResult) -> None:
        out["documents"].append(result.document)
        out["mentions"].extend(result.mentions)
        out["claims"].extend(result.claims)

    out["errors"] = _extract(items, patterns_dir, doc_timeout, keep)
    return out


def _extract(
    items: list[ReadItem], patterns_dir: str | None, doc_timeout: float, emit: Callable[[ExtractResult], None]
) -> list[dict[str, Any]]:
    """Extract `items`, handing each article's records to `emit` in input order as soon as its batch is done;
    returns the error records in input order.

    The articles go through the extraction steps a batch at a time, step by step (see `extraction_steps`).
    """
    from ..extract import Extraction

    nlp = ensure_pipeline(patterns_dir)
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
    # collected once per shard (after the shard is written, when `process_shard` runs it): no cycles are made
    with collector_paused(collect_after=1), nlp.memory_zone(), _watchdog(doc_timeout) as dog:
        for at in range(0, len(jobs), STEP_BATCH):  # a few Docs alive at once, not a whole shard
            for _, x in _run_steps(nlp, jobs[at : at + STEP_BATCH], errors, dog, doc_timeout):
                assert x.result is not None
                emit(x.result)
                x.result = None  # its records are written or kept by `emit`: nothing else holds them
    return [record for _, record in sorted(errors, key=lambda e: e[0])]


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


class ShardFiles:
    """A shard's four files, written record by record under temporary names and committed together: each file
    is synced and renamed, then the `.done` marker with the shard's counts is written (the commit point).
    Leaving the block without `commit` removes what was written."""

    def __init__(self, shard_dir: str, shard_id: str) -> None:
        base = Path(shard_dir)
        self.done = base / f"{shard_id}.done"
        self._stack = ExitStack()
        self._files = {kind: self._stack.enter_context(AtomicLines(base / f"{shard_id}.{kind}.jsonl")) for kind in KINDS}
        self._doc_ids: list[str] = []
        self._labels: Counter[str] = Counter()
        self._claim_types: Counter[str] = Counter()

    def add(self, documents: list[dict[str, Any]], mentions: list[dict[str, Any]], claims: list[dict[str, Any]]) -> None:
        """Encode records into the files (through their megabyte buffers) and count them."""
        write = self._files["documents"].write
        for d in documents:
            self._doc_ids.append(d["doc_id"])
            write(encode_line(d))
        write = self._files["mentions"].write
        for m in mentions:
            self._labels[m["label"]] += 1
            write(encode_line(m))
        write = self._files["claims"].write
        for c in claims:
            self._claim_types[c["claim_type"]] += 1
            write(encode_line(c))

    def commit(self, errors: list[dict[str, Any]]) -> dict[str, Any]:
        """Write the error records, put the files in place, write the marker; returns the shard's counts (summed
        into the run summary and manifest) and its documents' ids in order (for the merge, which would
        otherwise decode every document line to find them)."""
        for e in errors:
            self._files["errors"].write(encode_line(e))
        for out in self._files.values():
            out.commit()
        stats = {
            "documents": len(self._doc_ids),
            "mentions": dict(self._labels),
            "claims": dict(self._claim_types),
            "errors": dict(Counter(e["code"] for e in errors)),
            "doc_ids": self._doc_ids,
        }
        write_json_atomic(self.done, stats)
        return stats

    def __enter__(self) -> ShardFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def write_shard(shard_dir: str, shard_id: str, out: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Write a shard's records (`process_items`' result) and commit it; returns its counts."""
    with ShardFiles(shard_dir, shard_id) as shard:
        shard.add(out["documents"], out["mentions"], out["claims"])
        return shard.commit(out["errors"])


def process_shard(
    shard_dir: str, shard_id: str, items: list[ReadItem], patterns_dir: str | None = None, doc_timeout: float = 0
) -> dict[str, Any]:
    """Extract one shard and write it; idempotent (a shard whose marker exists is left as it is).

    Each article's records are encoded into the shard's files (`ShardFiles`) as soon as its batch is done,
    while they are still in the CPU's caches; gathering the whole shard's records first and encoding them at
    the end had been about half of a worker's cache misses (callgrind, simulated 4 MiB last-level cache).
    """
    done = Path(shard_dir) / f"{shard_id}.done"
    if done.exists():
        return json.loads(done.read_text(encoding="utf-8"))
    # One collection per shard, after its records are written and freed: it then walks almost nothing, where
    # collecting with the shard's records still alive cost 3% of a run and found no cycles (measured).
    with collector_paused(collect_after=1), ShardFiles(shard_dir, shard_id) as shard:
        errors = _extract(items, patterns_dir, doc_timeout, lambda r: shard.add([r.document], r.mentions, r.claims))
        return shard.commit(errors)
