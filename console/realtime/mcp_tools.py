"""MCP tool definitions (``{"type": "mcp", ...}``), checked before they are sent.

The shape is the openai SDK's ``RealtimeToolsConfigUnionParam`` ``Mcp``: ``server_label``,
one of ``server_url``/``connector_id``/``tunnel_id``, and optional ``allowed_tools`` (names,
or ``{tool_names, read_only}``), ``require_approval`` (``always``, ``never``, or
``{always: filter, never: filter}``), ``headers``, ``authorization`` and
``server_description``. ``check_mcp_tool`` refuses anything else with the reason, so a bad
definition is told before the server refuses it; the console's tools editor uses the same
check. Header values and ``authorization`` are secrets (often a bearer token):
``masked_tool`` replaces them for display, and ``unmask_tool`` restores them from a known
definition when a masked copy comes back from an editor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .dialects import SessionConfigError

SERVER_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
"""A server label: a letter, then letters, digits, ``_`` or ``-`` (64 at most)."""
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")
"""An HTTP header name (RFC 9110 token)."""
APPROVAL_MODES = ("always", "never")
MASK = "••••••"
SECRET_FIELDS = frozenset({"headers", "authorization"})
"""An MCP tool's secrets: they go to the server, which never echoes them in a session."""
"""What a secret reads as on screen."""
MCP_FIELDS = frozenset(
    {
        "type",
        "server_label",
        "server_url",
        "connector_id",
        "tunnel_id",
        "allowed_tools",
        "allowed_callers",
        "require_approval",
        "headers",
        "authorization",
        "server_description",
        "defer_loading",
    }
)
MAX_URL_CHARS = 2_048


def _check_names(value: Any, where: str) -> None:
    if not isinstance(value, list) or not all(isinstance(n, str) and n for n in value):
        raise SessionConfigError(f"{where} must be a list of tool names (non-empty strings)")


def _check_filter(value: Any, where: str) -> None:
    """A tool filter: ``{"tool_names": [...], "read_only": bool}`` (both optional)."""
    if not isinstance(value, Mapping) or set(value) - {"tool_names", "read_only"}:
        raise SessionConfigError(f"{where} must be an object with tool_names and/or read_only")
    if "tool_names" in value:
        _check_names(value["tool_names"], f"{where}.tool_names")
    if "read_only" in value and not isinstance(value["read_only"], bool):
        raise SessionConfigError(f"{where}.read_only must be true or false")


def _check_url(url: Any) -> None:
    if not isinstance(url, str) or not url.strip():
        raise SessionConfigError("server_url must be a URL such as https://example.com/mcp")
    if len(url) > MAX_URL_CHARS:
        raise SessionConfigError(f"server_url is longer than {MAX_URL_CHARS} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SessionConfigError(
            f"server_url must start with https:// (or http://), not {parts.scheme or url!r}"
        )
    if not parts.hostname:
        raise SessionConfigError(f"server_url {url!r} names no host")


def _check_headers(headers: Any) -> None:
    if headers is None:
        return
    if not isinstance(headers, Mapping):
        raise SessionConfigError('headers must be an object of names to values: {"Name": "v"}')
    for name, value in headers.items():
        if not isinstance(name, str) or not HEADER_NAME.match(name):
            raise SessionConfigError(f"header name {name!r} is not a valid HTTP header name")
        if not isinstance(value, str) or "\n" in value or "\r" in value:
            raise SessionConfigError(f"header {name!r} must have a one-line string value")


def check_mcp_tool(definition: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``definition`` if it is a valid MCP tool, else ``SessionConfigError``."""
    if definition.get("type") != "mcp":
        raise SessionConfigError(f'an MCP tool has "type": "mcp", not {definition.get("type")!r}')
    unknown = sorted(set(definition) - MCP_FIELDS)
    if unknown:
        raise SessionConfigError(
            f"unknown MCP tool field {unknown[0]!r}; the fields are {', '.join(sorted(MCP_FIELDS))}"
        )
    label = definition.get("server_label")
    if not isinstance(label, str) or not SERVER_LABEL.match(label):
        raise SessionConfigError(
            f"server_label {label!r} must start with a letter and hold only letters, digits, "
            "'_' or '-' (64 at most)"
        )
    if "connector_id" in definition or "tunnel_id" in definition:
        if "server_url" in definition:
            raise SessionConfigError("give one of server_url, connector_id or tunnel_id")
    else:
        _check_url(definition.get("server_url"))
    allowed = definition.get("allowed_tools")
    if isinstance(allowed, Mapping):
        _check_filter(allowed, "allowed_tools")
    elif allowed is not None:
        _check_names(allowed, "allowed_tools")
    approval = definition.get("require_approval")
    if isinstance(approval, Mapping):
        if not approval or set(approval) - set(APPROVAL_MODES):
            raise SessionConfigError("require_approval as an object has 'always' and/or 'never'")
        for mode, tool_filter in approval.items():
            _check_filter(tool_filter, f"require_approval.{mode}")
    elif approval is not None and approval not in APPROVAL_MODES:
        raise SessionConfigError(f"require_approval must be always or never, not {approval!r}")
    _check_headers(definition.get("headers"))
    if "authorization" in definition and not isinstance(definition["authorization"], str):
        raise SessionConfigError("authorization must be a string (an OAuth access token)")
    return {key: value for key, value in definition.items()}


def is_mcp_tool(tool: Any) -> bool:
    return isinstance(tool, Mapping) and tool.get("type") == "mcp"


def masked_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """``tool`` with its header values and ``authorization`` replaced by ``MASK``."""
    shown = dict(tool)
    headers = tool.get("headers")
    if isinstance(headers, Mapping):
        shown["headers"] = dict.fromkeys(headers, MASK)
    if "authorization" in tool:
        shown["authorization"] = MASK
    return shown


def unmask_tool(tool: Mapping[str, Any], known: list[dict[str, Any]]) -> dict[str, Any]:
    """``tool`` with each ``MASK`` value put back from the known tool of the same label;
    ``SessionConfigError`` for a masked value nothing known can restore."""
    label = tool.get("server_label")
    source = next((t for t in known if is_mcp_tool(t) and t.get("server_label") == label), {})
    restored = dict(tool)
    headers = tool.get("headers")
    if isinstance(headers, Mapping):
        old_headers = source.get("headers")
        old: Mapping[str, Any] = old_headers if isinstance(old_headers, Mapping) else {}
        restored["headers"] = {
            name: old.get(name) if value == MASK else value for name, value in headers.items()
        }
        lost = [name for name, value in restored["headers"].items() if value is None]
        if lost:
            raise SessionConfigError(
                f"header {lost[0]!r} of {label!r} is masked but was never entered: type its value"
            )
    if tool.get("authorization") == MASK:
        if "authorization" not in source:
            raise SessionConfigError(f"authorization of {label!r} is masked: type its value")
        restored["authorization"] = source["authorization"]
    return restored
