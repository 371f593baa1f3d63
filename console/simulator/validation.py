"""Small checkers for client JSON: each raises :class:`RealtimeError` naming the offending param.

They are dialect-neutral; :mod:`.dialect` composes them into per-dialect session, item and
response validators so that ``param`` paths use the names that dialect puts on the wire.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from . import errors

MAX_NESTING = 100
"""How deeply a JSON value the simulator keeps as given (a prompt, tracing metadata, a tool's
schema) may nest: copying and echoing it recurses, one level per container."""


def require_object(value: Any, param: str) -> dict[str, Any]:
    """``value`` must be a JSON object."""
    if not isinstance(value, dict):
        raise errors.invalid_type(param, "an object", value)
    return value


def check_keys(obj: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
    """Reject the first key not in ``allowed`` with ``unknown_parameter``."""
    allowed_set = set(allowed)
    for key in obj:
        if key not in allowed_set:
            raise errors.unknown_parameter(f"{prefix}.{key}" if prefix else key)


def require_key(obj: Mapping[str, Any], key: str, prefix: str) -> Any:
    """Return ``obj[key]`` or raise ``missing_required_parameter``."""
    if key not in obj or obj[key] is None:
        raise errors.missing_parameter(f"{prefix}.{key}" if prefix else key)
    return obj[key]


def string(value: Any, param: str) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise errors.invalid_type(param, "a string", value)
    return value


def optional_string(value: Any, param: str) -> str | None:
    """A JSON string or null."""
    return None if value is None else string(value, param)


def boolean(value: Any, param: str) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise errors.invalid_type(param, "a boolean", value)
    return value


def integer(value: Any, param: str, lo: int | None = None, hi: int | None = None) -> int:
    """A JSON integer within ``[lo, hi]`` (a whole-valued decimal is accepted)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.invalid_type(param, "an integer", value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise errors.out_of_range(param, value, lo, hi)
    return value


def number(value: Any, param: str, lo: float | None = None, hi: float | None = None) -> float:
    """A JSON number within ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise errors.invalid_type(param, "a decimal", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise errors.invalid_value(
            param, f"Invalid '{param}': expected a finite number, but got {value} instead."
        )
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise errors.out_of_range(param, value, lo, hi)
    try:
        return float(value)
    except OverflowError:
        raise errors.invalid_value(param, f"Invalid '{param}': number too large.") from None


def enum(value: Any, param: str, supported: tuple[str, ...]) -> str:
    """One of ``supported`` strings."""
    if not isinstance(value, str):
        raise errors.invalid_type(param, "a string", value)
    if value not in supported:
        raise errors.invalid_enum(param, value, supported)
    return value


def array(value: Any, param: str) -> list[Any]:
    """A JSON array."""
    if not isinstance(value, list):
        raise errors.invalid_type(param, "an array", value)
    return value


def max_tokens(value: Any, param: str) -> int | str:
    """``"inf"`` or an integer from 1 to 4096."""
    if value == "inf":
        return "inf"
    if isinstance(value, str):
        raise errors.invalid_enum(param, value, ("inf",))
    return integer(value, param, 1, 4096)


def metadata(value: Any, param: str) -> dict[str, str] | None:
    """Up to 16 string pairs (keys ≤ 64 chars, values ≤ 512 chars), or null."""
    if value is None:
        return None
    obj = require_object(value, param)
    if len(obj) > 16:
        raise errors.invalid_value(param, f"Invalid '{param}': too many keys (max 16).")
    for key, item in obj.items():
        string(item, f"{param}.{key}")
        if len(key) > 64 or len(item) > 512:
            raise errors.invalid_value(f"{param}.{key}", f"Invalid '{param}.{key}': too long.")
    return dict(obj)


def nesting(value: Any, param: str) -> Any:
    """Any JSON value nested at most :data:`MAX_NESTING` containers deep (checked without
    recursion, so a hostile value cannot exhaust the stack here either)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth >= MAX_NESTING:
            raise errors.invalid_value(
                param, f"Invalid '{param}': nested deeper than {MAX_NESTING} levels."
            )
        stack.extend((child, depth + 1) for child in children)
    return value


def opaque_object(value: Any, param: str) -> dict[str, Any]:
    """An object the simulator keeps or ignores without reading it (``prompt``,
    ``reasoning``), bounded in depth."""
    obj: dict[str, Any] = nesting(require_object(value, param), param)
    return obj
