"""JSON Schemas of the run-directory records, and validation against them."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .schema_check import Unsupported, compile_schema

KINDS = ("documents", "mentions", "claims", "errors")


@cache
def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record kind, as shipped in `pipeline/schemas/<kind>.schema.json`."""
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
    path = resources.files("pipeline") / "schemas" / f"{kind}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema(kind))


@cache
def _fast_check(kind: str) -> Callable[[Any], bool]:
    try:
        return compile_schema(schema(kind))
    except Unsupported:
        return _validator(kind).is_valid


def _message(error: ValidationError) -> str:
    """The error's path and message; for a nullable object, the message of the branch that applied."""
    while error.context:
        # A branch that failed only on its top-level type did not apply ("not of type 'null'" says little).
        applied = [e for e in error.context if e.validator != "type" or e.relative_path]
        if not applied:
            types = dict.fromkeys(str(e.validator_value) for e in error.context)
            return f"{error.json_path}: {error.instance!r} is not of type {' or '.join(types)}"
        error = max(applied, key=lambda e: len(e.relative_path))
    return f"{error.json_path}: {error.message}"


def validate(kind: str, record: dict[str, Any]) -> list[str]:
    """Error messages for `record` against the `kind` schema, each prefixed with its JSON path; [] if valid."""
    if _fast_check(kind)(record):
        return []
    return sorted(_message(e) for e in _validator(kind).iter_errors(record))
