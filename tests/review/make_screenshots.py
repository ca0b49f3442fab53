"""Make the review page screenshots in docs/img/ from the bundled corpus: `python -m tests.review.make_screenshots [NAME...]`.

Extracts corpus/articles.jsonl, loads it into a temporary SQLite database, records some decisions so the
progress bar means something, serves the page and photographs a card (`card`) and the correction form
(`correct`). For `events` it extracts and corroborates corpus/events/articles.jsonl and photographs the
Kimjongsuk County event's claims side by side. Without names it makes all three.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.corroborate.api import corroborate_runs
from pipeline.corroborate.config import CorroborationConfig
from pipeline.output.db import connect, load_runs
from pipeline.output.db.events import load_events
from pipeline.review.server import make_server
from pipeline.review.store import record_decision

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
TARGET_DOC_WORDS = "second batch of Dongfeng"  # a claim with every kind of field
SHOTS = ("card", "correct", "events")


def _prepare(db_url: str, workdir: Path) -> None:
    run = workdir / "run"
    run_extract([str(ROOT / "corpus" / "articles.jsonl")], run, options=ExtractOptions(progress=False))
    load_runs([run], db_url)
    with connect(db_url) as db:
        rows = db.query("SELECT claim_id, sentence_text FROM claims ORDER BY doc_id, sentence_start, span_start, claim_id")
        target = next(i for i, (_, text) in enumerate(rows) if TARGET_DOC_WORDS in text)
        for n, (claim_id, _) in enumerate(rows[:target]):
            decision, corrected = ("reject", None) if n % 7 == 3 else ("accept", None)
            if n % 11 == 5:
                decision, corrected = "correct", {"claim_type": "trade"}
            record_decision(
                db, decision_id=str(uuid.uuid4()), claim_id=claim_id, reviewer="analyst", decision=decision, corrected=corrected
            )


def _prepare_events(db_url: str, workdir: Path) -> None:
    run = workdir / "run"
    run_extract([str(ROOT / "corpus" / "events" / "articles.jsonl")], run, options=ExtractOptions(progress=False))
    corroborate_runs([run], run / "events.jsonl", config=CorroborationConfig())
    load_runs([run], db_url)
    load_events(run / "events.jsonl", db_url)
    with connect(db_url) as db:  # two decisions, so the columns show what a review status looks like
        first, second = [
            r[0]
            for r in db.query(
                "SELECT ec.claim_id FROM event_claims AS ec JOIN events AS e ON e.event_id = ec.event_id "
                "ORDER BY e.source_count DESC, e.claim_count DESC, e.event_id, ec.position LIMIT 2"
            )
        ]
        record_decision(db, decision_id=str(uuid.uuid4()), claim_id=first, reviewer="analyst", decision="accept")
        record_decision(db, decision_id=str(uuid.uuid4()), claim_id=second, reviewer="ben", decision="flag")


@contextmanager
def _served(prepare: Callable[[str, Path], None]) -> Iterator[Any]:
    """A page (1360 px wide) on a review server over a fresh database that `prepare` filled."""
    from playwright.sync_api import sync_playwright

    here = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # so that the page shows the default database URL, not a temporary path
        db_url = "sqlite:///newsclaims.db"
        prepare(db_url, Path(tmp))
        server = make_server(db_url, reviewer="analyst", port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1360, "height": 920})
                page.goto(server.url)
                page.wait_for_function("() => document.body.dataset.state === 'ready'")
                yield page
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
            os.chdir(here)


def _card_and_correction(names: set[str]) -> None:
    with _served(_prepare) as page:
        page.wait_for_selector("#sentence mark")
        if "card" in names:
            page.screenshot(path=str(OUT / "review-card.png"))
        if "correct" in names:
            page.keyboard.press("e")
            page.wait_for_selector("dialog[open] #correct-form")
            # A typical correction: Huchang is Kimhyongjik County's former name, not a second place,
            # and the trading company is the one that brought the trucks in.
            page.evaluate(
                """() => Array.from(document.querySelectorAll('#correct-form .row'))
                    .find(r => r.querySelector('input').value === 'Huchang').querySelector('.remove').click()"""
            )
            page.select_option("#c-agency-role-1", "actor")
            page.fill("#c-note", "Huchang is the former name of Kimhyongjik County, not a second place")
            page.screenshot(path=str(OUT / "review-correct.png"))


def _events() -> None:
    with _served(_prepare_events) as page:
        page.keyboard.press("v")
        page.wait_for_selector("#events-view[data-state='ready'] .event-row")
        page.keyboard.press("j")
        page.keyboard.press("Enter")  # the most corroborated event: Kimjongsuk County, April 2025
        page.wait_for_selector("#events-view[data-state='ready'] #event-detail .event-column")
        page.mouse.move(0, 0)
        page.screenshot(path=str(OUT / "review-events.png"), full_page=True)


def main(argv: list[str] | None = None) -> int:
    names = set(sys.argv[1:] if argv is None else argv) or set(SHOTS)
    if names - set(SHOTS):
        print(f"usage: python -m tests.review.make_screenshots [{' '.join(SHOTS)}]", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    if names & {"card", "correct"}:
        _card_and_correction(names)
    if "events" in names:
        _events()
    print("wrote " + ", ".join(str(OUT / f"review-{name}.png") for name in SHOTS if name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
