"""Saved pages -> documents: main text with paragraph breaks, metadata, and pages that are not articles."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

import pipeline.ingest  # noqa: F401  (registers the readers)
from pipeline.ingest import html as html_module
from pipeline.ingest.html import document_from_html, read_html_path
from pipeline.ingest.readers import iter_documents
from pipeline.types import Document, ErrorRecord

from .conftest import ARTICLES, NON_ARTICLES, PAGES, expected_text

# What each page says about itself, read from JSON-LD, Open Graph, <meta> and htmldate.
METADATA = {
    "border-daily-state-smuggling-trucks": {
        "title": "State smuggling goes industrial: Chinese trucks haul cargo for security ministry firm in Hyesan",
        "author": "Seo Ji-won",
        "published": "2025-03-14",
        "source": "Border Daily",
        "language": "en",
        "canonical_url": "https://borderdaily.example.org/2025/03/state-smuggling-trucks-hyesan",
        "site": "borderdaily.example.org",
    },
    "border-daily-sinuiju-customs-brief": {
        "title": "Sinuiju customs office closes for two days",
        "published": "2025-04-18",
        "source": "Border Daily",
    },
    "korea-frontier-smuggler-account": {
        "title": "How goods cross the Yalu: a former smuggler\u2019s account",
        "author": "Jung Hae-in",
        "published": "2025-01-07",
        "source": "Korea Frontier News",
        "site": "koreafrontier.example.com",
    },
    "northern-monitor-rajin-cranes-utf16": {
        "title": "Satellite imagery shows new cargo cranes at Rajin port",
        "author": "Dana Whitfield; Lee Soo-jin",
        "published": "2025-01-30",
        "source": "Northern Monitor",
        "language": "en",
    },
    "peninsula-radio-sinuiju-rice-prices": {
        "title": "Rice and corn prices jump at Sinuiju markets after flood damage",
        "author": "Han Min-ho",
        "published": "2025-08-21",
        "source": "Peninsula Radio",
        "site": "peninsularadio.example.com",
    },
    "tumen-review-hoeryong-phones-paywall": {
        "title": "Hoeryong security officers demoted after phone crackdown falls short",
        "author": "Choi Yu-na",
        "published": "2025-05-09",
        "source": "Tumen Review",
    },
    "yalu-press-musan-mine-wages-cp1252": {
        "title": "Musan mine workers paid in corn as ore exports stall",
        "published": "2024-11-05",
        "language": None,
        "url": None,
    },
}
BOILERPLATE = (
    "We use cookies",
    "Accept all",
    "Related articles",
    "Leave a comment",
    "All rights reserved",
    "Share this",
    "Subscribe",
    "Most read",
    "Thanks for the report",
)


def _read(page: Path) -> Document:
    item = next(read_html_path(page))
    assert isinstance(item, Document), item
    return item


def test_fixture_pages_cover_the_issue():
    assert len(ARTICLES) >= 6 and len(NON_ARTICLES) >= 2
    assert set(METADATA) == {p.stem for p in ARTICLES}


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.stem)
def test_document_from_html_reads_metadata(page: Path):
    doc = _read(page)
    for name, value in METADATA[page.stem].items():
        assert getattr(doc, name) == value, name
    assert doc.obtained == "html"
    assert doc.origin == str(page)


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.stem)
def test_document_from_html_keeps_paragraphs_and_drops_boilerplate(page: Path):
    doc = _read(page)
    paragraphs = doc.text.split("\n\n")
    expected = expected_text(page).split("\n\n")
    above = paragraphs[: paragraphs.index(expected[0])]  # a standfirst may stay; the head lines may not
    for line in above:
        assert doc.title not in line and (doc.author or "\0") not in line and doc.published not in line
        assert not re.search(r"\d{4}[/.-]\d{2}[/.-]\d{2}|^By ", line)
    assert set(expected) <= set(paragraphs)
    assert "\n\n\n" not in doc.text and doc.text == doc.text.strip()
    for phrase in BOILERPLATE:
        assert phrase not in doc.text


@pytest.mark.parametrize("page", NON_ARTICLES, ids=lambda p: p.stem)
def test_document_from_html_rejects_pages_that_are_not_articles(page: Path):
    item = next(read_html_path(page))
    assert isinstance(item, ErrorRecord)
    assert item.code == "E201"


def test_document_from_html_detects_a_listing_without_any_markup_hint():
    page = (PAGES / "border-daily-economy-index.html").read_text(encoding="utf-8")
    stripped = re.sub(r'<script type="application/ld\+json">.*?</script>|<meta property="og:[^>]*>', "", page, flags=re.DOTALL)
    item = document_from_html(stripped.encode())
    assert isinstance(item, ErrorRecord) and "listing" in item.message


def test_document_from_html_prefers_a_much_longer_json_ld_article_body():
    page = PAGES / "tumen-review-hoeryong-phones-paywall.html"
    doc = _read(page)
    assert doc.text == expected_text(page)
    assert "subscribers" not in doc.text


def test_document_from_html_reads_cp1252_and_utf16_pages_from_bytes():
    cp1252 = _read(PAGES / "yalu-press-musan-mine-wages-cp1252.html")
    utf16 = _read(PAGES / "northern-monitor-rajin-cranes-utf16.html")
    assert "can\u2019t sell ore to China any more \u2014 the trucks" in cp1252.text
    assert "family\u2026 people" in cp1252.text
    assert "port\u2019s third pier" in utf16.text
    assert "\ufffd" not in cp1252.text + utf16.text


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "E202"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "E202"),
        (b"   \n ", "E102"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "E201"),
    ],
)
def test_document_from_html_reports_unusable_bytes(data: bytes, code: str):
    item = document_from_html(data, origin="page.html")
    assert isinstance(item, ErrorRecord)
    assert (item.code, item.source) == (code, "page.html")


def test_document_from_html_takes_the_charset_from_the_http_header():
    body = "<html><body><article>" + "".join(
        f"<p>Traders said the \u201cprice\u201d of item {i} rose sharply this week in Hyesan.</p>" for i in range(5)
    )
    item = document_from_html(
        (body + "</article></body></html>").encode("cp1252"),
        content_type="text/html; charset=windows-1252",
        url="https://example.org/a",
    )
    assert isinstance(item, Document)
    assert "\u201cprice\u201d" in item.text
    assert item.url == "https://example.org/a" and item.site == "example.org"


def test_html_reader_handles_gz_empty_and_oversized_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    page = PAGES / "border-daily-sinuiju-customs-brief.html"
    (tmp_path / "brief.html.gz").write_bytes(gzip.compress(page.read_bytes()))
    (tmp_path / "empty.htm").write_bytes(b"")
    (tmp_path / "big.html").write_bytes(b"<p>" + b"x" * 150_000 + b"</p>")
    # a gzip bomb: 20 kB on disk, 20 MB inflated
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"\0" * 20_000_000))
    monkeypatch.setattr(html_module, "DEFAULT_MAX_BYTES", 100_000)
    items = {Path(getattr(i, "origin", "") or getattr(i, "source", "")).name: i for i in iter_documents([str(tmp_path)])}
    assert isinstance(items["brief.html.gz"], Document)
    assert items["brief.html.gz"].text == expected_text(page)
    assert items["empty.htm"].code == "E102"
    assert items["big.html"].code == "E203"
    assert items["bomb.html.gz"].code == "E203"


def test_jsonl_records_carrying_html_become_documents(tmp_path: Path):
    page = PAGES / "border-daily-state-smuggling-trucks.html"
    lines = [
        {
            "id": "bd-1",
            "url": "https://borderdaily.example.org/x?utm_source=feed",
            "title": "Given title",
            "html": page.read_text(encoding="utf-8"),
        },
        {"url": "https://example.org/y", "html": "<html><body><p>Menu</p></body></html>"},
        {"url": 42, "html": "<p>x</p>"},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{broken\n", encoding="utf-8")
    items = list(iter_documents([str(path)]))
    doc = items[0]
    assert isinstance(doc, Document)
    assert (doc.doc_id, doc.title, doc.obtained) == ("bd-1", "Given title", "jsonl-html")
    assert doc.url == "https://borderdaily.example.org/x?utm_source=feed"
    assert doc.text == expected_text(page) and doc.origin == f"{path}:1"
    assert [(i.code, i.line) for i in items[1:]] == [("E201", 2), ("E106", 3), ("E103", 4)]
