"""The I/O edge of corroboration: reading run directories, writing event and explanation files."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NewsclaimsError
from ..output.jsonl import write_jsonl_atomic

CLAIM_FIELDS = ("claim_id", "doc_id", "claim_type")


@dataclass
class RunRecords:
    """Documents and claims of several runs; a doc or claim id seen in an earlier run wins."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicate_claims: int = 0
    duplicate_documents: int = 0
    claims_without_document: int = 0


def iter_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is an error (E404)."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise NewsclaimsError("E404", path=path, line=number, detail=f"not valid JSON ({err.msg})") from err
            if not isinstance(obj, dict):
                raise NewsclaimsError("E404", path=path, line=number, detail="not a JSON object")
            yield number, obj


def read_runs(run_dirs: Sequence[str | Path]) -> RunRecords:
    """Read documents.jsonl and claims.jsonl of each run directory, in the order given."""
    records = RunRecords()
    for run_dir in map(Path, run_dirs):
        for name in ("documents.jsonl", "claims.jsonl"):
            if not (run_dir / name).is_file():
                raise NewsclaimsError("E007", path=run_dir, name=name)
        for number, doc in iter_json_lines(run_dir / "documents.jsonl"):
            doc_id = doc.get("doc_id")
            if not isinstance(doc_id, str) or not isinstance(doc.get("text", ""), str):
                raise NewsclaimsError("E404", path=run_dir / "documents.jsonl", line=number, detail="no string doc_id and text")
            if doc_id in records.documents:
                records.duplicate_documents += 1
                continue
            records.documents[doc_id] = doc
        for number, claim in iter_json_lines(run_dir / "claims.jsonl"):
            missing = [k for k in CLAIM_FIELDS if not isinstance(claim.get(k), str)]
            if missing:
                raise NewsclaimsError("E404", path=run_dir / "claims.jsonl", line=number, detail=f"no {', '.join(missing)}")
            if claim["claim_id"] in records.claims:
                records.duplicate_claims += 1
                continue
            if claim["doc_id"] not in records.documents:
                records.claims_without_document += 1
            records.claims[claim["claim_id"]] = claim
    return records


def write_records(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write JSONL atomically (sorted keys); a path that cannot be written is an error (E408)."""
    path = Path(path)
    if path.is_dir():
        raise NewsclaimsError("E408", path=path, detail="it is a directory")
    try:
        return write_jsonl_atomic(path, records)
    except OSError as err:
        raise NewsclaimsError("E408", path=path, detail=err.strerror or err) from err


def read_events(path: str | Path) -> list[dict[str, Any]]:
    """The records of an events file (E405 when it is missing)."""
    path = Path(path)
    if not path.is_file():
        raise NewsclaimsError("E405", path=path, detail="no such file")
    return [obj for _, obj in iter_json_lines(path)]
