"""The events API on a real server, over the events corpus extracted and corroborated as `make run` does it.

corpus/events/articles.jsonl tells one story four times: Border Monitor reports "over 100" trucks smuggled
into Kimjongsuk County in April 2025, Frontier Digest republishes it verbatim, Yalu Observer cites it and
adds its own trader's "about 120", and NK Trade Watch has "about 120" from its own sources.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.output.db import connect
from pipeline.review.store import record_decision

from .conftest import Api, load_with_events, serve

KIMJONGSUK = "KP-10-kimjongsuk"
OUTLETS = ["Border Monitor", "Frontier Digest", "Yalu Observer", "Yalu Observer", "NK Trade Watch"]  # by date
BAD_QUERIES = ["limit=0", "limit=201", "offset=-1", "sort=bogus", "figures=maybe", "from=April", "min_sources=x"]


@pytest.fixture
def events_api(events_db: str) -> Iterator[Api]:
    server = serve(events_db)
    yield Api(server)
    server.shutdown()
    server.server_close()


def _file_events(run: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run / "events.jsonl").read_text(encoding="utf-8").splitlines()]


def _kimjongsuk(api: Api) -> dict[str, Any]:
    listed = api.get(f"/api/events?place={KIMJONGSUK}&min_sources=2")["events"]
    assert len(listed) == 1, listed
    return api.get(f"/api/events/{listed[0]['id']}")


def test_events_api_list_puts_the_corroborated_story_first(events_api: Api, events_run: Path) -> None:
    data = events_api.get("/api/events")
    assert data["total"] == len(_file_events(events_run))
    top = data["events"][0]
    expected = max(_file_events(events_run), key=lambda e: (e["source_count"], e["claim_count"]))
    assert top["id"] == expected["event_id"]
    assert (top["place"]["id"], top["place"]["province"]) == (KIMJONGSUK, "Ryanggang Province")
    assert (top["claim_count"], top["article_count"], top["source_count"]) == (5, 4, 3)
    assert top["source_count"] == expected["source_count"]  # as corroborate counted: a copy and a citation count once
    assert top["sources"] == ["Border Monitor", "NK Trade Watch", "Yalu Observer"]
    assert [f.casefold() for f in top["figures"]] == ["over 100", "about 120"]
    assert (top["figures_agree"], top["figure_state"]) == (True, "compatible")  # different, but the ranges overlap
    assert (top["time"]["from"], top["time"]["to"]) == ("2025-04-01", "2025-04-30")
    assert top["reviewed"] == 0
    assert [e["source_count"] for e in data["events"]] == sorted((e["source_count"] for e in data["events"]), reverse=True)


def test_events_api_event_has_the_claims_of_four_articles_side_by_side(events_api: Api) -> None:
    view = _kimjongsuk(events_api)
    claims = view["claims"]
    assert [c["outlet"] for c in claims] == OUTLETS
    assert sorted({c["document"]["doc_id"] for c in claims}) == ["ev-001", "ev-002", "ev-003", "ev-004"]
    for claim in claims:
        doc = claim["document"]
        assert doc["title"] and doc["url"].startswith("https://example.org/") and doc["published"].startswith("2025-")
        assert claim["in_database"] and claim["is_current"] and claim["status"] is None
        text = claim["sentence"]["text"]
        assert "Kimjongsuk County" in text
        for mark in claim["highlights"]:  # offsets are code points into the sentence
            assert text[mark["start"] : mark["end"]] == mark["text"]
        quantity = next(m for m in claim["highlights"] if m["label"] == "QUANTITY")
        assert quantity["text"] == claim["quantity"]["text"]
        assert claim["attribution"]["status"] == "reported"
    copy = next(c for c in claims if c["outlet"] == "Frontier Digest")
    assert (copy["republication_of"], copy["source"]) == ("ev-001", "Border Monitor")
    assert copy["source_number"] == claims[0]["source_number"]  # the copy counts as the original's source
    citing = next(c for c in claims if c["outlet"] == "Yalu Observer" and c["via"] == "citation")
    assert (citing["cites"], citing["source"]) == ("Border Monitor", "Border Monitor")
    assert len({c["source_number"] for c in claims}) == view["event"]["source_count"] == 3


def test_events_api_figures_side_by_side_with_who_reported_them(events_api: Api) -> None:
    view = _kimjongsuk(events_api)
    over, about = view["figures"]
    assert (over["letter"], over["text"].casefold(), over["bounds"], over["unit"]) == ("A", "over 100", "> 100", "trucks")
    assert (about["letter"], about["text"].casefold(), about["bounds"]) == ("B", "about 120", "≈ 120")
    assert [r["outlet"] for r in over["reported_by"]] == ["Border Monitor", "Frontier Digest", "Yalu Observer"]
    assert [r["outlet"] for r in about["reported_by"]] == ["Yalu Observer", "NK Trade Watch"]
    assert (over["source_count"], about["source_count"]) == (1, 2)
    for claim in view["claims"]:  # each column points at the figure it reports
        figure = view["figures"][claim["figure"]]
        assert claim["quantity"]["text"] in figure["texts"]
    assert view["event"]["figure_state"] == "compatible"
    assert view["links"] and all(len(link["claims"]) == 2 for link in view["links"])


def test_events_api_shows_each_reviewers_status(events_api: Api, events_db: str) -> None:
    view = _kimjongsuk(events_api)
    first, second = view["claims"][0]["claim_id"], view["claims"][1]["claim_id"]
    status, _ = events_api.post("/api/decisions", {"decision_id": str(uuid.uuid4()), "claim_id": first, "decision": "accept"})
    assert status == 200
    with connect(events_db) as db:
        record_decision(db, decision_id=str(uuid.uuid4()), claim_id=second, reviewer="ben", decision="reject")
    claims = {c["claim_id"]: c for c in events_api.get(f"/api/events/{view['event']['event_id']}")["claims"]}
    assert (claims[first]["status"], claims[first]["reviews"]) == ("accept", [{"reviewer": "ana", "decision": "accept"}])
    assert (claims[second]["status"], claims[second]["reviews"]) == (None, [{"reviewer": "ben", "decision": "reject"}])
    listed = events_api.get(f"/api/events?place={KIMJONGSUK}&min_sources=2")["events"][0]
    assert listed["reviewed"] == 1  # yours only


def test_events_api_queue_can_be_narrowed_to_an_event(events_api: Api) -> None:
    view = _kimjongsuk(events_api)
    queue = events_api.get(f"/api/queue?event_id={view['event']['event_id']}")["claims"]
    assert sorted(c["id"] for c in queue) == sorted(c["claim_id"] for c in view["claims"])


def test_events_api_unknown_event_is_a_coded_404(events_api: Api) -> None:
    status, payload, _ = events_api.request("GET", "/api/events/e-nope")
    assert (status, payload["error"]["code"]) == (404, "E516")
    assert payload["error"]["message"].startswith("[E516] Event 'e-nope' is not in the database.")


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("claim_type=price", lambda es: es and all(e["claim_type"] == "price" for e in es)),
        ("min_sources=3", lambda es: sorted(e["place"]["name"] for e in es) == ["Kimjongsuk County", "Pochon County"]),
        ("place=KP-10&min_sources=2", lambda es: len(es) == 2),  # a province includes its counties
        ("source=Frontier%20Digest", lambda es: any(e["source_count"] == 3 for e in es)),  # an outlet, not a source
        ("item_class=excavator", lambda es: es and all("excavator" in e["items"] for e in es)),
        ("from=2025-04-10&to=2025-04-20&min_claims=3", lambda es: {e["claim_count"] for e in es} == {5, 3}),
        ("from=2024-01-01&to=2024-12-31&min_claims=2", lambda es: es == []),
        ("figures=several", lambda es: len(es) == 2 and all(e["figure_state"] == "compatible" for e in es)),
        ("figures=conflict", lambda es: es == []),
        ("sort=time", lambda es: es[0]["time"]["from"] == max(e["time"]["from"] or "" for e in es)),
    ],
)
def test_events_api_filters_narrow_the_list(events_api: Api, query: str, check: Any) -> None:
    data = events_api.get(f"/api/events?{query}")
    assert check(data["events"]), data["events"]
    assert data["total"] == len(data["events"])


def test_events_api_pages_through_the_list(events_api: Api) -> None:
    everything = events_api.get("/api/events?limit=200")
    pages = [events_api.get(f"/api/events?limit=7&offset={n}") for n in range(0, everything["total"], 7)]
    assert [e["id"] for p in pages for e in p["events"]] == [e["id"] for e in everything["events"]]
    assert {p["total"] for p in pages} == {everything["total"]}


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_events_api_bad_parameters_are_E510(events_api: Api, query: str) -> None:
    status, payload, _ = events_api.request("GET", f"/api/events?{query}")
    assert (status, payload["error"]["code"]) == (400, "E510")


def test_events_api_facets_and_state_count_events(events_api: Api, events_run: Path) -> None:
    facets = events_api.get("/api/event-facets")
    assert {"value": "KP-10", "name": "Ryanggang Province", "group": "Provinces"}.items() <= next(
        p for p in facets["place"] if p["value"] == "KP-10"
    ).items()
    assert "smuggling" in [f["value"] for f in facets["claim_type"]]
    assert events_api.get("/api/state")["events"] == len(_file_events(events_run))


def test_events_api_conflicting_figures_and_a_claim_missing_from_the_database(events_run: Path, tmp_path: Path) -> None:
    """An events file from more runs than were loaded, with figures that contradict each other."""
    events = _file_events(events_run)
    story = next(e for e in events if e["source_count"] == 3 and e["place"]["id"] == KIMJONGSUK)
    story["figures_agree"] = False
    story["claims"][-1]["claim_id"] = "c-elsewhere"  # grouped from a run this database does not hold
    edited = tmp_path / "events.jsonl"
    edited.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    server = serve(load_with_events(f"sqlite:///{tmp_path / 'e.db'}", events_run, edited))
    try:
        api = Api(server)
        assert [e["id"] for e in api.get("/api/events?figures=conflict")["events"]] == [story["event_id"]]
        view = api.get(f"/api/events/{story['event_id']}")
    finally:
        server.shutdown()
        server.server_close()
    assert view["event"]["figure_state"] == "conflict"
    missing = next(c for c in view["claims"] if c["claim_id"] == "c-elsewhere")
    assert (missing["in_database"], missing["highlights"], missing["status"]) == (False, [], None)
    assert missing["sentence"]["text"] == story["claims"][-1]["sentence"]
    assert missing["document"]["doc_id"] == story["claims"][-1]["doc_id"]
    assert missing["quantity"]["text"] == story["claims"][-1]["quantity"]


def test_events_api_database_without_events_says_so(api: Api) -> None:
    assert api.get("/api/events") == {"events": [], "total": 0, "offset": 0, "limit": 50}
    assert api.get("/api/state")["events"] == 0
    assert api.get("/api/event-facets")["claim_type"] == []
