"""`newsclaims review`, `review export` and `review stats` from the command line."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.output.db import connect
from pipeline.review.store import record_decision


def _accept_first(db_url: str) -> str:
    with connect(db_url) as db:
        claim = db.scalar("SELECT claim_id FROM claims ORDER BY claim_id")
        record_decision(db, decision_id=str(uuid.uuid4()), claim_id=claim, reviewer="ana", decision="accept")
    return claim


def test_cli_review_export_writes_jsonl(review_db: str, tmp_path: Path, capsys) -> None:
    claim = _accept_first(review_db)
    out = tmp_path / "reviewed.jsonl"
    assert main(["review", "export", "--out", str(out), "--db", review_db]) == 0
    assert "Wrote 1 reviewed claims (1 accepted, 0 corrected)" in capsys.readouterr().out
    assert [json.loads(line)["claim_id"] for line in out.read_text().splitlines()] == [claim]


def test_cli_review_db_option_before_the_action(review_db: str, tmp_path: Path) -> None:
    _accept_first(review_db)
    out = tmp_path / "r.jsonl"
    assert main(["review", "--db", review_db, "export", "--out", str(out), "--reviewer", "nobody"]) == 0
    assert out.read_text() == ""


def test_cli_review_stats_text_and_json(review_db: str, capsys) -> None:
    _accept_first(review_db)
    assert main(["review", "stats", "--db", review_db]) == 0
    assert "1 / 5" in capsys.readouterr().out
    assert main(["review", "stats", "--db", review_db, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["reviewers"][0]["accepted"] == 1


def test_cli_review_needs_a_run_or_a_database(capsys) -> None:
    assert main(["review"]) == 2
    assert "[E501]" in capsys.readouterr().err


def test_cli_review_of_an_empty_database_says_how_to_load(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    connect(url).close()
    assert main(["review", "--db", url, "--port", "0"]) == 2
    assert "[E511]" in capsys.readouterr().err


def test_cli_review_refuses_a_bad_reviewer_name(review_db: str, capsys) -> None:
    assert main(["review", "--db", review_db, "--reviewer", "a\tb"]) == 2
    assert "[E502]" in capsys.readouterr().err


def test_cli_review_export_help(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["review", "export", "--help"])
    assert done.value.code == 0
    assert "usage: newsclaims review export" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("host", "warns"), [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True), ("192.168.1.5", True)]
)
def test_cli_review_warns_when_serving_beyond_this_machine(host: str, warns: bool) -> None:
    from pipeline.review.cli import host_warning

    warning = host_warning(host, 8765, "ana")
    assert (warning is not None) is warns
    if warning:
        assert host in warning and "no login" in warning


class _StoppedServer:
    """Stands in for the review server: 'serving' stops at once, as Ctrl+C would."""

    server_address = ("127.0.0.1", 0)
    url = "http://127.0.0.1:0/"

    def __init__(self, db_url: str) -> None:
        self.app = type("App", (), {"db_label": db_url})()

    def serve_forever(self) -> None:
        raise KeyboardInterrupt

    def server_close(self) -> None:
        pass


def test_cli_review_run_dir_loads_its_events(events_run: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    import pipeline.review.server

    monkeypatch.setattr(pipeline.review.server, "make_server", lambda url, **kw: _StoppedServer(url))
    url = f"sqlite:///{tmp_path / 'r.db'}"
    expected = len((events_run / "events.jsonl").read_text(encoding="utf-8").splitlines())
    assert main(["review", str(events_run), "--db", url, "--reviewer", "ana"]) == 0
    assert f"Loaded {expected} events from {events_run / 'events.jsonl'}" in capsys.readouterr().out
    with connect(url) as db:
        assert db.scalar("SELECT COUNT(*) FROM events") == expected
        assert db.scalar("SELECT COUNT(*) FROM event_claims AS ec JOIN claims AS c ON c.claim_id = ec.claim_id") > expected


def test_cli_review_without_events_file_loads_none(run_dir: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    import pipeline.review.server

    monkeypatch.setattr(pipeline.review.server, "make_server", lambda url, **kw: _StoppedServer(url))
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["review", str(run_dir), "--db", url, "--reviewer", "ana"]) == 0
    assert " events from " not in capsys.readouterr().out
    assert main(["review", "--db", url, "--events", str(tmp_path / "none.jsonl"), "--reviewer", "ana"]) == 2
    assert "[E405]" in capsys.readouterr().err  # an events file named but missing is an error, not a silent skip
