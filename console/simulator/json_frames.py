"""Parsing a client frame as JSON, with the real API's errors for what JSON cannot carry."""

from __future__ import annotations

import json
import math
from typing import Any

from . import errors


def _non_finite(constant: str) -> float:
    raise errors.RealtimeError(
        f"Invalid value: {constant} is not a JSON number (numbers must be finite).",
        code="invalid_value",
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _non_finite(text)
    return value


def parse_json(message: str) -> Any:
    """A client frame as JSON: ``invalid_json`` for anything unparsable (syntax, integers past
    Python's 4,300-digit limit, nesting too deep); ``invalid_value`` for ``NaN``,
    ``Infinity`` and numbers too large for a double (they would come back as non-standard JSON)."""
    try:
        return json.loads(message, parse_constant=_non_finite, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise errors.RealtimeError(
            f"Invalid client event: could not parse JSON ({exc.msg} at char {exc.pos}).",
            code="invalid_json",
        ) from None
    except errors.RealtimeError:
        raise
    except (ValueError, RecursionError) as exc:  # ValueError: int digit limit
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise errors.RealtimeError(
            f"Invalid client event: could not parse JSON ({detail}).", code="invalid_json"
        ) from None
