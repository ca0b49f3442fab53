"""Compile the subset of JSON Schema that the record schemas use into fast Python code.

jsonschema walks the schema for every record (about 2 ms per claim, minutes for a 100k-claim run). This
module turns a schema into generated Python functions that answer only "valid or not", as fastjsonschema
does; `schemas.validate` still asks jsonschema for the messages when the answer is no. A schema using a
keyword this module does not know raises `Unsupported`, and the caller then uses jsonschema alone, so the
fast path never guesses. tests/output/test_schemas.py checks both agree on valid and broken records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "deprecated"})
_INLINE = frozenset({"type", "enum", "const", "minimum", "minLength", "pattern"})
_SUPPORTED = _INLINE | {
    "required", "properties", "additionalProperties", "items", "prefixItems", "minItems", "maxItems",
    "allOf", "anyOf", "oneOf", "if", "then", "else", "$ref",
}  # fmt: skip
_TYPE_EXPR = {
    "null": "{v} is None",
    "boolean": "({v} is True or {v} is False)",
    "string": "isinstance({v}, str)",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
    # JSON Schema (and jsonschema) count 1.0 as an integer.
    "integer": "(type({v}) is int or isinstance({v}, int) and not isinstance({v}, bool)"
    " or isinstance({v}, float) and {v}.is_integer())",
}
_MISSING = object()


class Unsupported(ValueError):
    """The schema uses a keyword (or a form of one) that the compiler does not implement."""


def _scalar_key(value: Any) -> tuple[str, Any]:
    """A hashable key under which JSON-equal scalars meet (1 == 1.0) and booleans stay apart from 0 and 1."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", value)
    raise Unsupported(f"enum/const value {value!r} is not a scalar")


def _in_enum(value: Any, keys: frozenset[tuple[str, Any]]) -> bool:
    if value is None or isinstance(value, bool | str | int | float):
        return _scalar_key(value) in keys
    return False


def _types(node: Any) -> frozenset[str] | None:
    """The JSON types a node can accept, if its own "type" keyword says so."""
    if isinstance(node, dict) and "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        return frozenset("number" if n == "integer" else n for n in names)
    return None


