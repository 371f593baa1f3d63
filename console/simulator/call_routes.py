"""WebRTC calls over the HTTP API, and the sideband join of a live call.

``POST /v1/realtime/calls`` (the openai SDK's ``client.realtime.calls.create``, OpenAI's WebRTC
guide): the body is an SDP offer, either alone (``Content-Type: application/sdp``, with an
ephemeral ``ek_`` secret, whose session config the call starts from, or the key) or in a
``multipart/form-data`` form with the fields ``sdp`` and ``session`` (a JSON realtime session
config, with the key). The answer is 201 with the SDP answer (``application/sdp``) and
``Location: /v1/realtime/calls/{call_id}``. A bad offer or session is 400, too many live calls 429,
each with OpenAI's error body.

``POST /v1/realtime/calls/{call_id}/hangup`` (``client.realtime.calls.hangup``) ends a live call
with the key: 200, or 404 for an unknown or ended call. The guides do not show the real server's
404 body; ours is OpenAI's error shape with the code ``call_not_found``.

A WebSocket to ``/v1/realtime?call_id=…`` with the key joins that call's session (the
"sideband", :mod:`.sideband`). An ephemeral secret cannot join (the guides: the server's own
key). An unknown or ended call is refused with an ``error`` event and close 3000, as a wrong key
is; the guides do not say what the real server answers.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .http_api import MAX_BODY_BYTES, HttpError, authorize, server_of
from .peers import Peer

if TYPE_CHECKING:
    from .client_secrets import ClientSecret

log = logging.getLogger(__name__)


def _bad_request(message: str, param: str | None = None) -> HttpError:
    return HttpError(400, errors.RealtimeError(message, param=param, code="invalid_request"))


def _needs_key() -> HttpError:
    return HttpError(
        401,
        errors.RealtimeError(
            "This route needs the API key, not an ephemeral client secret.",
            code="invalid_api_key",
        ),
    )


def _field_text(value: Any) -> str | None:
    """A form field as text: aiohttp gives a typed part (the SDK sends ``sdp`` as
    ``application/sdp`` and ``session`` as ``application/json``) as bytes, a file as a
    ``FileField``, plain text as ``str``."""
    if isinstance(value, web.FileField):
        value = value.file.read(MAX_BODY_BYTES + 1)  # the place() checks the offer's size
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return value if isinstance(value, str) else None


async def _form(request: web.Request) -> tuple[str, Any]:
    """The ``sdp`` and the parsed ``session`` of a form."""
    form = await request.post()
    sdp = _field_text(form.get("sdp"))
    if sdp is None:
        raise _bad_request("The form has no 'sdp' field.", "sdp")
    raw = _field_text(form.get("session"))
    if raw is None:
        return sdp, None
    try:
        return sdp, json.loads(raw)
    except ValueError:
        raise _bad_request("The form's 'session' field is not JSON.", "session") from None


async def create_call(request: web.Request) -> web.StreamResponse:
    """``POST /v1/realtime/calls``: answer an SDP offer (see the module docstring)."""
    server = server_of(request)
    secret = authorize(request)
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        offer, session = await _form(request)
    elif request.content_type == "application/sdp":
        offer, session = await request.text(), None
    else:
        raise _bad_request(
            "Send the SDP offer as application/sdp, or as the 'sdp' field of a "
            "multipart/form-data form with a 'session'."
        )
    if session is not None and secret is not None:
        raise _bad_request(
            "An ephemeral client secret carries its session; send the SDP offer alone.",
            "session",
        )

    def make_connection(peer: Peer) -> Any:
        return server.call_connection(peer, secret)

    from .webrtc import CallRejected  # aiortc loads with the first call

    try:
        call = await server.calls.place(offer, session=session, make_connection=make_connection)
    except CallRejected as exc:
        return web.json_response(exc.payload(), status=exc.status)
    log.info("call %s placed (WebRTC)", call.id)
    return web.Response(
        status=201,
        text=call.answer_sdp,
        content_type="application/sdp",
        headers={"Location": f"/v1/realtime/calls/{call.id}"},
    )


async def hangup_call(request: web.Request) -> web.StreamResponse:
    """``POST /v1/realtime/calls/{call_id}/hangup``: end a live call (the key is needed)."""
    server = server_of(request)
    if authorize(request) is not None:
        raise _needs_key()
    call_id = request.match_info["call_id"]
    log.info("call %s: hangup asked", call_id)
    if not await server.calls.hangup(call_id):
        raise HttpError(
            404,
            errors.RealtimeError(
                f"No live call with id '{call_id}'.", param="call_id", code="call_not_found"
            ),
        )
    return web.Response(status=200)


ROUTES: tuple[web.RouteDef, ...] = (
    web.post("/v1/realtime/calls", create_call),
    web.post("/v1/realtime/calls/{call_id}/hangup", hangup_call),
)


def sideband_refusal(call_id: str, secret: ClientSecret | None) -> errors.RealtimeError:
    """Why a sideband cannot join (the caller sends it, then closes with 3000)."""
    if secret is not None:
        return errors.RealtimeError(
            "A sideband connection needs the API key, not an ephemeral client secret.",
            code="invalid_api_key",
        )
    return errors.RealtimeError(
        f"No live call with id '{call_id}': a sideband joins a WebRTC or SIP call in progress.",
        param="call_id",
        code="call_not_found",
    )
