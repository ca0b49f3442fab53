"""End to end on the bundled corpus: extract, validate every record, load into SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.output.db import load_runs
from pipeline.output.db.queries import EXAMPLES, run_query
from pipeline.output.schemas import validate


def test_corpus_run_records_validate_against_the_schemas(corpus_run: Path):
    checked = 0
    for kind in ("documents", "mentions", "claims", "errors"):
        for lineno, line in enumerate((corpus_run / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            problems = validate(kind, json.loads(line))
            assert not problems, f"{kind}.jsonl line {lineno}: {problems}"
            checked += 1
    assert checked > 500


@pytest.mark.postgres
def test_corpus_same_answers_in_sqlite_and_postgresql(corpus_run: Path, sqlite_url: str, pg_url: str):
    answers = {}
    for url in (sqlite_url, pg_url):
        first = load_runs([corpus_run], url)
        assert not first.quarantined, first.quarantined[:3]
        again = load_runs([corpus_run], url)
        changed = {
            c.table: (c.inserted, c.updated, c.deleted) for c in again.totals() if (c.inserted, c.updated, c.deleted) != (0, 0, 0)
        }
        assert not changed, f"loading the same run twice changed rows: {changed}"
        answers[url] = {
            name: run_query(url, sql, limit=1000)[1] for name, (_, sql) in EXAMPLES.items() if name != "load_history"
        }  # load times differ by nature
    sqlite_answers, pg_answers = answers[sqlite_url], answers[pg_url]
    for name in sqlite_answers:
        norm = [tuple(str(v) if v is not None else None for v in row) for row in sqlite_answers[name]]
        assert norm == [tuple(str(v) if v is not None else None for v in row) for row in pg_answers[name]], name
    # The join analysts ask for first: trucks in Ryanggang Province since 2024 (the corpus has such claims).
    trucks = sqlite_answers["trucks_in_ryanggang_since_2024"]
    assert trucks and all(row[1] >= "2024-01-01" for row in trucks)
