"""The `newsclaims corroborate` command: a summary table, coded one-line errors, options that reach the config."""

from __future__ import annotations

import json

import pytest

import pipeline.cli
from tests.corroborate.gate import GOLD


@pytest.fixture()
def cli():
    """`newsclaims` as users run it (the corroborate command is registered by pipeline/cli.py)."""
    assert "corroborate" in pipeline.cli.build_parser().format_help()
    return pipeline.cli.main


def test_cli_corroborate_prints_summary_and_scores(cli, events_run, tmp_path, capsys):
    out = tmp_path / "events.jsonl"
    assert cli(["corroborate", str(events_run), "--out", str(out), "--gold", str(GOLD)]) == 0
    printed = capsys.readouterr().out
    assert "near-duplicate documents" in printed and "pairwise   P 1.0000" in printed
    assert out.read_text(encoding="utf-8").count("\n") > 10


def test_cli_corroborate_json_summary(cli, events_run, tmp_path, capsys):
    assert cli(["corroborate", str(events_run), "--out", str(tmp_path / "e.jsonl"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["near_duplicate_documents"] == 1 and summary["multi_source_events"] == 2


def test_cli_corroborate_options_reach_the_config(cli, events_run, tmp_path, capsys):
    base = ["corroborate", str(events_run), "--out", str(tmp_path / "e.jsonl"), "--json"]
    assert cli(base) == 0
    default = json.loads(capsys.readouterr().out)["summary"]
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"threshold": 0.99, "type_groups": [["smuggling", "trade"]]}), encoding="utf-8")
    assert cli([*base, "--config", str(config), "--max-block-months", "1"]) == 0
    strict = json.loads(capsys.readouterr().out)["summary"]
    assert strict["events"] > default["events"]  # "over 100" and "about 120" no longer link at 0.99
    assert strict["unblocked_claims"] > default["unblocked_claims"]  # undated windows now span two months


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--threshold", "1.5"], "E401"),
        (["--max-block-months", "0"], "E401"),
        (["--config", "{missing}"], "E402"),
        (["--config", "{bad}"], "E402"),
        (["--config", "{unknown}"], "E403"),
    ],
)
def test_cli_corroborate_bad_options_are_coded_errors(cli, events_run, tmp_path, capsys, args, code):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "unknown.json").write_text('{"treshold": 0.5}', encoding="utf-8")
    files = {"{missing}": "none.json", "{bad}": "bad.json", "{unknown}": "unknown.json"}
    args = [str(tmp_path / files[a]) if a in files else a for a in args]
    assert cli(["corroborate", str(events_run), "--out", str(tmp_path / "e.jsonl"), *args]) == 2
    err = capsys.readouterr().err
    assert f"[{code}]" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_corroborate_missing_run_files(cli, tmp_path, capsys):
    assert cli(["corroborate", str(tmp_path), "--out", str(tmp_path / "e.jsonl")]) == 2
    assert "[E007]" in capsys.readouterr().err


def test_cli_corroborate_bad_claim_line(cli, events_run, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "documents.jsonl").write_bytes((events_run / "documents.jsonl").read_bytes())
    (run / "claims.jsonl").write_text('{"claim_id": "c1", "doc_id": "ev-001", "claim_type": "smuggling"}\n[1, 2]\n')
    assert cli(["corroborate", str(run), "--out", str(tmp_path / "e.jsonl")]) == 2
    assert "[E404]" in (err := capsys.readouterr().err) and "line 2" in err


def test_cli_corroborate_output_is_a_directory(cli, events_run, tmp_path, capsys):
    assert cli(["corroborate", str(events_run), "--out", str(tmp_path)]) == 2
    assert "[E408]" in capsys.readouterr().err


def test_cli_corroborate_help(cli, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli(["corroborate", "--help"])
    assert exit_.value.code == 0 and "usage: newsclaims corroborate" in capsys.readouterr().out
