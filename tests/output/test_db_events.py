"""Events from `newsclaims corroborate` in the database: the analyst's question is one query."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.batch.runner import ExtractOptions, run_extract
from pipeline.corroborate.api import corroborate_runs
from pipeline.corroborate.config import CorroborationConfig
from pipeline.output.db import connect, load_runs
from pipeline.output.db.events import load_events

EVENTS_CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "events" / "articles.jsonl"


@pytest.fixture(scope="module")
def events_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("events") / "run"
    run_extract([str(EVENTS_CORPUS)], run, options=ExtractOptions(progress=False))
    corroborate_runs([run], run / "events.jsonl", config=CorroborationConfig())
    return run


def test_db_events_answer_how_many_independent_sources(events_run: Path, db_url: str):
    load_runs([events_run], db_url)
    n = load_events(events_run / "events.jsonl", db_url)
    assert n > 5
    with connect(db_url) as db:
        rows = db.query(
            "SELECT e.claim_count, e.article_count, e.source_count FROM events AS e "
            "WHERE e.place_id = 'KP-10-kimjongsuk' AND e.time_from <= '2025-04-30' AND e.time_to >= '2025-04-01' "
            "ORDER BY e.claim_count DESC"
        )
        assert rows[0] == (5, 4, 3)  # five claims in four articles, but only three independent sources
        joined = db.scalar("SELECT COUNT(*) FROM event_claims AS ec JOIN claims AS c ON c.claim_id = ec.claim_id")
        assert joined == db.scalar("SELECT COUNT(*) FROM event_claims")  # every grouped claim is in the db
    assert load_events(events_run / "events.jsonl", db_url) == n  # a snapshot: reloading replaces, not adds
    with connect(db_url) as db:
        assert db.scalar("SELECT COUNT(*) FROM events") == n
