"""The WebSocket path's handshake on the relay's aiohttp listener: what is refused before the
upgrade, the response that upgrades, and the upstream request made from the client's.

Refusals keep the order and answers of the relay's earlier ``websockets`` listener: an unknown
path is 404, a missing or wrong token 401 (with ``WWW-Authenticate``), and a plain GET without
the upgrade 426. Each handshake request is logged at DEBUG on ``console.relay.websockets``, as
``websockets`` did, through the relay's redaction.
"""

from __future__ import annotations

import http
import logging

from aiohttp import web

from console.relay.auth import (
    BETA_SUBPROTOCOL,
    choose_subprotocol,
    has_token,
    offered_subprotocols,
)
from console.relay.redact import logger, ws_logger
from console.relay.urls import CREDENTIAL_PARAMS, is_accepted_path, merge_query

HEARTBEAT_S = 20.0
"""Ping interval to clients; one that misses a pong is dropped (websockets' server default)."""


def log_request(request: web.Request) -> None:
    """The request line and headers at DEBUG (redacted by the logger's filter)."""
    if not ws_logger.isEnabledFor(logging.DEBUG):
        return
    ws_logger.debug("< %s %s HTTP/%d.%d", request.method, request.path_qs, *request.version)
    for name, value in request.headers.items():
        ws_logger.debug("< %s: %s", name, value)


def refusal(request: web.Request, token: str | None) -> web.Response | None:
    """The answer to a request refused before the upgrade (404, 401), else None."""
    if not is_accepted_path(request.path_qs):
        return web.Response(status=http.HTTPStatus.NOT_FOUND, text="Not found: use /v1/realtime\n")
    if token is not None and not has_token(request.headers, request.path_qs, token):
        logger.info("rejected a client without a valid relay token (HTTP 401)")
        return web.Response(
            status=http.HTTPStatus.UNAUTHORIZED,
            text="Missing or invalid relay token\n",
            headers={"WWW-Authenticate": 'Bearer realm="realtime-relay"'},
        )
    return None


def websocket_response(
    request: web.Request, max_size: int | None
) -> web.WebSocketResponse | web.Response:
    """The upgrading response (not yet prepared), or 426 for a request that is no upgrade.

    The subprotocol is chosen by :func:`console.relay.auth.choose_subprotocol` (never one that
    carries a key); frames over ``max_size`` close the client with 1009; no compression. The
    client's close is answered by :class:`console.relay.client_socket.ClientSocket`.
    """
    chosen = choose_subprotocol(offered_subprotocols(request.headers))
    ws = web.WebSocketResponse(
        protocols=(chosen,) if chosen is not None else (),
        autoclose=False,
        compress=False,
        max_msg_size=max_size or 0,
        heartbeat=HEARTBEAT_S,
    )
    if not ws.can_prepare(request).ok:
        return web.Response(
            status=http.HTTPStatus.UPGRADE_REQUIRED,
            text="Upgrade Required: this path takes WebSocket connections\n",
            headers={"Upgrade": "websocket"},
        )
    return ws


def upstream_request(
    request: web.Request, upstream_url: str, api_key: str | None
) -> tuple[str, dict[str, str]]:
    """The upstream URL and headers for one client request; client credentials are dropped."""
    url = merge_query(upstream_url, request.query_string, CREDENTIAL_PARAMS)
    headers: dict[str, str] = {}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    beta = request.headers.get("OpenAI-Beta")
    if beta:
        headers["OpenAI-Beta"] = beta
    elif BETA_SUBPROTOCOL in offered_subprotocols(request.headers):
        headers["OpenAI-Beta"] = "realtime=v1"
    return url, headers
