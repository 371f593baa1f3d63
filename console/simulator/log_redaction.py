"""The simulator's logs, with credentials taken out.

aiohttp, which serves the simulator's WebSocket and HTTP routes, can log what a client sent: the
WebSocket subprotocols it offered when none could be selected (``openai-insecure-api-key.<key>``
among them), request lines (a ``?api_key=`` query), failing requests. The filter here is put on
aiohttp's loggers and rewrites each record without the
``Authorization`` value, the key subprotocol, credential queries and ephemeral secrets
(``ek_…``), so running the simulator in-process (as the console does) never puts a key in a log.
"""

from __future__ import annotations

import logging
import re

_CREDENTIALS = re.compile(
    r"(?i)(authorization:\s*)[^\r\n]*|(openai-insecure-api-key\.)[^\s,;'\"]+|"
    r"((?:api[-_]key|token)=)[^&\s'\"]+|(\bek_)[A-Za-z0-9_-]+"
)
_UNSELECTED_PROTOCOLS = "don\N{RIGHT SINGLE QUOTATION MARK}t overlap server-known ones"
"""aiohttp's warning when a client offered subprotocols and none was selected: normal here
(a client may offer only the key subprotocol), so it is dropped rather than printed."""


def redact(text: str) -> str:
    """``text`` with authorization values, key subprotocols, credential queries and ephemeral
    secrets hidden."""
    return _CREDENTIALS.sub(
        lambda m: (m.group(1) or m.group(2) or m.group(3) or m.group(4)) + "[redacted]", text
    )


class _RedactCredentials(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _UNSELECTED_PROTOCOLS in message:
            return False
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = _RedactCredentials()

AIOHTTP_LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web", "aiohttp.websocket")


def install() -> None:
    """Put the filter on aiohttp's loggers (idempotent; a filter only ever removes secrets)."""
    for name in AIOHTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
