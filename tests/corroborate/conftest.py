"""Fixtures of the corroboration tests: the event corpus extracted once, and grouped once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.corroborate.gate import ARTICLES


@pytest.fixture(scope="session")
def events_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/events/articles.jsonl extracted into a run directory."""
    from pipeline.batch.runner import ExtractOptions, run_extract

    out = tmp_path_factory.mktemp("events_run")
    run_extract([str(ARTICLES)], out, options=ExtractOptions(progress=False))
    return out


@pytest.fixture(scope="session")
def events_file(events_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The events of the event corpus, grouped with the default options."""
    from pipeline.corroborate import CorroborationConfig, corroborate_runs

    out = tmp_path_factory.mktemp("events") / "events.jsonl"
    corroborate_runs([events_run], out, config=CorroborationConfig())
    return out


@pytest.fixture(scope="session")
def events(events_file: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines()]


def event_of(events: list[dict[str, Any]], doc_id: str, sentence: str) -> dict[str, Any]:
    """The one event holding the claim of `doc_id` whose sentence contains `sentence`."""
    hits = [e for e in events for c in e["claims"] if c["doc_id"] == doc_id and sentence in c["sentence"]]
    assert len(hits) == 1, f"{doc_id} {sentence!r}: {len(hits)} claims"
    return hits[0]
