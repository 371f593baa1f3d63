"""MCP items in the conversation: what their events do to ``formatted["mcp"]``.

A session's ``mcp`` tools make the server an MCP client: it lists each server's tools in an
``mcp_list_tools`` item (``mcp_list_tools.in_progress`` then ``.completed`` or ``.failed``),
calls them in ``mcp_call`` items (``response.mcp_call_arguments.delta``/``.done``, then
``response.mcp_call.in_progress`` and ``.completed`` or ``.failed``; the output or the error
arrives with the item's ``done``), and, for tools that need approval, asks in an
``mcp_approval_request`` item, answered by an ``mcp_approval_response`` item.

Each such item gets ``formatted["mcp"]``, a plain dict the app reads instead of the raw item:

- ``mcp_list_tools``: ``{"kind": "list_tools", "server_label", "status", "tools": [names],
  "error"}``;
- ``mcp_call``: ``{"kind": "call", "server_label", "name", "arguments", "status", "output",
  "error", "approval_request_id"}``;
- ``mcp_approval_request``: ``{"kind": "approval_request", "server_label", "name",
  "arguments", "answer", "answer_sent"}`` where ``answer`` is ``None`` until an
  ``mcp_approval_response`` item for it arrives, then ``"approved"`` or ``"denied"``, and
  ``answer_sent`` is what this client sent (``RealtimeClient.respond_mcp_approval``), before
  the server confirms it;
- ``mcp_approval_response``: ``{"kind": "approval_response", "approval_request_id",
  "approve", "reason"}``.

``status`` is ``None`` until the first status event, then ``in_progress``, ``completed`` or
``failed``; ``error`` is the failure in words (from the item's ``error``, a string or the SDK's
``{type, code, message}``), or ``None``. Everything read from the server is checked for type:
a malformed field reads as missing, never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MCP_ITEM_TYPES = frozenset(
    {"mcp_list_tools", "mcp_call", "mcp_approval_request", "mcp_approval_response"}
)

LIST_STATUS_EVENTS = {
    "mcp_list_tools.in_progress": "in_progress",
    "mcp_list_tools.completed": "completed",
    "mcp_list_tools.failed": "failed",
}
CALL_STATUS_EVENTS = {
    "response.mcp_call.in_progress": "in_progress",
    "response.mcp_call.completed": "completed",
    "response.mcp_call.failed": "failed",
}
ARGUMENT_EVENTS = ("response.mcp_call_arguments.delta", "response.mcp_call_arguments.done")
MCP_EVENTS = (*LIST_STATUS_EVENTS, *CALL_STATUS_EVENTS, *ARGUMENT_EVENTS)
"""Server events that change an MCP item (each dispatches ``conversation.updated``)."""

MAX_ERROR_CHARS = 2_000


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def error_text(error: Any) -> str | None:
    """A server's MCP error in words: a string as is, ``{type, code, message}`` as
    ``"message (type code)"``; ``None`` for no error."""
    if error is None or error == "":
        return None
    if isinstance(error, str):
        return error[:MAX_ERROR_CHARS]
    if isinstance(error, Mapping):
        message = _text(error.get("message")) or ""
        kind = " ".join(
            str(part) for part in (error.get("type"), error.get("code")) if part is not None
        )
        words = f"{message} ({kind})" if message and kind else message or kind
        return words[:MAX_ERROR_CHARS] or "unknown error"
    return str(error)[:MAX_ERROR_CHARS]


def tool_names(tools: Any) -> list[str]:
    """The names in an ``mcp_list_tools`` item's ``tools`` (entries without one are skipped)."""
    if not isinstance(tools, list):
        return []
    return [t["name"] for t in tools if isinstance(t, Mapping) and isinstance(t.get("name"), str)]


