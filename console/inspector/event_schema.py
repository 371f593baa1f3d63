"""Checking a client event against its dialect's schema before the composer sends it.

The shapes come from ``data/client_events.json``, which ``scripts/client_event_schema.py``
generates from the openai SDK's client-event models (the app must not import ``openai`` at run
time):
per dialect, each client event type's JSON Schema, trimmed to ``type``, ``properties``,
``required``, ``additionalProperties``, ``items``, ``enum``, ``const``, ``anyOf`` and ``$ref``.
``check_client_event`` walks an event along it and returns every problem with its JSON path: an
unknown event type or field with the dialect's nearest name, a wrong type, a value outside an
enum (with the allowed ones), a missing required field.

Unions are read as the server reads them: objects are told apart by their constant fields
(``type``, then ``role``), so a problem inside an item is reported inside it rather than as
"matches none of nine shapes". Nearest names are ``event_names``'.

Bounded: at most ``MAX_VALUES`` values are visited and ``MAX_PROBLEMS`` reported, and the walk
follows the schema (free-form values such as a tool's ``parameters`` are not entered), so deep or
huge input costs bounded work. No Textual here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from console.realtime.dialects import Dialect

from .event_names import closest, short_name, unknown_field_text, unknown_type_text

MAX_VALUES = 10_000
"""Values visited per event at most; past it the rest is reported as not checked."""
MAX_PROBLEMS = 50
MAX_DEPTH = 40


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the event does not match its dialect's schema."""

    path: str
    """JSON path of the offending value (``session.audio.output.voice``, ``item.content[0]``)."""
    message: str
    nearest: str | None = None
    """For an unknown type or field, or a value outside an enum: the dialect's nearest name."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@functools.cache
def _schema() -> dict[str, Any]:
    text = resources.files("console.inspector").joinpath("data/client_events.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _compiled(dialect: Dialect) -> dict[str, Any]:
    """``dialect``'s event schemas ready to walk: each ``$ref`` replaced by the (shared)
    definition it names, and ``null`` branches of unions turned into ``"nullable": true``."""
    raw = _schema()["dialects"][dialect]
    defs: dict[str, dict[str, Any]] = {name: {} for name in raw["$defs"]}

    def build(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return defs[str(node["$ref"]).removeprefix("#/$defs/")]
        out = dict(node)
        if "properties" in node:
            out["properties"] = {key: build(value) for key, value in node["properties"].items()}
        for key in ("items", "additionalProperties"):
            if key in node:
                out[key] = build(node[key])
        if "anyOf" in node:
            branches = [b for b in node["anyOf"] if b != {"type": "null"}]
            out["anyOf"] = [build(b) for b in branches]
            out["nullable"] = len(branches) < len(node["anyOf"])
        return out

    for name, definition in raw["$defs"].items():
        defs[name].update(build(definition))  # the placeholders others already point to
    return {event_type: build(schema) for event_type, schema in raw["events"].items()}


def event_types(dialect: Dialect) -> frozenset[str]:
    """The client event types ``dialect`` has, per the shipped schema."""
    return frozenset(_schema()["dialects"][dialect]["events"])


def schema_sdk_version() -> str:
    """The openai SDK version the shipped schema was generated from."""
    return str(_schema()["openai"])


def check_client_event(event: Any, dialect: Dialect) -> list[Problem]:
    """Every problem of ``event`` as a client event of ``dialect`` (empty when it is valid)."""
    if not isinstance(event, Mapping):
        return [Problem("", f"a client event is a JSON object, not {_kind(event)}")]
    event_type = event.get("type")
    if not isinstance(event_type, str):
        if "type" not in event:
            return [Problem("type", "missing required field")]
        return [Problem("type", f"expected string, got {_kind(event_type)}")]
    events = _compiled(dialect)
    schema = events.get(event_type)
    if schema is None:
        other = event_types("beta" if dialect == "ga" else "ga")
        message, nearest = unknown_type_text(event_type, dialect, events, other)
        return [Problem("type", message, nearest)]
    checker = _Checker(dialect)
    checker.check(event, schema, "", 0)
    return checker.result()


# -- the walk -----------------------------------------------------------------------------------


_KINDS: dict[type, str] = {
    str: "string",
    dict: "object",
    list: "array",
    int: "integer",
    bool: "boolean",
    type(None): "null",
}


def _kind(value: Any) -> str:
    """The JSON kind of a parsed value: object, array, string, integer, number, boolean, null."""
    kind = _KINDS.get(type(value))
    if kind is not None:
        return kind
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def _accepts(expected: str, kind: str) -> bool:
    return expected == kind or (expected == "number" and kind == "integer")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Checker:
    """One walk of one event: the problems found and the values visited so far."""

    def __init__(self, dialect: Dialect, visited: list[int] | None = None) -> None:
        self.dialect = dialect
        self.problems: list[Problem] = []
        self.visited = visited if visited is not None else [0]
        """Shared with the checkers of union branches, so trying branches counts too."""
        self.cut = False

    def result(self) -> list[Problem]:
        problems = self.problems[:MAX_PROBLEMS]
        if len(self.problems) > MAX_PROBLEMS:
            problems.append(Problem("", f"… and {len(self.problems) - MAX_PROBLEMS} more"))
        if self.cut:
            problems.append(Problem("", f"not fully checked: over {MAX_VALUES:,} values"))
        return problems

    def add(self, path: str, message: str, nearest: str | None = None) -> None:
        self.problems.append(Problem(path, message, nearest))

    def check(self, value: Any, schema: Mapping[str, Any], path: str, depth: int) -> None:
        self.visited[0] += 1
        if self.visited[0] > MAX_VALUES or depth > MAX_DEPTH:
            self.cut = True
            return
        while "anyOf" in schema:
            if value is None and schema["nullable"]:
                return
            branches = schema["anyOf"]
            if len(branches) != 1:
                self.union(value, branches, path, depth)
                return
            schema = branches[0]  # an optional field of the SDK's models: X or null
        kind = _kind(value)
        expected = schema.get("type")
        if isinstance(expected, str) and not _accepts(expected, kind):
            self.add(path, f"expected {expected}, got {kind}")
            return
        if "const" in schema and (value != schema["const"] or kind != _kind(schema["const"])):
            self.add(path, f"expected {json.dumps(schema['const'])}, got {_show(value)}")
        elif "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(json.dumps(v) for v in schema["enum"])
            nearest = closest(value, schema["enum"]) if isinstance(value, str) else None
            self.add(path, f"{_show(value)} is not one of {allowed}", nearest)
        elif kind == "object":
            self.object(value, schema, path, depth)
        elif kind == "array" and "items" in schema:
            for index, element in enumerate(value):
                if self.cut:
                    return
                self.check(element, schema["items"], f"{path}[{index}]", depth + 1)

    def object(
        self, value: Mapping[str, Any], schema: Mapping[str, Any], path: str, depth: int
    ) -> None:
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key in schema.get("required", ()):
            if key not in value:
                self.add(_join(path, key), "missing required field")
        for key, element in value.items():
            if self.cut:
                return
            if key in properties:
                self.check(element, properties[key], _join(path, key), depth + 1)
            elif extra is False:
                self.visited[0] += 1  # a million unknown keys cost no more than known ones
                if self.visited[0] > MAX_VALUES:
                    self.cut = True
                    return
                self.unknown_field(str(key), element, properties, path)
            elif isinstance(extra, Mapping):
                self.check(element, extra, _join(path, short_name(str(key))), depth + 1)

    def unknown_field(self, key: str, value: Any, properties: Mapping[str, Any], path: str) -> None:
        where = _join(path, short_name(key))
        if len(self.problems) >= MAX_PROBLEMS:  # counted, not explained: no nearest name
            self.add(where, "unknown field")
            return
        self.add(where, *unknown_field_text(path, key, value, properties, self.dialect))

    def union(self, value: Any, branches: list[Mapping[str, Any]], path: str, depth: int) -> None:
        kind = _kind(value)
        fitting = [b for b in branches if _fits_kind(b, kind)]
        if not fitting:
            self.add(path, f"expected {_described(branches)}, got {kind}")
            return
        if kind == "object" and len(fitting) > 1:
            narrowed = self.discriminate(value, fitting, path)
            if narrowed is None:
                return
            fitting = narrowed
        if len(fitting) == 1 and (kind in ("object", "array") or "enum" in fitting[0]):
            self.check(value, fitting[0], path, depth)
            return
        best: _Checker | None = None
        for branch in fitting:
            trial = _Checker(self.dialect, self.visited)
            trial.check(value, branch, path, depth)
            if not trial.problems and not trial.cut:
                return
            if best is None or len(trial.problems) < len(best.problems):
                best = trial
        if best is not None and kind in ("object", "array"):
            self.problems += best.problems
            self.cut |= best.cut
        elif best is not None:
            self.add(path, f"expected {_described(branches)}, got {_show(value)}")

    def discriminate(
        self, value: Mapping[str, Any], branches: list[Mapping[str, Any]], path: str
    ) -> list[Mapping[str, Any]] | None:
        """The object branches whose constant fields ``value`` matches; None after a problem."""
        used: set[str] = set()
        while len(branches) > 1:
            key = next((k for k in _constant_keys(branches) if k not in used), None)
            if key is None:
                break
            used.add(key)
            consts = [_const(b["properties"][key]) for b in branches]
            if key in value:
                narrowed = [b for b, c in zip(branches, consts, strict=True) if c == value[key]]
                if not narrowed:
                    allowed = ", ".join(json.dumps(c) for c in dict.fromkeys(consts))
                    given = value[key]
                    nearest = closest(given, consts) if isinstance(given, str) else None
                    self.add(_join(path, key), f"{_show(given)} is not one of {allowed}", nearest)
                    return None
            else:
                narrowed = [b for b in branches if key not in b.get("required", ())]
                if not narrowed:
                    allowed = ", ".join(json.dumps(c) for c in dict.fromkeys(consts))
                    self.add(_join(path, key), f"missing required field (one of {allowed})")
                    return None
            branches = narrowed
        return branches


_NO_CONST = object()


def _const(schema: Mapping[str, Any]) -> Any:
    """The constant ``schema`` pins a value to (``null`` aside: the SDK's optional literals),
    else ``_NO_CONST``."""
    if "const" in schema:
        return schema["const"]
    branches = [b for b in schema.get("anyOf", ()) if b.get("type") != "null"]
    return branches[0]["const"] if len(branches) == 1 and "const" in branches[0] else _NO_CONST


_CONSTANT_KEYS: dict[tuple[int, ...], list[str]] = {}
"""``_constant_keys`` by the ids of the branches (compiled schemas live as long as the module;
the subsets of a union's branches that narrowing yields are few)."""


def _constant_keys(branches: list[Mapping[str, Any]]) -> list[str]:
    """Fields every branch pins to a constant, ``type`` first: what tells the branches apart."""
    ids = tuple(map(id, branches))
    keys = _CONSTANT_KEYS.get(ids)
    if keys is None:
        keys = _CONSTANT_KEYS[ids] = _find_constant_keys(branches)
    return keys


def _find_constant_keys(branches: list[Mapping[str, Any]]) -> list[str]:
    keys = [
        key
        for key, prop in branches[0].get("properties", {}).items()
        if _const(prop) is not _NO_CONST
        and all(_const(b.get("properties", {}).get(key, {})) is not _NO_CONST for b in branches)
    ]
    return sorted(keys, key=lambda key: (key != "type", key))


def _fits_kind(schema: Mapping[str, Any], kind: str) -> bool:
    expected = schema.get("type")
    if isinstance(expected, str):
        return _accepts(expected, kind)
    if "const" in schema:
        return _kind(schema["const"]) == kind
    return True


def _described(branches: list[Mapping[str, Any]]) -> str:
    """A union in words; ``null`` left out beside other branches (every optional field of the
    SDK's models takes it, so it says nothing)."""
    shown = [b for b in branches if b.get("type") != "null"] or branches
    return " or ".join(dict.fromkeys(_describe(b) for b in shown))


def _describe(schema: Mapping[str, Any]) -> str:
    """A union branch in words: ``"inf"``, ``one of "none", "auto"``, ``integer``, ``object``."""
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    return str(schema.get("type", "any value"))


def _show(value: Any) -> str:
    """A short JSON rendering of a value for a message."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 40 else text[:37] + "…"
