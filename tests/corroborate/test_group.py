"""Grouping on the event corpus: one smuggling run across outlets, similar runs kept apart, decisions explained."""

from __future__ import annotations

import json
import shutil

from pipeline.corroborate import CorroborationConfig, corroborate_runs
from pipeline.corroborate.features import claim_features
from pipeline.corroborate.group import group_claims
from tests.corroborate.claims import claim
from tests.corroborate.conftest import event_of

RUN = ("ev-001", "Over 100 Chinese-made trucks were smuggled")


def test_group_same_run_from_three_outlets_is_one_event(events):
    event = event_of(events, *RUN)
    assert event["doc_ids"] == ["ev-001", "ev-002", "ev-003", "ev-004"]
    assert (event["claim_count"], event["article_count"], event["source_count"]) == (5, 4, 3)
    assert event["source_names"] == ["Border Monitor", "NK Trade Watch", "Yalu Observer"]
    assert event is event_of(events, "ev-004", "About 120 trucks were smuggled into Kimjongsuk")


def test_group_conflicting_figures_kept_side_by_side(events):
    figures = {f["text"].lower(): f for f in event_of(events, *RUN)["figures"]}
    assert set(figures) == {"over 100", "about 120"}  # nothing averaged into a new number
    over, about = figures["over 100"], figures["about 120"]
    assert (over["lower"], over["lower_inclusive"], over["value"]) == (100, False, None)
    assert over["sources"] == ["Border Monitor"] and over["article_count"] == 3
    assert about["sources"] == ["NK Trade Watch", "Yalu Observer"] and about["value"] == 120
    assert event_of(events, *RUN)["figures_agree"] is True


def test_group_merged_fields_of_the_event(events):
    event = event_of(events, *RUN)
    assert event["place"] == {"id": "KP-10-kimjongsuk", "name": "Kimjongsuk County", "claim_count": 5}
    assert event["time"]["intersection"] == {"from": "2025-04-01", "to": "2025-04-30"}
    assert event["time"]["basis"] == "stated" and event["item_classes"] == ["truck"]
    assert "KP-10-kimjongsuk" in event["place_ids"] and "CN-changbai" in event["place_ids"]


def test_group_links_say_which_fields_matched(events):
    links = event_of(events, *RUN)["links"]
    assert len(links) == 4  # a spanning tree of five claims
    assert {lk["reason"] for lk in links} == {"fields", "republication"}
    for lk in links:
        if lk["reason"] == "fields":
            assert set(lk["fields"]) == {"place", "time", "items", "quantity"}
            assert lk["fields"]["place"] == {"status": "equal", "score": 1.0, "detail": "KP-10-kimjongsuk"}
            assert lk["score"] >= CorroborationConfig().threshold


def test_group_other_county_stays_separate(events):
    other = event_of(events, "ev-005", "More than 90 Chinese trucks")
    assert other is not event_of(events, *RUN)
    assert other["doc_ids"] == ["ev-005", "ev-006", "ev-011"] and other["place"]["id"] == "KP-10-pochon"


def test_group_other_month_stays_separate(events):
    february = event_of(events, "ev-007", "Over 100 Chinese trucks were smuggled into Kimjongsuk County in February")
    assert february["claim_count"] == 1 and february["time"]["union"] == {"from": "2025-02-01", "to": "2025-02-28"}


def test_group_other_items_stay_separate(events):
    assert event_of(events, "ev-008", "About 20 Chinese excavators")["claim_count"] == 1


def test_group_vague_claim_fitting_several_events_joins_none(events):
    event = event_of(events, "ev-012", "recently brought more than 100 Chinese trucks")
    assert event["claim_count"] == 1
    assert event["claims"][0]["not_grouped_because"].startswith("ambiguous: fits")


def test_group_republished_detail_is_one_claim_in_two_articles(events):
    event = event_of(events, "ev-001", "in convoys of five or six")
    assert event["doc_ids"] == ["ev-001", "ev-002"] and (event["source_count"], event["article_count"]) == (1, 2)
    assert [lk["reason"] for lk in event["links"]] == ["republication"]


