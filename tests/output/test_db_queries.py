"""The example queries: documented verbatim, and answering on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.output.db import load_runs
from pipeline.output.db.queries import EXAMPLES, format_table, main, run_query

DOCS = Path(__file__).resolve().parents[2] / "docs" / "databases.md"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_example_query_is_in_the_docs_verbatim(name: str) -> None:
    title, sql = EXAMPLES[name]
    docs = DOCS.read_text(encoding="utf-8")
    assert f"```sql\n{sql}\n```" in docs
    assert f"(`{name}`)" in docs


def test_example_queries_run_on_both_databases(db_url: str, small_run: Path) -> None:
    load_runs([small_run], db_url)
    answered = {name: run_query(db_url, sql)[1] for name, (_, sql) in EXAMPLES.items()}
    empty = {name for name, rows in answered.items() if not rows}
    assert empty == {"review_progress"}  # nobody has reviewed the corpus yet
    county, month, claims = answered["claims_per_county_month"][0]
    assert (county, month, claims) == ("Hyesan", "2025-04", 1)


def test_queries_command_prints_claims_per_county_and_month(
    sqlite_url: str, small_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_runs([small_run], sqlite_url)
    assert main([sqlite_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Claims per county and month:\ncounty")
    assert "Kimjongsuk County  2025-04" in out


def test_queries_command_reports_errors_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([f"sqlite:///{tmp_path}/missing.db"]) == 1
    assert "[E303]" in capsys.readouterr().err
    assert main([f"sqlite:///{tmp_path}/missing.db", "no_such_query"]) == 2


def test_format_table_aligns_columns() -> None:
    assert format_table(["a", "bb"], [(1, None), (22, "x")]).splitlines() == ["a   bb", "--  --", "1     ", "22  x "]
