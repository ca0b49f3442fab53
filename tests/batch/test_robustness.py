"""Runs survive kill -9, hanging articles and dying workers, and the Dask engine matches the local one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.batch.runner import ExtractOptions, run_extract

TEXT = (
    "Over {n} Chinese-made trucks were smuggled into Hyesan in March, a source told Daily NK. "
    "Customs officers in Sinuiju took bribes of 20,000 yuan per truck."
)


def _archive(path: Path, n: int, *, extra: list[dict] | None = None) -> Path:
    rows = [{"id": f"a{i:04d}", "text": TEXT.format(n=100 + i), "published": "2025-05-20"} for i in range(n)]
    rows += extra or []
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _files(run: Path) -> dict[str, bytes]:
    return {k: (run / f"{k}.jsonl").read_bytes() for k in ("documents", "mentions", "claims", "errors")}


def test_robustness_kill_9_then_rerun_gives_the_uninterrupted_result(tmp_path):
    src = _archive(tmp_path / "in.jsonl", 120)
    run_extract([str(src)], tmp_path / "clean", options=ExtractOptions(progress=False, shard_size=4))
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "extract",
        str(src),
        "--out",
        str(tmp_path / "killed"),
        "--shard-size",
        "4",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shards = tmp_path / "killed" / "shards"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(shards.glob("*.done"))) < 3 and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(shards.glob("*.done")))
    assert 0 < done_before < 30, "the kill must land part-way through the run"
    assert not (tmp_path / "killed" / "claims.jsonl").exists()
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done_before} resumed" in rerun.stdout or f"{done_before + 1} resumed" in rerun.stdout
    assert _files(tmp_path / "killed") == _files(tmp_path / "clean")
    # the files of the shard the kill interrupted (written under temporary names) are gone
    assert sorted(p.name for p in (tmp_path / "killed").rglob("*.tmp")) == []


def test_robustness_hanging_article_is_stopped_and_recorded(tmp_path):
    huge = {"id": "huge", "text": ("Trucks crossed at Hyesan, and sedans went to Musan. " * 30000), "published": "2025-05-20"}
    src = _archive(tmp_path / "in.jsonl", 3, extra=[huge])
    summary = run_extract([str(src)], tmp_path / "run", options=ExtractOptions(progress=False, doc_timeout=0.5))
    errors = [json.loads(x) for x in (tmp_path / "run" / "errors.jsonl").read_text().splitlines()]
    assert [(e["doc_id"], e["code"]) for e in errors] == [("huge", "E110")]
    assert summary.documents == 3


def test_robustness_articles_that_raise_are_recorded_in_input_order(tmp_path, monkeypatch):
    import pipeline.extract as extract_module

    real = extract_module.extract_claims

    def failing(doc, document, *args):
        if document.doc_id in ("a0001", "a0004"):
            raise RuntimeError("boom")
        return real(doc, document, *args)

    monkeypatch.setattr(extract_module, "extract_claims", failing)
    duplicate = {"id": "a0002", "text": "Another text under a taken id.", "published": "2025-05-20"}
    src = _archive(tmp_path / "in.jsonl", 6, extra=[duplicate])
    summary = run_extract([str(src)], tmp_path / "run", options=ExtractOptions(progress=False))
    errors = [json.loads(x) for x in (tmp_path / "run" / "errors.jsonl").read_text().splitlines()]
    # the duplicate is found before any article is extracted, but errors follow the input
    assert [(e["doc_id"], e["code"]) for e in errors] == [("a0001", "E107"), ("a0004", "E107"), ("a0002", "E109")]
    assert "RuntimeError: boom" in errors[0]["message"]
    docs = [json.loads(x)["doc_id"] for x in (tmp_path / "run" / "documents.jsonl").read_text().splitlines()]
    assert docs == ["a0000", "a0002", "a0003", "a0005"]
    assert summary.documents == 4


def test_robustness_a_worker_that_dies_loses_only_its_article(tmp_path, monkeypatch):
    import pipeline.extract as extract_module

    real = extract_module.doc_mentions

    def poisoned(doc, doc_id, names):
        if doc_id == "poison":
            os._exit(3)  # a crash in native code: the process vanishes without an exception
        return real(doc, doc_id, names)

    monkeypatch.setattr(extract_module, "doc_mentions", poisoned)  # forked workers inherit it
    poison = {"id": "poison", "text": "POISON trucks crossed at Hyesan.", "published": "2025-05-20"}
    src = _archive(tmp_path / "in.jsonl", 12, extra=[poison])
    summary = run_extract([str(src)], tmp_path / "run", options=ExtractOptions(progress=False, workers=2, shard_size=3))
    errors = [json.loads(x) for x in (tmp_path / "run" / "errors.jsonl").read_text().splitlines()]
    assert [(e["doc_id"], e["code"]) for e in errors] == [("poison", "E111")]
    docs = [json.loads(x)["doc_id"] for x in (tmp_path / "run" / "documents.jsonl").read_text().splitlines()]
    assert docs == [f"a{i:04d}" for i in range(12)]
    assert summary.documents == 12


def test_robustness_forked_workers_and_crash_isolation_build_no_pipeline_of_their_own(tmp_path, monkeypatch):
    """A pipeline build takes about two seconds; after a crash with 2 workers up to four shards in flight are
    redone one article per process. Workers are forked from the parent after it built the pipeline, so the
    run builds it once, in the parent, crash or not."""
    import multiprocessing

    import pipeline.extract as extract_module
    import pipeline.nlp.build as build_module
    from pipeline.batch import worker

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("workers are forked only where fork is the start method")
    builds = tmp_path / "builds"
    real_build, real_mentions = build_module.build_pipeline, extract_module.doc_mentions

    def counted(*args, **kwargs):
        with builds.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real_build(*args, **kwargs)

    def poisoned(doc, doc_id, names):
        if doc_id == "poison":
            os._exit(3)
        return real_mentions(doc, doc_id, names)

    monkeypatch.setattr(build_module, "build_pipeline", counted)
    monkeypatch.setattr(extract_module, "doc_mentions", poisoned)
    monkeypatch.setattr(worker, "_NLP", None)  # as in a fresh `newsclaims extract` process
    monkeypatch.setattr(worker, "_PATTERNS", None)
    poison = {"id": "poison", "text": "POISON trucks crossed at Hyesan.", "published": "2025-05-20"}
    src = _archive(tmp_path / "in.jsonl", 12, extra=[poison])
    summary = run_extract([str(src)], tmp_path / "run", options=ExtractOptions(progress=False, workers=2, shard_size=3))
    assert summary.errors == {"E111": 1} and summary.documents == 12
    assert builds.read_text().split() == [str(os.getpid())]


@pytest.mark.slow
def test_robustness_dask_local_cluster_output_is_byte_identical(tmp_path):
    pytest.importorskip("distributed")
    src = _archive(tmp_path / "in.jsonl", 24)
    run_extract([str(src)], tmp_path / "local", options=ExtractOptions(progress=False, shard_size=5))
    run_extract([str(src)], tmp_path / "dask", options=ExtractOptions(progress=False, shard_size=5, engine="dask", workers=2))
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["engine"] == "dask" and manifest["complete"]
