from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.batch.runner import ExtractOptions, run_extract

ARTICLE = (
    "Trucks cross at Hyesan\n\nOver 100 Chinese-made trucks were smuggled into Hyesan in March, "
    "a source told Daily NK. Customs officers took bribes of 20,000 yuan."
)


def _inputs(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    lines = [
        json.dumps(
            {
                "id": f"j{i}",
                "text": ARTICLE.replace("Hyesan", town),
                "published": "2025-05-20",
                "title": "t",
                "source": "Border Monitor",
                "url": f"https://example.org/{i}",
            }
        )
        for i, town in enumerate(["Sinuiju", "Manpo", "Musan", "Hoeryong"])
    ]
    (src / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def _files(run: Path) -> dict[str, bytes]:
    return {k: (run / f"{k}.jsonl").read_bytes() for k in ("documents", "mentions", "claims", "errors")}


def test_runner_contract_offsets_and_ids(tmp_path):
    run = tmp_path / "run"
    summary = run_extract([str(_inputs(tmp_path))], run, options=ExtractOptions(progress=False))
    assert summary.documents == 5 and not summary.failed
    docs = {d["doc_id"]: d for d in map(json.loads, (run / "documents.jsonl").read_text().splitlines())}
    assert {"j0", "j1", "j2", "j3"} <= set(docs)
    for d in docs.values():
        assert {"doc_id", "url", "title", "published", "source", "text", "text_sha256", "sentences"} <= set(d)
    for m in map(json.loads, (run / "mentions.jsonl").read_text().splitlines()):
        assert docs[m["doc_id"]]["text"][m["start"] : m["end"]] == m["text"]
        assert {"mention_id", "label", "sentence_index", "canonical"} <= set(m)
    claims = [json.loads(x) for x in (run / "claims.jsonl").read_text().splitlines()]
    assert claims and all(c["schema_version"] == 1 for c in claims)
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["complete"] and manifest["counts"]["documents"] == 5 and len(manifest["pattern_pack_sha256"]) == 64


def test_runner_rerun_is_byte_identical_and_workers_do_not_change_output(tmp_path):
    src = _inputs(tmp_path)
    run_extract([str(src)], tmp_path / "r1", options=ExtractOptions(progress=False, shard_size=2))
    run_extract([str(src)], tmp_path / "r2", options=ExtractOptions(progress=False, shard_size=2, workers=2))
    assert _files(tmp_path / "r1") == _files(tmp_path / "r2")


def test_runner_resumes_after_interruption_without_duplicates(tmp_path):
    src = _inputs(tmp_path)
    full = tmp_path / "full"
    run_extract([str(src)], full, options=ExtractOptions(progress=False, shard_size=2))
    part = tmp_path / "part"
    run_extract([str(src)], part, options=ExtractOptions(progress=False, shard_size=2))
    # Simulate a kill: the merged files and the last shard's marker never got written.
    for kind in ("documents", "mentions", "claims", "errors"):
        (part / f"{kind}.jsonl").unlink()
    sorted((part / "shards").glob("*.done"))[-1].unlink()
    summary = run_extract([str(src)], part, options=ExtractOptions(progress=False, shard_size=2))
    assert summary.shards_resumed == summary.shards - 1
    assert _files(part) == _files(full)


def test_a_shard_interrupted_part_way_leaves_no_files_and_a_killed_ones_files_go_on_resume(tmp_path, monkeypatch):
    """A shard's files are written as its articles finish, under temporary names until the shard is complete:
    an interrupted shard leaves nothing a reader or a resumed run could take for a result, and the temporary
    files of a shard whose process was killed outright are removed when the run resumes."""
    import pipeline.extract as extract_module
    from pipeline.batch import worker
    from pipeline.types import Document

    real = extract_module.extract_claims
    seen = []

    def interrupted(doc, document, *args):
        seen.append(document.doc_id)
        if document.doc_id == "Kanggye":
            raise KeyboardInterrupt  # not an article's error: the shard stops
        return real(doc, document, *args)

    monkeypatch.setattr(extract_module, "extract_claims", interrupted)
    items = [
        Document(text=ARTICLE.replace("Hyesan", town), doc_id=town, published="2025-05-20")
        for town in ("Musan", "Manpo", "Kanggye", "Hoeryong")
    ]
    shard_dir = tmp_path / "shard"
    shard_dir.mkdir()
    worker.STEP_BATCH, saved = 2, worker.STEP_BATCH  # the first batch is written before the interruption
    try:
        with pytest.raises(KeyboardInterrupt):
            worker.process_shard(str(shard_dir), "000000", items)
    finally:
        worker.STEP_BATCH = saved
    assert seen[-3:] == ["Musan", "Manpo", "Kanggye"]
    assert sorted(p.name for p in shard_dir.iterdir()) == []
    monkeypatch.setattr(extract_module, "extract_claims", real)

    src = _inputs(tmp_path)
    full, part = tmp_path / "full", tmp_path / "part"
    run_extract([str(src)], full, options=ExtractOptions(progress=False, shard_size=2))
    run_extract([str(src)], part, options=ExtractOptions(progress=False, shard_size=2))
    for kind in ("documents", "mentions", "claims", "errors"):  # as a kill -9 part-way through shard 2 leaves it
        (part / f"{kind}.jsonl").unlink()
        (part / "shards" / f"000002.{kind}.jsonl").rename(part / "shards" / f".000002.{kind}.jsonl.x1y2z3.tmp")
    (part / "shards" / "000002.done").unlink()
    summary = run_extract([str(src)], part, options=ExtractOptions(progress=False, shard_size=2))
    assert summary.shards_resumed == summary.shards - 1
    assert _files(part) == _files(full)
    assert sorted(p.name for p in part.rglob("*.tmp")) == []


def test_runner_refuses_other_inputs_in_existing_run(tmp_path):
    from pipeline.errors import NewsclaimsError

    src = _inputs(tmp_path)
    run_extract([str(src / "a.txt")], tmp_path / "r", options=ExtractOptions(progress=False))
    with pytest.raises(NewsclaimsError) as err:
        run_extract([str(src)], tmp_path / "r", options=ExtractOptions(progress=False))
    assert err.value.code == "E002"


def test_runner_bad_inputs_are_recorded_and_the_rest_processed(tmp_path):
    src = _inputs(tmp_path)
    (src / "bad.txt").write_bytes(b"caf\xe9 \xff\xfe not utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "huge.txt").write_text("x" * 21_000_000, encoding="utf-8")
    (src / "c.jsonl").write_text(
        '{"id": "ok", "text": "Trucks crossed."}\n{not json}\n{"id": "notext"}\n{"id": "blank", "text": "   "}\n{"text": 5}\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            str(src),
            "--out",
            str(tmp_path / "run"),
            "--quiet",
            "--max-chars",
            "20000000",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [json.loads(x) for x in (tmp_path / "run" / "errors.jsonl").read_text().splitlines()]
    by_code = {(Path(e["source"]).name, e["line"], e["code"]) for e in errors}
    assert ("bad.txt", None, "E101") in by_code
    assert ("empty.txt", None, "E102") in by_code
    assert ("huge.txt", None, "E105") in by_code
    assert ("c.jsonl", 2, "E103") in by_code
    assert ("c.jsonl", 3, "E104") in by_code
    assert ("c.jsonl", 4, "E104") in by_code or ("c.jsonl", 4, "E108") in by_code
    assert ("c.jsonl", 5, "E104") in by_code
    docs = [json.loads(x)["doc_id"] for x in (tmp_path / "run" / "documents.jsonl").read_text().splitlines()]
    assert "ok" in docs and {"j0", "j1", "j2", "j3"} <= set(docs)
    assert "errors:    " in proc.stdout


def test_cli_missing_input_is_one_line_coded_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "run")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("newsclaims: error: [E001]")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_reads_jsonl_from_stdin(tmp_path):
    line = json.dumps({"id": "s1", "text": ARTICLE, "published": "2025-05-20"})
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", "-", "--out", str(tmp_path / "run"), "--quiet"],
        input=line + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    docs = (tmp_path / "run" / "documents.jsonl").read_text().splitlines()
    assert [json.loads(d)["doc_id"] for d in docs] == ["s1"]


def test_a_doc_id_repeated_in_a_later_shard_keeps_the_first_copy_and_records_E109(tmp_path):
    rows = [
        {"id": "dup", "text": ARTICLE, "published": "2025-05-20"},
        {"id": "other", "text": ARTICLE.replace("Hyesan", "Manpo"), "published": "2025-05-20"},
        {"id": "dup", "text": ARTICLE.replace("Hyesan", "Musan"), "published": "2025-05-20"},  # shard 2, other text
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run = tmp_path / "run"
    summary = run_extract([str(src)], run, options=ExtractOptions(progress=False, shard_size=2))
    assert summary.documents == 2 and summary.errors["E109"] == 1
    docs = [json.loads(x) for x in (run / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [d["doc_id"] for d in docs] == ["dup", "other"] and "Hyesan" in docs[0]["text"]
    mentions = (run / "mentions.jsonl").read_text(encoding="utf-8")
    claims = (run / "claims.jsonl").read_text(encoding="utf-8")
    assert "Musan" not in mentions and "Musan" not in claims  # nothing of the skipped copy is merged
    assert "Hyesan" in mentions and "Manpo" in claims
    errors = [json.loads(x) for x in (run / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["code"], e["doc_id"]) for e in errors] == [("E109", "dup")]


def test_a_worker_caches_tokenisation_from_its_first_shard_although_shards_run_in_memory_zones():
    """Inside `nlp.memory_zone()` spaCy never adds to its tokenizer cache, so a worker that only ran zones
    would split every word of every article afresh (about half a run's time). Words of the first shard a
    worker sees must be cached: a later shard with the same words calls the tokenizer's `prefix_search`
    (run only for uncached chunks) for none of them."""
    from pipeline.batch import worker
    from pipeline.types import Document

    worker.init_worker(None)
    tokenizer = worker._NLP.tokenizer
    calls = []
    search = tokenizer.prefix_search

    def counting(text):
        calls.append(text)
        return search(text)

    tokenizer.prefix_search = counting
    first = Document(text=ARTICLE, doc_id="a", published="2025-05-20")
    worker.process_items([first], patterns_dir=None, doc_timeout=0)
    calls.clear()
    again = Document(text=ARTICLE, doc_id="b", published="2025-05-20")
    out = worker.process_items([again], patterns_dir=None, doc_timeout=0)
    assert out["documents"] and out["claims"]
    assert calls == []
    worker.init_worker(None)  # leave a pipeline with its own tokenizer for later tests
