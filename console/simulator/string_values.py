"""Strings that satisfy a JSON Schema ``format`` or ``pattern``.

Formats get fixed, valid values. Patterns are checked with :func:`re.fullmatch`; a value is
generated from the pattern's parse tree (literals, character classes, ``\\d``/``\\w``/``\\s``,
``.``, groups, first alternative; repetitions as short as the length limits allow). Anything
unusual yields None, and the caller falls back to examples/defaults or leaves an optional field
out.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

_parser: Any = importlib.import_module("re._parser")  # stdlib; no public regex parse tree

FORMATS = {
    "date": "2025-01-01",
    "date-time": "2025-01-01T12:00:00Z",
    "time": "12:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "iri-reference": "https://example.com/",
    "uri-template": "https://example.com/{id}",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
    "json-pointer": "/a",
    "relative-json-pointer": "0",
    "regex": ".*",
}

_CATEGORY_CHAR = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}
_CANDIDATES = "aA0_ -.x"


def matches(pattern: str, value: str) -> bool:
    """Whether ``value`` matches ``pattern`` in full (an invalid pattern matches nothing)."""
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return False


def _class_char(items: list[Any]) -> str | None:
    """A character in an ``IN`` class (its first member, or a probe for negated classes)."""
    if items and str(items[0][0]) == "NEGATE":
        excluded = items[1:]
        for char in _CANDIDATES:
            if not any(_in_item(item, char) for item in excluded):
                return char
        return None
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY_CHAR.get(str(arg))
    return None


def _in_item(item: tuple[Any, Any], char: str) -> bool:
    op, arg = str(item[0]), item[1]
    if op == "LITERAL":
        return chr(arg) == char
    if op == "RANGE":
        return bool(arg[0] <= ord(char) <= arg[1])
    if op == "CATEGORY":
        probe = {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}
        return re.fullmatch(probe.get(str(arg), "(?!)"), char) is not None
    return True  # unknown member: assume it could exclude the character


def _generate(tree: Any, extra: int, depth: int = 0) -> str | None:
    """A string for a parse ``tree``; each repetition repeats ``extra`` times more than its
    minimum (within its maximum)."""
    if depth > 20:
        return None
    out = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            piece: str | None = chr(arg)
        elif name == "NOT_LITERAL":
            piece = "a" if chr(arg) != "a" else "b"
        elif name == "ANY":
            piece = "a"
        elif name == "IN":
            piece = _class_char(arg)
        elif name == "AT":
            piece = ""
        elif name == "SUBPATTERN":
            piece = _generate(arg[-1], extra, depth + 1)
        elif name == "BRANCH":
            piece = _generate(arg[1][0], extra, depth + 1)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            one = _generate(sub, extra, depth + 1)
            piece = None if one is None else one * min(int(low) + extra, int(high))
        else:
            return None
        if piece is None:
            return None
        out.append(piece)
    return "".join(out)


def from_pattern(pattern: str, fits: Callable[[str], bool] = lambda _: True) -> str | None:
    """The shortest generated string that fully matches a simple ``pattern`` and ``fits``
    (length limits), or None."""
    try:
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, ValueError, OverflowError):
        return None
    for extra in range(65):
        value = _generate(tree, extra)
        if value is None:
            return None
        if matches(pattern, value) and fits(value):
            return value
    return None
