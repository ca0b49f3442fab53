"""Properties that must hold for any input: readers never crash and never pass on a cut-short page."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest.charset import decode_html
from pipeline.ingest.robots import parse_robots
from pipeline.ingest.urls import normalize_url
from pipeline.ingest.warc import read_warc
from pipeline.types import Document

from .conftest import fixture_warc_pages, write_warc


@pytest.fixture(scope="module", params=[True, False], ids=["warc.gz", "warc"])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str]]:
    """A two-article WARC and the texts read from it whole."""
    folder = tmp_path_factory.mktemp("warc")
    path = write_warc(folder / "full.warc", fixture_warc_pages()[:2], gzip=request.param)
    texts = [d.text for d in read_warc(str(path), max_chars=100_000) if isinstance(d, Document)]
    assert len(texts) == 2
    return path.read_bytes(), texts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_read_warc_never_yields_a_cut_short_page(archive: tuple[bytes, list[str]], fraction: float, tmp_path: Path):
    data, texts = archive
    cut = tmp_path / ("cut.warc.gz" if data[:2] == b"\x1f\x8b" else "cut.warc")
    cut.write_bytes(data[: int(len(data) * fraction)])
    items = list(read_warc(str(cut), max_chars=100_000))  # must not raise
    docs = [i.text for i in items if isinstance(i, Document)]
    assert docs == texts[: len(docs)]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([None, "text/html; charset=utf-16", "text/html; charset=shift_jis"]))
def test_decode_html_never_fails(data: bytes, content_type: str | None):
    assert isinstance(decode_html(data, content_type=content_type).text, str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(alphabet="/ab*$?=%.-", max_size=20))
def test_robots_matching_never_fails(rules: str, path: str):
    policy = parse_robots(f"User-agent: *\nDisallow: {rules}\nAllow: /{path}\n", "newsclaims/1")
    assert policy.allowed("https://x.example/" + path) in (True, False)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-z]{1,8}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    st.lists(st.tuples(st.sampled_from(["id", "utm_source", "page", "fbclid", "q"]), st.text("ab1 ", max_size=3))),
    st.text(alphabet="abc/%-_", max_size=12),
)
def test_normalize_url_is_idempotent(scheme: str, host: str, query: list[tuple[str, str]], path: str):
    from urllib.parse import urlencode

    url = f"{scheme}://{host}/{path}?{urlencode(query)}"
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert "utm_source" not in once and "fbclid" not in once
