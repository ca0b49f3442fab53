"""The review server: a JSON API and three static files over one database, for one reviewer.

Standard library only (`http.server`). Each request opens its own database connection, so the threads of
the server share nothing but the database, which serialises writes. A decision is acknowledged only after
its transaction committed (SQLite with `synchronous = FULL`), so a killed server loses no acknowledged
decision. Requests must come to the address the server printed: the Host header is checked on loopback,
and writes must be same-origin JSON, so neither another web site nor DNS rebinding can post decisions.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import NewsclaimsError
from ..output.db import Database, connect
from . import cards, events
from .corrections import vocabulary
from .fields import LABEL_NAMES, LABELS
from .store import check_reviewer, claim_history, record_decision, undo_last

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
STATIC = {
    "app.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "forms.js": "text/javascript; charset=utf-8",
    "events.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
MAX_BODY = 64 * 1024
# HTTP status for each error a request can cause; anything else is a server fault.
_STATUS = {
    "E504": HTTPStatus.NOT_FOUND,
    "E505": HTTPStatus.BAD_REQUEST,
    "E506": HTTPStatus.BAD_REQUEST,
    "E507": HTTPStatus.CONFLICT,
    "E508": HTTPStatus.BAD_REQUEST,
    "E509": HTTPStatus.CONFLICT,
    "E510": HTTPStatus.BAD_REQUEST,
    "E513": HTTPStatus.FORBIDDEN,
    "E514": HTTPStatus.SERVICE_UNAVAILABLE,
    "E516": HTTPStatus.NOT_FOUND,
}


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _static(name: str) -> bytes:
    return (resources.files("pipeline.review") / "static" / name).read_bytes()


class ReviewApp:
    """The API without HTTP: each method opens a connection, does one thing, and returns JSON-ready data."""

    def __init__(self, db_url: str, reviewer: str) -> None:
        self.db_url = db_url
        self.reviewer = check_reviewer(reviewer)
        with connect(db_url, create=False) as db:  # brings an older schema up to date, once
            self.db_label = db.url

    def open(self) -> Database:
        """A connection for one request (the schema was brought up to date when the server started)."""
        db = connect(self.db_url, create=False, upgrade=False)
        if db.dialect == "sqlite":
            db.execute("PRAGMA synchronous = FULL")  # an acknowledged decision survives power loss too
        return db

    def state(self) -> dict[str, Any]:
        with self.open() as db:
            progress = cards.progress(db, self.reviewer).to_dict()
            event_count = events.event_count(db)
        labels = [{"label": label, "name": LABEL_NAMES[label]} for label in LABELS]
        return {"reviewer": self.reviewer, "database": self.db_label, "progress": progress,
                "labels": labels, "vocabulary": vocabulary(), "events": event_count}  # fmt: skip

    def facets(self) -> dict[str, Any]:
        with self.open() as db:
            return cards.facets(db)

    def queue(self, query: dict[str, list[str]]) -> dict[str, Any]:
        filters = cards.Filters.from_query(query)
        with self.open() as db:
            return {"claims": cards.queue(db, self.reviewer, filters), "progress": cards.progress(db, self.reviewer).to_dict()}

    def card(self, claim_id: str) -> dict[str, Any]:
        with self.open() as db:
            return cards.card(db, claim_id, self.reviewer)

    def document(self, doc_id: str) -> dict[str, Any]:
        with self.open() as db:
            return cards.document_view(db, doc_id, self.reviewer)

    def event_list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        filters = events.EventFilters.from_query(query)
        with self.open() as db:
            return events.event_list(db, self.reviewer, filters)

    def event_facets(self) -> dict[str, Any]:
        with self.open() as db:
            return events.event_facets(db)

    def event(self, event_id: str) -> dict[str, Any]:
        with self.open() as db:
            return events.event_view(db, event_id, self.reviewer)

    def decide(self, body: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(body) - {"decision_id", "claim_id", "decision", "corrected", "note"})
        if unknown:
            raise NewsclaimsError("E510", detail=f"unknown field(s) {', '.join(unknown)}")
        with self.open() as db:
            result = record_decision(
                db,
                decision_id=body.get("decision_id"),  # type: ignore[arg-type]
                claim_id=body.get("claim_id"),  # type: ignore[arg-type]
                reviewer=self.reviewer,
                decision=body.get("decision"),  # type: ignore[arg-type]
                corrected=body.get("corrected"),
                note=body.get("note"),
            )
            progress = cards.progress(db, self.reviewer).to_dict()
        return {"decision": result.decision.to_dict(), "created": result.created, "progress": progress}

    def undo(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.open() as db:
            result = undo_last(db, decision_id=body.get("decision_id"), reviewer=self.reviewer)  # type: ignore[arg-type]
            undone = next(d for d in claim_history(db, result.decision.claim_id) if d.decision_id == result.decision.supersedes)
            progress = cards.progress(db, self.reviewer).to_dict()
        return {
            "decision": result.decision.to_dict(),
            "undone": undone.to_dict(),
            "created": result.created,
            "progress": progress,
        }


class ReviewServer(ThreadingHTTPServer):
    """The HTTP server: `url` is the address to open; `allowed_hosts` the Host headers it answers."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: ReviewApp, *, quiet: bool = True) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.app = app
        self.quiet = quiet
        host, port = address[0], self.server_address[1]
        self.loopback = is_loopback(host)
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"
        self.allowed_hosts = {f"{shown}:{port}", f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "newsclaims-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        if not self.server.quiet:
            super().log_message(format, *args)

    # Responses

    def _send(self, status: int, body: bytes, content_type: str, *, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-cache" if cache else "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _error(self, err: NewsclaimsError) -> None:
        status = _STATUS.get(err.code, HTTPStatus.INTERNAL_SERVER_ERROR)
        self._json(status, {"error": {"code": err.code, "message": str(err)}})

    def _guard(self, write: bool) -> None:
        host = self.headers.get("Host", "")
        if self.server.loopback and host not in self.server.allowed_hosts:
            raise NewsclaimsError("E513", detail=f"unexpected Host header {host[:80]!r}")
        if not write:
            return
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            raise NewsclaimsError("E513", detail="the request comes from another web site")
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise NewsclaimsError("E513", detail="the request comes from another web site")
        if self.headers.get_content_type() != "application/json":
            raise NewsclaimsError("E513", detail="a decision must be sent as application/json")

    def _body(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise NewsclaimsError("E510", detail="the request has no Content-Length") from None
        if not 0 < length <= MAX_BODY:
            self.close_connection = True
            raise NewsclaimsError("E510", detail=f"the request body must have 1 to {MAX_BODY} bytes")
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise NewsclaimsError("E510", detail=f"the body is not JSON ({err})") from err
        if not isinstance(body, dict):
            raise NewsclaimsError("E510", detail="the body must be a JSON object")
        return body

    def _handle(self, write: bool, route: Callable[[str, dict[str, list[str]]], None]) -> None:
        try:
            self._guard(write)
            parts = urlsplit(self.path)
            route(parts.path, parse_qs(parts.query))
        except NewsclaimsError as err:
            if write:
                self.close_connection = True  # the body may be unread: do not parse it as the next request
            self._error(err)
        except Exception as err:  # a fault of ours: log it, answer with a coded message, keep serving
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            detail = f"{type(err).__name__}: {err}"
            self._error(NewsclaimsError("E515", detail=detail[:300]))

    # Routes

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle(False, self._get)

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle(False, self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._handle(True, self._post)

    def _get(self, path: str, query: dict[str, list[str]]) -> None:
        app = self.server.app
        if path == "/":
            self._send(HTTPStatus.OK, _static("index.html"), "text/html; charset=utf-8", cache=True)
        elif path.startswith("/static/") and path[8:] in STATIC:
            self._send(HTTPStatus.OK, _static(path[8:]), STATIC[path[8:]], cache=True)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        elif path == "/api/state":
            self._json(HTTPStatus.OK, app.state())
        elif path == "/api/facets":
            self._json(HTTPStatus.OK, app.facets())
        elif path == "/api/queue":
            self._json(HTTPStatus.OK, app.queue(query))
        elif path.startswith("/api/claims/"):
            self._json(HTTPStatus.OK, app.card(unquote(path[len("/api/claims/") :])))
        elif path.startswith("/api/documents/"):
            self._json(HTTPStatus.OK, app.document(unquote(path[len("/api/documents/") :])))
        elif path == "/api/events":
            self._json(HTTPStatus.OK, app.event_list(query))
        elif path == "/api/event-facets":
            self._json(HTTPStatus.OK, app.event_facets())
        elif path.startswith("/api/events/"):
            self._json(HTTPStatus.OK, app.event(unquote(path[len("/api/events/") :])))
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": {"code": "404", "message": "Not found."}})

    def _post(self, path: str, query: dict[str, list[str]]) -> None:
        app = self.server.app
        if path == "/api/decisions":
            self._json(HTTPStatus.OK, app.decide(self._body()))
        elif path == "/api/undo":
            self._json(HTTPStatus.OK, app.undo(self._body()))
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": {"code": "404", "message": "Not found."}})


def make_server(db_url: str, *, reviewer: str, host: str = "127.0.0.1", port: int = 8765, quiet: bool = True) -> ReviewServer:
    """A review server bound to host:port (port 0 picks a free one), not yet serving (E503 if it cannot bind)."""
    app = ReviewApp(db_url, reviewer)
    try:
        return ReviewServer((host, port), app, quiet=quiet)
    except OSError as err:
        raise NewsclaimsError("E503", host=host, port=port, detail=err.strerror or str(err)) from err
