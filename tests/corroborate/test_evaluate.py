"""Scoring events against a gold grouping, and the quality gate on the event corpus."""

from __future__ import annotations

import itertools
import json
import random

import pytest

from pipeline.corroborate import evaluate_events
from pipeline.corroborate.evaluate import bcubed_scores, pairwise_scores
from pipeline.errors import NewsclaimsError
from tests.corroborate.gate import BASELINE, GOLD, measure

TOLERANCE = 1e-9


def test_gate_event_scores_do_not_drop(events_run):
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    current = measure(events_run)
    assert current["corpus_sha256"] == pinned["corpus_sha256"], (
        "corpus/events changed: re-measure with `python -m tests.corroborate.update_baseline` and commit the new "
        "baseline (say why if a score drops)"
    )
    drops = {k: (v, current["scores"].get(k)) for k, v in pinned["scores"].items() if current["scores"][k] < v - TOLERANCE}
    assert not drops, f"scores dropped (pinned, now): {drops}"


def test_gate_floor_is_meaningful():
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))["scores"]
    assert pinned["pairwise.f1"] >= 0.9 and pinned["bcubed.f1"] >= 0.9


def test_evaluate_reports_scores_and_expectations(events_file):
    result = evaluate_events(events_file, GOLD)
    assert result["gold_claims"] == result["matched_claims"] > 20 and not result["unmatched_selectors"]
    assert result["expectations"]["checked"] >= 10 and not result["expectations"]["failures"]
    assert set(result["pairwise"]) >= {"precision", "recall", "f1", "tp", "fp", "fn"}


def _brute_pairwise(gold, pred):
    tp = fp = fn = 0
    for x, y in itertools.combinations(sorted(gold), 2):
        same_gold, same_pred = gold[x] == gold[y], pred[x] == pred[y]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    return tp, fp, fn


@pytest.mark.parametrize("seed", range(5))
def test_evaluate_pairwise_counts_match_brute_force(seed):
    rng = random.Random(seed)
    items = [f"c{i}" for i in range(60)]
    gold = {i: f"g{rng.randrange(12)}" for i in items}
    pred = {i: f"p{rng.randrange(15)}" for i in items}
    s = pairwise_scores(gold, pred)
    assert (s["tp"], s["fp"], s["fn"]) == _brute_pairwise(gold, pred)


def test_evaluate_perfect_and_degenerate_groupings():
    gold = {"a": "1", "b": "1", "c": "2"}
    assert pairwise_scores(gold, gold)["f1"] == bcubed_scores(gold, gold)["f1"] == 1.0
    merged = {"a": "x", "b": "x", "c": "x"}
    assert pairwise_scores(gold, merged)["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert bcubed_scores(gold, merged) == {"precision": pytest.approx(0.5556, abs=1e-4), "recall": 1.0, "f1": 0.7143}
    split = {"a": "x", "b": "y", "c": "z"}
    assert pairwise_scores(gold, split)["recall"] == 0.0


def _write(path, obj):
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_evaluate_missed_claim_costs_recall(events_file, tmp_path):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    gold["events"][0]["claims"].append({"doc_id": "ev-001", "sentence": "a sentence that is not there"})
    result = evaluate_events(events_file, _write(tmp_path / "g.json", gold))
    assert result["unmatched_selectors"] and result["pairwise"]["recall"] < 1.0


@pytest.mark.parametrize(
    ("gold", "code"),
    [
        ({"events": [{"id": "x", "claims": [{"doc_id": "ev-001", "sentence": "trucks"}]}]}, "E407"),
        ({"events": [{"id": "x", "claims": []}]}, "E406"),
        ({"groups": []}, "E406"),
        (
            {
                "events": [
                    {"id": "x", "claims": [{"doc_id": "ev-007", "sentence": "Over 100"}]},
                    {"id": "y", "claims": [{"doc_id": "ev-007", "sentence": "Over 100 Chinese"}]},
                ]
            },
            "E406",
        ),  # fmt: skip
    ],
)
def test_evaluate_bad_gold_is_a_coded_error(events_file, tmp_path, gold, code):
    with pytest.raises(NewsclaimsError) as err:
        evaluate_events(events_file, _write(tmp_path / "g.json", gold))
    assert err.value.code == code


def test_evaluate_missing_events_file(tmp_path):
    with pytest.raises(NewsclaimsError) as err:
        evaluate_events(tmp_path / "none.jsonl", GOLD)
    assert err.value.code == "E405"
