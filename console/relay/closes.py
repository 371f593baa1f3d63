"""Close codes and reasons: what one side's close becomes on the other, and upstream refusals.

A close frame carries at most 123 bytes of reason (RFC 6455: a 125-byte control payload minus
the code); some codes may be received but never sent (1005, 1006, 1015). Reasons the relay
forwards are redacted; reasons it writes itself never include the upstream's response body
(OpenAI's ``invalid_api_key`` message echoes part of the key).
"""

from __future__ import annotations

import http

from websockets.asyncio.connection import Connection
from websockets.exceptions import InvalidStatus
from websockets.frames import CloseCode

from console.relay.client_socket import ClientSocket
from console.relay.redact import redact

MAX_CLOSE_REASON_BYTES = 123

_SENDABLE_CODES = frozenset(
    {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}
)


def fit_reason(reason: str) -> str:
    """Trim a close reason to what a close frame can carry, without splitting a character."""
    encoded = reason.encode("utf-8")
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return reason
    return encoded[:MAX_CLOSE_REASON_BYTES].decode("utf-8", errors="ignore")


def close_to_forward(rcvd_code: int | None, rcvd_reason: str, side: str) -> tuple[int, str]:
    """Map the close one side sent to a close the relay may send to the other side.

    1005 (no status) becomes 1000, 1006 (no close frame) and 1015 (TLS failure) become 1011;
    other codes that cannot legally be sent (1004, 1016-2999) become 1011 as well.
    """
    if rcvd_code is None or rcvd_code == CloseCode.ABNORMAL_CLOSURE:
        return CloseCode.INTERNAL_ERROR, f"{side} connection lost"
    if rcvd_code == CloseCode.NO_STATUS_RCVD:
        return CloseCode.NORMAL_CLOSURE, rcvd_reason
    if rcvd_code in _SENDABLE_CODES or 3000 <= rcvd_code < 5000:
        return rcvd_code, rcvd_reason
    return CloseCode.INTERNAL_ERROR, f"{side} closed with code {rcvd_code}"


def refusal_close(exc: BaseException) -> tuple[int, str]:
    """Map a failed upstream connection to a close code and a reason without secrets.

    HTTP 401/403 and other 4xx refusals become 1008 (policy violation), 429 becomes 1013
    (try again later); network failures, timeouts and 5xx become 1011.
    """
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        text = f"upstream refused the connection: HTTP {status} {phrase}".rstrip()
        if status == http.HTTPStatus.TOO_MANY_REQUESTS:
            return CloseCode.TRY_AGAIN_LATER, text
        if 400 <= status < 500:
            return CloseCode.POLICY_VIOLATION, text
        return CloseCode.INTERNAL_ERROR, text
    if isinstance(exc, TimeoutError):
        return CloseCode.INTERNAL_ERROR, "upstream unavailable: timed out"
    if isinstance(exc, ConnectionRefusedError):
        return CloseCode.INTERNAL_ERROR, "upstream unavailable: connection refused"
    if isinstance(exc, OSError):
        return CloseCode.INTERNAL_ERROR, f"upstream unavailable: {type(exc).__name__}"
    return CloseCode.INTERNAL_ERROR, f"upstream handshake failed: {type(exc).__name__}"


async def forward_close(
    source: Connection | ClientSocket, target: Connection | ClientSocket, side: str
) -> None:
    """Close ``target`` with the code and (redacted) reason ``source`` closed with."""
    if isinstance(source, ClientSocket):
        ended = source.ended_with()
    else:
        rcvd = source.protocol.close_rcvd
        ended = (rcvd.code, rcvd.reason) if rcvd else None
    code, reason = close_to_forward(ended[0] if ended else None, ended[1] if ended else "", side)
    await target.close(code, fit_reason(redact(reason)))


def close_code_of(conn: Connection | ClientSocket | None) -> str:
    """The code a connection closed with, for the log: received, else sent, else 1006."""
    if conn is None:
        return "-"
    if isinstance(conn, ClientSocket):
        ended = conn.ended_with()
        return str(ended[0]) if ended else "1006"
    rcvd, sent = conn.protocol.close_rcvd, conn.protocol.close_sent
    frame = rcvd or sent
    return str(frame.code) if frame else "1006"
