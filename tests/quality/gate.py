"""Measure the corpus scores that the quality gate pins (shared by the test and the baseline writer)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SEED_DIR = ROOT.parent / "shared" / "seed"
BASELINE = Path(__file__).with_name("baseline.json")


def measure(include_seed: bool) -> dict[str, Any]:
    """Extract the corpus (or only the seed) into a temp dir and evaluate it."""
    from pipeline.batch.runner import ExtractOptions, run_extract
    from pipeline.evaluate import corpus_sha256, evaluate_run

    with tempfile.TemporaryDirectory() as tmp:
        inputs = [str(SEED_DIR)] if include_seed else [str(CORPUS / "articles.jsonl")]
        run_extract(inputs, Path(tmp) / "run", options=ExtractOptions(progress=False))
        result = evaluate_run(Path(tmp) / "run", CORPUS / "gold").to_dict()
    data = sorted(SEED_DIR.glob("*.txt")) if include_seed else [CORPUS / "articles.jsonl"]
    files = [*data, *sorted((CORPUS / "gold").glob("*.gold.json"))]
    return {"corpus_sha256": corpus_sha256(files), "scores": flatten(result)}


def flatten(result: dict[str, Any]) -> dict[str, float]:
    """The scores the gate pins: F1 per label (exact and overlap), linking, claim detection and slots."""
    out: dict[str, float] = {}
    for label, s in result["entities"].items():
        out[f"entities.{label}.exact_f1"] = s["exact"]["f1"]
        out[f"entities.{label}.overlap_f1"] = s["overlap"]["f1"]
    if result["linking_accuracy"] is not None:
        out["entities.linking_accuracy"] = result["linking_accuracy"]
    out["claims.detection_f1"] = result["claims"]["detection"]["f1"]
    for slot, v in result["claims"]["slots"].items():
        if v is not None:
            out[f"claims.slot.{slot}"] = v
    return out


def main() -> None:
    """Write tests/quality/baseline.json from the current scores."""
    baseline = {"corpus": measure(False)}
    if SEED_DIR.exists():
        baseline["seed"] = measure(True)
    BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(baseline, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
