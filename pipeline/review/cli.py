"""`newsclaims review`: serve the review page; `review export` and `review stats` work on its decisions.

    newsclaims review RUN_DIR|--db URL [--events FILE] [--reviewer NAME] [--host HOST] [--port P]
    newsclaims review export --out FILE [--db URL] [--reviewer NAME]
    newsclaims review stats [--db URL] [--json]

argparse cannot put an optional RUN_DIR next to sub-commands, so `review` takes the rest of the command
line and dispatches on its first word.
"""

from __future__ import annotations

import argparse
import getpass
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import NewsclaimsError

DEFAULT_PORT = 8765
ACTIONS = ("export", "stats")
_USAGE = """newsclaims review RUN_DIR|--db URL [--events FILE] [--reviewer NAME] [--host HOST] [--port P]
       newsclaims review export --out FILE [--db URL] [--reviewer NAME]
       newsclaims review stats [--db URL] [--json]"""
_DESCRIPTION = (
    "Review claims in a local web page: accept (a), reject (x), skip (space), correct (e), flag (f), undo (u), "
    "next/previous (j/k); ? shows the keys. With RUN_DIR the run is first loaded (idempotently) into --db "
    "(default sqlite:///newsclaims.db), with the events of RUN_DIR/events.jsonl (from 'newsclaims corroborate') "
    "when it is there, shown side by side in the page's Events view (key v); with --db alone the page serves what "
    "the database holds. Decisions are "
    "append-only rows in review_decisions. 'review export --out FILE' writes the accepted and corrected claims "
    "as JSONL; 'review stats' prints progress per reviewer and Cohen's kappa between reviewers."
)


def _default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "reviewer"


def _db_option(p: argparse.ArgumentParser, default: str | None) -> None:
    p.add_argument("--db", default=default, metavar="URL", help="database URL (default sqlite:///newsclaims.db)")


