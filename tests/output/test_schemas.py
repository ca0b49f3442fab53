"""The record JSON Schemas, and the compiled fast path agreeing with jsonschema on every instance."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from pipeline.output.schema_check import Unsupported, compile_schema
from pipeline.output.schemas import KINDS, schema, validate

from .records import corpus_records

RECORDS = corpus_records(variant=1)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-2, 2, allow_nan=False)
    | st.sampled_from(
        ["", "x", "2025-04-01", "truck", "PROVINCE", "COUNTY", "VEHICLE", "QUANTITY", "seizure", "TextQuoteSelector"]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "name", "start"]), inner),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(record: dict[str, Any], path: tuple, new: Any, delete: bool) -> Any:
    rec = copy.deepcopy(record)
    if not path:
        return new
    parent = rec
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return rec


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_are_valid_draft_2020_12(kind: str) -> None:
    Draft202012Validator.check_schema(schema(kind))


@pytest.mark.parametrize("kind", ["documents", "mentions", "claims"])
def test_hand_built_records_are_valid(kind: str) -> None:
    for rec in RECORDS[kind]:
        assert validate(kind, rec) == [], rec


@pytest.mark.parametrize(
    ("kind", "path", "value", "message"),
    [
        ("claims", ("claim_type",), "robbery", "is not one of"),
        ("claims", ("schema_version",), 2, "was expected"),
        ("claims", ("negated",), "no", "is not of type 'boolean'"),
        ("claims", ("locations", 0, "role"), "home", "is not one of"),
        ("claims", ("attribution", "status"), "rumoured", "is not one of"),
        ("claims", ("time", "from"), "April 2025", "does not match"),
        ("claims", ("items", 0, "origin"), "China", "does not match"),
        ("claims", ("sentence", "selector", "type"), "RangeSelector", "was expected"),
        ("mentions", ("label",), "PERSON", "is not one of"),
        ("mentions", ("start",), -1, "less than the minimum"),
        ("documents", ("text_sha256",), "abc", "does not match"),
        ("documents", ("sentences", 0), [1], "is too short"),
    ],
)
def test_broken_records_are_rejected_with_a_path(kind: str, path: tuple, value: Any, message: str) -> None:
    rec = _mutate(RECORDS[kind][0], path, value, delete=False)
    errors = validate(kind, rec)
    assert errors and message in errors[0]
    assert errors[0].startswith("$." + ".".join(str(p) for p in path[:1]))


@pytest.mark.parametrize(("kind", "key"), [("claims", "sanctions"), ("documents", "published"), ("mentions", "canonical")])
def test_required_keys(kind: str, key: str) -> None:
    errors = validate(kind, _mutate(RECORDS[kind][0], (key,), None, delete=True))
    assert errors == [f"$: '{key}' is a required property"]


def test_nullable_fields_accept_null() -> None:
    rec = copy.deepcopy(RECORDS["claims"][0])
    rec.update(quantity=None, time=None)
    rec["attribution"].update(text=None, start=None, end=None, source=None)
    assert validate("claims", rec) == []


def test_label_specific_mention_attributes_are_required() -> None:
    vehicle = next(m for m in RECORDS["mentions"] if m["label"] == "VEHICLE")
    assert validate("mentions", {k: v for k, v in vehicle.items() if k != "vehicle_class"})
    quantity = next(m for m in RECORDS["mentions"] if m["label"] == "QUANTITY")
    assert validate("mentions", {**quantity, "quantity": {"value": 1}})


def test_unknown_keys_are_allowed_for_later_fields() -> None:
    assert validate("claims", {**RECORDS["claims"][0], "confidence": 0.9}) == []


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_compiled_check_agrees_with_jsonschema_on_mutated_records(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["documents", "mentions", "claims"]))
    record = data.draw(st.sampled_from(RECORDS[kind]))
    path = data.draw(st.sampled_from(_paths(record)))
    mutated = _mutate(record, path, data.draw(json_values), delete=bool(path) and data.draw(st.booleans()))
    fast = compile_schema(schema(kind))
    assert fast(mutated) == Draft202012Validator(schema(kind)).is_valid(mutated)


# Keyword edge cases where a hand-written validator easily differs from the specification.
EDGE_SCHEMAS = [
    {"type": "integer", "minimum": 0},
    {"enum": [1, "a", None]},
    {"const": False},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    {"oneOf": [{"minimum": 0}, {"type": "integer"}]},
    {"anyOf": [{"type": "string", "pattern": "^x"}, {"type": "array", "minItems": 2}]},
    {"type": "array", "prefixItems": [{"type": "integer"}], "items": {"type": "string"}, "maxItems": 3},
    {"if": {"type": "object", "required": ["id"]}, "then": {"required": ["name"]}, "else": {"type": "array"}},
    {"$defs": {"tree": {"type": ["object", "null"], "properties": {"start": {"$ref": "#/$defs/tree"}}}}, "$ref": "#/$defs/tree"},
    {"properties": {"id": {"minLength": 2}}, "required": ["id"]},
]


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(EDGE_SCHEMAS) - 1), instance=json_values)
def test_compiled_check_agrees_with_jsonschema_on_edge_cases(index: int, instance: Any) -> None:
    edge = EDGE_SCHEMAS[index]
    assert compile_schema(edge)(instance) == Draft202012Validator(edge).is_valid(instance)


@pytest.mark.parametrize(
    "unsupported",
    [{"maxLength": 3}, {"additionalProperties": False}, {"$ref": "other.json#/x"}, {"enum": [[1]]}],
)
def test_compiler_refuses_what_it_does_not_implement(unsupported: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema(unsupported)


def test_compiled_check_handles_boolean_definitions() -> None:
    edge = {"$defs": {"yes": True, "no": False}, "properties": {"a": {"$ref": "#/$defs/yes"}, "b": {"$ref": "#/$defs/no"}}}
    check = compile_schema(edge)
    assert check({"a": 1}) and not check({"b": 1})
