"""Databases: load run directories into SQLite or PostgreSQL, idempotently, and export claims back out.

    report = load_runs(["runs/corpus"], "sqlite:///newsclaims.db")
    export_claims("sqlite:///newsclaims.db", "claims.csv", "csv")

The CLI commands `newsclaims load` and `newsclaims export` are thin wrappers over these two functions.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ...errors import NewsclaimsError
from .base import Database
from .export import FORMATS, write_claims
from .loader import Progress, RunLoad, TableCounts, load_run
from .migrations import SCHEMA_VERSION, migrate, schema_version
from .runs import Quarantined
from .urls import DEFAULT_URL, mask_url, parse_url

__all__ = [
    "DEFAULT_URL",
    "FORMATS",
    "SCHEMA_VERSION",
    "Database",
    "LoadReport",
    "Quarantined",
    "RunLoad",
    "TableCounts",
    "connect",
    "export_claims",
    "load_runs",
    "mask_url",
]


@dataclass(frozen=True)
class LoadReport:
    """What `load_runs` did: one `RunLoad` per run directory, in the order given."""

    db_url: str  # password masked
    schema_version: int
    runs: tuple[RunLoad, ...]

    def totals(self) -> tuple[TableCounts, ...]:
        """Counts per table, summed over the runs."""
        sums: dict[str, list[int]] = {}
        for run in self.runs:
            for c in run.counts:
                row = sums.setdefault(c.table, [0] * 6)
                for i, n in enumerate((c.staged, c.inserted, c.updated, c.unchanged, c.deleted, c.retired)):
                    row[i] += n
        return tuple(TableCounts(table, *numbers) for table, numbers in sums.items())

    @property
    def quarantined(self) -> tuple[Quarantined, ...]:
        """Record lines not loaded, over all runs."""
        return tuple(q for run in self.runs for q in run.quarantined)


def connect(db_url: str = DEFAULT_URL, *, create: bool = True, upgrade: bool = True) -> Database:
    """Open a newsclaims database and bring its schema up to date (E301-E305 on failure).

    `create=False` refuses a SQLite file that does not exist yet; `upgrade=False` leaves the schema alone.
    """
    url = parse_url(db_url)
    if url.dialect == "sqlite":
        from .sqlite import open_sqlite

        db: Database = open_sqlite(url, create=create)
    else:
        from .postgres import open_postgres

        db = open_postgres(url)
    try:
        if upgrade:
            migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def load_runs(
    run_dirs: Sequence[str | Path],
    db_url: str = DEFAULT_URL,
    *,
    validate: bool = True,
    progress: Progress | None = None,
    skip_unchanged: bool = True,
) -> LoadReport:
    """Load run directories in order, one transaction each; stop at the first that fails (E308).

    Runs loaded before a failure stay loaded. Invalid record lines do not fail a run: they are reported in
    `RunLoad.quarantined` and in the `load_quarantine` table, and the rest loads. `progress(file, lines)` is
    called every 10,000 lines and at the end of each file. Documents whose record lines are exactly as last
    loaded are not staged again (their rows count as unchanged) unless `skip_unchanged` is False.
    """
    with connect(db_url) as db:
        runs = tuple(
            load_run(db, run_dir, validate=validate, progress=progress, skip_unchanged=skip_unchanged) for run_dir in run_dirs
        )
        return LoadReport(db.url, schema_version(db), runs)


def export_claims(
    db_url: str,
    out: str | Path | IO[str],
    fmt: str = "jsonl",
    *,
    include_retired: bool = False,
) -> int:
    """Write the database's claims to `out` (a path, '-' for stdout, or a text stream); return the count.

    `fmt` is "jsonl" (the records as loaded, plus `review` once a claim has review decisions) or "csv" (one
    flat row per claim with its review status). Retired claims (reviewed, then dropped by a re-extraction)
    are left out unless `include_retired`.
    """
    if fmt not in FORMATS:
        raise NewsclaimsError("E309", fmt=fmt)
    with connect(db_url, create=False, upgrade=False) as db:
        found = schema_version(db)
        if found == 0:
            raise NewsclaimsError("E318", url=db.url)
        if found < SCHEMA_VERSION:
            migrate(db)
        elif found > SCHEMA_VERSION:
            raise NewsclaimsError("E304", url=db.url, found=found, supported=SCHEMA_VERSION)
        if not isinstance(out, str | Path):
            return write_claims(db, out, fmt, include_retired=include_retired)
        if str(out) == "-":
            return write_claims(db, sys.stdout, fmt, include_retired=include_retired)
        try:
            with open(out, "w", encoding="utf-8", newline="") as stream:
                return write_claims(db, stream, fmt, include_retired=include_retired)
        except OSError as err:
            raise NewsclaimsError("E310", path=str(out), detail=err.strerror or str(err)) from err
