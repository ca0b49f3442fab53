"""The review API on a real server (127.0.0.1, a free port), without a browser."""

from __future__ import annotations

import uuid

import pytest

from pipeline.review.server import CSP

from .builders import XSS
from .conftest import Api, decision_rows, serve


def _decide(api: Api, claim_id: str, decision: str = "accept", decision_id: str | None = None, **extra) -> tuple[int, dict]:
    body = {"decision_id": decision_id or str(uuid.uuid4()), "claim_id": claim_id, "decision": decision, **extra}
    return api.post("/api/decisions", body)


def test_api_accept_writes_one_row_and_a_retry_is_recorded_once(api: Api, review_db: str) -> None:
    first = api.get("/api/queue")["claims"][0]["id"]
    decision_id = str(uuid.uuid4())
    status, data = _decide(api, first, decision_id=decision_id)
    assert status == 200 and data["created"] is True
    status, again = _decide(api, first, decision_id=decision_id)  # the page retrying after a lost answer
    assert status == 200 and again["created"] is False
    assert again["decision"] == data["decision"]
    assert decision_rows(review_db) == [(decision_id, first, "ana", "accept", None)]
    assert data["progress"]["counts"]["accept"] == 1 and data["progress"]["reviewed"] == 1


def test_api_queue_resumes_at_the_first_unreviewed_claim_after_a_restart(server, api: Api, review_db: str) -> None:
    ids = [c["id"] for c in api.get("/api/queue")["claims"]]
    _decide(api, ids[0], "accept")
    _decide(api, ids[1], "skip")
    _decide(api, ids[2], "reject")
    server.shutdown()
    server.server_close()
    restarted = serve(review_db)
    try:
        claims = Api(restarted).get("/api/queue")["claims"]
    finally:
        restarted.shutdown()
        restarted.server_close()
    assert [c["status"] for c in claims[:4]] == ["accept", "skip", "reject", None]
    # What the page does on load: the first claim without a decision (a skipped one comes back last).
    assert next(c["id"] for c in claims if c["status"] is None) == ids[3]


def test_api_undo_supersedes_and_returns_to_the_claim(api: Api, review_db: str) -> None:
    ids = [c["id"] for c in api.get("/api/queue")["claims"]]
    _, accepted = _decide(api, ids[0])
    status, undone = api.post("/api/undo", {"decision_id": str(uuid.uuid4())})
    assert status == 200
    assert undone["decision"]["claim_id"] == ids[0]
    assert undone["decision"]["supersedes"] == accepted["decision"]["decision_id"]
    assert undone["undone"]["decision"] == "accept"
    assert api.get("/api/queue")["claims"][0]["status"] is None
    assert [r[3] for r in decision_rows(review_db)] == ["accept", "undo"]
    status, nothing = api.post("/api/undo", {"decision_id": str(uuid.uuid4())})
    assert (status, nothing["error"]["code"]) == (409, "E509")


def test_api_correction_is_validated_and_shown_on_the_card(api: Api) -> None:
    claim = api.get("/api/queue?claim_type=smuggling")["claims"][0]["id"]
    status, bad = _decide(api, claim, "correct", corrected={"quantity": {"lower": 9, "upper": 3}})
    assert (status, bad["error"]["code"]) == (400, "E508")
    status, _ = _decide(
        api,
        claim,
        "correct",
        corrected={"quantity": {"value": 45, "lower": 45, "upper": 45, "unit": None}},
        note="45 in the Korean edition",
    )
    assert status == 200
    card = api.get(f"/api/claims/{claim}")
    assert card["decision"]["decision"] == "correct"
    quantity = next(f for f in card["corrected_fields"] if f["name"] == "Quantity")
    assert quantity["entries"][0]["detail"].startswith("= 45")
    assert card["decision"]["note"] == "45 in the Korean edition"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("claim_type=arrest", ["arrested"]),
        ("place=KP-10", ["moved", "arrested", "sent"]),  # a province matches the counties in it
        ("place=KP-07-sinuiju", ["seized", "moved"]),
        ("agency=KP-MSS", ["arrested"]),
        ("item_class=excavator", ["sent"]),
        ("source=Asia%20Press", ["seized"]),
        ("q=SINU%CC%86IJU", ["seized", "moved"]),  # casefolded and NFC: a combining breve finds a precomposed ŭ
        ("q=12%20BROKERS", ["arrested"]),
        ("q=trucks%20and%20brokers", ["moved", "arrested", "sent"]),  # the title is searched too
        ("doc_id=a-002", ["seized"]),
        ("status=unreviewed&claim_type=trade", ["sent"]),
    ],
)
def test_api_filters_narrow_the_queue(api: Api, query: str, expected: list[str]) -> None:
    claims = api.get(f"/api/queue?{query}")["claims"]
    triggers = [api.get(f"/api/claims/{c['id']}")["highlights"] for c in claims]
    assert [next(h["text"] for h in marks if h["label"] == "TRIGGER") for marks in triggers] == expected


def test_api_facets_list_filter_values_with_counts(api: Api) -> None:
    facets = api.get("/api/facets")
    assert {"value": "KP-10", "name": "Ryanggang Province", "group": "Provinces", "count": 3} in facets["place"]
    assert [f["value"] for f in facets["claim_type"]] == ["arrest", "seizure", "smuggling", "trade"]


