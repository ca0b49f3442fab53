"""Ingest fixtures: the saved article pages, and real HTTP servers on 127.0.0.1 that tests script."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAGES = Path(__file__).parent / "fixtures" / "pages"
ARTICLES = sorted(p for p in PAGES.glob("*.html") if (PAGES / f"{p.stem}.expected.txt").exists())
NON_ARTICLES = sorted(p for p in PAGES.glob("*.html") if not (PAGES / f"{p.stem}.expected.txt").exists())


def expected_text(page: Path) -> str:
    """The hand-written body text of a fixture page."""
    return (PAGES / f"{page.stem}.expected.txt").read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class Hit:
    """One request a test server received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float


Handler = Callable[[BaseHTTPRequestHandler], None]


def reply(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    """A handler that answers with a fixed status, headers and body."""

    def handle(req: BaseHTTPRequestHandler) -> None:
        req.send_response(status)
        sent = {k.lower() for k in (headers or {})}
        for name, value in (headers or {}).items():
            req.send_header(name, value)
        if "content-length" not in sent:
            req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(body)

    return handle


def html_reply(body: bytes, **headers: str) -> Handler:
    """A 200 text/html answer."""
    return reply(200, body, {"Content-Type": "text/html; charset=utf-8", **headers})


@dataclass
class LocalServer:
    """An HTTP server on 127.0.0.1 (port 0) whose routes the test sets; unknown paths answer 404."""

    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with server.lock:
                    server.hits.append(Hit(self.command, self.path, dict(self.headers.items()), time.monotonic()))
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    server.routes.get(self.path, reply(404, b"not found"))(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as the test wanted
                finally:
                    with server.lock:
                        server.active -= 1

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return _Handler


def _serve() -> Iterator[LocalServer]:
    state = LocalServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), state.handler_class())
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    yield from _serve()


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    """A second origin (another port), for redirects to a new host."""
    yield from _serve()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 only: a proxy from the environment must not get in the way."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fast() -> dict[str, object]:
    """fetch_command options that keep politeness on but make tests quick."""
    return {"delay": 0.0, "backoff": 0.05, "progress": False}


@dataclass(frozen=True)
class WarcPage:
    """One record to write into a test WARC."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    record_type: str = "response"


def write_warc(path: Path, pages: list[WarcPage], *, gzip: bool = True, with_requests: bool = True) -> Path:
    """Write a WARC as crawlers do (warcinfo, request + response per page), one gzip member per record."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsclaims tests"}))
        for page in pages:
            if with_requests and page.record_type == "response":
                request = StatusAndHeaders(f"GET {page.url} HTTP/1.1", [("User-Agent", "test")], is_http_request=True)
                writer.write_record(writer.create_warc_record(page.url, "request", http_headers=request))
            if page.record_type == "response":
                headers = StatusAndHeaders(page.status, [("Content-Type", page.content_type)], protocol="HTTP/1.1")
                record = writer.create_warc_record(page.url, "response", payload=io.BytesIO(page.body), http_headers=headers)
            else:
                record = writer.create_warc_record(
                    page.url, page.record_type, payload=io.BytesIO(page.body), warc_content_type=page.content_type
                )
            writer.write_record(record)
    return path


def fixture_warc_pages() -> list[WarcPage]:
    """Every fixture page (articles and non-articles) as a WARC response record at an example URL."""
    return [WarcPage(f"https://news.example.org/{page.stem}", page.read_bytes(), "text/html") for page in ARTICLES + NON_ARTICLES]
