"""The HTTP half of a WebRTC call: the routes derived from the WebSocket URL, a client secret
minted for ourselves, the SDP offer posted and the call hung up.

OpenAI's WebRTC guide and the openai SDK (``resources/realtime/calls.py``,
``client_secrets.py``) are the sources: ``POST /v1/realtime/client_secrets`` with the key and a
JSON body ``{"session": {...}}`` answers ``{"value": "ek_…", "expires_at", "session"}``;
``POST /v1/realtime/calls`` with ``Content-Type: application/sdp`` and ``Authorization: Bearer
ek_…`` answers 201 with the SDP answer and ``Location: /v1/realtime/calls/{call_id}``;
``POST /v1/realtime/calls/{call_id}/hangup`` ends the call. The base is the WebSocket URL's:
``ws://h:p/v1/realtime`` → ``http://h:p/v1`` (``wss`` → ``https``).

Minting and the HTTP base are ``console.realtime.secrets``' (one definition for the transport and
``realtime-console token``). Errors never carry the key:
the server's message is redacted (``redact``) before it is put in an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from .redaction import redact
from .secrets import ClientSecretError
from .secrets import create_client_secret as mint


class SignallingError(ConnectionError):
    """An HTTP step of the call failed; the message says which and why, without secrets."""


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


async def create_client_secret(base: str, api_key: str, config: dict[str, Any]) -> str:
    """Mint an ephemeral secret for a realtime session of ``config`` (type, model); its value.
    The one minting call is ``console.realtime.secrets``'; its errors become ours."""
    try:
        answer = await mint(base, api_key, session=config)
    except ClientSecretError as exc:
        raise SignallingError(f"client secret: {redact(str(exc))}") from None
    return str(answer["value"])


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
