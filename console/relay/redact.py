"""The relay's loggers, and the redaction that keeps keys and tokens out of them.

Every record on ``console.relay``, on ``console.relay.websockets`` (the logger handed to
``websockets``, whose debug output includes HTTP headers, and where the listener logs each
handshake request) and on aiohttp's server-side loggers passes through one filter that knows
the secrets of every live relay. Close reasons forwarded from one side to the other go through
the same :func:`redact`.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

from console.relay.auth import KEY_SUBPROTOCOL_PREFIX, RECOMMENDED_TOKEN_LENGTH

logger = logging.getLogger("console.relay")
"""The relay's own log: connections, close codes and frame counts -- never a key."""

ws_logger = logging.getLogger("console.relay.websockets")
"""Logger handed to ``websockets``; its debug output includes HTTP headers, so it is redacted."""

MIN_WORD_SECRET_LENGTH = 8
"""Secrets at least this long are also redacted wherever they occur as a whole word.

Shorter ones are redacted only where credentials travel (headers, key subprotocols, credential
query parameters): replacing a one-letter token everywhere would mangle every log line. Secrets
of ``RECOMMENDED_TOKEN_LENGTH`` or more are redacted even inside a longer word (they cannot
plausibly be part of ordinary text).
"""

_HEADER_SECRET = re.compile(r"(?i)\b(authorization|api-key|x-api-key)(\s*[:=]\s*)([^\r\n]*)")
_KEY_SUBPROTOCOL = re.compile(re.escape(KEY_SUBPROTOCOL_PREFIX) + r"[^\s,;\"']*")
_TOKEN_QUERY = re.compile(r"(?i)([?&](?:token|api_key|key)=)[^&\s#\"']*")
_EPHEMERAL_SECRET = re.compile(r"(?<![A-Za-z0-9_])ek_[A-Za-z0-9_-]+")
"""An ephemeral client secret (``ek_…``), which the client_secrets route hands out."""


@functools.lru_cache(maxsize=64)
def _secret_pattern(secret: str) -> re.Pattern[str]:
    """Where ``secret`` is redacted: anywhere when long, else only as a whole word.

    A whole word is not inside a longer run of letters, digits or ``_``; a percent-escape just
    before it (``%20sk-...`` in an encoded URL) counts as a boundary.
    """
    if len(secret) >= RECOMMENDED_TOKEN_LENGTH:
        return re.compile(re.escape(secret))
    before = r"(?:(?<![A-Za-z0-9_])|(?<=%[0-9A-Fa-f]{2}))"
    return re.compile(before + re.escape(secret) + r"(?![A-Za-z0-9_])")


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """Remove credential headers, key subprotocols, credential query values and known secrets.

    Only the places secrets occur are rewritten, so text around them stays readable: credential
    header values, ``openai-insecure-api-key.`` subprotocol entries, ``token=``/``api_key=``
    (and ``key=``) query values, ephemeral ``ek_…`` secrets, whole-word occurrences of secrets
    of at least ``MIN_WORD_SECRET_LENGTH`` characters and any occurrence of secrets of at least
    ``RECOMMENDED_TOKEN_LENGTH``. ``secrets`` defaults to those of every relay created so far.
    """
    if secrets is None:
        secrets = redactor.secrets
    text = _HEADER_SECRET.sub(r"\1\2[redacted]", text)
    text = _KEY_SUBPROTOCOL.sub(KEY_SUBPROTOCOL_PREFIX + "[redacted]", text)
    text = _TOKEN_QUERY.sub(r"\1[redacted]", text)
    text = _EPHEMERAL_SECRET.sub("ek_[redacted]", text)
    for secret in sorted(secrets, key=len, reverse=True):  # a secret may contain another
        if len(secret) >= MIN_WORD_SECRET_LENGTH:
            text = _secret_pattern(secret).sub("[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites records so no secret known to any live relay reaches a handler."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message, self.secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are rendered later by handlers; render now, redacted, and drop exc_info.
            record.exc_text = redact(
                logging.Formatter().formatException(record.exc_info), self.secrets
            )
            record.exc_info = None
        return True


AIOHTTP_LOGGERS = ("aiohttp.websocket", "aiohttp.server", "aiohttp.web", "aiohttp.access")
"""aiohttp's loggers on the relay's listening side: ``aiohttp.websocket`` warns with the offered
subprotocols (``openai-insecure-api-key.<token>``) when none is selected, so they are redacted
too. The filter knows only relays' secrets, so it changes nothing for other aiohttp users."""

redactor = RedactingFilter()
for _name in ("console.relay", "console.relay.websockets", *AIOHTTP_LOGGERS):
    logging.getLogger(_name).addFilter(redactor)


def add_secret(secret: str | None) -> None:
    """Redact ``secret`` from the relay's logs and forwarded close reasons from now on."""
    if secret:
        redactor.secrets.add(secret)
