"""Masking credentials in text meant for logs, errors and URLs shown to a user: the one
definition the transports share (the API key, ``ek_`` client secrets, auth headers), and in
events shown or recorded (MCP tools' headers and authorization, ``mask_tool_secrets``)."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .mcp_tools import is_mcp_tool, masked_tool

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


def mask_tool_secrets(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with the secrets of its MCP tools masked (header values, ``authorization``),
    in ``session.tools`` and ``response.tools``: what a recording, the events pane and the
    clipboard show. A copy only where something changed; the caller's event is never mutated."""
    result = event
    for key in ("session", "response"):
        holder = event.get(key)
        tools = holder.get("tools") if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or not isinstance(tools, list):
            continue
        if not any(is_mcp_tool(tool) for tool in tools):
            continue
        masked = [masked_tool(tool) if is_mcp_tool(tool) else tool for tool in tools]
        result = {**result, key: {**holder, "tools": masked}}
    return result
