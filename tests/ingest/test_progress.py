"""The fetch progress display: a bar on a terminal, plain lines in logs."""

from __future__ import annotations

import io

from pipeline.ingest.progress import Progress


def test_progress_draws_a_bar_with_status_counts_on_a_terminal():
    stream = io.StringIO()
    bar = Progress(4, stream=stream, bar=True)
    bar.update("ok", "https://a.example/1")
    bar.update("robots", "https://a.example/2")
    bar.close()
    frames = stream.getvalue().split("\r")
    assert frames[-1].startswith("fetch [" + "#" * 14 + "." * 14 + "] 2/4  ok 1  robots 1")
    assert stream.getvalue().endswith("\n") and "https://" not in stream.getvalue()


def test_progress_writes_plain_lines_for_logs_and_nothing_when_disabled():
    stream = io.StringIO()
    lines = Progress(2, stream=stream, bar=False)
    lines.update("timeout", "https://a.example/1")
    assert stream.getvalue() == "fetch 1/2 timeout https://a.example/1\n"
    quiet = io.StringIO()
    Progress(2, stream=quiet, enabled=False).update("ok", "x")
    assert quiet.getvalue() == ""
