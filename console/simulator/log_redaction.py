"""The simulator's websockets log, with credentials taken out.

At DEBUG, websockets logs every handshake header, ``Authorization: Bearer <key>`` and the
``openai-insecure-api-key.<key>`` subprotocol included. The simulator hands websockets its own
logger, whose filter rewrites each record without them, so running the simulator in-process
(as the console does) never puts a key in a log.
"""

from __future__ import annotations

import logging
import re

_CREDENTIALS = re.compile(
    r"(?i)(authorization:\s*)[^\r\n]*|(openai-insecure-api-key\.)[^\s,;'\"]+|"
    r"((?:api[-_]key|token)=)[^&\s'\"]+"
)


def redact(text: str) -> str:
    """``text`` with authorization values, key subprotocols and credential queries hidden."""
    return _CREDENTIALS.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "[redacted]", text)


class _RedactCredentials(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


websockets_logger = logging.getLogger("console.simulator.websockets")
"""The logger the simulator gives websockets (handshakes, frames at DEBUG), credentials hidden."""
websockets_logger.addFilter(_RedactCredentials())