def new_view(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """``formatted["mcp"]`` for a new item, or ``None`` if it is no MCP item."""
    kind = item.get("type")
    label = _text(item.get("server_label"))
    if kind == "mcp_list_tools":
        return {
            "kind": "list_tools",
            "server_label": label,
            "status": None,
            "tools": tool_names(item.get("tools")),
            "error": error_text(item.get("error")),
        }
    if kind == "mcp_call":
        return {
            "kind": "call",
            "server_label": label,
            "name": _text(item.get("name")),
            "arguments": _text(item.get("arguments")) or "",
            "status": None,
            "output": _text(item.get("output")),
            "error": error_text(item.get("error")),
            "approval_request_id": _text(item.get("approval_request_id")),
        }
    if kind == "mcp_approval_request":
        return {
            "kind": "approval_request",
            "server_label": label,
            "name": _text(item.get("name")),
            "arguments": _text(item.get("arguments")) or "",
            "answer": None,
            "answer_sent": None,
        }
    if kind == "mcp_approval_response":
        approve = item.get("approve")
        return {
            "kind": "approval_response",
            "approval_request_id": _text(item.get("approval_request_id")),
            "approve": approve if isinstance(approve, bool) else None,
            "reason": _text(item.get("reason")),
        }
    return None


def sync(stored: dict[str, Any], source: Mapping[str, Any]) -> None:
    """Take what the server's copy of an MCP item says now (its ``done``): the tools listed,
    the call's final arguments, output and error."""
    view = stored["formatted"].get("mcp")
    if view is None:
        return
    for key in ("tools", "output", "error", "arguments", "name", "server_label"):
        if source.get(key) is not None:
            stored[key] = source[key]
    fresh = new_view(stored) or {}
    for key in ("tools", "output", "error", "name", "server_label"):
        if key in view and source.get(key) is not None and fresh.get(key) is not None:
            view[key] = fresh[key]  # an empty output is an output
    if view["kind"] in ("call", "approval_request") and fresh.get("arguments"):
        view["arguments"] = fresh["arguments"]
    if view["kind"] == "call" and view["error"] and view["status"] != "failed":
        view["status"] = "failed"  # an error is a failure, whichever event came first
    elif view["kind"] == "call" and view["output"] is not None and view["status"] is None:
        view["status"] = "completed"


def set_status(item: dict[str, Any], status: str, error: Any = None) -> None:
    """A list or call status event: the new status, and the failure's words if it carries any
    (the SDK's failed events carry none; the item's ``error`` may follow with its ``done``)."""
    view = item["formatted"].get("mcp")
    if view is None or view.get("kind") not in ("list_tools", "call"):
        return
    view["status"] = status
    words = error_text(error)
    if words:
        view["error"] = words


def add_arguments(item: dict[str, Any], delta: str) -> None:
    """An ``mcp_call``'s arguments delta."""
    view = item["formatted"].get("mcp")
    item["arguments"] = (_text(item.get("arguments")) or "") + delta
    if view is not None and view.get("kind") == "call":
        view["arguments"] += delta


def set_arguments(item: dict[str, Any], arguments: str) -> None:
    """An ``mcp_call``'s final arguments (``response.mcp_call_arguments.done``)."""
    view = item["formatted"].get("mcp")
    item["arguments"] = arguments
    if view is not None and view.get("kind") == "call":
        view["arguments"] = arguments


def answered_request(
    items: Mapping[str, dict[str, Any]], response_item: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The stored ``mcp_approval_request`` an ``mcp_approval_response`` item answers, if any."""
    view = response_item["formatted"].get("mcp") or {}
    if view.get("kind") != "approval_response":
        return None
    request = items.get(view.get("approval_request_id") or "")
    request_view = request["formatted"].get("mcp") if request is not None else None
    if request_view is None or request_view.get("kind") != "approval_request":
        return None
    return request


def link_response(items: Mapping[str, dict[str, Any]], response_item: Mapping[str, Any]) -> None:
    """An ``mcp_approval_response`` arrived: mark the request it answers."""
    request = answered_request(items, response_item)
    if request is not None:
        approve = response_item["formatted"]["mcp"].get("approve")
        request["formatted"]["mcp"]["answer"] = "approved" if approve else "denied"


def pending_approvals(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``mcp_approval_request`` items not answered yet, oldest first."""
    return [
        item
        for item in items
        if (item["formatted"].get("mcp") or {}).get("kind") == "approval_request"
        and item["formatted"]["mcp"]["answer"] is None
        and item["formatted"]["mcp"]["answer_sent"] is None
    ]
