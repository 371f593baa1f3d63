"""The HTTP routes a browser app needs, forwarded to the upstream with the server's key.

A browser app built on OpenAI's WebRTC guide asks its server for an ephemeral client secret
(``POST /v1/realtime/client_secrets``) and posts its SDP offer to ``POST /v1/realtime/calls``
(the SDK's ``client.realtime.calls.create``: ``application/sdp`` alone, or a multipart form with
``sdp`` and ``session``); ``POST /v1/realtime/calls/{call_id}/hangup`` ends a call. Pointed at the
relay, these go to the upstream's HTTP base (:func:`console.relay.urls.http_base`) with the
relay's key in ``Authorization`` -- the caller's ``Authorization`` (the relay token, or anything)
never goes upstream -- under the WebSocket path's token rules.

One exception: on ``POST /v1/realtime/calls`` (and only there) a caller's ``Authorization:
Bearer ek_…`` is forwarded upstream as is, without the relay's token check and without the
relay's key. An ephemeral secret carries its session config, and OpenAI starts a call placed
with one from that config; replacing it with the relay's key would throw the config away. The
upstream validates the secret (a forged or expired one gets the upstream's 401), and a secret
can only have been minted by someone holding a key -- through this relay, with its token. A
secret cannot mint secrets or hang calls up, so the other routes keep the token rules.

The body and its ``Content-Type`` go upstream verbatim; the answer's status, body,
``Content-Type`` and ``Location`` come back verbatim and no other upstream header does (the
``Location`` of a call, ``/v1/realtime/calls/{id}``, is a path the relay serves too). Bodies are
capped at :data:`MAX_BODY_BYTES` both ways (an SDP offer is a few KB); redirects are not
followed (they could carry the key elsewhere). When the upstream cannot be reached the caller
gets 502, or 504 when it does not answer in time, with OpenAI's error body
(``{"error": {"message", "type", "param", "code"}}``) saying so in words. Neither the key nor an
``ek_`` value is logged: bodies are never logged, and the log lines pass the relay's redaction.
"""

from __future__ import annotations

import http

import aiohttp
from aiohttp import web

from console.relay.auth import has_token
from console.relay.redact import logger
from console.relay.urls import CALLS_ROUTE, upstream_http_url

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body the relay reads, and the largest answer it passes back."""

DEFAULT_HTTP_TIMEOUT = 30.0
"""Seconds the upstream has to answer one request (placing a call takes a few)."""

FORWARDED_REQUEST_HEADERS = ("Content-Type", "Accept", "OpenAI-Beta")
"""The caller's headers that go upstream, besides the body (``Authorization`` is the relay's)."""

FORWARDED_RESPONSE_HEADERS = ("Content-Type", "Location")
"""The upstream answer's headers that come back to the caller."""

EPHEMERAL_PREFIX = "ek_"
"""How an ephemeral client secret's value starts (OpenAI's ``client_secrets`` answer)."""


def ephemeral_bearer(request: web.Request) -> str | None:
    """The caller's ``Authorization`` when it is ``Bearer ek_…`` on ``POST /v1/realtime/calls``
    (forwarded as is, see the module docstring), else None."""
    if request.path.rstrip("/") != CALLS_ROUTE:
        return None
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(EPHEMERAL_PREFIX):
        return None
    return f"Bearer {value}"


def error_response(status: int, message: str, code: str, error_type: str) -> web.Response:
    """An answer in OpenAI's HTTP error shape, which the openai SDK turns into its exceptions."""
    body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
    return web.json_response(body, status=status)


def token_refusal() -> web.Response:
    """401 for a caller without the relay's token (nothing has gone upstream)."""
    response = error_response(
        http.HTTPStatus.UNAUTHORIZED,
        "Missing or invalid relay token: send the relay's token as a Bearer token in the "
        "Authorization header (with the openai SDK, as its api_key).",
        "invalid_api_key",
        "invalid_request_error",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="realtime-relay"'
    return response


class HttpForwarder:
    """Forwards the relay's HTTP routes to ``base`` (the upstream's ``http(s)://…/v1``)."""

    def __init__(
        self,
        base: str,
        api_key: str | None,
        token: str | None,
        timeout: float = DEFAULT_HTTP_TIMEOUT,
    ) -> None:
        self.base = base
        self._api_key = api_key
        self._token = token
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        """Close the upstream connection pool."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One forwarded request: the token check, then upstream and back (module docstring)."""
        ephemeral = ephemeral_bearer(request)
        if (
            ephemeral is None
            and self._token is not None
            and not has_token(request.headers, request.path_qs, self._token)
        ):
            logger.info("rejected an HTTP request without a valid relay token (HTTP 401)")
            return token_refusal()
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return error_response(
                http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"The request body is larger than the relay's limit of {MAX_BODY_BYTES} bytes.",
                "request_too_large",
                "invalid_request_error",
            )
        url = upstream_http_url(self.base, request.path, request.query_string)
        headers = {
            name: value
            for name in FORWARDED_REQUEST_HEADERS
            if (value := request.headers.get(name)) is not None
        }
        if ephemeral is not None:
            headers["Authorization"] = ephemeral
        elif self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            async with self._http().post(
                url, data=body, headers=headers, allow_redirects=False
            ) as upstream:
                answer = await _read_capped(upstream.content, MAX_BODY_BYTES + 1)
                status = upstream.status
                kept = {
                    name: value
                    for name in FORWARDED_RESPONSE_HEADERS
                    if (value := upstream.headers.get(name)) is not None
                }
        except TimeoutError:
            logger.warning(
                "HTTP %s: the upstream did not answer in %g s", request.path, self._timeout
            )
            return error_response(
                http.HTTPStatus.GATEWAY_TIMEOUT,
                f"The relay's upstream did not answer within {self._timeout:g} seconds.",
                "upstream_timeout",
                "server_error",
            )
        except aiohttp.ClientError as exc:
            why = _unreachable(exc)
            logger.warning("HTTP %s: the upstream could not be reached (%s)", request.path, why)
            return error_response(
                http.HTTPStatus.BAD_GATEWAY,
                f"The relay could not reach its upstream: {why}.",
                "upstream_unavailable",
                "server_error",
            )
        if len(answer) > MAX_BODY_BYTES:
            logger.warning("HTTP %s: the upstream's answer is over the relay's limit", request.path)
            return error_response(
                http.HTTPStatus.BAD_GATEWAY,
                f"The upstream's answer is over the relay's limit of {MAX_BODY_BYTES} bytes.",
                "upstream_answer_too_large",
                "server_error",
            )
        logger.info("HTTP POST %s -> upstream HTTP %d", request.path, status)
        return web.Response(status=status, body=answer, headers=kept)


async def _read_capped(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The stream's bytes until its end or until ``limit`` of them (then it stops reading)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := await stream.read(limit - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _unreachable(exc: aiohttp.ClientError) -> str:
    """Why the upstream could not be reached, in words and without secrets."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        return f"cannot connect ({type(cause).__name__})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "it closed the connection without an answer"
    return type(exc).__name__
