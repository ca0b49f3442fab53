"""Quality gate for article extraction: token F1 of the extracted body against the hand-written text.

The scores are pinned in extraction_baseline.json with a hash of the fixture pages. A drop fails the test;
a better score, or a changed fixture, needs a new baseline:

    .venv/bin/python -m tests.ingest.test_extraction_quality --update
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

from pipeline.ingest.html import read_html_path
from pipeline.types import Document

from .conftest import ARTICLES, PAGES, expected_text

BASELINE = Path(__file__).parent / "extraction_baseline.json"
TOLERANCE = 1e-6
_TOKEN = re.compile(r"\w+")


def token_f1(extracted: str, expected: str) -> float:
    """F1 of the word multisets (the measure of the ScrapingHub article extraction benchmark)."""
    got, want = Counter(_TOKEN.findall(extracted.lower())), Counter(_TOKEN.findall(expected.lower()))
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def fixtures_sha256() -> str:
    """One hash over every fixture page and expected text, so any edit forces a new baseline."""
    digest = hashlib.sha256()
    for path in sorted(PAGES.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def scores() -> dict[str, float]:
    """Token F1 per fixture article (0 when the page is not even read as an article)."""
    result: dict[str, float] = {}
    for page in ARTICLES:
        item = next(read_html_path(page))
        text = item.text if isinstance(item, Document) else ""
        result[page.stem] = round(token_f1(text, expected_text(page)), 4)
    return result


def test_token_f1_scores_a_perfect_and_a_partial_extraction():
    assert token_f1("a b c", "a b c") == 1.0
    assert token_f1("", "a b") == 0.0
    assert abs(token_f1("a b menu", "a b c d") - 2 * (2 / 3 * 0.5) / (2 / 3 + 0.5)) < 1e-9


def test_extraction_quality_does_not_drop_below_the_baseline():
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert baseline["fixtures_sha256"] == fixtures_sha256(), (
        "the fixture pages changed: check the scores and run '.venv/bin/python -m tests.ingest.test_extraction_quality --update'"
    )
    current = scores()
    mean = sum(current.values()) / len(current)
    assert set(current) == set(baseline["token_f1"])
    dropped = {
        page: (baseline["token_f1"][page], f1) for page, f1 in current.items() if f1 < baseline["token_f1"][page] - TOLERANCE
    }
    assert not dropped, f"extraction F1 dropped (baseline, now): {dropped}"
    assert mean >= baseline["mean_token_f1"] - TOLERANCE


def _update() -> None:
    current = scores()
    record = {
        "measure": "token F1 of extracted body vs tests/ingest/fixtures/pages/*.expected.txt",
        "fixtures_sha256": fixtures_sha256(),
        "mean_token_f1": round(sum(current.values()) / len(current), 4),
        "token_f1": current,
    }
    BASELINE.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.ingest.test_extraction_quality --update")
    _update()
