"""The worker side of a run: one pipeline per process, shards processed under a per-article time limit."""

from __future__ import annotations

import gc
import json
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import Errors
from ..ingest.readers import ReadItem, error
from ..output.jsonl import write_json_atomic, write_jsonl_atomic
from ..types import Document, ErrorRecord

KINDS = ("documents", "mentions", "claims", "errors")

_NLP: Any = None
_PATTERNS: str | None = None
_CACHE_WARM = False


class DocumentTimeout(Exception):
    """An article took longer than the per-article time limit."""


def init_worker(patterns_dir: str | None) -> None:
    """Load the pipeline once per process (ProcessPoolExecutor initializer, Dask worker plugin)."""
    global _NLP, _PATTERNS, _CACHE_WARM
    from ..nlp.build import build_pipeline

    _NLP = build_pipeline(patterns_dir=patterns_dir)
    _PATTERNS = patterns_dir
    _CACHE_WARM = False
    # The pipeline and its pattern pack (about 120k objects) live as long as the process: move them out of
    # the collector's generations so its full passes do not walk them again and again.
    gc.freeze()


def _pipeline(patterns_dir: str | None) -> Any:
    if _NLP is None or _PATTERNS != patterns_dir:
        init_worker(patterns_dir)
    return _NLP


def _on_alarm(signum: int, frame: Any) -> None:
    raise DocumentTimeout


@contextmanager
def alarms(seconds: float) -> Iterator[bool]:
    """Install the time-limit handler for a batch of articles; yields whether `time_limit` can be used
    (SIGALRM exists only in a process's main thread, and a limit of 0 means none)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def time_limit(seconds: float, armed: bool) -> Iterator[None]:
    """Raise DocumentTimeout in this thread after `seconds`, inside `alarms(seconds)` (which installs the
    handler once per shard: two system calls per article instead of four)."""
    if not armed:
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def process_items(items: list[ReadItem], *, patterns_dir: str | None, doc_timeout: float) -> dict[str, list[dict[str, Any]]]:
    """Extract a list of documents; errors (bad input, timeouts, crashes) become records, never exceptions."""
    from ..extract import extract_document

    nlp = _pipeline(patterns_dir)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    seen: dict[str, str] = {}
    _warm_tokenizer_cache(nlp, items)
    # strings and docs of this shard are freed when it is done
    with _collector_paused(), nlp.memory_zone(), alarms(doc_timeout) as armed:
        for item in items:
            if isinstance(item, ErrorRecord):
                out["errors"].append(item.to_record())
                continue
            if item.doc_id in seen:
                out["errors"].append(error(item.origin, "E109", doc_id=item.doc_id, first=seen[item.doc_id]).to_record())
                continue
            seen[item.doc_id] = item.origin
            try:
                with time_limit(doc_timeout, armed):
                    result = extract_document(nlp, item)
            except DocumentTimeout:
                out["errors"].append(error(item.origin, "E110", doc_id=item.doc_id, seconds=doc_timeout).to_record())
                continue
            except Exception as err:  # a bad article must not stop the batch; recorded with its code
                out["errors"].append(_crash(item, err))
                continue
            out["documents"].append(result.document)
            out["mentions"].extend(result.mentions)
            out["claims"].extend(result.claims)
    return out


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a shard is processed; one collection when it is done.

    Extraction builds about 400 short-lived containers per article, so the collector ran every few articles
    and spent about 7% of a run walking records that reference counting frees anyway (measured with
    `gc.callbacks`: 147 microseconds per article, 10 with the collector paused per shard). A shard is at most
    `shard_size` articles, so cyclic garbage, if any, stays bounded.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)


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
    return write_shard(shard_dir, shard_id, process_items(items, patterns_dir=patterns_dir, doc_timeout=doc_timeout))


def shard_stats(out: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Counts of one shard (summed into the run summary and manifest)."""
    return {
        "documents": len(out["documents"]),
        "mentions": dict(Counter(m["label"] for m in out["mentions"])),
        "claims": dict(Counter(c["claim_type"] for c in out["claims"])),
        "errors": dict(Counter(e["code"] for e in out["errors"])),
    }