def test_api_card_has_context_document_and_article(api: Api) -> None:
    claim = api.get("/api/queue?claim_type=arrest")["claims"][0]["id"]
    card = api.get(f"/api/claims/{claim}")
    assert card["before"] == "Smugglers moved 40 trucks into Hyesan in March 2024."
    assert card["after"] == "Traders said 25 excavators were sent to Kimjongsuk County."
    assert card["document"]["url"] == "https://example.org/a-001"
    assert card["document"]["title"] == "Trucks and brokers in Hyesan"
    article = api.get("/api/documents/a-001")
    assert [c["type"] for c in article["claims"]] == ["smuggling", "arrest", "trade"]


def test_api_hostile_url_is_never_a_link(xss_db: str) -> None:
    server = serve(xss_db)
    try:
        api = Api(server)
        claim = api.get("/api/queue")["claims"][0]["id"]
        card = api.get(f"/api/claims/{claim}")
    finally:
        server.shutdown()
        server.server_close()
    assert card["document"]["url"] is None
    assert card["document"]["url_text"] == XSS["url"]  # shown as text only
    assert {h["label"] for h in card["highlights"]} <= {"QUANTITY", "VEHICLE", "COUNTY", "TRIGGER", "OTHER"}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/static/app.js",
        "/static/events.js",
        "/static/app.css",
        "/api/state",
        "/api/events",
        "/api/events/e-x",
        "/api/nothing",
    ],
)
def test_api_every_response_carries_the_security_headers(api: Api, path: str) -> None:
    _, _, headers = api.request("GET", path)
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example:80"},  # DNS rebinding
        {"Origin": "https://evil.example"},  # another site's page posting to the local server
        {"Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "text/plain"},  # a "simple" cross-site request that skips the CORS preflight
    ],
)
def test_api_refuses_writes_from_elsewhere(api: Api, review_db: str, headers: dict[str, str]) -> None:
    claim = api.get("/api/queue")["claims"][0]["id"]
    body = {"decision_id": str(uuid.uuid4()), "claim_id": claim, "decision": "accept"}
    status, payload, _ = api.request("POST", "/api/decisions", body, headers)
    assert (status, payload["error"]["code"]) == (403, "E513")
    assert decision_rows(review_db) == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "E510"),
        (b"[]", 400, "E510"),
        ({"decision_id": "1", "claim_id": "x", "decision": "accept"}, 400, "E506"),
        ({"decision_id": str(uuid.uuid4()), "claim_id": "c-missing", "decision": "accept"}, 404, "E504"),
        ({"decision_id": str(uuid.uuid4()), "claim_id": "x", "decision": "accept", "reviewer": "mallory"}, 400, "E510"),
    ],
)
def test_api_bad_requests_get_a_coded_error(api: Api, body, status: int, code: str) -> None:
    got, payload, _ = api.request("POST", "/api/decisions", body)
    assert (got, payload["error"]["code"]) == (status, code)
    assert payload["error"]["message"].startswith(f"[{code}]")


def test_api_unknown_claim_card_is_404(api: Api) -> None:
    status, payload, _ = api.request("GET", "/api/claims/c-nope")
    assert (status, payload["error"]["code"]) == (404, "E504")


def test_api_port_in_use_is_E503(server) -> None:
    from pipeline.errors import NewsclaimsError
    from pipeline.review.server import make_server

    with pytest.raises(NewsclaimsError) as err:
        make_server(server.app.db_url, reviewer="ben", port=server.server_address[1])
    assert err.value.code == "E503"


@pytest.mark.postgres
def test_api_on_postgresql(pg_url, run_dir) -> None:
    """The whole API once against PostgreSQL: the same SQL serves both databases."""
    from .conftest import load

    db_url = load(pg_url, run_dir)
    server = serve(db_url)
    try:
        api = Api(server)
        ids = [c["id"] for c in api.get("/api/queue")["claims"]]
        decision_id = str(uuid.uuid4())
        assert _decide(api, ids[0], decision_id=decision_id)[1]["created"] is True
        assert _decide(api, ids[0], decision_id=decision_id)[1]["created"] is False
        corrected = {"claim_type": "seizure", "locations": [{"text": "Hyesan", "role": "site"}]}
        assert _decide(api, ids[1], "correct", corrected=corrected)[0] == 200
        status, undone = api.post("/api/undo", {"decision_id": str(uuid.uuid4())})
        assert (status, undone["decision"]["claim_id"]) == (200, ids[1])
        assert [c["status"] for c in api.get("/api/queue")["claims"][:2]] == ["accept", None]
        assert [c["id"] for c in api.get("/api/queue?place=KP-10&q=HYESAN")["claims"]] == ids[:3]  # the title names Hyesan
        assert api.get("/api/facets")["agency"][0]["value"] == "KP-MSS"
        assert api.get(f"/api/claims/{ids[0]}")["decision"]["decision"] == "accept"
        assert [r[3] for r in decision_rows(db_url)] == ["accept", "correct", "undo"]
    finally:
        server.shutdown()
        server.server_close()
