"""The fetcher against real HTTP servers on 127.0.0.1: politeness, failures, caps, cache and resume."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

import pipeline.ingest  # noqa: F401  (registers the readers)
from pipeline.errors import NewsclaimsError
from pipeline.ingest.api import fetch_command
from pipeline.ingest.fetch import FetchOptions, retry_after
from pipeline.ingest.readers import Source, iter_documents, read_source
from pipeline.ingest.urls import configure_url_readers
from pipeline.types import Document

from .conftest import ARTICLES, PAGES, LocalServer, expected_text, html_reply, reply

ARTICLE = PAGES / "border-daily-state-smuggling-trucks.html"
BRIEF = PAGES / "border-daily-sinuiju-customs-brief.html"


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _log(out: Path) -> dict[str, dict[str, Any]]:
    return {rec["url"]: rec for rec in _jsonl(out / "fetch.jsonl")}


def _fetch(urls: list[str], out: Path, **options: Any) -> dict[str, dict[str, Any]]:
    settings: dict[str, Any] = {"delay": 0.0, "backoff": 0.05, "progress": False, **options}
    fetch_command(urls, out=out, **settings)
    return _log(out)


def test_fetch_writes_documents_statuses_and_errors(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = html_reply(ARTICLE.read_bytes(), ETag='"v1"')
    server.routes["/index"] = html_reply((PAGES / "border-daily-economy-index.html").read_bytes())
    log = _fetch([server.url("/a"), server.url("/index"), server.url("/missing")], tmp_path)
    assert {u.rsplit("/", 1)[1]: r["status"] for u, r in log.items()} == {
        "a": "ok",
        "index": "not-article",
        "missing": "http-error",
    }
    ok = log[server.url("/a")]
    assert (ok["http_status"], ok["final_url"], ok["from_cache"], ok["redirects"], ok["error"]) == (
        200,
        server.url("/a"),
        False,
        [],
        None,
    )
    assert ok["bytes"] == len(ARTICLE.read_bytes())
    (doc,) = _jsonl(tmp_path / "documents.jsonl")
    assert doc["doc_id"] == ok["doc_id"] and doc["obtained"] == "fetch"
    assert doc["text"] == expected_text(ARTICLE) and doc["url"] == server.url("/a")
    errors = _jsonl(tmp_path / "errors.jsonl")
    assert [(e["source"], e["code"]) for e in errors] == [(server.url("/index"), "E201"), (server.url("/missing"), "E207")]
    raw = (tmp_path / "documents.jsonl").read_text(encoding="utf-8")
    assert raw == json.dumps(doc, sort_keys=True, ensure_ascii=False) + "\n" and "\u201c" in raw
    assert not (tmp_path / ".fetch-journal.jsonl").exists()


def test_fetch_never_requests_a_path_robots_disallows_with_a_wildcard(server: LocalServer, tmp_path: Path):
    server.routes["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /*/private/\n", {"Content-Type": "text/plain"})
    server.routes["/news/private/a"] = html_reply(ARTICLE.read_bytes())
    server.routes["/news/a"] = html_reply(ARTICLE.read_bytes())
    log = _fetch([server.url("/news/private/a"), server.url("/news/a")], tmp_path)
    assert log[server.url("/news/private/a")]["status"] == "robots"
    assert log[server.url("/news/private/a")]["error"] == "E205"
    assert log[server.url("/news/a")]["status"] == "ok"
    assert server.hits_for("/news/private/a") == []
    assert len(server.hits_for("/robots.txt")) == 1  # cached for the host


def test_fetch_treats_a_failing_robots_txt_as_disallow_and_retries_it_later(server: LocalServer, tmp_path: Path):
    server.routes["/robots.txt"] = reply(503, b"down")
    server.routes["/a"] = html_reply(ARTICLE.read_bytes())
    log = _fetch([server.url("/a")], tmp_path)
    assert (log[server.url("/a")]["status"], log[server.url("/a")]["error"]) == ("robots", "E206")
    assert server.hits_for("/a") == []
    server.routes["/robots.txt"] = reply(404, b"none")  # RFC 9309: no robots.txt, everything allowed
    log = _fetch([server.url("/a")], tmp_path)  # same run directory: the transient failure is retried
    assert log[server.url("/a")]["status"] == "ok"


def test_fetch_retries_a_503_after_its_retry_after(server: LocalServer, tmp_path: Path):
    answers = iter([reply(503, b"busy", {"Retry-After": "1"}), html_reply(ARTICLE.read_bytes())])
    server.routes["/a"] = lambda req: next(answers)(req)
    log = _fetch([server.url("/a")], tmp_path)
    first, second = server.hits_for("/a")
    assert log[server.url("/a")]["status"] == "ok"
    assert second.at - first.at >= 0.95


def test_fetch_gives_up_on_a_429_after_the_retries(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = reply(429, b"slow down")
    log = _fetch([server.url("/a")], tmp_path, retries=2)
    assert (log[server.url("/a")]["status"], log[server.url("/a")]["http_status"]) == ("http-error", 429)
    assert len(server.hits_for("/a")) == 3
    (err,) = _jsonl(tmp_path / "errors.jsonl")
    assert err["code"] == "E208" and "3 attempt" in err["message"]


def test_fetch_does_not_wait_for_a_retry_after_over_the_cap(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = reply(503, b"maintenance", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    started = time.monotonic()
    log = _fetch([server.url("/a")], tmp_path, max_retry_after=5)
    assert time.monotonic() - started < 3
    assert log[server.url("/a")]["status"] == "http-error" and len(server.hits_for("/a")) == 1


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_fetch_never_retries_client_errors(server: LocalServer, tmp_path: Path, status: int):
    server.routes["/a"] = reply(status, b"no")
    log = _fetch([server.url("/a")], tmp_path)
    assert (log[server.url("/a")]["status"], log[server.url("/a")]["http_status"]) == ("http-error", status)
    assert len(server.hits_for("/a")) == 1


def test_fetch_follows_redirects_and_records_the_chain(server: LocalServer, tmp_path: Path):
    server.routes["/old"] = reply(301, b"", {"Location": "/mid"})
    server.routes["/mid"] = reply(302, b"", {"Location": server.url("/new")})
    server.routes["/new"] = html_reply(ARTICLE.read_bytes())
    rec = _fetch([server.url("/old")], tmp_path)[server.url("/old")]
    assert rec["status"] == "ok" and rec["final_url"] == server.url("/new")
    assert rec["redirects"] == [server.url("/old"), server.url("/mid")]
    (doc,) = _jsonl(tmp_path / "documents.jsonl")
    assert (doc["url"], doc["final_url"]) == (server.url("/old"), server.url("/new"))


def test_fetch_stops_a_redirect_loop_cleanly(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = reply(302, b"", {"Location": "/b"})
    server.routes["/b"] = reply(302, b"", {"Location": "/a"})
    rec = _fetch([server.url("/a")], tmp_path)[server.url("/a")]
    assert (rec["status"], rec["error"]) == ("redirect-error", "E210")
    assert rec["redirects"] == [server.url("/a"), server.url("/b")]
    assert len(server.hits_for("/a")) == 1 and len(server.hits_for("/b")) == 1
    (err,) = _jsonl(tmp_path / "errors.jsonl")
    assert "loop" in err["message"]


def test_fetch_caps_the_number_of_redirects(server: LocalServer, tmp_path: Path):
    for n in range(10):
        server.routes[f"/r{n}"] = reply(302, b"", {"Location": f"/r{n + 1}"})
    rec = _fetch([server.url("/r0")], tmp_path, max_redirects=3)[server.url("/r0")]
    assert rec["status"] == "redirect-error" and len(rec["redirects"]) == 4
    assert server.hits_for("/r3") and not server.hits_for("/r4")  # 3 redirects followed, the 4th refused


def test_fetch_rechecks_robots_when_a_redirect_changes_host(server: LocalServer, other_server: LocalServer, tmp_path: Path):
    server.routes["/go"] = reply(301, b"", {"Location": other_server.url("/story")})
    other_server.routes["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /story\n")
    other_server.routes["/story"] = html_reply(ARTICLE.read_bytes())
    rec = _fetch([server.url("/go")], tmp_path)[server.url("/go")]
    assert (rec["status"], rec["final_url"]) == ("robots", other_server.url("/story"))
    assert other_server.hits_for("/robots.txt") and not other_server.hits_for("/story")


def _drip(req: BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html")
    req.send_header("Content-Length", "100000")
    req.end_headers()
    for _ in range(200):  # one byte every 0.1 s: each read is quick, the whole answer would take 20 s
        req.wfile.write(b"<")
        req.wfile.flush()
        time.sleep(0.1)


def test_fetch_cuts_off_a_slow_drip_at_the_deadline(server: LocalServer, tmp_path: Path):
    server.routes["/drip"] = _drip
    started = time.monotonic()
    rec = _fetch([server.url("/drip")], tmp_path, deadline=1.0, read_timeout=5.0)[server.url("/drip")]
    assert (rec["status"], rec["error"]) == ("timeout", "E209")
    assert time.monotonic() - started < 4


def test_fetch_read_timeout_catches_a_silent_server(server: LocalServer, tmp_path: Path):
    server.routes["/silent"] = lambda req: time.sleep(3)
    started = time.monotonic()
    rec = _fetch([server.url("/silent")], tmp_path, read_timeout=0.5)[server.url("/silent")]
    assert rec["status"] == "timeout" and time.monotonic() - started < 2.5


def test_fetch_stops_a_gzip_bomb_at_the_size_cap(server: LocalServer, tmp_path: Path):
    bomb = gzip.compress(b"<html><body>" + b" " * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    server.routes["/bomb"] = reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    rec = _fetch([server.url("/bomb")], tmp_path, max_bytes=1_000_000)[server.url("/bomb")]
    assert (rec["status"], rec["error"]) == ("too-large", "E203")


def test_fetch_reads_a_normal_gzip_page(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = reply(
        200, gzip.compress(ARTICLE.read_bytes()), {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    )
    rec = _fetch([server.url("/a")], tmp_path)[server.url("/a")]
    assert rec["status"] == "ok" and rec["bytes"] == len(ARTICLE.read_bytes())


def _slow_pdf(req: BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "application/pdf")
    req.send_header("Content-Length", str(50 * 65536))
    req.end_headers()
    for _ in range(50):  # 3.2 MB over 5 s: reading it would be noticed
        req.wfile.write(b"%PDF" + b"\0" * 65532)
        req.wfile.flush()
        time.sleep(0.1)


def test_fetch_rejects_a_pdf_before_reading_its_body(server: LocalServer, tmp_path: Path):
    server.routes["/report.pdf"] = _slow_pdf
    started = time.monotonic()
    rec = _fetch([server.url("/report.pdf")], tmp_path)[server.url("/report.pdf")]
    assert (rec["status"], rec["error"], rec["bytes"]) == ("not-article", "E202", 0)
    assert time.monotonic() - started < 2
    (err,) = _jsonl(tmp_path / "errors.jsonl")
    assert "application/pdf" in err["message"]


def test_fetch_rejects_a_declared_oversized_body_without_reading_it(server: LocalServer, tmp_path: Path):
    server.routes["/big"] = reply(200, b"<p>" * 400_000, {"Content-Type": "text/html"})
    rec = _fetch([server.url("/big")], tmp_path, max_bytes=100_000)[server.url("/big")]
    assert (rec["status"], rec["bytes"]) == ("too-large", 0)


def test_fetch_revalidates_with_the_cache_and_serves_a_304(server: LocalServer, tmp_path: Path):
    def page(req: BaseHTTPRequestHandler) -> None:
        if req.headers.get("If-None-Match") == '"v1"':
            reply(304, b"", {"ETag": '"v1"'})(req)
        else:
            html_reply(ARTICLE.read_bytes(), ETag='"v1"', **{"Last-Modified": "Fri, 14 Mar 2025 01:00:00 GMT"})(req)

    server.routes["/a"] = page
    cache = tmp_path / "cache"
    first = _fetch([server.url("/a")], tmp_path / "run1", cache_dir=cache)[server.url("/a")]
    second = _fetch([server.url("/a")], tmp_path / "run2", cache_dir=cache)[server.url("/a")]
    assert (first["status"], first["from_cache"]) == ("ok", False)
    assert (second["status"], second["from_cache"], second["http_status"]) == ("cached", True, 304)
    hits = server.hits_for("/a")
    assert "If-None-Match" not in hits[0].headers
    assert hits[1].headers["If-None-Match"] == '"v1"'
    assert hits[1].headers["If-Modified-Since"] == "Fri, 14 Mar 2025 01:00:00 GMT"
    assert _jsonl(tmp_path / "run1" / "documents.jsonl") == _jsonl(tmp_path / "run2" / "documents.jsonl")


def test_fetch_sends_the_configured_user_agent(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = html_reply(ARTICLE.read_bytes())
    _fetch([server.url("/a")], tmp_path, user_agent="nk-research-bot/2.0 (+mailto:desk@example.org)")
    assert {h.headers["User-Agent"] for h in server.hits} == {"nk-research-bot/2.0 (+mailto:desk@example.org)"}
    assert server.hits[0].path == "/robots.txt"


def test_fetch_limits_requests_in_flight_and_spaces_them_per_host(server: LocalServer, tmp_path: Path):
    def slow(req: BaseHTTPRequestHandler) -> None:
        time.sleep(0.3)
        reply(404, b"gone")(req)

    paths = [f"/p{n}" for n in range(6)]
    for path in paths:
        server.routes[path] = slow
    _fetch([server.url(p) for p in paths], tmp_path, per_host=2, concurrency=8)
    assert server.max_active == 2
    _fetch([server.url(p) + "?again" for p in paths[:3]], tmp_path / "spaced", delay=0.25)
    starts = sorted(h.at for h in server.hits if h.path.endswith("?again"))
    assert all(b - a >= 0.2 for a, b in zip(starts, starts[1:], strict=False))  # no spacing: ~0 s


def test_fetch_processes_duplicate_urls_once(server: LocalServer, tmp_path: Path):
    server.routes["/a?id=1"] = html_reply(ARTICLE.read_bytes())
    server.routes["/copy"] = html_reply(ARTICLE.read_bytes())  # same article at another address
    urls = [server.url("/a?id=1"), server.url("/a?utm_source=tw&id=1"), server.url("/copy")]
    log = _fetch(urls, tmp_path)
    assert [log[u]["status"] for u in urls] == ["ok", "duplicate", "duplicate"]
    assert len(server.hits_for("/a?id=1")) == 1
    assert len(_jsonl(tmp_path / "documents.jsonl")) == 1
    assert [e["code"] for e in _jsonl(tmp_path / "errors.jsonl")] == ["E204", "E204"]


def test_fetch_rerun_skips_what_finished_and_keeps_its_documents(server: LocalServer, tmp_path: Path):
    for page in ARTICLES[:3]:
        server.routes[f"/{page.stem}"] = html_reply(page.read_bytes())
    urls = [server.url(f"/{page.stem}") for page in ARTICLES[:3]]
    _fetch(urls[:2], tmp_path)
    docs_before = _jsonl(tmp_path / "documents.jsonl")
    summary = fetch_command(urls, out=tmp_path, delay=0.0, progress=False)
    assert (summary.resumed, summary.fetched, summary.documents) == (2, 1, 3)
    assert [len(server.hits_for(f"/{page.stem}")) for page in ARTICLES[:3]] == [1, 1, 1]
    assert _jsonl(tmp_path / "documents.jsonl")[:2] == docs_before
    assert summary.statuses == {"ok": 3}
    assert "ok" in summary.table()


def test_fetch_reports_bad_lines_of_url_files(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = html_reply(ARTICLE.read_bytes())
    listing = tmp_path / "march.urls"
    listing.write_text(f"# March\n{server.url('/a')}\nwww.example.org/no-scheme\n", encoding="utf-8")
    fetch_command([], url_files=[listing], out=tmp_path / "run", delay=0.0, progress=False)
    assert _log(tmp_path / "run")[server.url("/a")]["status"] == "ok"
    (err,) = _jsonl(tmp_path / "run" / "errors.jsonl")
    assert (err["source"], err["line"], err["code"]) == (str(listing), 3, "E212")


def test_fetch_accepts_an_injected_client_with_a_mock_transport(tmp_path: Path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == "/down":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, content=BRIEF.read_bytes(), headers={"Content-Type": "text/html"})

    async_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    fetch_command(
        ["https://mock.example/a", "https://mock.example/down"], out=tmp_path, delay=0.0, progress=False, client=async_client
    )
    log = _log(tmp_path)
    assert log["https://mock.example/a"]["status"] == "ok"
    assert (log["https://mock.example/down"]["status"], log["https://mock.example/down"]["error"]) == ("network-error", "E211")


def test_fetch_progress_prints_one_line_per_url_when_not_a_terminal(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    server.routes["/a"] = html_reply(ARTICLE.read_bytes())
    fetch_command([server.url("/a"), server.url("/b")], out=tmp_path, delay=0.0)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" ")[:2] for line in lines] == [["fetch", "1/2"], ["fetch", "2/2"]]
    assert sorted(line.split(" ", 2)[2] for line in lines) == [f"http-error {server.url('/b')}", f"ok {server.url('/a')}"]


_KILLED_RUN = """
import sys
from pathlib import Path
from pipeline.ingest.api import fetch_command
fetch_command(sys.argv[2:], out=Path(sys.argv[1]), delay=0.0, progress=False)
"""


def test_fetch_resumes_a_killed_run_without_refetching_what_finished(server: LocalServer, tmp_path: Path):
    pages = ARTICLES[:3]
    for page in pages[:2]:
        server.routes[f"/{page.stem}"] = html_reply(page.read_bytes())
    server.routes[f"/{pages[2].stem}"] = lambda req: time.sleep(30)  # the run is killed while waiting here
    urls = [server.url(f"/{page.stem}") for page in pages]
    run = tmp_path / "run"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(run), *urls], cwd=Path(__file__).parents[2])
    journal = run / ".fetch-journal.jsonl"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not journal.exists() or len(_jsonl(journal)) < 2):
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    assert len(_jsonl(journal)) == 2 and not (run / "fetch.jsonl").exists()
    server.routes[f"/{pages[2].stem}"] = html_reply(pages[2].read_bytes())
    summary = fetch_command(urls, out=run, delay=0.0, progress=False)
    assert (summary.resumed, summary.fetched, summary.documents) == (2, 1, 3)
    assert [len(server.hits_for(f"/{page.stem}")) for page in pages] == [1, 1, 2]
    assert [d["text"] for d in _jsonl(run / "documents.jsonl")] == [expected_text(p) for p in pages]


@pytest.mark.parametrize(("option", "value"), [("per_host", 0), ("delay", -1.0), ("user_agent", " ")])
def test_fetch_rejects_invalid_options_with_a_coded_error(tmp_path: Path, option: str, value: object):
    with pytest.raises(NewsclaimsError) as err:
        fetch_command(["https://x.example/"], out=tmp_path, progress=False, **{option: value})
    assert err.value.code == "E216" and option in str(err.value)


@pytest.mark.parametrize(
    ("value", "seconds"), [("3", 3.0), (" 120 ", 120.0), ("soon", None), (None, None), ("Thu, 01 Jan 1970 00:00:10 GMT", 5.0)]
)
def test_retry_after_reads_seconds_and_dates(value: str | None, seconds: float | None):
    assert retry_after(value, now=5.0) == seconds


def test_url_readers_let_extract_read_urls_and_url_lists(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = html_reply(ARTICLE.read_bytes())
    server.routes["/b"] = html_reply(BRIEF.read_bytes())
    listing = tmp_path / "today.urls"
    listing.write_text(f"{server.url('/a')}\nnot-a-url\n{server.url('/gone')}\n", encoding="utf-8")
    configure_url_readers(options=FetchOptions(delay=0.0), cache_dir=tmp_path / "cache")
    try:
        items = list(iter_documents([str(listing)]))
        (single,) = read_source(Source(server.url("/b"), "url"))
    finally:
        configure_url_readers()
    assert [type(i).__name__ for i in items] == ["ErrorRecord", "Document", "ErrorRecord"]
    assert (items[0].code, items[0].line) == ("E212", 2)
    assert items[1].text == expected_text(ARTICLE) and items[1].obtained == "fetch"
    assert (items[2].code, items[2].source) == ("E207", server.url("/gone"))
    assert isinstance(single, Document) and single.text == expected_text(BRIEF)


def test_fetch_reports_a_url_given_twice(server: LocalServer, tmp_path: Path):
    server.routes["/a"] = html_reply(ARTICLE.read_bytes())
    listing = tmp_path / "a.urls"
    listing.write_text(server.url("/a") + "\n", encoding="utf-8")
    fetch_command([server.url("/a")], url_files=[listing], out=tmp_path / "run", delay=0.0, progress=False)
    assert len(server.hits_for("/a")) == 1
    (err,) = _jsonl(tmp_path / "run" / "errors.jsonl")
    assert (err["code"], err["source"], err["line"]) == ("E204", str(listing), 1)
