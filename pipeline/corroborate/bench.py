"""Corroboration benchmark: synthetic claims written as a run directory, then grouped end to end.

`python -m pipeline.corroborate.bench --claims 100000` (also called from `make bench`).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from ..output.jsonl import write_jsonl_atomic
from .api import corroborate_runs
from .config import CorroborationConfig
from .evaluate import bcubed_scores, pairwise_scores
from .io import read_events
from .synthetic import synthetic_corpus


def bench_corroborate(n_claims: int, *, words: int = 300, seed: int = 0) -> dict[str, Any]:
    """Group `n_claims` synthetic claims (documents of about `words` words) and report time, work and accuracy."""
    corpus = synthetic_corpus(n_claims, seed=seed, words=words)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        write_jsonl_atomic(run / "documents.jsonl", (corpus.documents[d] for d in sorted(corpus.documents)))
        write_jsonl_atomic(run / "claims.jsonl", corpus.claims)
        wall, cpu = time.perf_counter(), time.process_time()
        summary = corroborate_runs([run], Path(tmp) / "events.jsonl", config=CorroborationConfig())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pred = {cid: e["event_id"] for e in read_events(Path(tmp) / "events.jsonl") for cid in e["claim_ids"]}
    return {
        "claims": summary.claims,
        "documents": summary.documents,
        "words_per_document": words,
        "events": summary.events,
        "comparisons": summary.comparisons,
        "comparisons_per_claim": round(summary.comparisons / max(summary.claims, 1), 3),
        "largest_block": summary.largest_block,
        "windowed_blocks": summary.windowed_blocks,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "claims_per_second": round(summary.claims / wall) if wall else None,
        "pairwise": pairwise_scores(corpus.truth, pred),
        "bcubed": bcubed_scores(corpus.truth, pred),
    }


def main(argv: list[str] | None = None) -> None:
    """Print the benchmark result as JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=300, help="words per synthetic document (default 300)")
    args = parser.parse_args(argv)
    print(json.dumps(bench_corroborate(args.claims, words=args.words), indent=2, sort_keys=True))


if __name__ == "__main__":  # pragma: no cover
    main()
