"""Masking credentials in text meant for logs, errors and URLs shown to a user: the one
definition the transports share (the API key, ``ek_`` client secrets, auth headers)."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_QUERY_KEYS = frozenset({"key", "api_key", "api-key", "apikey", "token", "access_token"})
_SECRET_PATTERNS = (
    (re.compile(r"(?i)(authorization:\s*)\S.*"), r"\1[redacted]"),
    (re.compile(r"(?i)(api-key:\s*)\S.*"), r"\1[redacted]"),
    (re.compile(r"(openai-insecure-api-key\.)[^,\s]+"), r"\1[redacted]"),
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"), "sk-[redacted]"),
    (re.compile(r"\bek_[A-Za-z0-9_\-]{6,}"), "ek_[redacted]"),
)


def redact(text: str) -> str:
    """``text`` with keys, client secrets and authorization headers masked."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Masks credentials in a logger's lines (websockets logs every handshake header)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def safe_url(url: str) -> str:
    """``url`` with credentials (user info, secret-looking query values) masked."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1])
    query = [
        (k, "***" if k.lower() in _SECRET_QUERY_KEYS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))
