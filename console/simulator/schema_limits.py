"""Limits on client tool schemas, checked at ``session.update`` and ``response.create``.

The simulator generates function-call arguments from a tool's ``parameters`` schema
(:mod:`.tool_args`). A hostile schema could make that unbounded or exponential, so schemas are
refused with ``invalid_value`` (as the real server refuses invalid tools) when they use:

- a ``$ref`` that is not local (``#/…``), does not resolve, or is recursive;
- a ``pattern`` that does not compile, is longer than :data:`MAX_PATTERN_CHARS`, uses
  backreferences, nests variable repetitions (``(a+)+``), has more than
  :data:`MAX_PATTERN_REPEATS` of them, or repeats more than :data:`MAX_REPEAT` times;
- ``minLength`` over :data:`MAX_MIN_LENGTH`, ``minItems`` over :data:`MAX_MIN_ITEMS`;
- nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_NODES` sub-schemas, or arguments
  whose estimated size exceeds :data:`MAX_ARGUMENT_CHARS`.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from . import errors

_parser: Any = importlib.import_module("re._parser")

MAX_PATTERN_CHARS = 1000
MAX_PATTERN_REPEATS = 6
MAX_REPEAT = 1000
MAX_MIN_LENGTH = 10_000
MAX_MIN_ITEMS = 1000
MAX_DEPTH = 32
MAX_NODES = 10_000
MAX_ARGUMENT_CHARS = 100_000
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "if", "then", "else")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAXREPEAT = int(_parser.MAXREPEAT)


class _Refused(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def check_parameters(parameters: dict[str, Any], param: str) -> None:
    """Refuse a ``parameters`` schema the simulator would not generate arguments for in bounded
    time and size (``invalid_value`` naming ``param``)."""
    try:
        _Checker(parameters).check()
    except _Refused as refused:
        raise errors.invalid_value(
            param, f"Invalid '{param}': {refused.message} (at {refused.where or '/'})."
        ) from None


def _pattern_problem(pattern: str) -> str | None:
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern longer than {MAX_PATTERN_CHARS} characters"
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, ValueError, OverflowError):
        return "pattern is not a valid regular expression"
    repeats = 0

    def walk(items: Any, inside_repeat: bool) -> str | None:
        nonlocal repeats
        for op, arg in items:
            name = str(op)
            if name == "GROUPREF" or name == "GROUPREF_EXISTS":
                return "pattern uses a backreference (not supported)"
            subs: list[Any] = []
            variable = False
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                if int(low) > MAX_REPEAT or (int(high) != _MAXREPEAT and int(high) > MAX_REPEAT):
                    return f"pattern repeats more than {MAX_REPEAT} times"
                variable = int(low) != int(high)
                if variable:
                    repeats += 1
                    if inside_repeat:
                        return "pattern nests repetitions (catastrophic backtracking)"
                subs = [sub]
            elif name == "SUBPATTERN":
                subs = [arg[-1]]
            elif name == "BRANCH":
                subs = list(arg[1])
            elif name in ("ASSERT", "ASSERT_NOT"):
                subs = [arg[1]]
            elif name == "ATOMIC_GROUP":
                subs = [arg]
            for sub in subs:
                problem = walk(sub, inside_repeat or variable)
                if problem:
                    return problem
        return None

    problem = walk(tree, False)
    if problem is None and repeats > MAX_PATTERN_REPEATS:
        problem = f"pattern has more than {MAX_PATTERN_REPEATS} variable repetitions"
    return problem


class _Checker:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.nodes = 0

    def check(self) -> None:
        self._walk(self.root, "", 0)
        size = self._size(self.root, "", 0, ())
        if size > MAX_ARGUMENT_CHARS:
            raise _Refused("", f"arguments would exceed {MAX_ARGUMENT_CHARS} characters")

    # every sub-schema: local rules ---------------------------------------------------------
    def _walk(self, schema: Any, where: str, depth: int) -> None:
        if not isinstance(schema, dict):
            return
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(where, f"more than {MAX_NODES} sub-schemas")
        if depth > MAX_DEPTH:
            raise _Refused(where, f"schema nested deeper than {MAX_DEPTH}")
        ref = schema.get("$ref")
        if ref is not None:
            self._size(self._target(ref, where), where, 0, (ref,))  # refuses a cycle
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            problem = _pattern_problem(pattern)
            if problem:
                raise _Refused(f"{where}/pattern", problem)
        for key, limit in (("minLength", MAX_MIN_LENGTH), ("minItems", MAX_MIN_ITEMS)):
            value = schema.get(key)
            if isinstance(value, int | float) and value > limit:
                raise _Refused(f"{where}/{key}", f"{key} over {limit}")
        for key in _SCHEMA_MAPS:
            sub = schema.get(key)
            if isinstance(sub, dict):
                for name, value in sub.items():
                    self._walk(value, f"{where}/{key}/{name}", depth + 1)
        for key in _SCHEMA_ONE:
            self._walk(schema.get(key), f"{where}/{key}", depth + 1)
        for key in _SCHEMA_LISTS:
            sub = schema.get(key)
            if isinstance(sub, list):
                for index, value in enumerate(sub):
                    self._walk(value, f"{where}/{key}/{index}", depth + 1)

    def _target(self, ref: Any, where: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise _Refused(f"{where}/$ref", "only local $ref ('#/...') is supported")
        target: Any = self.root
        for part in ref[2:].split("/") if len(ref) > 1 else []:
            if not isinstance(target, dict) or part not in target:
                raise _Refused(f"{where}/$ref", f"$ref '{ref}' does not resolve")
            target = target[part]
        return target

    # worst-case generated size (follows $ref; a recursive $ref is refused) ------------------
    def _size(self, schema: Any, where: str, depth: int, refs: tuple[str, ...]) -> int:
        if not isinstance(schema, dict) or depth > 8:  # tool_args stops at depth 8
            return 8
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in refs:
                raise _Refused(f"{where}/$ref", f"recursive $ref '{ref}' is not supported")
            merged = self._target(ref, where)
            base = self._size(merged, where, depth, (*refs, ref))
        else:
            base = 0
        size = base
        for key in ("allOf",):
            for index, sub in enumerate(schema.get(key) or []):
                size += self._size(sub, f"{where}/{key}/{index}", depth + 1, refs)
        branches = [
            self._size(sub, f"{where}/{key}/{index}", depth + 1, refs)
            for key in ("anyOf", "oneOf")
            for index, sub in enumerate(schema.get(key) or [])
            if isinstance(schema.get(key), list)
        ]
        size += max(branches, default=0)
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                size += (
                    len(name) + 4 + self._size(sub, f"{where}/properties/{name}", depth + 1, refs)
                )
        if schema.get("type") == "array" or "items" in schema:
            count = schema.get("minItems")
            count = int(count) if isinstance(count, int | float) and count > 1 else 1
            size += count * (1 + self._size(schema.get("items"), f"{where}/items", depth + 1, refs))
        min_length = schema.get("minLength")
        if isinstance(min_length, int | float):
            size += int(min_length)
        if size > MAX_ARGUMENT_CHARS:
            raise _Refused(where, f"arguments would exceed {MAX_ARGUMENT_CHARS} characters")
        return size + 8
