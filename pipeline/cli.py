"""The `newsclaims` command line: thin wrappers over importable functions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import NewsclaimsError

EXIT_OK, EXIT_ITEM_ERRORS, EXIT_USAGE = 0, 1, 2


def _cmd_extract(args: argparse.Namespace) -> int:
    from .batch.runner import ExtractOptions, run_extract

    options = ExtractOptions(
        workers=args.workers,
        shard_size=args.shard_size,
        max_chars=args.max_chars,
        doc_timeout=args.doc_timeout,
        patterns_dir=args.patterns,
        overwrite=args.overwrite,
        progress=False if args.quiet else None,
        engine=args.engine,
        scheduler=args.scheduler,
    )
    summary = run_extract(args.inputs, args.out, options=options)
    print(f"documents: {summary.documents}")
    print("mentions:  " + (", ".join(f"{k} {v}" for k, v in sorted(summary.mentions.items())) or "0"))
    print("claims:    " + (", ".join(f"{k} {v}" for k, v in sorted(summary.claims.items())) or "0"))
    errors = sum(summary.errors.values())
    print(
        f"errors:    {errors}"
        + (
            f" ({', '.join(f'{k} {v}' for k, v in sorted(summary.errors.items()))}; see {Path(args.out) / 'errors.jsonl'})"
            if errors
            else ""
        )
    )
    resumed = f", {summary.shards_resumed} resumed" if summary.shards_resumed else ""
    print(f"output:    {args.out} ({summary.shards} shards{resumed}, {summary.seconds:.1f} s)")
    return EXIT_ITEM_ERRORS if summary.failed else EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_run, format_report

    result = evaluate_run(args.run_dir, args.gold).to_dict()
    if args.events:
        from .corroborate.evaluate import evaluate_events
        from .corroborate.evaluate import format_report as format_events

        events = evaluate_events(args.events, args.events_gold)
        result["events"] = events
        if not args.json:
            print(format_report({k: v for k, v in result.items() if k != "events"}))
            print("\nevent grouping:\n" + format_events(events))
            return EXIT_OK
    print(json.dumps(result, indent=2, sort_keys=True) if args.json else format_report(result))
    return EXIT_OK


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .ingest.api import fetch_command

    summary = fetch_command(
        args.urls,
        out=Path(args.out),
        url_files=[Path(f) for f in args.urls_file],
        user_agent=args.user_agent,
        cache_dir=Path(args.cache) if args.cache else None,
        per_host=args.per_host,
        concurrency=args.concurrency,
        delay=args.delay,
        connect_timeout=args.connect_timeout,
        read_timeout=args.timeout,
        deadline=args.deadline,
        max_bytes=args.max_bytes,
        max_redirects=args.max_redirects,
        retries=args.retries,
        max_retry_after=args.max_retry_after,
        max_chars=args.max_chars,
        progress=not args.quiet,
    )
    print(summary.table())
    return EXIT_ITEM_ERRORS if summary.errors else EXIT_OK


def _add_fetch(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .ingest.fetch import DEFAULT_USER_AGENT

    p = sub.add_parser(
        "fetch",
        help="fetch URLs politely and extract their articles (documents only)",
        description="Fetch http(s) URLs (arguments and --urls files), respecting robots.txt and per-host limits, "
        "retrying 429/5xx with Retry-After, with timeouts, a size cap and an on-disk conditional-request cache; "
        "extract each article and write documents.jsonl, fetch.jsonl (one status per URL) and errors.jsonl. "
        "A killed run resumes without refetching what finished.",
    )
    p.add_argument("urls", nargs="*", metavar="URL")
    p.add_argument(
        "--urls", dest="urls_file", action="append", default=[], metavar="FILE", help="a file with one URL per line (repeatable)"
    )
    p.add_argument("--out", required=True, metavar="RUN_DIR")
    p.add_argument("--user-agent", default=DEFAULT_USER_AGENT, help="a descriptive user agent with a contact")
    p.add_argument("--cache", default=None, metavar="DIR", help="HTTP cache directory (default RUN_DIR/.cache)")
    p.add_argument("--per-host", type=int, default=2, help="requests in flight per host (default 2)")
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight overall (default 8)")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between requests to one host (default 1)")
    p.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to connect (default 10)")
    p.add_argument("--timeout", type=float, default=30.0, help="read timeout in seconds (default 30)")
    p.add_argument("--deadline", type=float, default=60.0, help="overall seconds per URL (default 60)")
    p.add_argument("--max-bytes", type=int, default=10_000_000, help="decoded body cap (default 10 MB)")
    p.add_argument("--max-redirects", type=int, default=5, help="redirects followed (default 5)")
    p.add_argument("--retries", type=int, default=3, help="retries on 429 and 5xx (default 3)")
    p.add_argument("--max-retry-after", type=float, default=60.0, help="longest Retry-After honoured (default 60 s)")
    p.add_argument("--max-chars", type=int, default=2_000_000, help="longest article accepted")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd_fetch)


def _cmd_schema(args: argparse.Namespace) -> int:
    from .output.schemas import schema

    print(json.dumps(schema(args.kind), indent=2, sort_keys=True, ensure_ascii=False))
    return EXIT_OK


def _add_schema(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of a run-directory file",
        description="Print the JSON Schema (draft 2020-12) that every line of documents.jsonl, mentions.jsonl, "
        "claims.jsonl or errors.jsonl validates against.",
    )
    p.add_argument("kind", choices=["documents", "mentions", "claims", "errors"])
    p.set_defaults(func=_cmd_schema)


def _cmd_load(args: argparse.Namespace) -> int:
    from .output.db import load_runs

    report = load_runs(args.run_dirs, args.db, validate=not args.no_validate)
    events_files = [Path(args.events)] if args.events else [p for d in args.run_dirs if (p := Path(d) / "events.jsonl").exists()]
    if events_files:
        from .output.db.events import load_events

        for events_file in events_files[-1:]:  # an events file is a full snapshot: the last one wins
            print(f"events: {load_events(events_file, args.db)} loaded from {events_file}")
    print(f"database: {report.db_url} (schema version {report.schema_version})")
    print(f"{'table':<18} {'inserted':>9} {'updated':>8} {'unchanged':>10} {'deleted':>8} {'retired':>8}")
    for c in report.totals():
        print(f"{c.table:<18} {c.inserted:>9} {c.updated:>8} {c.unchanged:>10} {c.deleted:>8} {c.retired:>8}")
    quarantined = report.quarantined
    if quarantined:
        print(f"quarantined: {len(quarantined)} lines (not loaded; see the load_quarantine table):")
        for q in quarantined[:10]:
            print(f"  {q}")
    return EXIT_ITEM_ERRORS if quarantined else EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from .output.db import export_claims

    n = export_claims(args.db, args.out, args.format, include_retired=args.include_retired)
    if args.out != "-":
        print(f"{n} claims written to {args.out}", file=sys.stderr)
    return EXIT_OK


def _add_db(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .output.db import DEFAULT_URL

    p = sub.add_parser(
        "load",
        help="load run directories into SQLite or PostgreSQL (idempotent)",
        description="Validate every record against the JSON Schema and load documents, sentences, mentions and "
        "claims (with their items, places, agencies and sanctions links) into the database, one transaction per "
        "run directory. Loading the same run twice changes nothing; a re-extracted run updates only what changed. "
        "Invalid lines are quarantined with file and line; the rest loads. Exit status 1 when lines were "
        "quarantined.",
    )
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument(
        "--db",
        default=DEFAULT_URL,
        metavar="URL",
        help=f"sqlite:///path.db or postgresql://user@host:port/dbname (default {DEFAULT_URL})",
    )
    p.add_argument("--no-validate", action="store_true", help="skip JSON Schema validation (faster, for trusted runs)")
    p.add_argument(
        "--events",
        default=None,
        metavar="EVENTS.jsonl",
        help="also load the events of `newsclaims corroborate` (default: RUN_DIR/events.jsonl if present)",
    )
    p.set_defaults(func=_cmd_load)

    p = sub.add_parser(
        "export",
        help="write the claims of a database back out (JSONL or CSV, with review status)",
        description="Export the current claims of a database as JSONL (the claims.jsonl records plus review "
        "status) or CSV (one row per claim), so the database round-trips.",
    )
    p.add_argument("--db", default=DEFAULT_URL, metavar="URL")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--out", default="-", metavar="FILE", help="output file (default: stdout)")
    p.add_argument(
        "--include-retired", action="store_true", help="also export reviewed claims a re-extraction no longer produces"
    )
    p.set_defaults(func=_cmd_export)


_CORE_COMMANDS = [_add_fetch, _add_schema, _add_db]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs test to list commands)."""
    parser = argparse.ArgumentParser(prog="newsclaims", description="Turn news articles into evidence-grade claim records.")
    parser.add_argument("--version", action="version", version=f"newsclaims {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "extract",
        help="extract documents, mentions and claims into a run directory",
        description="Read .txt files (one article each), .jsonl/.jsonl.gz files (one article per line: "
        "text, id, url, title, published, source), directories of them, or '-' (JSONL on "
        "stdin), and write documents.jsonl, mentions.jsonl, claims.jsonl, errors.jsonl and "
        "manifest.json to --out. A killed run resumes with the same command. Exit status 1 "
        "when any input was recorded in errors.jsonl.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, metavar="RUN_DIR")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--shard-size", type=int, default=200, help="documents per output shard (default 200)")
    p.add_argument("--max-chars", type=int, default=2_000_000, help="longest article accepted (default 2,000,000)")
    p.add_argument("--doc-timeout", type=float, default=60.0, help="seconds one article may take (default 60; 0: none)")
    p.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="local worker processes (default) or a Dask cluster (pip install 'newsclaims[dask]')",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster on this machine)",
    )
    p.add_argument("--patterns", default=None, metavar="DIR", help="pattern pack directory (default: the bundled one)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing run of different inputs")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "evaluate",
        help="score a run against gold annotations",
        description="Precision, recall and F1 per entity label (exact span and overlap), linking "
        "accuracy, claim detection and per-slot accuracy against *.gold.json files.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--gold", required=True, metavar="DIR", help="folder with *.gold.json files (e.g. corpus/)")
    p.add_argument(
        "--events",
        default=None,
        metavar="EVENTS.jsonl",
        help="also score an events file from `newsclaims corroborate` (pairwise and B-cubed P/R/F1)",
    )
    p.add_argument(
        "--events-gold",
        default="corpus/events/events-gold.json",
        metavar="FILE",
        help="the expected grouping (default corpus/events/events-gold.json)",
    )
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=_cmd_evaluate)

    for register in [*_CORE_COMMANDS, *_stage_commands()]:
        register(sub)
    return parser


def _stage_commands() -> list[Callable[[argparse._SubParsersAction], None]]:  # type: ignore[type-arg]
    """Commands that live with their stage (imported when the parser is built, not at import)."""
    from .corroborate.cli import register as corroborate_register
    from .review.cli import register as review_register

    return [corroborate_register, review_register]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run one command; coded errors become one-line messages, never tracebacks."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except NewsclaimsError as err:
        print(f"newsclaims: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsclaims: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
