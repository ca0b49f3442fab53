"""The review page in Debian's headless chromium, driven by Playwright: keys, resume, undo, corrections,
highlights with emoji, hostile text, lost connections and a killed server."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.review.export import export_reviewed

from .builders import XSS, emoji_records, main_records, write_run
from .conftest import active_content, decision_rows, serve

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
# Predicates are written as functions: Playwright eval()s a bare expression, which the page's CSP forbids.


@pytest.fixture
def live(review_db: str) -> Iterator[Any]:
    srv = serve(review_db)
    yield srv
    srv.shutdown()
    srv.server_close()


def _open(page: Any, url: str) -> str:
    """Load the page and wait for the first card; return its claim id."""
    page.goto(url)
    page.wait_for_selector("#card[data-claim-id]")
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    return page.get_attribute("#card", "data-claim-id")


def _wait_card_change(page: Any, old: str) -> str:
    """Wait until the page moved on from `old` and is ready for the next key; return the new claim id."""
    page.wait_for_function(
        "old => document.querySelector('#card').dataset.claimId !== old && document.body.dataset.state === 'ready'", arg=old
    )
    return page.get_attribute("#card", "data-claim-id")


def _wait_ready(page: Any) -> None:
    page.wait_for_function("() => document.body.dataset.state === 'ready'")


def _queue_ids(review_db: str) -> list[str]:
    from pipeline.output.db import connect

    with connect(review_db) as db:
        return [r[0] for r in db.query("SELECT claim_id FROM claims ORDER BY doc_id, sentence_start, span_start, claim_id")]


def test_browser_accept_with_a_writes_one_row_and_reload_resumes(page: Any, live: Any, review_db: str) -> None:
    ids = _queue_ids(review_db)
    first = _open(page, live.url)
    assert first == ids[0]
    page.keyboard.press("a")
    second = _wait_card_change(page, first)
    assert second == ids[1]
    assert [(r[1], r[3]) for r in decision_rows(review_db)] == [(first, "accept")]
    assert page.inner_text("#progress-text").startswith("1 / 5 reviewed: 1 accepted, 0 rejected, 0 corrected")
    page.reload()
    page.wait_for_selector("#card[data-claim-id]")
    assert page.get_attribute("#card", "data-claim-id") == ids[1]
    assert page.events == []


def test_browser_keys_do_nothing_while_typing_and_mouse_works(page: Any, live: Any, review_db: str) -> None:
    first = _open(page, live.url)
    page.click("#f-q")
    page.keyboard.type("ax")  # letters in the search box are text, not decisions
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)
    assert decision_rows(review_db) == []
    page.click("#btn-reject")
    _wait_card_change(page, first)
    assert [(r[1], r[3]) for r in decision_rows(review_db)] == [(first, "reject")]
    page.keyboard.press("?")
    page.wait_for_selector("dialog[open] table.keys")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog[open]", state="detached")


def test_browser_undo_supersedes_and_returns_to_the_claim(page: Any, live: Any, review_db: str) -> None:
    first = _open(page, live.url)
    page.keyboard.press("x")
    _wait_card_change(page, first)
    page.keyboard.press("u")
    page.wait_for_function("id => document.querySelector('#card').dataset.claimId === id", arg=first)
    page.wait_for_function("() => document.querySelector('#card').dataset.status === 'none'")
    _wait_ready(page)
    rows = decision_rows(review_db)
    assert [r[3] for r in rows] == ["reject", "undo"]
    assert rows[1][4] == rows[0][0]  # the undo supersedes the rejection; nothing was deleted
    assert "0 / 5 reviewed" in page.inner_text("#progress-text")
    page.keyboard.press("Space")
    _wait_card_change(page, first)
    assert [r[3] for r in decision_rows(review_db)] == ["reject", "undo", "skip"]
    assert decision_rows(review_db)[2][4] == rows[1][0]


def test_browser_correction_is_stored_and_exported(page: Any, live: Any, review_db: str) -> None:
    first = _open(page, live.url)
    page.keyboard.press("e")
    page.wait_for_selector("dialog[open] #correct-form")
    page.select_option("#c-claim_type", "seizure")
    page.fill("#c-q-value", "45")
    page.fill("#c-q-lower", "45")
    page.fill("#c-q-upper", "45")
    page.fill("#c-note", "45 in the Korean edition")
    page.press("#c-note", "Enter")
    _wait_card_change(page, first)
    (row,) = decision_rows(review_db)
    assert row[1:4] == (first, "ana", "correct")
    out = Path(review_db.removeprefix("sqlite:///")).with_name("reviewed.jsonl")
    export_reviewed(review_db, out)
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (record["claim_id"], record["claim_type"], record["quantity"]["value"]) == (first, "seizure", 45)
    assert record["review"]["corrected_fields"] == ["claim_type", "quantity"]
    assert record["review"]["decisions"][0]["note"] == "45 in the Korean edition"
    page.keyboard.press("k")
    page.wait_for_function("id => document.querySelector('#card').dataset.claimId === id", arg=first)
    assert page.inner_text("#card-status") == "CORRECTED BY YOU"


def test_browser_correction_form_escape_cancels(page: Any, live: Any, review_db: str) -> None:
    first = _open(page, live.url)
    page.keyboard.press("e")
    page.wait_for_selector("dialog[open] #correct-form")
    page.fill("#c-q-value", "99")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog[open]", state="detached")
    page.keyboard.press("e")
    page.wait_for_selector("dialog[open] #correct-form")
    page.press("#c-claim_type", "Enter")  # nothing changed: the form says so and stays
    assert "Nothing differs" in page.inner_text(".form-error")
    page.keyboard.press("Escape")
    assert decision_rows(review_db) == []
    assert page.get_attribute("#card", "data-claim-id") == first


def test_browser_highlights_match_python_offsets_after_emoji(page: Any, live: Any) -> None:
    record = emoji_records()["claims"][0]
    _open(page, live.url)
    page.fill("#f-q", "Smugglers 😀")  # the search box takes us to the emoji article's claim
    page.press("#f-q", "Enter")
    page.wait_for_function("id => document.querySelector('#card').dataset.claimId === id", arg=record["claim_id"])
    sentence = record["sentence"]["text"]
    marks = page.eval_on_selector_all(
        "#sentence mark", "ms => ms.map(m => [m.dataset.label, +m.dataset.start, +m.dataset.end, m.textContent])"
    )
    assert marks, "no highlights rendered"
    for label, start, end, text in marks:
        assert text == sentence[start:end], label
    expected = {
        (p["text"], p["start"] - record["sentence"]["start"])
        for p in [*record["items"], *record["locations"], record["quantity"]]
    }
    assert expected <= {(text, start) for _, start, _, text in marks}
    assert page.inner_text("#sentence mark[data-label='COUNTY']") == "Sinu\u0306iju"
    assert page.eval_on_selector("#sentence", "p => p.textContent") == sentence  # nothing lost or doubled


def test_browser_hostile_text_runs_nothing_and_creates_no_element(page: Any, xss_db: str) -> None:
    srv = serve(xss_db)
    try:
        _open(page, srv.url)
        page.keyboard.press("e")  # the correction form renders the same values into inputs
        page.wait_for_selector("dialog[open] #correct-form")
        page.keyboard.press("Escape")
        page.keyboard.press("f")
        page.wait_for_selector("dialog[open] #flag-form")
        page.fill("#flag-note", "<img src=x onerror=alert('note')>")
        page.press("#flag-note", "Enter")
        page.wait_for_selector("#done", state="visible")  # the only claim is decided
        _wait_ready(page)
        page.keyboard.press("k")  # back to the card: the note is now in the trail
        page.wait_for_selector("#card .history")
        page.wait_for_timeout(300)
        counts = active_content(page)
        assert counts == {"script": 1, "img": 0, "jsLinks": 0, "handlers": 0}  # the one script is our app.js
        body = page.inner_text("body")
        for payload in (XSS["title"], XSS["source"], XSS["name"], XSS["claim_type"].upper()):
            assert payload in body or payload.upper() in body
        assert XSS["url"] in body  # shown as text, not as a link
        assert page.get_attribute("#sentence mark.hl-OTHER", "data-label") == "OTHER"  # the label is not echoed
        assert page.events == []
    finally:
        srv.shutdown()
        srv.server_close()


def test_browser_network_failure_keeps_the_card_and_retries_the_same_id(page: Any, live: Any, review_db: str) -> None:
    first = _open(page, live.url)
    page.evaluate("() => { document.body.dataset.writeTimeoutMs = '500'; }")
    sent: list[str] = []

    def flaky(route: Any) -> None:
        sent.append(json.loads(route.request.post_data)["decision_id"])
        if len(sent) == 1:
            return  # never answered: the page gives up after its time limit and sends again
        if len(sent) == 2:
            route.fetch()  # the write reaches the server ...
            route.abort("connectionreset")  # ... but its answer is lost on the way back
            return
        route.continue_()

    page.route("**/api/decisions", flaky)
    page.keyboard.press("a")
    page.wait_for_selector(".banner.error")
    assert "Not saved yet" in page.inner_text("#banner")
    assert page.get_attribute("#card", "data-claim-id") == first  # the card stays
    _wait_card_change(page, first)
    assert len(set(sent)) == 1 and len(sent) == 3  # every attempt carried the same decision id
    assert decision_rows(review_db) == [(sent[0], first, "ana", "accept", None)]


def test_browser_unconfirmed_decision_survives_closing_the_tab(browser: Any, live: Any, review_db: str) -> None:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    first = _open(page, live.url)
    page.route("**/api/decisions", lambda route: route.abort("connectionrefused"))
    page.keyboard.press("a")
    page.wait_for_selector(".banner.error")
    page.close()  # the browser closes before the server ever saw the decision
    assert decision_rows(review_db) == []
    page = context.new_page()
    page.goto(live.url)
    page.wait_for_function("() => document.body.dataset.state === 'ready'")
    assert [(r[1], r[3]) for r in decision_rows(review_db)] == [(first, "accept")]
    assert page.get_attribute("#card", "data-claim-id") != first
    context.close()


def _start_server(args: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "review", *args, "--port", "0", "--reviewer", "kim"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return proc, found.group(1)
    proc.kill()
    raise AssertionError(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")


def test_browser_killing_the_server_right_after_an_ack_loses_nothing(page: Any, tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", main_records())
    db_path = tmp_path / "kill.db"
    proc, url = _start_server([str(run), "--db", f"sqlite:///{db_path}"])
    try:
        first = _open(page, url)
        page.keyboard.press("a")
        _wait_card_change(page, first)  # the server acknowledged the write ...
        os.kill(proc.pid, signal.SIGKILL)  # ... and dies at once, without any cleanup
        proc.wait(timeout=10)
    finally:
        proc.kill()
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT claim_id, reviewer, decision FROM review_decisions").fetchall()
    assert rows == [(first, "kim", "accept")]
    proc, url = _start_server(["--db", f"sqlite:///{db_path}"])
    try:
        second = _open(page, url)
        assert second != first
        assert page.inner_text("#progress-text").startswith("1 / 4 reviewed: 1 accepted")
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "Stopped. Every acknowledged decision is in the database." in out
