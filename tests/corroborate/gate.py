"""Measure the event-grouping scores that tests/corroborate/baseline.json pins (shared by the test and the writer)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVENTS_CORPUS = ROOT / "corpus" / "events"
ARTICLES = EVENTS_CORPUS / "articles.jsonl"
GOLD = EVENTS_CORPUS / "events-gold.json"
BASELINE = Path(__file__).with_name("baseline.json")


def corpus_sha256() -> str:
    """Hash of the event articles and their gold grouping: a pinned score is tied to the data it was measured on."""
    h = hashlib.sha256()
    for path in (ARTICLES, GOLD):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def flatten(result: dict[str, Any]) -> dict[str, float]:
    """The scores the gate pins."""
    exp = result["expectations"]
    return {
        "pairwise.precision": result["pairwise"]["precision"],
        "pairwise.recall": result["pairwise"]["recall"],
        "pairwise.f1": result["pairwise"]["f1"],
        "bcubed.precision": result["bcubed"]["precision"],
        "bcubed.recall": result["bcubed"]["recall"],
        "bcubed.f1": result["bcubed"]["f1"],
        "events_exact": result["events_exact"],
        "expectations_met": round(exp["met"] / exp["checked"], 4) if exp["checked"] else 1.0,
    }


def measure(run_dir: Path | None = None) -> dict[str, Any]:
    """Extract the event corpus (unless `run_dir` holds it), corroborate it and score it against the gold."""
    from pipeline.batch.runner import ExtractOptions, run_extract
    from pipeline.corroborate import CorroborationConfig, corroborate_runs, evaluate_events

    with tempfile.TemporaryDirectory() as tmp:
        if run_dir is None:
            run_dir = Path(tmp) / "run"
            run_extract([str(ARTICLES)], run_dir, options=ExtractOptions(progress=False))
        events = Path(tmp) / "events.jsonl"
        corroborate_runs([run_dir], events, config=CorroborationConfig())
        result = evaluate_events(events, GOLD)
    return {"corpus_sha256": corpus_sha256(), "scores": flatten(result)}


def main() -> None:
    """Write tests/corroborate/baseline.json from the current scores."""
    baseline = measure()
    BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(baseline, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
