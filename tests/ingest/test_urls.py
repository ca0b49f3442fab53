"""URL normalisation, URL-list files and duplicate documents."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.ingest  # noqa: F401  (registers the readers)
from pipeline.ingest.dedup import deduplicate
from pipeline.ingest.readers import expand_inputs
from pipeline.ingest.urls import UrlLine, is_url, normalize_url, read_url_list, url_key
from pipeline.types import Document, ErrorRecord


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://News.Example.ORG:443/a?utm_source=x&id=7&fbclid=abc#comments", "https://news.example.org/a?id=7"),
        ("http://example.org", "http://example.org/"),
        ("http://example.org:8080/a?b=2&a=1", "http://example.org:8080/a?a=1&b=2"),
        ("https://example.org/caf%c3%a9?utm_medium=email&UTM_CAMPAIGN=z", "https://example.org/caf%C3%A9"),
        ("https://example.org/a?gclid=1&page=2&mc_eid=9", "https://example.org/a?page=2"),
    ],
)
def test_normalize_url_strips_tracking_and_spelling_differences(url: str, normal: str):
    assert normalize_url(url) == normal


@pytest.mark.parametrize(
    ("text", "ok"),
    [("https://a.example/x", True), ("ftp://a.example/x", False), ("example.org/x", False), ("http:///x", False), ("-", False)],
)
def test_is_url_accepts_only_absolute_http_addresses(text: str, ok: bool):
    assert is_url(text) is ok


@pytest.mark.parametrize("suffix", [".urls", ".urls.gz"])
def test_read_url_list_skips_comments_and_reports_bad_lines(tmp_path: Path, suffix: str):
    text = (
        "# feeds for March\n\nhttps://a.example/1#section  # the first\n   \nnot a url\nhttps://a.example/2\nftp://a.example/3\n"
    )
    path = tmp_path / f"list{suffix}"
    path.write_bytes(gzip.compress(text.encode()) if suffix.endswith(".gz") else text.encode())
    items = list(read_url_list(path))
    assert [i for i in items if isinstance(i, UrlLine)] == [
        UrlLine("https://a.example/1#section", 3),
        UrlLine("https://a.example/2", 6),
    ]
    assert [(e.code, e.line) for e in items if isinstance(e, ErrorRecord)] == [("E212", 5), ("E212", 7)]


def test_expand_inputs_routes_pages_archives_and_url_lists_to_their_readers(tmp_path: Path):
    for name in ("a.urls", "b.html", "c.htm", "d.html.gz", "e.warc", "f.warc.gz", "g.jsonl"):
        (tmp_path / name).write_bytes(b"x")
    kinds = [s.kind for s in expand_inputs([str(tmp_path)])]
    assert kinds == ["urls", "html", "html", "html", "warc", "warc", "jsonl"]


def test_deduplicate_reports_repeated_texts_and_urls():
    text = "Border guards seized 20 trucks in Hyesan."
    items = [
        Document(text=text, url="https://a.example/x?utm_source=feed", origin="a.jsonl:1"),
        Document(text=text + " Updated.", url="https://A.example/x", origin="a.jsonl:2"),
        Document(text=text, origin="b.txt"),
        Document(text="Another story.", origin="c.txt"),
    ]
    out = list(deduplicate(items))
    assert isinstance(out[0], Document) and isinstance(out[3], Document)
    assert [(o.code, o.source) for o in out[1:3]] == [("E204", "a.jsonl:2"), ("E204", "b.txt")]
    assert "a.jsonl:1" in out[1].message and "same URL" in out[1].message
    assert "same text" in out[2].message


HOSTS = st.lists(st.text(alphabet="abz09-", min_size=1, max_size=5), min_size=1, max_size=3).map(".".join)
ODD_HOSTS = st.one_of(
    st.lists(st.text(alphabet="abzXY09-é_", max_size=5), min_size=1, max_size=4).map(".".join),
    HOSTS.map(lambda h: h + "."),
    st.just("user@example.org"),
)
URLS = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https", "HTTPS", "ftp", ""]),
    st.one_of(HOSTS, ODD_HOSTS),
    st.sampled_from(["", "", "", ":80", ":443", ":8080", ":x"]),
    st.one_of(
        st.text(alphabet="/aZ9_.~:@!$&'()*+,;=-%?#é \t", max_size=14),
        st.text(alphabet="/aZ9_.~:@!$&'()*+,;=-%", max_size=10).map(lambda p: "/" + p),  # shortcut candidates
    ),
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(URLS, st.text(max_size=40)))
def test_property_url_key_is_normalize_url_of_urls(text):
    """The duplicate key's one-regex shortcut for URLs already in normal form gives what the long way does."""
    expected = normalize_url(text) if is_url(text) else None
    assert url_key(text) == expected


def test_url_key_takes_the_shortcut_only_where_the_long_way_changes_nothing():
    assert url_key("https://www.dailynk.com/english/some-story-123/") == "https://www.dailynk.com/english/some-story-123/"
    assert url_key("https://www.dailynk.com") == "https://www.dailynk.com/"
    assert url_key("HTTPS://WWW.Example.org/a?utm_source=x&b=1#top") == "https://www.example.org/a?b=1"
    assert url_key("https://example.org:443/%7Ea") == "https://example.org/~a"
    assert url_key("not a url") is None
