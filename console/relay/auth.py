"""Who may use the relay, and which subprotocol it answers with.

Clients present the relay's token as ``Authorization: Bearer``, as an
``openai-insecure-api-key.<token>`` subprotocol (what browsers can send) or as ``?token=``; the
check compares in constant time. The subprotocol the relay selects never carries a key: echoing
the key-carrying entry back would put the client's token in the response headers. The HTTP
routes (``POST /v1/realtime/calls`` and ``/client_secrets``) follow the same rules.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from multidict import CIMultiDictProxy

BETA_SUBPROTOCOL = "openai-beta.realtime-v1"
"""The beta dialect's subprotocol; the relay turns it into the upstream ``OpenAI-Beta`` header."""

KEY_SUBPROTOCOL_PREFIX = "openai-insecure-api-key."
"""Subprotocol entries that carry a credential after this prefix."""

RECOMMENDED_TOKEN_LENGTH = 16
"""The relay warns at start about client tokens shorter than this."""


RequestHeaders = CIMultiDictProxy[str]
"""A request's headers, as aiohttp gives them."""


def offered_subprotocols(headers: RequestHeaders) -> list[str]:
    """The subprotocols a client offered, in order."""
    offered: list[str] = []
    for value in headers.getall("Sec-WebSocket-Protocol", []):
        offered.extend(p.strip() for p in value.split(",") if p.strip())
    return offered


def choose_subprotocol(offered: Sequence[str]) -> str | None:
    """The subprotocol to select: ``realtime``, else an entry without a key, else none.

    Browsers fail a handshake whose response selects no subprotocol when they offered some
    (WHATWG WebSockets), so a browser offering ``realtime`` gets it, as from OpenAI; one offering
    only ``openai-beta.realtime-v1`` beside its key gets that. A client that offered only
    key-carrying entries gets none: a browser then fails the handshake, which is better than the
    relay writing the client's credential back into the response headers.
    """
    if "realtime" in offered:
        return "realtime"
    for protocol in offered:
        if not protocol.startswith(KEY_SUBPROTOCOL_PREFIX):
            return protocol
    return None


def presented_tokens(headers: RequestHeaders, path: str) -> list[str]:
    """Every credential the client presented: bearer header, key subprotocol, ``?token=``.

    ``path`` is the request target with its query. The HTTP routes use the same rules as the
    WebSocket path (a browser's ``fetch`` sends the token as ``Authorization: Bearer``).
    """
    tokens: list[str] = []
    auth = headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        tokens.append(value.strip())
    for protocol in offered_subprotocols(headers):
        if protocol.startswith(KEY_SUBPROTOCOL_PREFIX):
            tokens.append(protocol[len(KEY_SUBPROTOCOL_PREFIX) :])
    tokens.extend(v for k, v in parse_qsl(urlsplit(path).query) if k == "token")
    return tokens


def has_token(headers: RequestHeaders, path: str, token: str) -> bool:
    """Whether the client presented ``token`` in any accepted form (constant-time compare)."""
    expected = token.encode()
    return any(hmac.compare_digest(t.encode(), expected) for t in presented_tokens(headers, path))
