"""Merge shard files into the run directory's JSONL files, in shard order, as the shards complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ..output.jsonl import WRITE_BUFFER
from .worker import KINDS


class ShardMerger:
    """Appends each shard's files to the run's merged files, in shard order, as soon as the shard and every
    shard before it are done, so the merge runs while workers are still extracting (at the end of a run it
    had been a serial tail of about 5% of the wall time with 2 workers). The merged files are written under
    temporary names and renamed by `finish`, so readers never see a partial file; an interrupted run leaves
    only temporary files, which the next run removes (`remove_partial_files`).

    A doc_id seen in an earlier shard wins: later copies are skipped and reported (E109) at the end of
    `errors.jsonl`. Shard files are copied as they are (the shards were written by the same encoder); only a
    shard that holds a duplicate is decoded line by line.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.shard_dir = out / "shards"
        self.shard_ids: list[str] = []  # every shard of the run, in order, as the inputs are cut
        self.merged = 0  # shard_ids[:merged] are in the merged files
        self.owner: dict[str, str] = {}
        self.dup_errors: list[dict[str, Any]] = []
        self._files: dict[str, tuple[IO[bytes], str]] = {}
        for kind in KINDS:
            fd, tmp = tempfile.mkstemp(prefix=f".{kind}.jsonl.", suffix=".tmp", dir=out)
            self._files[kind] = (os.fdopen(fd, "wb", buffering=WRITE_BUFFER), tmp)

    def add(self, shard_id: str) -> None:
        """A shard of the run (in input order), done or not yet."""
        self.shard_ids.append(shard_id)

    def advance(self) -> None:
        """Merge every shard whose `.done` marker exists and follows the last merged one."""
        while self.merged < len(self.shard_ids):
            sid = self.shard_ids[self.merged]
            if not (self.shard_dir / f"{sid}.done").exists():
                return
            self._merge(sid)
            self.merged += 1

    def _merge(self, sid: str) -> None:
        dropped: set[str] = set()
        for line in _lines(self.shard_dir / f"{sid}.documents.jsonl"):
            doc_id = orjson.loads(line)["doc_id"]
            first = self.owner.get(doc_id)
            if first is not None:
                dropped.add(doc_id)
                self.dup_errors.append(
                    {
                        "code": "E109",
                        "doc_id": doc_id,
                        "line": None,
                        "source": f"shard {sid}",
                        "message": f"Duplicate doc_id {doc_id} (first seen in shard {first}); this copy was skipped.",
                    }
                )
            else:
                self.owner[doc_id] = sid
        for kind in KINDS:
            write = self._files[kind][0].write
            path = self.shard_dir / f"{sid}.{kind}.jsonl"
            if not dropped or kind == "errors":  # the usual case: the shard file as it is
                for data in _whole(path):
                    write(data)
                continue
            for line in _lines(path):
                if orjson.loads(line).get("doc_id") not in dropped:
                    write(line)

    def finish(self) -> list[dict[str, Any]]:
        """Merge what is left (every shard must be done), append the E109 records, and put the merged files
        in place; returns the E109 records."""
        self.advance()
        if self.merged < len(self.shard_ids):
            raise RuntimeError(f"shard {self.shard_ids[self.merged]} is not done")
        errors = self._files["errors"][0]
        for e in self.dup_errors:
            errors.write(orjson.dumps(e, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE))
        for kind, (fh, tmp) in self._files.items():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.replace(tmp, self.out / f"{kind}.jsonl")
        self._files = {}
        return self.dup_errors

    def close(self) -> None:
        """Drop the temporary files of a run that did not finish."""
        for fh, tmp in self._files.values():
            fh.close()
            Path(tmp).unlink(missing_ok=True)
        self._files = {}


def remove_partial_files(out: Path) -> None:
    """Remove the temporary files a killed run left: what it was merging in the run directory, and the
    files of the shards it was extracting (a shard's files are written as its articles finish, under
    temporary names until the shard is complete). Its complete shards are kept."""
    for kind in KINDS:
        for tmp in out.glob(f".{kind}.jsonl.*.tmp"):
            tmp.unlink(missing_ok=True)
    for tmp in (out / "shards").glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _whole(path: Path) -> Iterator[bytes]:
    """A shard file's bytes, ending in a newline unless empty (a shard written by hand may lack the last one)."""
    data = path.read_bytes()
    if data and not data.isspace():  # (`data.strip()` would copy the file's bytes to say so)
        yield data if data.endswith(b"\n") else data + b"\n"


def _lines(path: Path) -> Iterator[bytes]:
    """The non-blank lines of a shard file, each ending in a newline."""
    with path.open("rb") as fh:
        for line in fh:
            if not line.isspace():  # a line read from a file is never empty
                yield line if line.endswith(b"\n") else line + b"\n"
