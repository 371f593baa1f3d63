"""The HTTP half of a WebRTC call: the routes derived from the WebSocket URL, a client secret
minted for ourselves, the SDP offer posted and the call hung up.

OpenAI's WebRTC guide and the openai SDK (``resources/realtime/calls.py``,
``client_secrets.py``) are the sources: ``POST /v1/realtime/client_secrets`` with the key and a
JSON body ``{"session": {...}}`` answers ``{"value": "ek_…", "expires_at", "session"}``;
``POST /v1/realtime/calls`` with ``Content-Type: application/sdp`` and ``Authorization: Bearer
ek_…`` answers 201 with the SDP answer and ``Location: /v1/realtime/calls/{call_id}``;
``POST /v1/realtime/calls/{call_id}/hangup`` ends the call. The base is the WebSocket URL's:
``ws://h:p/v1/realtime`` → ``http://h:p/v1`` (``wss`` → ``https``).

This is the minimal client-secret call the transport needs; ``console.realtime.secrets``
(issue 14, another branch) is meant to become the one definition. Errors never carry the key:
the server's message is redacted (``redact``) before it is put in an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from .redaction import redact

EPHEMERAL_PREFIX = "ek_"


class SignallingError(ConnectionError):
    """An HTTP step of the call failed; the message says which and why, without secrets."""


def http_base(ws_url: str) -> str:
    """``ws://h:p/v1/realtime?model=…`` → ``http://h:p/v1``: where the HTTP routes live."""
    parts = urlsplit(ws_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if path.endswith("/realtime"):
        path = path[: -len("/realtime")]
    netloc = parts.netloc.rsplit("@", 1)[-1]  # user info never travels to the HTTP routes
    return urlunsplit((scheme, netloc, path, "", ""))


@dataclass(frozen=True)
class CallAnswer:
    """The 201 of ``POST /realtime/calls``: the SDP answer and the call's id (may be empty)."""

    sdp: str
    call_id: str


def _headers(token: str | None, content_type: str | None = None) -> dict[str, str]:
    """The bearer (none without a token: a server that wants no key) and the content type."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


async def _failure(step: str, response: aiohttp.ClientResponse) -> SignallingError:
    """A readable error from a non-2xx answer: status and the server's error message."""
    text = await response.text(errors="replace")
    detail = text[:300]
    try:
        body = json.loads(text)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and error.get("message"):
            detail = str(error["message"])
            if error.get("code"):
                detail = f"{error['code']}: {detail}"
    except ValueError:
        pass
    return SignallingError(f"{step}: HTTP {response.status} {redact(detail)}".rstrip())


async def create_client_secret(
    session: aiohttp.ClientSession, base: str, api_key: str, config: dict[str, Any]
) -> str:
    """Mint an ephemeral secret for a realtime session of ``config`` (type, model); its value."""
    url = f"{base}/realtime/client_secrets"
    body = {"session": config}
    try:
        async with session.post(url, json=body, headers=_headers(api_key)) as response:
            if response.status != 200:
                raise await _failure("client secret", response)
            answer = await response.json(content_type=None)
    except aiohttp.ClientError as exc:
        raise SignallingError(f"client secret: {redact(str(exc)) or type(exc).__name__}") from None
    value = answer.get("value") if isinstance(answer, dict) else None
    if not isinstance(value, str) or not value:
        raise SignallingError("client secret: the answer has no 'value'")
    return value


async def post_offer(
    session: aiohttp.ClientSession, base: str, token: str | None, offer_sdp: str
) -> CallAnswer:
    """Post the SDP offer; the SDP answer and the call id from ``Location``."""
    url = f"{base}/realtime/calls"
    headers = _headers(token, "application/sdp")
    try:
        async with session.post(url, data=offer_sdp.encode(), headers=headers) as response:
            if response.status not in (200, 201):
                raise await _failure("call", response)
            sdp = await response.text()
            location = response.headers.get("Location", "")
    except aiohttp.ClientError as exc:
        raise SignallingError(f"call: {redact(str(exc)) or type(exc).__name__}") from None
    if not sdp.startswith("v="):
        raise SignallingError("call: the answer is not an SDP description")
    return CallAnswer(sdp=sdp, call_id=location.rstrip("/").rsplit("/", 1)[-1] if location else "")


async def hang_up(
    session: aiohttp.ClientSession, base: str, token: str | None, call_id: str
) -> bool:
    """``POST /realtime/calls/{call_id}/hangup``; True when the server ended the call."""
    url = f"{base}/realtime/calls/{call_id}/hangup"
    try:
        async with session.post(url, headers=_headers(token)) as response:
            return 200 <= response.status < 300
    except aiohttp.ClientError:
        return False
