"""How an MCP item reads in the conversation pane (pure functions over ``formatted["mcp"]``).

- a listing: ``MCP server weather: 2 tools (forecast, set_alarm)``, or why it failed;
- a call: ``weather.forecast({"city": "Paris"}) → Sunny``, streaming its arguments, or
  ``… failed: reason``;
- an approval request, highlighted while it waits: ``approve weather.set_alarm({...})?
  [y] approve  [n] deny`` (the keys answer the oldest waiting request), then the answer.
"""

from __future__ import annotations

from typing import Any

APPROVAL_STYLE = "bold black on yellow"
"""A request waiting for the user's answer: the line that must not be missed."""
FAILED_STYLE = "bold red"
APPROVED_STYLE = "green"
MCP_STYLE = "yellow"
NO_REASON = "no reason given"


def _call(view: dict[str, Any]) -> str:
    label = view.get("server_label") or "?"
    return f"{label}.{view.get('name') or '?'}({view.get('arguments') or ''})"


def mcp_body(item: dict[str, Any], answerable: bool = True) -> tuple[str, str] | None:
    """``(text, style)`` of an MCP item's body, or ``None`` for other items; a request waiting
    offers the answer keys only if ``answerable`` (not in a replay, which sends nothing)."""
    view = (item.get("formatted") or {}).get("mcp")
    if not isinstance(view, dict):
        return None
    kind = view.get("kind")
    if kind == "list_tools":
        return _listing(view)
    if kind == "call":
        if view.get("status") == "failed" or view.get("error"):
            return f"{_call(view)} failed: {view.get('error') or NO_REASON}", FAILED_STYLE
        if view.get("output") is not None:
            return f"{_call(view)} → {view['output']}", MCP_STYLE
        return f"{_call(view)} …", MCP_STYLE
    if kind == "approval_request":
        answer, sent = view.get("answer"), view.get("answer_sent")
        if answer or sent:
            words = answer or f"{sent} (sent)"
            style = APPROVED_STYLE if (answer or sent) == "approved" else FAILED_STYLE
            return f"{_call(view)} — {words}", style
        if not answerable:
            return f"approval requested: {_call(view)} (not answered)", APPROVAL_STYLE
        return (
            f"approve {_call(view)}?  [y] approve  [n] deny  (in the message line, Tab first)",
            APPROVAL_STYLE,
        )
    if kind == "approval_response":
        words = "approved" if view.get("approve") else "denied"
        reason = f": {view['reason']}" if view.get("reason") else ""
        return f"{words} {view.get('approval_request_id') or '?'}{reason}", MCP_STYLE
    return None


def _listing(view: dict[str, Any]) -> tuple[str, str]:
    label = view.get("server_label") or "?"
    status = view.get("status")
    if status == "failed" or view.get("error"):
        reason = view.get("error") or NO_REASON
        return f"MCP server {label}: listing its tools failed — {reason}", FAILED_STYLE
    tools = view.get("tools") or []
    if status == "completed" or tools:
        names = f" ({', '.join(tools)})" if tools else ""
        count = f"{len(tools)} tool{'' if len(tools) == 1 else 's'}"
        return f"MCP server {label}: {count}{names}", MCP_STYLE
    return f"MCP server {label}: listing its tools…", MCP_STYLE
