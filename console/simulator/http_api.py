"""The simulator's HTTP API, on the WebSocket's port: routes, errors as OpenAI sends them, auth.

Routes (all under ``/v1``; every other path answers 404 ``Not found: use /v1/realtime``):

- ``GET /v1/realtime`` (also ``/v1/realtime/`` and ``/``): the Realtime WebSocket
  (:mod:`.server`); a plain GET without the upgrade answers 426.
- ``POST /v1/realtime/client_secrets``: mint an ephemeral ``ek_…`` secret
  (:mod:`.client_secrets`).

Other modules add routes with :meth:`SimulatorServer.add_routes` before ``start()`` (aiohttp
``RouteDef`` values such as ``web.post(path, handler)``); a handler finds its server with
:func:`server_of` and checks the caller with :func:`authorize` (the server key, or a live
``ek_`` secret whose session config it gets back).

Errors are OpenAI's HTTP error body, ``{"error": {"message", "type", "param", "code"}}``: 400 for
a bad request, 401 for a wrong, missing, expired or forged key, 413 for a body over
:data:`MAX_BODY_BYTES`, 429 past the live-secret limit. Nothing here logs a key or a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .client_secrets import ClientSecret, SecretLimitReached
from .handshake import client_key
from .json_frames import parse_json

if TYPE_CHECKING:
    from .server import SimulatorServer

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""The largest POST body any route reads (aiohttp refuses more with 413 before the handler)."""
NOT_FOUND_TEXT = "Not found: use /v1/realtime\n"
SERVER: web.AppKey[SimulatorServer] = web.AppKey("realtime_simulator")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpError(Exception):
    """A failure answered with an HTTP status and OpenAI's error body."""

    def __init__(self, status: int, error: errors.RealtimeError) -> None:
        super().__init__(error.message)
        self.status = status
        self.error = error


def error_response(status: int, error: errors.RealtimeError) -> web.Response:
    """OpenAI's HTTP error body for ``error`` with ``status``."""
    body = {
        "error": {
            "message": error.message,
            "type": error.type,
            "param": error.param,
            "code": error.code,
        }
    }
    return web.json_response(body, status=status)


def server_of(request: web.Request) -> SimulatorServer:
    """The simulator serving ``request`` (for route handlers written elsewhere)."""
    return request.app[SERVER]


async def read_json(request: web.Request) -> Any:
    """The request's JSON body: 400 when it is not JSON (413 comes from aiohttp's limit)."""
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
        return parse_json(text) if text.strip() else {}
    except UnicodeDecodeError:
        raise HttpError(
            400, errors.RealtimeError("The body must be UTF-8 encoded JSON.", code="invalid_json")
        ) from None
    except errors.RealtimeError as exc:
        message = exc.message.replace("Invalid client event", "Invalid request body")
        raise HttpError(400, errors.RealtimeError(message, code=exc.code)) from None


def no_key() -> errors.RealtimeError:
    """OpenAI's HTTP answer to a request without a key."""
    return errors.RealtimeError(
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API "
        "key from https://platform.openai.com/account/api-keys."
    )


def authorize(request: web.Request) -> ClientSecret | None:
    """Check the caller's key: the live ``ek_`` secret it presented (its session config is
    ``secret.patch``, rendered ``secret.session``), or None for the server key (or any key
    when the server requires none). A wrong, missing, expired or forged key: 401."""
    server = server_of(request)
    key = client_key(request.headers)
    if key is None and server.require_key is not None:
        raise HttpError(401, no_key())
    try:
        return server.check_key(key)
    except errors.RealtimeError as exc:
        raise HttpError(401, exc) from None


async def create_client_secret(request: web.Request) -> web.Response:
    """``POST /v1/realtime/client_secrets``: the server key (when one is required) mints an
    ``ek_`` secret; an ephemeral secret cannot mint another."""
    server = server_of(request)
    if authorize(request) is not None:
        raise HttpError(
            401,
            errors.RealtimeError(
                "Ephemeral client secrets cannot create client secrets; use an API key.",
                code="invalid_api_key",
            ),
        )
    body = await read_json(request)
    try:
        secret = server.client_secrets.mint(body)
    except SecretLimitReached as exc:
        raise HttpError(429, exc) from None
    except errors.RealtimeError as exc:
        raise HttpError(400, exc) from None
    log.info("client secret minted (%s session, expires at %d)", secret.kind, secret.expires_at)
    return web.json_response(secret.response())


ROUTES: tuple[web.RouteDef, ...] = (web.post("/v1/realtime/client_secrets", create_client_secret),)
"""The routes the simulator always serves besides the WebSocket paths."""


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn :class:`HttpError`, aiohttp's 413 and unknown paths into the answers above."""
    try:
        return await handler(request)
    except HttpError as exc:
        return error_response(exc.status, exc.error)
    except web.HTTPRequestEntityTooLarge:
        return error_response(
            413,
            errors.RealtimeError(
                f"The request body is larger than {MAX_BODY_BYTES} bytes.",
                code="request_too_large",
            ),
        )
    except web.HTTPNotFound:
        return web.Response(status=404, text=NOT_FOUND_TEXT)
