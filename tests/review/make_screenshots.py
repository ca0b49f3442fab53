"""Make the review page screenshots in docs/img/ from the bundled corpus: `python -m tests.review.make_screenshots`.

Extracts corpus/articles.jsonl, loads it into a temporary SQLite database, records some decisions so the
progress bar means something, serves the page and photographs a card and the correction form.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import uuid
from pathlib import Path

from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.output.db import connect, load_runs
from pipeline.review.server import make_server
from pipeline.review.store import record_decision

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
TARGET_DOC_WORDS = "second batch of Dongfeng"  # a claim with every kind of field


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


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # so that the page shows the default database URL, not a temporary path
        db_url = "sqlite:///newsclaims.db"
        _prepare(db_url, Path(tmp))
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
                page.wait_for_selector("#sentence mark")
                page.screenshot(path=str(OUT / "review-card.png"))
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
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
            os.chdir(here)
    print(f"wrote {OUT / 'review-card.png'} and {OUT / 'review-correct.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
