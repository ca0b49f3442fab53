"""`newsclaims extract`: shard the inputs, process each shard once, merge into the run directory.

Shards are named from the input order (`00003-000012`), written atomically and marked done last, so a run
killed at any moment resumes with the same command and ends with exactly the records of an uninterrupted
run, whatever the number of workers.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import NewsclaimsError
from ..ingest.readers import DEFAULT_MAX_CHARS, STDIN, ReadItem, expand_inputs, read_source
from ..output.jsonl import read_jsonl, write_json_atomic, write_jsonl_atomic
from ..types import Document, ErrorRecord
from .progress import Progress

KINDS = ("documents", "mentions", "claims", "errors")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ExtractOptions:
    """How to run an extraction."""

    workers: int = 1
    shard_size: int = 200
    max_chars: int = DEFAULT_MAX_CHARS
    patterns_dir: str | None = None
    overwrite: bool = False
    progress: bool | None = None


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


# -- worker side ------------------------------------------------------------------------------------------

_NLP: Any = None


def _init_worker(patterns_dir: str | None) -> None:
    global _NLP
    from ..nlp.build import build_pipeline

    _NLP = build_pipeline(patterns_dir=patterns_dir)


def process_shard(shard_dir: str, shard_id: str, items: list[ReadItem], patterns_dir: str | None = None) -> dict[str, Any]:
    """Extract one shard and write its files atomically; the `.done` marker is written last."""
    from ..extract import extract_document

    if _NLP is None:
        _init_worker(patterns_dir)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, ErrorRecord):
            out["errors"].append(item.to_record())
            continue
        if item.doc_id in seen:
            out["errors"].append(_dup_error(item, seen[item.doc_id]))
            continue
        seen[item.doc_id] = item.origin
        try:
            result = extract_document(_NLP, item)
        except Exception as err:  # a bad article must not stop the batch; recorded with its code
            out["errors"].append(
                ErrorRecord(
                    source=item.origin,
                    code="E107",
                    doc_id=item.doc_id,
                    message=f"Processing the article failed: {type(err).__name__}: {err}. "
                    "This is a bug: please report it with the article.",
                ).to_record()
            )
            continue
        out["documents"].append(result.document)
        out["mentions"].extend(result.mentions)
        out["claims"].extend(result.claims)
    base = Path(shard_dir)
    for kind in KINDS:
        write_jsonl_atomic(base / f"{shard_id}.{kind}.jsonl", out[kind])
    stats = _shard_stats(out)
    write_json_atomic(base / f"{shard_id}.done", stats)
    return stats


def _dup_error(doc: Document, first: str) -> dict[str, Any]:
    from ..ingest.readers import error

    return error(doc.origin, "E109", doc_id=doc.doc_id, first=first).to_record()


def _shard_stats(out: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "documents": len(out["documents"]),
        "mentions": dict(Counter(m["label"] for m in out["mentions"])),
        "claims": dict(Counter(c["claim_type"] for c in out["claims"])),
        "errors": dict(Counter(e["code"] for e in out["errors"])),
    }


# -- driver side ------------------------------------------------------------------------------------------


def _shards(inputs: Sequence[str], shard_size: int, max_chars: int) -> Iterator[tuple[str, list[ReadItem]]]:
    for si, source in enumerate(expand_inputs(inputs, max_chars=max_chars)):
        chunk: list[ReadItem] = []
        n = 0
        for item in read_source(source):
            chunk.append(item)
            if len(chunk) >= shard_size:
                yield f"{si:05d}-{n:06d}", chunk
                chunk, n = [], n + 1
        if chunk or n == 0:
            yield f"{si:05d}-{n:06d}", chunk


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
    elif out.exists() and any(out.iterdir()):
        if not (out / "shards").exists():
            raise NewsclaimsError("E002", path=out)
    (out / "shards").mkdir(parents=True, exist_ok=True)


def run_extract(inputs: Sequence[str], out: str | Path, *, options: ExtractOptions | None = None) -> RunSummary:
    """Extract every input into `out`; resumable, deterministic, one bad article never stops the run."""
    options = options or ExtractOptions()
    out = Path(out)
    expand_inputs(inputs, max_chars=options.max_chars)  # fail fast on a missing path, before touching `out`
    _prepare(out, inputs, options)
    from ..nlp.patterns import default_patterns_dir, pack_sha256

    pack_dir = Path(options.patterns_dir) if options.patterns_dir else default_patterns_dir()
    started = time.perf_counter()
    summary = RunSummary(out=out)
    manifest: dict[str, Any] = {
        "newsclaims_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "inputs": list(inputs),
        "shard_size": options.shard_size,
        "model": "blank:en + newsclaims rules",
        "pattern_pack_sha256": pack_sha256(pack_dir),
        "complete": False,
    }
    write_json_atomic(out / "manifest.json", manifest)
    shard_dir = out / "shards"
    progress = Progress(enabled=options.progress)
    shard_ids: list[str] = []
    resumable = STDIN not in inputs

    def account(stats: dict[str, Any], note: str) -> None:
        summary.documents += stats["documents"]
        summary.mentions.update(stats["mentions"])
        summary.claims.update(stats["claims"])
        summary.errors.update(stats["errors"])
        progress.update(
            documents=stats["documents"], claims=sum(stats["claims"].values()), errors=sum(stats["errors"].values()), note=note
        )

    pattern_arg = str(pack_dir)
    pool = (
        ProcessPoolExecutor(options.workers, initializer=_init_worker, initargs=(pattern_arg,)) if options.workers > 1 else None
    )
    pending: dict[Future[dict[str, Any]], str] = {}
    try:
        for shard_id, items in _shards(inputs, options.shard_size, options.max_chars):
            shard_ids.append(shard_id)
            summary.shards += 1
            done_file = shard_dir / f"{shard_id}.done"
            if resumable and done_file.exists():
                summary.shards_resumed += 1
                account(json.loads(done_file.read_text(encoding="utf-8")), f"shard {shard_id} already done")
                continue
            if pool is None:
                account(process_shard(str(shard_dir), shard_id, items, pattern_arg), f"shard {shard_id}")
                continue
            pending[pool.submit(process_shard, str(shard_dir), shard_id, items, pattern_arg)] = shard_id
            while len(pending) >= 2 * options.workers:
                _drain(pending, account, FIRST_COMPLETED)
        while pending:
            _drain(pending, account, FIRST_COMPLETED)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        progress.close()
    dup_errors = _merge(out, shard_ids)
    for err in dup_errors:
        summary.errors[err["code"]] += 1
    summary.seconds = time.perf_counter() - started
    manifest.update(
        complete=True,
        counts={
            "documents": summary.documents - len(dup_errors),
            "mentions": dict(sorted(summary.mentions.items())),
            "claims": dict(sorted(summary.claims.items())),
            "errors": dict(sorted(summary.errors.items())),
            "shards": summary.shards,
            "shards_resumed": summary.shards_resumed,
        },
        timings={"total_seconds": round(summary.seconds, 3)},
    )
    summary.documents -= len(dup_errors)
    write_json_atomic(out / "manifest.json", manifest)
    return summary


def _drain(pending: dict[Future[dict[str, Any]], str], account: Any, how: str) -> None:
    done, _ = wait(list(pending), return_when=how)
    for fut in done:
        shard_id = pending.pop(fut)
        account(fut.result(), f"shard {shard_id}")


def _merge(out: Path, shard_ids: list[str]) -> list[dict[str, Any]]:
    """Concatenate shard files in shard order; a doc_id seen in an earlier shard wins (E109 for the rest)."""
    shard_dir = out / "shards"
    owner: dict[str, str] = {}
    dup_errors: list[dict[str, Any]] = []
    skip: dict[str, set[str]] = {}
    for sid in shard_ids:
        for doc in read_jsonl(shard_dir / f"{sid}.documents.jsonl"):
            if doc["doc_id"] in owner:
                skip.setdefault(sid, set()).add(doc["doc_id"])
                dup_errors.append(
                    {
                        "code": "E109",
                        "doc_id": doc["doc_id"],
                        "line": None,
                        "source": f"shard {sid}",
                        "message": f"Duplicate doc_id {doc['doc_id']} (first seen in shard "
                        f"{owner[doc['doc_id']]}); this copy was skipped.",
                    }
                )
            else:
                owner[doc["doc_id"]] = sid

    def stream(kind: str) -> Iterator[dict[str, Any]]:
        for sid in shard_ids:
            dropped = skip.get(sid, set())
            for rec in read_jsonl(shard_dir / f"{sid}.{kind}.jsonl"):
                if kind != "errors" and rec.get("doc_id") in dropped:
                    continue
                yield rec
        if kind == "errors":
            yield from dup_errors

    for kind in KINDS:
        write_jsonl_atomic(out / f"{kind}.jsonl", stream(kind))
    return dup_errors
