"""Shards are merged in shard order as soon as they and the shards before them are done."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.batch.merge import ShardMerger
from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.batch.worker import KINDS

from .test_runner import _files, _inputs


def _shard(run: Path, sid: str, doc_ids: list[str], *, done: bool) -> None:
    shards = run / "shards"
    shards.mkdir(parents=True, exist_ok=True)
    docs = "".join(json.dumps({"doc_id": d, "text": f"text of {d}"}) + "\n" for d in doc_ids)
    (shards / f"{sid}.documents.jsonl").write_text(docs, encoding="utf-8")
    (shards / f"{sid}.mentions.jsonl").write_text("".join(json.dumps({"doc_id": d, "m": sid}) + "\n" for d in doc_ids))
    (shards / f"{sid}.claims.jsonl").write_text("")
    (shards / f"{sid}.errors.jsonl").write_text("")
    if done:
        (shards / f"{sid}.done").write_text("{}")


def test_a_shard_is_merged_only_after_every_shard_before_it(tmp_path):
    run = tmp_path / "run"
    _shard(run, "000000", ["a"], done=True)
    _shard(run, "000001", ["b"], done=False)  # still being extracted
    _shard(run, "000002", ["c", "a"], done=True)  # repeats "a" of shard 0
    merger = ShardMerger(run)
    try:
        for sid in ("000000", "000001", "000002"):
            merger.add(sid)
        merger.advance()
        assert merger.merged == 1  # shard 2 is done, but waits for shard 1
        assert not (run / "mentions.jsonl").exists()  # nothing is in place before the run finishes
        (run / "shards" / "000001.done").write_text("{}")
        merger.advance()
        assert merger.merged == 3
        errors = merger.finish()
    finally:
        merger.close()
    mentions = [json.loads(x) for x in (run / "mentions.jsonl").read_text().splitlines()]
    assert [(m["doc_id"], m["m"]) for m in mentions] == [("a", "000000"), ("b", "000001"), ("c", "000002")]
    assert [(e["code"], e["doc_id"], e["source"]) for e in errors] == [("E109", "a", "shard 000002")]
    assert sorted(p.name for p in run.iterdir()) == sorted(["shards", *(f"{k}.jsonl" for k in KINDS)])


def test_the_files_a_killed_merge_left_are_removed_and_the_run_resumes(tmp_path):
    src = _inputs(tmp_path)
    once = tmp_path / "once"
    run_extract([str(src)], once, options=ExtractOptions(shard_size=2, progress=False))
    run = tmp_path / "run"
    run_extract([str(src)], run, options=ExtractOptions(shard_size=2, progress=False))
    (run / "claims.jsonl").unlink()  # as if killed while merging: shards done, a temporary file left behind
    (run / ".claims.jsonl.x1y2z3.tmp").write_bytes(b'{"partial": ')
    summary = run_extract([str(src)], run, options=ExtractOptions(shard_size=2, progress=False))
    assert summary.shards_resumed == summary.shards == 3
    assert _files(run) == _files(once)
    assert not list(run.glob(".*.tmp"))


def test_shard_files_are_merged_as_they_are_whether_or_not_their_markers_list_the_doc_ids(tmp_path):
    """A worker's marker lists its shard's doc_ids (the merge reads them there); a marker of an earlier version
    does not (the merge reads the documents file). Files edited by hand, one without its last newline and one
    that is only blank lines, merge as whole lines."""
    run = tmp_path / "run"
    _shard(run, "000000", ["a", "b"], done=False)
    _shard(run, "000001", ["c", "a"], done=False)
    shards = run / "shards"
    (shards / "000000.done").write_text(json.dumps({"doc_ids": ["a", "b"]}))
    (shards / "000001.done").write_text("{}")
    (shards / "000000.claims.jsonl").write_text('{"doc_id": "a", "c": 1}')  # no last newline
    (shards / "000001.claims.jsonl").write_text("\n\n")
    (shards / "000000.errors.jsonl").write_text('{"code": "E104"}\n')
    merger = ShardMerger(run)
    try:
        merger.add("000000")
        merger.add("000001")
        errors = merger.finish()
    finally:
        merger.close()
    assert (run / "claims.jsonl").read_text() == '{"doc_id": "a", "c": 1}\n'
    docs = [json.loads(x)["doc_id"] for x in (run / "documents.jsonl").read_text().splitlines()]
    assert docs == ["a", "b", "c"]
    assert [(e["code"], e["doc_id"]) for e in errors] == [("E109", "a")]
    assert (run / "errors.jsonl").read_text().splitlines()[0] == '{"code": "E104"}'
