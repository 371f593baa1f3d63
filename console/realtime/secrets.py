"""Minting an ephemeral client secret (``POST /v1/realtime/client_secrets``), as a browser app's
server does: the client library's job, used by ``realtime-console token`` and by the WebRTC
transport (``signalling``), which mints a secret for itself from a standard key.

The HTTP base is derived from the Realtime WebSocket URL (:func:`http_base`), so ``--url`` takes
the same ``ws://…/v1/realtime`` URL for every transport. Errors are one line with the status and
the server's own message; the key is never put in one.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

EPHEMERAL_PREFIX = "ek_"
"""How an ephemeral client secret's value starts. Such a secret carries its session config."""

MAX_ANSWER_BYTES = 1024 * 1024
"""The largest answer read (a secret and its session config are a few kilobytes)."""
TIMEOUT_S = 30.0


class ClientSecretError(Exception):
    """Minting failed: the server refused (status and its message) or could not be reached."""


def http_base(url: str) -> str:
    """``http(s)://host:port/…/v1`` from a Realtime URL (``ws(s)://host:port/…/v1/realtime``)."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if path.endswith("/realtime"):
        path = path[: -len("/realtime")]
    if not path:
        path = "/v1"
    netloc = parts.netloc.rsplit("@", 1)[-1]  # user info never travels to the HTTP routes
    return urlunsplit((scheme, netloc, path, "", ""))


def _server_message(status: int, body: bytes) -> str:
    """The ``error.message`` of OpenAI's error body, else the body's first line."""
    text = body.decode("utf-8", "replace")
    try:
        message = json.loads(text)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = text.strip().splitlines()[0] if text.strip() else "(no message)"
    return f"HTTP {status}: {' '.join(str(message).split())}"


async def create_client_secret(
    base: str,
    key: str | None,
    expires_s: int | None = None,
    session: dict[str, Any] | None = None,
    *,
    timeout_s: float = TIMEOUT_S,
) -> dict[str, Any]:
    """Mint a secret at ``base`` (``http_base(url)``) with ``key`` as Bearer: the answer,
    ``{value, expires_at, session}``. ``expires_s`` becomes ``expires_after`` (anchored at
    ``created_at``), ``session`` the secret's session config; either may be left to the server's
    defaults. :class:`ClientSecretError` when the server refuses or cannot be reached."""
    body: dict[str, Any] = {}
    if expires_s is not None:
        body["expires_after"] = {"anchor": "created_at", "seconds": expires_s}
    if session is not None:
        body["session"] = session
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = f"{base.rstrip('/')}/realtime/client_secrets"
    import aiohttp  # only here: a WebSocket session never needs it (it costs ~0.1 s to load)

    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as http,
            http.post(url, data=json.dumps(body), headers=headers) as response,
        ):
            raw = await response.content.read(MAX_ANSWER_BYTES + 1)
            status = response.status
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        raise ClientSecretError(f"cannot reach {url}: {reason}") from None
    if len(raw) > MAX_ANSWER_BYTES:
        raise ClientSecretError(f"the answer from {url} is larger than {MAX_ANSWER_BYTES} bytes")
    if status != 200:
        raise ClientSecretError(_server_message(status, raw))
    try:
        answer = json.loads(raw)
    except ValueError:
        raise ClientSecretError(f"the answer from {url} is not JSON") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("value"), str):
        raise ClientSecretError(f"the answer from {url} has no secret value")
    return answer