def test_group_event_ids_stable_and_sorted(events):
    ids = [e["event_id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i.startswith("e") and len(i) == 17 for i in ids)


def test_group_every_claim_in_exactly_one_event(events, events_run):
    claims = [json.loads(line)["claim_id"] for line in (events_run / "claims.jsonl").read_text().splitlines()]
    grouped = [cid for e in events for cid in e["claim_ids"]]
    assert sorted(grouped) == sorted(claims)


def test_group_rerun_is_byte_identical(events_run, events_file, tmp_path):
    again = tmp_path / "again.jsonl"
    corroborate_runs([events_run], again, config=CorroborationConfig())
    assert again.read_bytes() == events_file.read_bytes()


def test_group_output_does_not_depend_on_run_order(events_run, tmp_path):
    """The same claims split over two runs, given in either order, give the same file."""
    runs = [tmp_path / "a", tmp_path / "b"]
    for run in runs:
        run.mkdir()
        shutil.copy(events_run / "documents.jsonl", run / "documents.jsonl")
    lines = (events_run / "claims.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    runs[0].joinpath("claims.jsonl").write_text("".join(lines[::2]), encoding="utf-8")
    runs[1].joinpath("claims.jsonl").write_text("".join(lines[1::2]), encoding="utf-8")
    one, two, whole = tmp_path / "1.jsonl", tmp_path / "2.jsonl", tmp_path / "w.jsonl"
    corroborate_runs(runs, one, config=CorroborationConfig())
    corroborate_runs(runs[::-1], two, config=CorroborationConfig())
    corroborate_runs([events_run], whole, config=CorroborationConfig())
    assert one.read_bytes() == two.read_bytes() == whole.read_bytes()


def test_group_same_run_twice_counts_each_claim_once(events_run, events_file, tmp_path):
    out = tmp_path / "twice.jsonl"
    summary = corroborate_runs([events_run, events_run], out, config=CorroborationConfig())
    assert summary.duplicate_claims == summary.claims and out.read_bytes() == events_file.read_bytes()


def test_group_threshold_is_configurable(events_run, tmp_path):
    out = tmp_path / "strict.jsonl"
    corroborate_runs([events_run], out, config=CorroborationConfig(threshold=0.99))
    strict = [json.loads(line) for line in out.read_text().splitlines()]
    # Only identical fields (and republished sentences) still link: "over 100" and "about 120" no longer do.
    event = event_of(strict, *RUN)
    assert {f["text"].lower() for f in event["figures"]} == {"over 100"}


def _features(*claims):
    return [claim_features(i, c, "2025-05-01", CorroborationConfig()) for i, c in enumerate(claims)]


def test_group_never_joins_two_claims_that_conflict():
    """A province-level claim that fits two counties joins the better one; the other county stays apart."""
    feats = _features(
        claim("a", places=("kimjongsuk",)),
        claim("b", places=("KP-10",), figure="over 100"),
        claim("c", places=("kimhyongjik",), figure="60", when=("2025-04-10", "2025-04-20")),
    )
    grouping = group_claims(feats, CorroborationConfig(ambiguity_margin=0.0))
    assert grouping.groups == ((0, 1), (2,))
    assert grouping.rejected_merges == 1


def test_group_ambiguous_claim_is_left_alone():
    feats = _features(claim("a", places=("kimjongsuk",)), claim("b", places=("KP-10",)), claim("c", places=("kimhyongjik",)))
    grouping = group_claims(feats, CorroborationConfig())
    assert grouping.groups == ((0,), (1,), (2,)) and set(grouping.ambiguous) == {1}


def test_group_republished_copies_join_without_place_or_time():
    feats = _features(claim("a", places=(), when=None), claim("b", doc_id="d2", places=(), when=None))
    assert group_claims(feats, CorroborationConfig()).groups == ((0,), (1,))
    assert group_claims(feats, CorroborationConfig(), copies=[[0, 1]]).groups == ((0, 1),)


def test_group_min_claims_filters_the_file(events_run, tmp_path):
    out = tmp_path / "multi.jsonl"
    summary = corroborate_runs([events_run], out, config=CorroborationConfig(), min_claims=2)
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary.events_written == len(written) == summary.multi_claim_events < summary.events
    assert all(e["claim_count"] >= 2 for e in written)


def test_group_pairs_file_explains_every_comparison(events_run, tmp_path):
    out, pairs = tmp_path / "e.jsonl", tmp_path / "pairs.jsonl"
    summary = corroborate_runs([events_run], out, config=CorroborationConfig(), pairs_out=pairs)
    rows = [json.loads(line) for line in pairs.read_text().splitlines()]
    assert len(rows) == summary.comparisons
    # Blocking already keeps other months and other goods apart; the two counties meet in the Changbai block.
    assert {r["conflict"] for r in rows} == {None, "place"}
    assert all(r["fields"] and (r["linked"] == (r["conflict"] is None and r["score"] >= 0.6)) for r in rows)


def test_group_events_file_is_flat_for_loading(events):
    flat = ("event_id", "claim_type", "claim_count", "article_count", "source_count", "claim_ids", "doc_ids", "source_names")
    for e in events:
        assert all(k in e for k in flat)
        assert all(isinstance(c["claim_id"], str) and isinstance(c["doc_id"], str) for c in e["claims"])
