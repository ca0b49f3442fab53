"""End to end: the same pages as saved HTML, inside a WARC and served over HTTP give the same claims as
their plain-text versions."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.batch.runner import ExtractOptions, run_extract
from tests.ingest.conftest import ARTICLES, WarcPage, expected_text, html_reply, write_warc

IGNORED = {"claim_id", "doc_id", "mention_id"}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _claims_by_text(run: Path) -> dict[str, list[dict]]:
    docs = {d["doc_id"]: d for d in map(json.loads, (run / "documents.jsonl").read_text().splitlines())}
    out: dict[str, list[dict]] = {}
    for c in map(json.loads, (run / "claims.jsonl").read_text().splitlines()):
        out.setdefault(docs[c["doc_id"]]["text_sha256"], []).append(_strip(c))
    return out


def _published(page: Path) -> str | None:
    from pipeline.ingest.html import read_html_path

    (doc,) = list(read_html_path(page, max_chars=1_000_000))
    return doc.published


def test_end_to_end_html_warc_and_http_match_plain_text(tmp_path, server, fast):
    text_dir = tmp_path / "text"
    text_dir.mkdir()
    rows = [{"id": p.stem, "text": expected_text(p), "published": _published(p)} for p in ARTICLES]
    (text_dir / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    warc = write_warc(
        tmp_path / "pages.warc.gz",
        [WarcPage(f"https://news.example.org/{p.stem}", p.read_bytes(), "text/html") for p in ARTICLES],
    )
    for page in ARTICLES:
        server.routes[f"/{page.stem}"] = html_reply(page.read_bytes())
    urls = tmp_path / "pages.urls"
    urls.write_text("".join(server.url(f"/{p.stem}") + "\n" for p in ARTICLES), encoding="utf-8")

    runs = {}
    for name, inputs in {
        "text": [str(text_dir)],
        "html": [str(p) for p in ARTICLES],
        "warc": [str(warc)],
        "http": [str(urls)],
    }.items():
        run_extract(inputs, tmp_path / "runs" / name, options=ExtractOptions(progress=False))
        runs[name] = _claims_by_text(tmp_path / "runs" / name)

    # Pages whose extracted body equals the hand-written text must give identical claims on every path.
    exact = set(runs["text"]) & set(runs["html"])
    assert len(exact) >= 4, "most fixture pages extract exactly; fewer means the extractor regressed"
    assert sum(len(runs["text"][sha]) for sha in exact) >= 5, "the pages must carry claims for this to mean anything"
    for name in ("html", "warc", "http"):
        for sha in exact:
            assert runs[name].get(sha) == runs["text"][sha], f"{name} path differs"
