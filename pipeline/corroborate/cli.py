"""The `newsclaims corroborate` command: options in, `corroborate_runs` called, a summary table out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

EXIT_OK = 0


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("threshold", "near_duplicate_threshold", "max_block_months", "undated_window_days")
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def _cmd_corroborate(args: argparse.Namespace) -> int:
    from .api import corroborate_runs
    from .config import CorroborationConfig
    from .evaluate import evaluate_events, format_report

    overrides = _overrides(args)
    config = (
        CorroborationConfig.from_file(args.config, **overrides)
        if args.config
        else CorroborationConfig.from_dict(overrides, where="the command line")
    )
    summary = corroborate_runs(
        [Path(p) for p in args.run_dirs],
        Path(args.out),
        config=config,
        min_claims=args.min_claims,
        pairs_out=Path(args.pairs) if args.pairs else None,
    )
    scores = evaluate_events(args.out, args.gold) if args.gold else None
    if args.json:
        print(json.dumps({"summary": summary.to_dict(), "scores": scores}, indent=2, sort_keys=True))
        return EXIT_OK
    s = summary
    print(
        f"claims:     {s.claims} from {s.documents} documents in {s.runs} run(s)"
        + (f" ({s.duplicate_claims} repeated claims read once)" if s.duplicate_claims else "")
    )
    print(
        f"sources:    {s.near_duplicate_documents} near-duplicate documents, {s.citing_claims} claims credited to a cited outlet"
    )
    print(
        f"blocking:   {s.blocks} blocks (largest {s.largest_block}, {s.windowed_blocks} windowed), "
        f"{s.comparisons} comparisons, {s.unblocked_claims} claims too vague to group, {s.ambiguous_claims} ambiguous"
    )
    print(
        f"events:     {s.events} ({s.multi_claim_events} with several claims, {s.multi_source_events} with several "
        f"independent sources); {s.links} links, {s.rejected_merges} merges refused for conflicts"
    )
    print(f"output:     {s.out} ({s.events_written} events, {s.seconds:.1f} s)")
    if scores is not None:
        print(format_report(scores))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `corroborate` command to the `newsclaims` subcommands."""
    p = sub.add_parser(
        "corroborate",
        help="group claims of one or more runs into events and count independent sources",
        description="Group the claims of RUN_DIRs into events (same claim type, compatible items, the same or "
        "nested places, overlapping times, compatible figures) and write one event per line to --out, with "
        "its claims side by side, every figure and who reported it, and how many independent sources and "
        "articles back it (republished copies and citing articles count once, for the original). "
        "Options and thresholds: docs/corroboration.md.",
    )
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--out", required=True, metavar="EVENTS.jsonl", help="the events file to write")
    p.add_argument("--config", metavar="FILE", help="JSON object of options (see docs/corroboration.md)")
    p.add_argument("--threshold", type=float, help="least link score to group two claims (default 0.6)")
    p.add_argument("--near-duplicate-threshold", type=float, help="least MinHash similarity of a copy (default 0.7)")
    p.add_argument("--max-block-months", type=int, help="claims spanning more months are not grouped (default 4)")
    p.add_argument("--undated-window-days", type=int, help="days before publication given to undated claims (default 31)")
    p.add_argument("--min-claims", type=int, default=1, help="write only events with at least N claims (default 1)")
    p.add_argument("--pairs", metavar="FILE", help="also write every comparison with its field scores (JSONL)")
    p.add_argument(
        "--gold", metavar="FILE", help="score the events against a gold grouping (e.g. corpus/events/events-gold.json)"
    )
    p.add_argument("--json", action="store_true", help="print the summary (and scores) as JSON")
    p.set_defaults(func=_cmd_corroborate)