def _serve_options(p: argparse.ArgumentParser, *, defaults: bool) -> None:
    keep = (lambda value: value) if defaults else (lambda value: argparse.SUPPRESS)
    _db_option(p, keep(None))
    p.add_argument(
        "--events",
        default=keep(None),
        metavar="FILE",
        help="load this events file of 'newsclaims corroborate' too, replacing the database's events "
        "(default: RUN_DIR/events.jsonl if present)",
    )
    p.add_argument("--reviewer", default=keep(None), metavar="NAME", help="your name on each decision (default: the login name)")
    p.add_argument(
        "--host",
        default=keep("127.0.0.1"),
        help="address to listen on (default 127.0.0.1, this machine only; any other prints a warning)",
    )
    p.add_argument("--port", type=int, default=keep(DEFAULT_PORT), help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--verbose", action="store_true", default=keep(False), help="log every request to stderr")


def _sub_parser(action: str) -> argparse.ArgumentParser:
    if action == "export":
        p = argparse.ArgumentParser(
            prog="newsclaims review export",
            description="Write the reviewed claims (accepted or corrected by at least one reviewer and rejected by none) "
            "as JSONL, corrections applied, each with a 'review' object: status, corrected fields, original values "
            "and every decision on the claim.",
        )
        p.add_argument("--out", required=True, metavar="FILE", help="output file ('-' for stdout)")
        _db_option(p, argparse.SUPPRESS)
        p.add_argument("--reviewer", default=argparse.SUPPRESS, metavar="NAME", help="count only this reviewer's decisions")
        return p
    p = argparse.ArgumentParser(
        prog="newsclaims review stats",
        description="Progress per reviewer, and for each pair of reviewers who judged the same claims their "
        "agreement and Cohen's kappa.",
    )
    _db_option(p, argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    return p


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `review` command to the newsclaims command line."""
    p = sub.add_parser(
        "review", help="review claims in a local web page; export and stats", usage=_USAGE, description=_DESCRIPTION
    )
    _serve_options(p, defaults=True)
    p.add_argument("rest", nargs=argparse.REMAINDER, metavar="RUN_DIR | export ... | stats ...")
    p.set_defaults(func=run_review_command)


def run_review_command(args: argparse.Namespace) -> int:
    """Dispatch `review`, `review export` and `review stats` (the rest of the line is parsed here)."""
    rest: Sequence[str] = args.rest
    if rest and rest[0] in ACTIONS:
        namespace = argparse.Namespace(db=args.db)
        if args.reviewer is not None:
            namespace.reviewer = args.reviewer
        _sub_parser(rest[0]).parse_args(rest[1:], namespace)
        return _cmd_export(namespace) if rest[0] == "export" else _cmd_stats(namespace)
    p = argparse.ArgumentParser(prog="newsclaims review", usage=_USAGE)
    p.add_argument("run_dir", nargs="?", metavar="RUN_DIR")
    _serve_options(p, defaults=False)
    p.parse_args(rest, args)
    return _cmd_serve(args)


def host_warning(host: str, port: int, reviewer: str) -> str | None:
    """The warning printed when the page is served beyond this machine (None on loopback)."""
    from .server import is_loopback

    if is_loopback(host):
        return None
    return (
        f"warning: listening on {host}: anyone who can reach this machine on port {port} can read the claims "
        f"and record decisions as {reviewer!r}. There is no login; use this only on a network you trust."
    )


def events_to_load(run_dir: str | None, events: str | None) -> Path | None:
    """The events file `review` loads: --events if given, else RUN_DIR/events.jsonl when it exists."""
    if events is not None:
        return Path(events)
    if run_dir is not None and (Path(run_dir) / "events.jsonl").is_file():
        return Path(run_dir) / "events.jsonl"
    return None


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _cmd_serve(args: argparse.Namespace) -> int:
    from ..output.db import DEFAULT_URL, connect, load_runs
    from .server import make_server
    from .store import check_reviewer

    if args.run_dir is None and args.db is None:
        raise NewsclaimsError("E501")
    db_url = args.db or DEFAULT_URL
    reviewer = check_reviewer(args.reviewer or _default_reviewer())
    if args.run_dir is not None:
        report = load_runs([args.run_dir], db_url)
        run = report.runs[0]
        claims = run.count("claims")
        note = f"; {len(run.quarantined)} record lines not loaded (see the load_quarantine table)" if run.quarantined else ""
        print(f"Loaded {args.run_dir} into {report.db_url}: {claims.staged} claims, {claims.inserted} new{note}")
    events_file = events_to_load(args.run_dir, args.events)
    if events_file is not None:
        from ..output.db.events import load_events

        print(f"Loaded {load_events(events_file, db_url)} events from {events_file} (they replace the events the database held)")
    with connect(db_url, create=args.run_dir is not None) as db:
        if not db.scalar("SELECT COUNT(*) FROM claims WHERE is_current"):
            raise NewsclaimsError("E511", url=db.url)
    server = make_server(db_url, reviewer=reviewer, host=args.host, port=args.port, quiet=not args.verbose)
    warning = host_warning(args.host, server.server_address[1], reviewer)
    if warning:
        print(warning, file=sys.stderr)
    print(f"Reviewing as {reviewer} at {server.url} ({server.app.db_label}). Press Ctrl+C to stop.", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl+C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped. Every acknowledged decision is in the database.")
    finally:
        server.server_close()
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from ..output.db import DEFAULT_URL
    from .export import export_reviewed

    summary = export_reviewed(args.db or DEFAULT_URL, args.out, reviewer=getattr(args, "reviewer", None))
    left = (
        f"; left out: {summary.rejected} rejected, {summary.conflicts} where reviewers disagree"
        if summary.rejected or summary.conflicts
        else ""
    )
    target = "stdout" if args.out == "-" else args.out
    print(
        f"Wrote {summary.written} reviewed claims ({summary.accepted} accepted, {summary.corrected} corrected) to {target}{left}",
        file=sys.stderr if args.out == "-" else sys.stdout,
    )
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from ..output.db import DEFAULT_URL
    from .stats import format_stats, review_stats

    stats = review_stats(args.db or DEFAULT_URL)
    print(json.dumps(stats.to_dict(), indent=2, sort_keys=True) if args.json else format_stats(stats))
    return 0
