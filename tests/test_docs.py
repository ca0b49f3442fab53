"""The README documents every CLI command, and --help works for each."""

import subprocess
import sys
from pathlib import Path

from pipeline.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


def test_docs_every_command_in_readme():
    missing = [c for c in _commands() if f"newsclaims {c}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_docs_help_for_every_command():
    for command in _commands():
        proc = subprocess.run([sys.executable, "-m", "pipeline", command, "--help"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and "usage: newsclaims" in proc.stdout


def test_docs_readme_gives_the_two_setup_commands():
    assert "make run" in README and "make test" in README
