"""`newsclaims extract`: shard the inputs, process each shard once, merge into the run directory.

Shards are numbered in input order (`000012`), written atomically and marked done last, so a run
killed at any moment (SIGINT, SIGTERM, kill -9) resumes with the same command and ends with exactly the
records of an uninterrupted run, whatever the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import NewsclaimsError
from ..ingest.readers import DEFAULT_MAX_CHARS, STDIN, ReadItem, error, expand_inputs, read_source
from ..output.jsonl import write_json_atomic
from ..types import Document, ErrorRecord
from .merge import ShardMerger, remove_partial_files
from .progress import Progress
from .worker import KINDS, ensure_pipeline, process_items, process_shard, write_shard

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ExtractOptions:
    """How to run an extraction."""

    workers: int = 1
    shard_size: int = 200
    max_chars: int = DEFAULT_MAX_CHARS
    doc_timeout: float = 60.0
    patterns_dir: str | None = None
    overwrite: bool = False
    progress: bool | None = None
    engine: str = "local"  # "local" (processes on this machine) or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a LocalCluster


@dataclass
class RunSummary:
    """What a run did, as printed at the end and stored in `manifest.json`."""

    out: Path
    documents: int = 0
    mentions: Counter[str] = field(default_factory=Counter)
    claims: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    shards: int = 0
    shards_resumed: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return sum(self.errors.values()) > 0

    def account(self, stats: dict[str, Any]) -> None:
        self.documents += stats["documents"]
        self.mentions.update(stats["mentions"])
        self.claims.update(stats["claims"])
        self.errors.update(stats["errors"])


Shard = tuple[str, list[ReadItem]]


def iter_shards(inputs: Sequence[str], shard_size: int, max_chars: int) -> Iterator[Shard]:
    """(shard id, items) in input order; ids depend only on the inputs and the shard size.

    Shards cut across input files (a folder of 10,000 saved pages makes 50 shards, not 10,000), so the
    order of items, not of files, defines them. A document whose text or normalised URL repeats an
    earlier one (a syndicated copy, a page saved twice) is replaced by an E204 record, the same way in
    every run.
    """
    from ..ingest.dedup import Deduplicator

    seen = Deduplicator()
    chunk: list[ReadItem] = []
    n = 0
    for source in expand_inputs(inputs, max_chars=max_chars):
        for item in read_source(source):
            if isinstance(item, Document):
                item = seen.check(item) or item
            chunk.append(item)
            if len(chunk) >= shard_size:
                yield f"{n:06d}", chunk
                chunk, n = [], n + 1
    if chunk or n == 0:
        yield f"{n:06d}", chunk


def _prepare(out: Path, inputs: Sequence[str], options: ExtractOptions) -> None:
    manifest = out / "manifest.json"
    if options.overwrite and out.exists():
        for kind in KINDS:
            (out / f"{kind}.jsonl").unlink(missing_ok=True)
        shutil.rmtree(out / "shards", ignore_errors=True)
        manifest.unlink(missing_ok=True)
    elif manifest.exists():
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        if previous.get("inputs") != list(inputs) or previous.get("shard_size") != options.shard_size:
            raise NewsclaimsError("E002", path=out)
    elif out.exists() and any(out.iterdir()) and not (out / "shards").exists():
        raise NewsclaimsError("E002", path=out)
    (out / "shards").mkdir(parents=True, exist_ok=True)
    remove_partial_files(out)  # what a killed run was merging or extracting; its complete shards are kept


def run_extract(inputs: Sequence[str], out: str | Path, *, options: ExtractOptions | None = None) -> RunSummary:
    """Extract every input into `out`; resumable, deterministic, one bad article never stops the run."""
    from ..nlp.patterns import default_patterns_dir, pack_sha256

    options = options or ExtractOptions()
    out = Path(out)
    expand_inputs(inputs, max_chars=options.max_chars)  # fail fast on a missing path, before touching `out`
    _prepare(out, inputs, options)
    from ..ingest.urls import configure_url_readers

    configure_url_readers(cache_dir=out / "fetch-cache")  # URL inputs: a re-run refetches only what changed
    pack_dir = str(Path(options.patterns_dir) if options.patterns_dir else default_patterns_dir())
    started = time.perf_counter()
    summary = RunSummary(out=out)
    manifest: dict[str, Any] = {
        "newsclaims_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "inputs": list(inputs),
        "shard_size": options.shard_size,
        "model": "blank:en + newsclaims rules",
        "pattern_pack_sha256": pack_sha256(Path(pack_dir)),
        "complete": False,
    }
    write_json_atomic(out / "manifest.json", manifest)
    shard_dir = out / "shards"
    progress = Progress(enabled=options.progress)
    merger = ShardMerger(out)  # merges each shard as soon as it and those before it are done
    resumable = STDIN not in inputs

    def account(stats: dict[str, Any], note: str) -> None:
        summary.account(stats)
        progress.update(
            documents=stats["documents"], claims=sum(stats["claims"].values()), errors=sum(stats["errors"].values()), note=note
        )
        merger.advance()

    def todo() -> Iterator[Shard]:
        for shard_id, items in iter_shards(inputs, options.shard_size, options.max_chars):
            merger.add(shard_id)
            summary.shards += 1
            done_file = shard_dir / f"{shard_id}.done"
            if resumable and done_file.exists():
                summary.shards_resumed += 1
                account(json.loads(done_file.read_text(encoding="utf-8")), f"shard {shard_id} already done")
                continue
            yield shard_id, items

    try:
        if options.engine == "dask":
            from .dask_engine import run_dask

            run_dask(todo(), str(shard_dir), pack_dir, options, account)
        elif options.workers > 1:
            _run_pool(todo(), str(shard_dir), pack_dir, options, account)
        else:
            for shard_id, items in todo():
                account(process_shard(str(shard_dir), shard_id, items, pack_dir, options.doc_timeout), f"shard {shard_id}")
        dup_errors = merger.finish()
    finally:
        progress.close()
        merger.close()
    for err in dup_errors:
        summary.errors[err["code"]] += 1
    summary.documents -= len(dup_errors)
    summary.seconds = time.perf_counter() - started
    manifest.update(
        complete=True,
        counts={
            "documents": summary.documents,
            "mentions": dict(sorted(summary.mentions.items())),
            "claims": dict(sorted(summary.claims.items())),
            "errors": dict(sorted(summary.errors.items())),
            "shards": summary.shards,
            "shards_resumed": summary.shards_resumed,
        },
        timings={
            "total_seconds": round(summary.seconds, 3),
            "documents_per_second": round(summary.documents / summary.seconds, 2) if summary.seconds else None,
        },
        engine=options.engine,
        workers=options.workers,
    )
    write_json_atomic(out / "manifest.json", manifest)
    return summary


Account = Callable[[dict[str, Any], str], None]


def _run_pool(shards: Iterator[Shard], shard_dir: str, pack_dir: str, options: ExtractOptions, account: Account) -> None:
    """Process shards on a pool of worker processes, at most 2 per worker in flight (bounded memory).

    A worker that dies (out of memory, a crash in native code) breaks the pool: the pool is rebuilt and the
    shards that were in flight are processed one article per process, so only the article that kills its
    process is lost, and it is recorded (E111).
    """
    pool = _new_pool(options.workers, pack_dir)
    pending: dict[Future[dict[str, Any]], Shard] = {}
    try:
        for shard in shards:
            pending[pool.submit(process_shard, shard_dir, shard[0], shard[1], pack_dir, options.doc_timeout)] = shard
            while len(pending) >= 2 * options.workers:
                pool = _drain(pool, pending, shard_dir, pack_dir, options, account)
        while pending:
            pool = _drain(pool, pending, shard_dir, pack_dir, options, account)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _drain(
    pool: ProcessPoolExecutor,
    pending: dict[Future[dict[str, Any]], Shard],
    shard_dir: str,
    pack_dir: str,
    options: ExtractOptions,
    account: Account,
) -> ProcessPoolExecutor:
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    broken: list[Shard] = []
    for fut in done:
        shard = pending.pop(fut)
        try:
            account(fut.result(), f"shard {shard[0]}")
        except BrokenProcessPool:
            broken.append(shard)
    if not broken:
        return pool
    broken += [pending.pop(f) for f in list(pending)]  # every shard in flight died with the pool
    pool.shutdown(wait=False, cancel_futures=True)
    for shard in sorted(broken):
        account(_isolate(shard, shard_dir, pack_dir, options), f"shard {shard[0]} (isolated after a worker died)")
    return _new_pool(options.workers, pack_dir)


def _new_pool(workers: int, pack_dir: str) -> ProcessPoolExecutor:
    """A pool whose workers start with the pipeline in place.

    Where workers are forked (Linux), the parent builds the pipeline once, before the first fork: each worker
    then shares its pages instead of spending about two seconds and its own memory on a copy, and the
    one-process-per-article isolation after a crash (`_isolate`) costs a fork per article, not a build.
    Elsewhere (spawn, forkserver) each worker builds its own.
    """
    if multiprocessing.get_start_method() == "fork":
        ensure_pipeline(pack_dir)
    return ProcessPoolExecutor(workers, initializer=ensure_pipeline, initargs=(pack_dir,))


def _isolate(shard: Shard, shard_dir: str, pack_dir: str, options: ExtractOptions) -> dict[str, Any]:
    """Process a shard one article per fresh process; an article that kills its process becomes E111."""
    shard_id, items = shard
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for item in items:
        with _new_pool(1, pack_dir) as solo:
            try:
                part = solo.submit(process_items, [item], patterns_dir=pack_dir, doc_timeout=options.doc_timeout).result()
            except BrokenProcessPool as err:
                origin = item.origin if isinstance(item, Document) else item.source
                doc_id = item.doc_id if isinstance(item, (Document, ErrorRecord)) else None
                part = {k: [] for k in KINDS}
                part["errors"].append(error(origin, "E111", doc_id=doc_id, detail=str(err) or "killed").to_record())
        for kind in KINDS:
            out[kind].extend(part[kind])
    return write_shard(shard_dir, shard_id, out)
