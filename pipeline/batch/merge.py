"""Merge shard files into the run directory's JSONL files, in shard order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..output.jsonl import read_jsonl, write_jsonl_atomic
from .worker import KINDS


def merge_shards(out: Path, shard_ids: list[str]) -> list[dict[str, Any]]:
    """Concatenate shard files in shard order; a doc_id seen in an earlier shard wins (E109 for the rest)."""
    shard_dir = out / "shards"
    owner: dict[str, str] = {}
    dup_errors: list[dict[str, Any]] = []
    skip: dict[str, set[str]] = {}
    for sid in shard_ids:
        for doc in read_jsonl(shard_dir / f"{sid}.documents.jsonl"):
            doc_id = doc["doc_id"]
            if doc_id in owner:
                skip.setdefault(sid, set()).add(doc_id)
                dup_errors.append(
                    {
                        "code": "E109",
                        "doc_id": doc_id,
                        "line": None,
                        "source": f"shard {sid}",
                        "message": f"Duplicate doc_id {doc_id} (first seen in shard {owner[doc_id]}); this copy was skipped.",
                    }
                )
            else:
                owner[doc_id] = sid

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