def _keywords(node: Any) -> set[str]:
    """The keywords of a schema node that affect validity; `Unsupported` for any this module lacks."""
    if not isinstance(node, dict):
        raise Unsupported(f"schema node {node!r} is neither an object nor a boolean")
    keys = set(node) - _ANNOTATIONS
    if keys - _SUPPORTED:
        raise Unsupported(f"keywords {sorted(keys - _SUPPORTED)} are not compiled")
    return keys


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.source: list[str] = []
        self.names: dict[str, Any] = {"_in_enum": _in_enum, "_M": _MISSING}
        self.refs: dict[str, str] = {}
        self.count = 0

    def _name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        name = self._name("_c")
        self.names[name] = value
        return name

    def check(self, node: Any, var: str) -> str:
        """A Python expression that is true when `var` is valid against `node`."""
        if node is True:
            return "True"
        if node is False:
            return "False"
        keys = _keywords(node)
        if keys == {"$ref"}:
            target = self.definition(node["$ref"])
            if isinstance(target, dict) and _keywords(target) <= _INLINE:
                return self.inline(target, var)  # e.g. "offset": an integer check, not worth a call
            return f"{self.ref(node['$ref'])}({var})"
        if keys <= _INLINE:
            return self.inline(node, var)
        return f"{self.function(node)}({var})"

    def definition(self, ref: str) -> Any:
        prefix = "#/$defs/"
        name = ref[len(prefix) :]
        if not ref.startswith(prefix) or "/" in name or name not in self.root.get("$defs", {}):
            raise Unsupported(f"$ref {ref!r}: only local '#/$defs/<name>' references are compiled")
        return self.root["$defs"][name]

    def ref(self, ref: str) -> str:
        if ref not in self.refs:
            target = self.definition(ref)
            name = self.refs[ref] = self._name("_d")  # named before compiling: a definition may recur
            if isinstance(target, bool):
                self.source.append(f"def {name}(x):\n    return {target}\n")
            else:
                self.function(target, name)
        return self.refs[ref]

    def inline(self, node: dict[str, Any], v: str) -> str:
        parts: list[str] = []
        if "type" in node:
            names = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if any(n not in _TYPE_EXPR for n in names):
                raise Unsupported(f"type {node['type']!r}")
            parts.append("(" + " or ".join(_TYPE_EXPR[n].format(v=v) for n in names) + ")")
        if "enum" in node:
            values = node["enum"]
            if all(x is None or isinstance(x, str) for x in values):
                parts.append(f"(({v} is None or isinstance({v}, str)) and {v} in {self.constant(frozenset(values))})")
            else:
                parts.append(f"_in_enum({v}, {self.constant(frozenset(_scalar_key(x) for x in values))})")
        if "const" in node:
            const = node["const"]
            if isinstance(const, str):
                parts.append(f"(isinstance({v}, str) and {v} == {self.constant(const)})")
            else:
                parts.append(f"_in_enum({v}, {self.constant(frozenset([_scalar_key(const)]))})")
        if "minimum" in node:
            bound = self.constant(node["minimum"])
            parts.append(f"(not isinstance({v}, (int, float)) or isinstance({v}, bool) or {v} >= {bound})")
        if "minLength" in node:
            parts.append(f"(not isinstance({v}, str) or len({v}) >= {int(node['minLength'])})")
        if "pattern" in node:
            search = self.constant(re.compile(node["pattern"]).search)
            parts.append(f"(not isinstance({v}, str) or {search}({v}) is not None)")
        return " and ".join(parts) or "True"

    def function(self, node: dict[str, Any], name: str | None = None) -> str:
        _keywords(node)
        name = name or self._name("_f")
        body: list[str] = []
        inline = {k: node[k] for k in _INLINE if k in node}
        if inline:
            body.append(f"if not ({self.inline(inline, 'x')}): return False")
        if "$ref" in node:
            body.append(f"if not {self.ref(node['$ref'])}(x): return False")
        body += self._object(node) + self._array(node) + self._combinators(node)
        lines = [f"def {name}(x):", *("    " + line for line in body), "    return True", ""]
        self.source.append("\n".join(lines))
        return name

    def _object(self, node: dict[str, Any]) -> list[str]:
        if node.get("additionalProperties", True) is not True:
            raise Unsupported("additionalProperties other than true is not compiled")
        required, props = node.get("required", []), node.get("properties", {})
        if not required and not props:
            return []
        body = ["if isinstance(x, dict):"]
        if required:
            body.append(f"    if not x.keys() >= {self.constant(frozenset(required))}: return False")
        for key, sub in props.items():
            body.append(f"    v = x.get({key!r}, _M)")
            body.append(f"    if v is not _M and not ({self.check(sub, 'v')}): return False")
        return body

    def _array(self, node: dict[str, Any]) -> list[str]:
        body: list[str] = []
        prefix = node.get("prefixItems", [])
        for i, sub in enumerate(prefix):
            body.append(f"    if len(x) > {i}:")
            body.append(f"        v = x[{i}]")
            body.append(f"        if not ({self.check(sub, 'v')}): return False")
        if "items" in node:
            body.append(f"    for v in x[{len(prefix)}:]:" if prefix else "    for v in x:")
            body.append(f"        if not ({self.check(node['items'], 'v')}): return False")
        if "minItems" in node:
            body.append(f"    if len(x) < {int(node['minItems'])}: return False")
        if "maxItems" in node:
            body.append(f"    if len(x) > {int(node['maxItems'])}: return False")
        return ["if isinstance(x, list):", *body] if body else []

    def _combinators(self, node: dict[str, Any]) -> list[str]:
        body = [f"if not ({self.check(sub, 'x')}): return False" for sub in node.get("allOf", [])]
        if "anyOf" in node:
            body.append(f"if not ({' or '.join(self.check(s, 'x') for s in node['anyOf']) or 'False'}): return False")
        if "oneOf" in node:
            subs = node["oneOf"]
            checks = [self.check(s, "x") for s in subs]
            types = [_types(s) for s in subs]
            disjoint = all(t is not None for t in types) and sum(len(t) for t in types if t) == len(
                frozenset().union(*(t for t in types if t))
            )
            if disjoint:  # at most one branch can match, so "exactly one" is "any"
                body.append(f"if not ({' or '.join(checks) or 'False'}): return False")
            else:
                body.append(f"if [{', '.join(checks)}].count(True) != 1: return False")
        if "if" in node:
            then, other = self.check(node.get("then", True), "x"), self.check(node.get("else", True), "x")
            body += [f"if {self.check(node['if'], 'x')}:", f"    if not ({then}): return False"]
            body += ["else:", f"    if not ({other}): return False"]
        return body


def compile_schema(root: dict[str, Any]) -> Check:
    """A function telling whether an instance is valid against `root`; raises `Unsupported` if it cannot."""
    if not isinstance(root, dict):
        raise Unsupported("the root schema must be an object")
    compiler = _Compiler(root)
    entry = compiler.function(root)
    namespace = dict(compiler.names)
    exec(compile("\n".join(compiler.source), "<newsclaims-schema>", "exec"), namespace)  # noqa: S102
    check: Check = namespace[entry]
    return check
