"""Read a run directory: its manifest and its JSONL records, validated, bad lines set aside with a reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from ...errors import NewsclaimsError
from ...types import text_sha256
from ..schemas import validate as validate_record

RECORDS_SCHEMA_VERSION = 1  # the docs/records.md version this loader reads
RUN_FILES = {"documents": "documents.jsonl", "mentions": "mentions.jsonl", "claims": "claims.jsonl"}
_MAX_SCHEMA_MESSAGES = 3
# JSON escapes that decode to characters neither database stores: NUL, and (possibly lone) surrogates.
_RISKY_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


@dataclass(frozen=True)
class Quarantined:
    """A record line that was not loaded, with where it is and why (`code` is an E3xx error code)."""

    file: str
    line: int
    kind: str
    code: str
    message: str
    doc_id: str | None = None

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunDir:
    """A run directory's record files and its manifest (None when the run has no manifest.json)."""

    path: Path
    files: dict[str, Path]
    manifest: dict[str, Any] | None


def open_run(run_dir: str | Path) -> RunDir:
    """Check a run directory has its record files and a readable manifest; E007, E306 or E307 if not."""
    path = Path(run_dir)
    files = {kind: path / name for kind, name in RUN_FILES.items()}
    for name, file in zip(RUN_FILES.values(), files.values(), strict=True):
        if not file.is_file():
            raise NewsclaimsError("E007", path=str(path), name=name)
    manifest = None
    manifest_path = path / "manifest.json"
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise NewsclaimsError("E306", path=str(path), detail=str(err)) from err
        if not isinstance(manifest, dict):
            raise NewsclaimsError("E306", path=str(path), detail="the top level is not an object")
        found = manifest.get("schema_version", RECORDS_SCHEMA_VERSION)
        if found != RECORDS_SCHEMA_VERSION:
            raise NewsclaimsError("E307", path=str(path), found=found, supported=RECORDS_SCHEMA_VERSION)
    return RunDir(path, files, manifest)


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def _quarantine(path: str, line: int, record_kind: str, code: str, doc_id: Any = None, /, **params: Any) -> Quarantined:
    err = NewsclaimsError(code, **params)
    return Quarantined(path, line, record_kind, code, err.detail, doc_id if isinstance(doc_id, str) else None)


def load_json(raw: bytes) -> tuple[Any, bool]:
    """A line's JSON value, and whether json (not orjson) read it.

    orjson reads almost every line. Lines with escapes of characters neither database stores, and lines
    orjson refuses, are read by json as before, so a bad line fails with json's message (JSONDecodeError) and
    non-standard constants (NaN) still read. The one difference: orjson reads an integer beyond 64 bits as a
    float, which neither database's integer columns could hold anyway.
    """
    if not _RISKY_ESCAPE.search(raw):
        try:
            return orjson.loads(raw), False
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw.decode("utf-8")), True


def parse_line(
    path: str, number: int, raw: bytes, kind: str, *, validate: bool = True
) -> tuple[dict[str, Any], bool] | Quarantined | None:
    """One line's record and whether json read it (`load_json`), a `Quarantined` if it cannot be loaded, or
    None if it is blank."""
    if not raw.strip():
        return None
    try:
        rec, exact = load_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:  # RecursionError: nested too deep
        return _quarantine(path, number, kind, "E311", detail=str(err))
    if not isinstance(rec, dict):
        return _quarantine(path, number, kind, "E311", detail="the line is not a JSON object")
    doc_id = rec.get("doc_id")
    if exact and _unstorable(rec):
        return _quarantine(path, number, kind, "E316", doc_id)
    if validate:
        problems = validate_record(kind, rec)
        if problems:
            more = len(problems) - _MAX_SCHEMA_MESSAGES
            detail = "; ".join(problems[:_MAX_SCHEMA_MESSAGES]) + (f"; and {more} more" if more > 0 else "")
            return _quarantine(path, number, kind, "E312", doc_id, kind=kind, detail=detail)
    return rec, exact


def read_chunks(path: Path, size: int) -> Iterator[tuple[int, list[bytes]]]:
    """The file's lines in chunks of `size`, each with the 1-based number of its first line."""
    with path.open("rb") as f:
        chunk: list[bytes] = []
        first = 1
        for number, raw in enumerate(f, start=1):
            chunk.append(raw)
            if len(chunk) == size:
                yield first, chunk
                chunk, first = [], number + 1
        if chunk:
            yield first, chunk


def document_problem(rec: dict[str, Any]) -> str | None:
    """Why a (schema-valid) document record is inconsistent, or None: the checks offsets rely on."""
    text = rec["text"]
    if text_sha256(text) != rec["text_sha256"]:
        return "text_sha256 is not the sha256 of text"
    for index, (start, end) in enumerate(rec["sentences"]):
        if not 0 <= start <= end <= len(text):
            return f"sentence {index} [{start}, {end}] lies outside the text ({len(text)} characters)"
    return None
