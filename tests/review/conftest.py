"""Fixtures for the review tests: databases loaded from hand-built runs, a live server, a browser."""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.output.db import connect, load_runs
from pipeline.output.db.events import load_events
from pipeline.review.server import ReviewServer, make_server

from .builders import emoji_records, main_records, merged, write_run, xss_records

EVENTS_CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "events" / "articles.jsonl"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def load(url: str, run: Path, *, validate: bool = True) -> str:
    load_runs([run], url, validate=validate)
    return url


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """The ordinary articles and the emoji article as one run directory."""
    return write_run(tmp_path / "run", merged(main_records(), emoji_records()))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, run_dir: Path) -> str:
    """A database with `run_dir` loaded: SQLite, and PostgreSQL in a fresh schema."""
    if request.param == "sqlite":
        return load(request.getfixturevalue("sqlite_url"), run_dir)
    return load(request.getfixturevalue("pg_url"), run_dir)


@pytest.fixture
def review_db(sqlite_url: str, run_dir: Path) -> str:
    """A SQLite database with the ordinary and emoji articles loaded."""
    return load(sqlite_url, run_dir)


@pytest.fixture
def xss_db(tmp_path: Path) -> str:
    """A SQLite database holding only the hostile article."""
    run = write_run(tmp_path / "xss", xss_records())
    return load(f"sqlite:///{tmp_path / 'xss.db'}", run, validate=False)


@pytest.fixture(scope="session")
def events_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/events extracted and corroborated once, as `make run` does: a run directory with events.jsonl.
    Shared by the session: tests that change it work on a copy."""
    from pipeline.batch.runner import ExtractOptions, run_extract
    from pipeline.corroborate.api import corroborate_runs
    from pipeline.corroborate.config import CorroborationConfig

    run = tmp_path_factory.mktemp("review_events") / "run"
    run_extract([str(EVENTS_CORPUS)], run, options=ExtractOptions(progress=False))
    corroborate_runs([run], run / "events.jsonl", config=CorroborationConfig())
    return run


def load_with_events(url: str, run: Path, events: Path | None = None) -> str:
    load_runs([run], url)
    load_events(events or run / "events.jsonl", url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def events_db(request: pytest.FixtureRequest, events_run: Path) -> str:
    """A database holding the events corpus and its events: SQLite, and PostgreSQL in a fresh schema."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    return load_with_events(url, events_run)


def serve(db_url: str, reviewer: str = "ana") -> ReviewServer:
    server = make_server(db_url, reviewer=reviewer, port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def server(review_db: str) -> Iterator[ReviewServer]:
    """A live review server for reviewer 'ana' on 127.0.0.1, on a free port."""
    srv = serve(review_db)
    yield srv
    srv.shutdown()
    srv.server_close()


class Api:
    """A tiny JSON client for the review API (what the page does, without a browser)."""

    def __init__(self, server: ReviewServer) -> None:
        self.port = server.server_address[1]

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        sent = {"Content-Type": "application/json"} if data is not None else {}
        sent.update(headers or {})
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        kind = response.getheader("Content-Type", "")
        payload = json.loads(raw) if kind.startswith("application/json") and raw else raw
        return response.status, payload, dict(response.getheaders())

    def get(self, path: str) -> Any:
        status, payload, _ = self.request("GET", path)
        assert status == 200, payload
        return payload

    def post(self, path: str, body: Any) -> tuple[int, Any]:
        status, payload, _ = self.request("POST", path, body)
        return status, payload


@pytest.fixture
def api(server: ReviewServer) -> Api:
    return Api(server)


def active_content(page: Any) -> dict[str, int]:
    """What could run in the page: script elements, embedded objects, non-http(s) links, on* handlers.
    Hostile text rendered as text leaves {"script": 1 (our app.js), 0, 0, 0}."""
    return page.evaluate(
        """() => ({
            script: document.querySelectorAll('script').length,
            img: document.querySelectorAll('img, svg, iframe, object, embed').length,
            jsLinks: Array.from(document.querySelectorAll('a')).filter(a => !/^https?:/.test(a.href)).length,
            handlers: Array.from(document.querySelectorAll('*'))
                .filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
        })"""
    )


def decision_rows(db_url: str) -> list[tuple[Any, ...]]:
    """Every row of review_decisions, oldest first."""
    with connect(db_url) as db:
        return db.query(
            "SELECT decision_id, claim_id, reviewer, decision, supersedes FROM review_decisions ORDER BY created_at, decision_id"
        )


# Browser: Debian's chromium driven by Playwright (no browser download).


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + " and CI is set: the browser tests must run in CI")
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own storage) that fails the test on any dialog or page error."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.events = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.events.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: page.events.append(f"pageerror: {e}"))
    page.set_default_timeout(10_000)
    yield page
    context.close()
