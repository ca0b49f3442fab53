"""Compile the subset of JSON Schema that the record schemas use into fast Python checks.

jsonschema walks the schema for every record (about 2 ms per claim), too slow for 100k-claim loads. The
compiled check answers only "valid or not", about 50 times faster; `schemas.validate` asks jsonschema for
the messages when it says no. A schema with a keyword this module does not know raises `Unsupported`, and
the caller then uses jsonschema alone, so the fast path never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "deprecated"}
)
_SUPPORTED = frozenset(
    {
        "type", "enum", "const", "required", "properties", "additionalProperties", "items", "prefixItems",
        "minItems", "maxItems", "minimum", "minLength", "pattern", "allOf", "anyOf", "oneOf", "if", "then",
        "else", "$ref",
    }
)  # fmt: skip


class Unsupported(ValueError):
    """The schema uses a keyword (or a form of one) that the compiler does not implement."""


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _is_integer(x: Any) -> bool:
    # JSON Schema counts 1.0 as an integer; jsonschema agrees.
    return _is_number(x) and (isinstance(x, int) or float(x).is_integer())


_TYPES: dict[str, Check] = {
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "number": _is_number,
    "integer": _is_integer,
}
# The exact classes json.loads produces, for a set lookup before the general test.
_EXACT: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "boolean": (bool,),
    "string": (str,),
    "object": (dict,),
    "array": (list,),
    "number": (int, float),
    "integer": (int,),
}


def _type_check(spec: str | list[str]) -> Check:
    names = [spec] if isinstance(spec, str) else list(spec)
    if any(n not in _TYPES for n in names):
        raise Unsupported(f"type {spec!r}")
    exact = frozenset(cls for n in names for cls in _EXACT[n])
    tests = tuple(_TYPES[n] for n in names)

    def check(x: Any) -> bool:
        return type(x) in exact or any(t(x) for t in tests)

    return check


def _all_of(checks: list[Check]) -> Check:
    """One check that passes when all pass, without a generator per call (this is the hot loop)."""
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    frozen = tuple(checks)

    def check(x: Any) -> bool:
        for c in frozen:
            if not c(x):
                return False
        return True

    return check


def _scalar_key(value: Any) -> tuple[str, Any]:
    """A hashable key under which JSON-equal scalars collide (1 == 1.0) and booleans stay apart from 0 and 1."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if _is_number(value):
        return ("number", value)
    raise Unsupported(f"enum/const value {value!r} is not a scalar")


def compile_schema(root: dict[str, Any]) -> Check:
    """A function telling whether an instance is valid against `root`; raises `Unsupported` if it cannot."""
    refs: dict[str, Check] = {}

    def resolve(ref: str) -> Check:
        if not ref.startswith("#/$defs/") or "/" in ref[len("#/$defs/") :]:
            raise Unsupported(f"$ref {ref!r}: only local '#/$defs/<name>' references are compiled")
        if ref not in refs:
            name = ref[len("#/$defs/") :]
            if name not in root.get("$defs", {}):
                raise Unsupported(f"$ref {ref!r} points nowhere")
            refs[ref] = lambda x: True  # placeholder, so a recursive definition terminates compiling
            compiled = compile_node(root["$defs"][name])
            refs[ref] = compiled
        return lambda x: refs[ref](x)

    def compile_node(node: Any) -> Check:
        if node is True:
            return lambda x: True
        if node is False:
            return lambda x: False
        if not isinstance(node, dict):
            raise Unsupported(f"schema node {node!r} is neither an object nor a boolean")
        unknown = set(node) - _ANNOTATIONS - _SUPPORTED
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)} are not compiled")
        checks: list[Check] = []
        if "$ref" in node:
            checks.append(resolve(node["$ref"]))
        if "type" in node:
            checks.append(_type_check(node["type"]))
        if "enum" in node:
            allowed = frozenset(_scalar_key(v) for v in node["enum"])
            checks.append(lambda x: _is_scalar(x) and _scalar_key(x) in allowed)
        if "const" in node:
            key = _scalar_key(node["const"])
            checks.append(lambda x: _is_scalar(x) and _scalar_key(x) == key)
        checks.extend(_object_checks(node, compile_node))
        checks.extend(_array_checks(node, compile_node))
        checks.extend(_scalar_checks(node))
        checks.extend(_combinators(node, compile_node))
        return _all_of(checks)

    return compile_node(root)


def _is_scalar(x: Any) -> bool:
    return x is None or isinstance(x, bool | str) or _is_number(x)


def _object_checks(node: dict[str, Any], compile_node: Callable[[Any], Check]) -> list[Check]:
    checks: list[Check] = []
    if node.get("additionalProperties", True) is not True:
        raise Unsupported("additionalProperties other than true is not compiled")
    if "required" in node:
        required = tuple(node["required"])
        checks.append(lambda x: not isinstance(x, dict) or all(k in x for k in required))
    if "properties" in node:
        props = tuple((k, compile_node(v)) for k, v in node["properties"].items())

        def properties(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for k, check in props:
                if k in x and not check(x[k]):
                    return False
            return True

        checks.append(properties)
    return checks


def _array_checks(node: dict[str, Any], compile_node: Callable[[Any], Check]) -> list[Check]:
    checks: list[Check] = []
    prefix = tuple(compile_node(s) for s in node.get("prefixItems", ()))
    if prefix:
        checks.append(
            lambda x: not isinstance(x, list) or all(c(v) for c, v in zip(prefix, x, strict=False))
        )
    if "items" in node:
        item = compile_node(node["items"])
        skip = len(prefix)

        def items(x: Any) -> bool:
            if not isinstance(x, list):
                return True
            for v in x[skip:] if skip else x:
                if not item(v):
                    return False
            return True

        checks.append(items)
    if "minItems" in node:
        low = node["minItems"]
        checks.append(lambda x: not isinstance(x, list) or len(x) >= low)
    if "maxItems" in node:
        high = node["maxItems"]
        checks.append(lambda x: not isinstance(x, list) or len(x) <= high)
    return checks


def _scalar_checks(node: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "minimum" in node:
        minimum = node["minimum"]
        checks.append(lambda x: not _is_number(x) or x >= minimum)
    if "minLength" in node:
        length = node["minLength"]
        checks.append(lambda x: not isinstance(x, str) or len(x) >= length)
    if "pattern" in node:
        search = re.compile(node["pattern"]).search
        checks.append(lambda x: not isinstance(x, str) or search(x) is not None)
    return checks


def _combinators(node: dict[str, Any], compile_node: Callable[[Any], Check]) -> list[Check]:
    checks: list[Check] = []
    if "allOf" in node:
        checks.append(_all_of([compile_node(s) for s in node["allOf"]]))
    if "anyOf" in node:
        some = tuple(compile_node(s) for s in node["anyOf"])
        checks.append(lambda x: any(c(x) for c in some))
    if "oneOf" in node:
        one = tuple(compile_node(s) for s in node["oneOf"])
        checks.append(lambda x: sum(1 for c in one if c(x)) == 1)
    if "if" in node:
        cond = compile_node(node["if"])
        then = compile_node(node.get("then", True))
        other = compile_node(node.get("else", True))
        checks.append(lambda x: then(x) if cond(x) else other(x))
    elif "then" in node or "else" in node:
        pass  # without "if", JSON Schema ignores them
    return checks
