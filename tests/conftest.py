"""Shared fixtures: one pipeline per test session, the corpus extracted once."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED_DIR = ROOT.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp.build import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def seed_text() -> str:
    files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.exists() else []
    if not files:
        pytest.skip("../shared/seed/ is not here (a fresh clone): seed checks run in CI")
    return files[0].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> Path:
    """The bundled corpus (and the seed article when present) extracted once."""
    from pipeline.batch.runner import ExtractOptions, run_extract

    out = tmp_path_factory.mktemp("corpus_run")
    inputs = [str(CORPUS)]
    if SEED_DIR.exists():
        inputs.append(str(SEED_DIR))
    run_extract(inputs, out, options=ExtractOptions(progress=False))
    return out


def ents(nlp, text: str) -> list[tuple[str, str, str]]:
    """(label, text, canonical id) of every mention in `text`."""
    doc = nlp(text)
    return [(e.label_, e.text, e.kb_id_) for e in doc.ents]
