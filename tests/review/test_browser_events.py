"""The events view in Debian's headless chromium: an event's claims side by side, keys, the way to review a
claim and back, and hostile text in an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.output.db import connect

from .builders import XSS
from .conftest import active_content, decision_rows, load_with_events, serve

pytestmark = pytest.mark.browser
OUTLETS = ["Border Monitor", "Frontier Digest", "Yalu Observer", "Yalu Observer", "NK Trade Watch"]  # by date


@pytest.fixture
def events_sqlite(events_run: Path, tmp_path: Path) -> str:
    return load_with_events(f"sqlite:///{tmp_path / 'events.db'}", events_run)


@pytest.fixture
def live_events(events_sqlite: str) -> Iterator[Any]:
    srv = serve(events_sqlite)
    yield srv
    srv.shutdown()
    srv.server_close()


def _ready(page: Any) -> None:
    page.wait_for_function("() => document.body.dataset.state === 'ready'")


def _event_shown(page: Any, event_id: str) -> None:
    page.wait_for_selector(f"#events-view[data-state='ready'] #event-detail[data-event-id='{event_id}'] .event-column")


def _list_shown(page: Any) -> None:
    page.wait_for_selector("#events-view[data-state='ready'] #event-list .event-row")


def _open_first_event(page: Any, url: str) -> str:
    """From the claims view: v, j, Enter. Return the id of the event that opened."""
    page.goto(url)
    page.wait_for_selector("#card[data-claim-id]")
    _ready(page)
    page.keyboard.press("v")
    _list_shown(page)
    page.keyboard.press("j")  # focuses the first event
    first = page.get_attribute("#event-list .event-row", "data-event-id")
    page.keyboard.press("Enter")
    _event_shown(page, first)
    return first


def _boxes(page: Any) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        "#event-columns .event-column",
        "cs => cs.map(c => { const r = c.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; })",
    )


def test_browser_event_claims_render_side_by_side(page: Any, live_events: Any, events_sqlite: str) -> None:
    event_id = _open_first_event(page, live_events.url)
    assert page.url.endswith(f"#events/{event_id}")
    assert "Kimjongsuk County, Ryanggang Province" in page.inner_text("#event-title")
    assert page.inner_text("#event-summary") == "5 claims in 4 articles from 3 independent sources"
    boxes = _boxes(page)
    assert len(boxes) == 5
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert abs(left["y"] - right["y"]) < 1  # one row, same top
        assert 0 <= right["x"] - (left["x"] + left["w"]) < 40  # next to each other, left to right, no overlap
        assert abs(left["h"] - right["h"]) < 1  # the columns' parts line up (subgrid)
    assert boxes[-1]["x"] + boxes[-1]["w"] <= page.viewport_size["width"]  # all five fit at 1360 px
    with connect(events_sqlite) as db:
        sentences = dict(db.query("SELECT claim_id, sentence_text FROM claims"))
    columns = page.eval_on_selector_all(
        "#event-columns .event-column",
        """cs => cs.map(c => ({id: c.dataset.claimId, figure: c.dataset.figure,
            outlet: c.querySelector('.col-outlet').textContent, sentence: c.querySelector('.sentence').textContent,
            quantity: c.querySelector('.sentence mark[data-label=QUANTITY]').textContent,
            chip: c.querySelector('.col-figure .figure-chip').className}))""",
    )
    assert [c["outlet"] for c in columns] == OUTLETS
    for column in columns:
        assert column["sentence"] == sentences[column["id"]]  # the whole sentence, nothing lost or doubled
    assert [c["quantity"].casefold() for c in columns] == ["over 100", "over 100", "over 100", "about 120", "about 120"]
    assert [c["figure"] for c in columns] == ["0", "0", "0", "1", "1"]
    assert all("differing" in c["chip"] for c in columns)  # two different figures: every column's figure is marked
    assert [t.casefold() for t in page.eval_on_selector_all(".figure-box .figure-text", "fs => fs.map(f => f.textContent)")] == [
        "over 100",
        "about 120",
    ]
    assert page.get_attribute(".event-figures .figure-state", "data-figure-state") == "compatible"
    page.keyboard.press("a")  # the claim keys do nothing here: no card is on screen
    page.keyboard.press("x")
    page.wait_for_timeout(300)
    assert decision_rows(events_sqlite) == []
    assert page.events == []


def test_browser_event_to_claim_and_back(page: Any, live_events: Any, events_sqlite: str) -> None:
    event_id = _open_first_event(page, live_events.url)
    second = page.get_attribute("#event-columns .event-column[data-column='2']", "data-claim-id")
    page.keyboard.press("2")  # review the second column's claim in the claims view
    page.wait_for_function("id => document.querySelector('#card').dataset.claimId === id", arg=second)
    assert page.is_visible("#event-bar") and not page.is_visible("#events-view")
    page.keyboard.press("b")
    _event_shown(page, event_id)
    page.keyboard.press("r")  # the event's claims, one by one
    page.wait_for_function("() => (document.querySelector('#card .position') || {}).textContent === 'claim 1 of 5 in this event'")
    _ready(page)
    first = page.get_attribute("#card", "data-claim-id")
    page.keyboard.press("a")
    page.wait_for_function("old => document.querySelector('#card').dataset.claimId !== old", arg=first)
    _ready(page)
    assert [(r[1], r[3]) for r in decision_rows(events_sqlite)] == [(first, "accept")]
    page.keyboard.press("b")
    _event_shown(page, event_id)
    status = page.get_attribute(f".event-column[data-claim-id='{first}'] .col-status .badge", "data-status")
    assert status == "accept"
    page.keyboard.press("Escape")  # back to the list, on the event we came from
    _list_shown(page)
    assert page.evaluate("() => document.activeElement.dataset.eventId") == event_id
    assert "1 / 5 reviewed" in page.inner_text(f".event-row[data-event-id='{event_id}']")
    page.go_back()  # the browser's Back button walks the same way
    _event_shown(page, event_id)
    assert page.events == []


def test_browser_event_hostile_text_renders_as_text(page: Any, events_run: Path, tmp_path: Path) -> None:
    events = [json.loads(line) for line in (events_run / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    story = max(events, key=lambda e: (e["source_count"], e["claim_count"]))
    story["claims"][0]["outlet"] = XSS["source"]
    story["place"]["name"] = XSS["name"]
    story["figures"][0]["text"] = XSS["label"]
    edited = tmp_path / "events.jsonl"
    edited.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    url = load_with_events(f"sqlite:///{tmp_path / 'xss.db'}", events_run, edited)
    with connect(url) as db, db.transaction():
        db.execute("UPDATE documents SET title = ?, url = ? WHERE doc_id = 'ev-001'", (XSS["title"], XSS["url"]))
    srv = serve(url)
    try:
        _open_first_event(page, srv.url)
        counts = active_content(page)
        assert counts == {"script": 1, "img": 0, "jsLinks": 0, "handlers": 0}
        first = page.locator("#event-columns .event-column").first
        assert first.locator(".col-title").inner_text() == XSS["title"]  # the title as text, and not a link
        assert first.locator(".col-title a").count() == 0
        assert first.locator(".col-outlet").inner_text() == XSS["source"]
        assert XSS["name"] in page.inner_text("#event-title")
        assert page.inner_text(".figure-box .figure-text >> nth=0") == XSS["label"]
        page.keyboard.press("Escape")
        _list_shown(page)
        assert XSS["name"] in page.inner_text("#event-list")
        assert page.events == []
    finally:
        srv.shutdown()
        srv.server_close()
