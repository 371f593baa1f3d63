"""Where the console connects, and failures told in plain words.

The target never carries the key into anything printable: ``Target.__repr__`` hides it and the
endpoint shown is the URL without its query string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from console.realtime.redaction import redact

CLOSE_REASONS = {
    1000: "closed normally",
    1001: "the session expired or the server is going away",
    1006: "the connection dropped without a close frame",
    1008: "the server refused the session (policy)",
    1011: "the server failed",
    3000: "the server refused the session: a wrong key, or a request it cannot take",
    4000: (
        "use the GA dialect (--dialect ga): the server no longer accepts the beta protocol"
        " (beta_api_shape_disabled)"
    ),
}
RECONNECT_HINT = "F2 reconnects"
NO_RECONNECT_HINT = frozenset({3000, 4000})
"""Closes a reconnect with the same settings cannot help."""
MAX_CARRIED_MESSAGES = 100
"""The last user/assistant messages "Reconnect with history" carries into the new session."""


@dataclass(frozen=True)
class Target:
    """A Realtime server to connect to; ``label`` is what the header says about it."""

    url: str | None = field(repr=False)
    api_key: str | None = field(default=None, repr=False)
    dialect: str = "ga"
    model: str | None = None
    label: str = ""
    token_option: bool = False
    """True when the key came from ``--token`` (so a 401 can say the token is wrong)."""
    transport: str = "websocket"
    """``"websocket"`` or ``"webrtc"`` (``--transport``): how the client reaches the server."""
    call_id: str | None = None
    """Attached to this live call through its sideband connection (``--call-id``)."""

    @property
    def endpoint(self) -> str:
        """The URL without query or credentials, safe to show."""
        if not self.url:
            return "(none)"
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))


def header_label(target: Target, *, transcription: bool = False) -> str:
    """What the header says about the session: the target, or the call attached to."""
    if target.call_id is not None:
        return f"attached to call {target.call_id}"
    return target.label + (" — transcription session" if transcription else "")


_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")


def failure_text(error: BaseException, target: Target) -> str:
    """The library's words for a failed connect, with the key and any ek_ secret masked."""
    text = str(error) or type(error).__name__
    if target.api_key:
        text = text.replace(target.api_key, "***")
    return redact(text)  # an ek_ secret the client minted for a WebRTC call, too


def failure_status(text: str) -> int | None:
    """The HTTP status a failure's words name (``HTTP 401``: the library's signalling and
    minting errors, websockets' refused handshake), if any."""
    match = _HTTP_STATUS.search(text)
    return int(match.group(1)) if match else None


def explain_connect_failure(error: BaseException, target: Target) -> str:
    """A sentence that says what went wrong and what to do about it."""
    text = failure_text(error, target)
    # The library says 'Could not connect to "URL": reason'; the status bar shows the URL.
    if text.startswith(("Could not connect to ", "Could not call ")) and '": ' in text:
        text = text.split('": ', 1)[1]
    lowered = text.lower()
    if "http 401" in lowered or "http 403" in lowered:
        if target.api_key is None:
            return f"{text} — the server wants a key: start with --token TOKEN"
        if target.token_option:
            return f"{text} — the server refused the --token given"
        return f"{text} — the server refused the key (check OPENAI_API_KEY)"
    if "connection refused" in lowered or "errno 111" in lowered:
        return f"{text} — nothing is listening there; is the server or relay running?"
    if "timed out" in lowered or isinstance(error, TimeoutError):
        return f"{text} — no answer in time"
    return text


def explain_close(
    code: int | None,
    reason: str,
    *,
    call_id: str | None = None,
    error: Mapping[str, Any] | None = None,
) -> str:
    """``closed (1001): session expired …`` from a websocket close code and reason; attached to
    a call (``call_id``), a normal close is the call ending, and says so, and the server's
    ``error`` received just before another close is its explanation (a sideband's refusal
    comes as an ``error`` then close 3000, which alone would read "a wrong key")."""
    if call_id is not None and code in (1000, 1001):
        why = f" ({reason})" if reason else ""
        return f"the call {call_id} ended{why}: closed ({code})"
    if call_id is not None and error is not None:
        closed = f"closed ({code})" if code is not None else "closed"
        return f"{closed} — {sideband_refusal(call_id, error)}"
    meaning = CLOSE_REASONS.get(code or 0, "")
    parts = [f"closed ({code})" if code is not None else "closed"]
    if reason and reason not in meaning:
        parts.append(reason)
    if meaning and meaning not in reason:
        parts.append(meaning)
    return ": ".join(parts[:1]) + (" — " + "; ".join(parts[1:]) if len(parts) > 1 else "")


def sideband_refusal(call_id: str, error: Mapping[str, Any]) -> str:
    """Why the server refused to attach to ``call_id``, from its ``error`` object."""
    code = str(error.get("code") or error.get("type") or "error")
    message = redact(str(error.get("message") or ""))
    said = f": {message}" if message else ""
    if code == "call_not_found":
        return f"the call {call_id} was not found ({code}){said}"
    return f"the server refused to attach to the call {call_id} ({code}){said}"


def carried_history(items: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(role, text)`` of the conversation's user and assistant messages that have text (or a
    transcript), oldest first, at most ``MAX_CARRIED_MESSAGES``: what a new session is given.
    """
    carried = []
    for item in items:
        role = item.get("role")
        if item.get("type") != "message" or role not in ("user", "assistant"):
            continue
        formatted = item.get("formatted") or {}
        text = str(formatted.get("text") or formatted.get("transcript") or "").strip()
        if text:
            carried.append((str(role), text))
    return carried[-MAX_CARRIED_MESSAGES:]
