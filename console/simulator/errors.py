"""Error values the simulator reports as `error` events, with the real API's codes and messages.

Every failure a client can provoke is raised as :class:`RealtimeError` and turned into one
``error`` server event by the connection handler; the socket stays open (only session expiry
closes it).
"""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"
SERVER_ERROR = "server_error"


class RealtimeError(Exception):
    """A client-visible error: type, code, message, param and the client's event id."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type: str = INVALID_REQUEST,
        event_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.type = type
        self.event_id = event_id

    def payload(self) -> dict[str, Any]:
        """The ``error`` object of the server event."""
        return {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
            "event_id": self.event_id,
        }


def describe_json_type(value: Any) -> str:
    """Name a JSON value's type the way the real API's messages do ("a string", "an integer")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def quote(value: Any) -> str:
    """Render a value as the real messages do: strings in single quotes, others as JSON-ish."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def unknown_parameter(param: str) -> RealtimeError:
    """A field the API does not know."""
    return RealtimeError(f"Unknown parameter: '{param}'.", code="unknown_parameter", param=param)


def missing_parameter(param: str) -> RealtimeError:
    """A required field is absent."""
    return RealtimeError(
        f"Missing required parameter: '{param}'.", code="missing_required_parameter", param=param
    )


def invalid_type(param: str, expected: str, value: Any) -> RealtimeError:
    """A field has the wrong JSON type."""
    return RealtimeError(
        f"Invalid type for '{param}': expected {expected}, but got "
        f"{describe_json_type(value)} instead.",
        code="invalid_type",
        param=param,
    )


def invalid_enum(param: str, value: Any, supported: list[str] | tuple[str, ...]) -> RealtimeError:
    """A value outside an enumeration."""
    options = ", ".join(f"'{s}'" for s in supported)
    return RealtimeError(
        f"Invalid value: {quote(value)}. Supported values are: {options}.",
        code="invalid_value",
        param=param,
    )


def out_of_range(param: str, value: float, lo: float | None, hi: float | None) -> RealtimeError:
    """A number below a minimum or above a maximum (code ``invalid_value``)."""
    kind = "integer" if isinstance(value, int) else "decimal"
    if lo is not None and value < lo:
        detail = f"{kind} below minimum value. Expected a value >= {lo}, but got {value} instead."
    else:
        detail = f"{kind} above maximum value. Expected a value <= {hi}, but got {value} instead."
    return RealtimeError(f"Invalid '{param}': {detail}", code="invalid_value", param=param)


def invalid_value(param: str, message: str) -> RealtimeError:
    """Any other bad value, with a free-form message."""
    return RealtimeError(message, code="invalid_value", param=param)


def session_expired(seconds: float) -> RealtimeError:
    """The real session-expiry error (followed by close code 1001)."""
    if seconds >= 60 and seconds % 60 == 0:
        duration = f"{int(seconds // 60)} minutes"
    else:
        duration = f"{seconds:g} seconds"
    return RealtimeError(
        f"Your session hit the maximum duration of {duration}.", code="session_expired"
    )


def mask_key(key: str) -> str:
    """Mask an API key like the real error message does (``sk-abc***xyz``); short keys fully."""
    if len(key) <= 8:
        return "***"
    return f"{key[:6]}***{key[-3:]}"


def invalid_api_key(key: str | None) -> RealtimeError:
    """The real ``invalid_api_key`` error; the key appears only masked."""
    shown = mask_key(key) if key else "(none)"
    return RealtimeError(
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )
