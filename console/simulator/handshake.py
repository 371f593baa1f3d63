"""What a WebSocket handshake (or an HTTP request) says: key, dialect, subprotocols.

The helpers read any header mapping with ``get`` and, for repeated headers, ``getall``
(aiohttp's ``CIMultiDictProxy``) or ``get_all`` (``websockets.datastructures.Headers``), so they
work on the simulator's aiohttp requests and on a websockets handshake alike.
"""

from __future__ import annotations

from typing import Any

from .dialect import GA, Dialect
from .dialect_beta import BETA

KEY_PROTOCOL_PREFIX = "openai-insecure-api-key."
BETA_PROTOCOL = "openai-beta.realtime-v1"
REALTIME_PROTOCOL = "realtime"


def _all(headers: Any, name: str) -> list[str]:
    """Every value of a header, whichever mapping type carries them."""
    if hasattr(headers, "getall"):
        return [str(v) for v in headers.getall(name, [])]
    if hasattr(headers, "get_all"):
        return [str(v) for v in headers.get_all(name)]
    value = headers.get(name)
    return [] if value is None else [str(value)]


def offered_subprotocols(headers: Any) -> list[str]:
    """The subprotocols a client offered, in order."""
    out: list[str] = []
    for value in _all(headers, "Sec-WebSocket-Protocol"):
        out.extend(p.strip() for p in value.split(",") if p.strip())
    return out


def selected_subprotocol(headers: Any) -> str | None:
    """``realtime`` when offered (browsers abort otherwise), else the beta one, else none."""
    offered = offered_subprotocols(headers)
    for wanted in (REALTIME_PROTOCOL, BETA_PROTOCOL):
        if wanted in offered:
            return wanted
    return None


def client_key(headers: Any) -> str | None:
    """The API key from ``Authorization: Bearer`` or the insecure-key subprotocol."""
    auth = str(headers.get("Authorization", ""))
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    for proto in offered_subprotocols(headers):
        if proto.startswith(KEY_PROTOCOL_PREFIX):
            return proto[len(KEY_PROTOCOL_PREFIX) :] or None
    return None


def client_dialect(headers: Any) -> Dialect:
    """Beta when the beta header or subprotocol is present, else GA."""
    beta_header = "realtime=v1" in str(headers.get("OpenAI-Beta", "")).replace(" ", "")
    if beta_header or BETA_PROTOCOL in offered_subprotocols(headers):
        return BETA
    return GA
