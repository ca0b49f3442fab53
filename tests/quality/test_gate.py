"""Quality gate: scores on the gold corpus must not drop below the pinned baseline."""

from __future__ import annotations

import json

import pytest

from tests.quality.gate import BASELINE, SEED_DIR, measure

TOLERANCE = 1e-9


def _check(name: str, current: dict, pinned: dict) -> None:
    assert current["corpus_sha256"] == pinned["corpus_sha256"], (
        f"the {name} corpus or its gold changed: re-measure with `python -m tests.quality.update_baseline` "
        "and commit the new baseline (say why if any score drops)"
    )
    drops = {
        k: (v, current["scores"].get(k))
        for k, v in pinned["scores"].items()
        if current["scores"].get(k) is None or current["scores"][k] < v - TOLERANCE
    }
    assert not drops, f"{name}: scores dropped (pinned, now): {drops}"


def test_gate_corpus_scores_do_not_drop():
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    _check("corpus", measure(False), pinned["corpus"])


def test_gate_seed_scores_do_not_drop():
    if not SEED_DIR.exists():
        pytest.skip("../shared/seed/ is not here (a fresh clone): the seed gate runs in CI")
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    _check("seed", measure(True), pinned["seed"])


def test_gate_floor_is_meaningful():
    """The pinned floors are real scores, not zeros that nothing can fall below."""
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))["corpus"]["scores"]
    assert pinned["entities.ALL.exact_f1"] >= 0.7
    assert pinned["claims.detection_f1"] >= 0.5
