"""WARC archives: HTML pages out, everything else skipped, damaged archives reported clearly."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest

import pipeline.ingest  # noqa: F401  (registers the readers)
from pipeline.ingest.html import read_html_path
from pipeline.ingest.readers import iter_documents
from pipeline.ingest.warc import read_warc
from pipeline.types import Document, ErrorRecord

from .conftest import ARTICLES, PAGES, WarcPage, fixture_warc_pages, write_warc

NOISE = [
    WarcPage("https://news.example.org/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 300, "image/png"),
    WarcPage("https://news.example.org/gone", b"<html><body>Not found</body></html>", status="404 Not Found"),
    WarcPage("https://news.example.org/style.css", b"body{}", "text/css", record_type="resource"),
]


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_read_warc_gives_the_same_documents_as_the_saved_pages(tmp_path: Path, compressed: bool):
    path = write_warc(tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc"), fixture_warc_pages() + NOISE, gzip=compressed)
    items = list(iter_documents([str(path)]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ErrorRecord)]
    assert [d.url for d in docs] == [f"https://news.example.org/{p.stem}" for p in ARTICLES]
    for doc, page in zip(docs, ARTICLES, strict=True):
        saved = next(read_html_path(page))
        assert isinstance(saved, Document)
        assert doc.text == saved.text
        assert (doc.title, doc.published, doc.obtained) == (saved.title, saved.published, "warc")
        assert doc.final_url == doc.url and doc.site == "news.example.org"
    assert [e.code for e in errors] == ["E201", "E201"]  # the index page and the consent wall
    assert all(e.source == str(path) and e.line for e in errors)


def test_read_warc_uses_the_http_charset_of_the_record(tmp_path: Path):
    page = PAGES / "yalu-press-musan-mine-wages-cp1252.html"
    body = page.read_bytes().replace(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', b"")
    path = write_warc(tmp_path / "a.warc.gz", [WarcPage("https://y.example.org/a", body, "text/html; charset=windows-1252")])
    (doc,) = read_warc(str(path), max_chars=100_000)
    assert isinstance(doc, Document)
    assert doc.text == next(read_html_path(page)).text


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize("where", ["payload", "header"])
def test_read_warc_reports_a_truncated_last_record(tmp_path: Path, compressed: bool, where: str):
    pages = fixture_warc_pages()[:3]
    full = write_warc(tmp_path / "full.warc", pages, gzip=compressed).read_bytes()
    # the last record starts with the last gzip member, or with the last "WARC/1.0" line
    last = full.rindex(b"\x1f\x8b\x08") if compressed else full.rindex(b"WARC/1.")
    cut = tmp_path / ("cut.warc.gz" if compressed else "cut.warc")
    cut.write_bytes(full[: len(full) - 1000 if where == "payload" else last + 60])
    items = list(read_warc(str(cut), max_chars=100_000))
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.url for d in docs] == [p.url for p in pages[:2]]
    assert isinstance(items[-1], ErrorRecord) and items[-1].code == "E214"
    assert "truncated" in items[-1].message


def test_read_warc_refuses_a_single_gzip_stream_and_names_the_fix(tmp_path: Path):
    plain = write_warc(tmp_path / "plain.warc", fixture_warc_pages()[:2], gzip=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    items = list(iter_documents([str(whole)]))
    assert len(items) == 1 and isinstance(items[0], ErrorRecord)
    assert items[0].code == "E213"
    assert "warcio recompress" in items[0].message


@pytest.mark.parametrize(("content", "code"), [(b"", "E102"), (b"this is not a web archive\n" * 20, "E215")])
def test_read_warc_reports_empty_and_foreign_files(tmp_path: Path, content: bytes, code: str):
    path = tmp_path / "x.warc"
    path.write_bytes(content)
    assert [i.code for i in iter_documents([str(path)])] == [code]


def test_read_warc_refuses_an_oversized_record(tmp_path: Path):
    big = b"<html><body><p>" + b"word " * 40_000 + b"</p></body></html>"
    path = write_warc(tmp_path / "big.warc.gz", [WarcPage("https://b.example.org/", big)] + fixture_warc_pages()[:1])
    items = list(read_warc(str(path), max_chars=100_000, max_bytes=100_000))
    assert isinstance(items[0], ErrorRecord) and items[0].code == "E203"
    assert isinstance(items[1], Document)


def test_read_warc_streams_instead_of_loading_the_archive(tmp_path: Path):
    images = [WarcPage(f"https://i.example.org/{n}.jpg", bytes([n]) * 1_000_000, "image/jpeg") for n in range(24)]
    path = write_warc(tmp_path / "big.warc", [*images, *fixture_warc_pages()[:1]], gzip=False)
    assert path.stat().st_size > 24_000_000
    tracemalloc.start()
    try:
        items = list(read_warc(str(path), max_chars=100_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(i) for i in items] == [Document]
    assert peak < 6_000_000
