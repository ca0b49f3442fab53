"""Merge shard files into the run directory's JSONL files, in shard order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..output.jsonl import write_lines_atomic
from .worker import KINDS


def merge_shards(out: Path, shard_ids: list[str]) -> list[dict[str, Any]]:
    """Concatenate shard files in shard order; a doc_id seen in an earlier shard wins (E109 for the rest).

    Files are copied as they are (the shards were written by the same encoder), so merging costs a read and
    a write, not a decode and an encode; only the shards that hold a duplicate are decoded line by line.
    """
    shard_dir = out / "shards"
    owner: dict[str, str] = {}
    dup_errors: list[dict[str, Any]] = []
    skip: dict[str, set[str]] = {}
    for sid in shard_ids:
        for line in _lines(shard_dir / f"{sid}.documents.jsonl"):
            doc_id = orjson.loads(line)["doc_id"]
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

    def stream(kind: str) -> Iterator[bytes]:
        for sid in shard_ids:
            path = shard_dir / f"{sid}.{kind}.jsonl"
            dropped = skip.get(sid) if kind != "errors" else None
            if not dropped:  # the usual case: the shard file as it is (our writer ends every line)
                yield from _whole(path)
                continue
            for line in _lines(path):
                if orjson.loads(line).get("doc_id") not in dropped:
                    yield line
        if kind == "errors":
            yield from (orjson.dumps(e, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE) for e in dup_errors)

    for kind in KINDS:
        write_lines_atomic(out / f"{kind}.jsonl", stream(kind))
    return dup_errors


def _whole(path: Path) -> Iterator[bytes]:
    """A shard file's bytes, ending in a newline unless empty (a shard written by hand may lack the last one)."""
    data = path.read_bytes()
    if data.strip():
        yield data if data.endswith(b"\n") else data + b"\n"


def _lines(path: Path) -> Iterator[bytes]:
    """The non-blank lines of a shard file, each ending in a newline."""
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                yield line if line.endswith(b"\n") else line + b"\n"
