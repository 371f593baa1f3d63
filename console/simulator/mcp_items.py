"""MCP conversation items: how they render, the one a client may create, and what a response
reads from them.

Four item types, as the openai SDK's ``openai.types.realtime`` has them (the fields beyond
:class:`.conversation.Item`'s own live in its ``extra``):

- ``mcp_list_tools``: ``server_label`` and ``tools`` (``name``, ``input_schema``,
  ``description``, ``annotations``). A failed listing also carries ``error``, the reason in
  words: the Responses API's ``mcp_list_tools`` item has that field, the realtime SDK's model
  lacks it (it keeps unknown fields), and the ``mcp_list_tools.failed`` event has no room for it;
- ``mcp_call``: ``server_label``, ``name``, ``arguments``, ``output``, ``error`` (one of the
  SDK's ``protocol_error``, ``tool_execution_error`` or ``http_error`` objects) and
  ``approval_request_id`` when an approval let it run;
- ``mcp_approval_request``: ``server_label``, ``name``, ``arguments``;
- ``mcp_approval_response``: ``approval_request_id``, ``approve``, ``reason``; the one a client
  creates (``conversation.item.create``), and only for a request that is in the conversation.

The tools a response may call are those the conversation's latest ``mcp_list_tools`` item of
each server listed, for the servers among the response's tools: the model knows a server's
tools from its listing, as the real one does.
"""

from __future__ import annotations

from typing import Any

from . import errors
from . import validation as v
from .conversation import Conversation, Item
from .mcp_tools import mcp_configs

TYPES = ("mcp_list_tools", "mcp_call", "mcp_approval_request", "mcp_approval_response")


def render(item: Item) -> dict[str, Any]:
    """The type-specific fields of an MCP item (beside ``id`` and ``type``)."""
    extra = item.extra
    if item.type == "mcp_approval_response":
        out: dict[str, Any] = {
            "approval_request_id": extra["approval_request_id"],
            "approve": extra["approve"],
        }
        if extra.get("reason") is not None:
            out["reason"] = extra["reason"]
        return out
    out = {"server_label": extra["server_label"]}
    if item.type == "mcp_list_tools":
        out["tools"] = [dict(t) for t in extra.get("tools", [])]
        if extra.get("error"):
            out["error"] = extra["error"]
        return out
    out.update(name=item.name, arguments=item.arguments or "")
    if item.type == "mcp_call":
        out.update(
            approval_request_id=extra.get("approval_request_id"),
            output=item.output,
            error=extra.get("error"),
        )
    return out


def parse_approval_response(obj: dict[str, Any], param: str) -> Item:
    """A client's ``mcp_approval_response`` item (its request is checked by :func:`check`)."""
    v.check_keys(obj, ["id", "type", "object", "approval_request_id", "approve", "reason"], param)
    request = v.string(
        v.require_key(obj, "approval_request_id", param), f"{param}.approval_request_id"
    )
    approve = v.boolean(v.require_key(obj, "approve", param), f"{param}.approve")
    reason = v.optional_string(obj.get("reason"), f"{param}.reason")
    return Item(
        "mcp_approval_response",
        extra={"approval_request_id": request, "approve": approve, "reason": reason},
    )


def check(item: Item, conversation: Conversation) -> None:
    """An approval response must answer an approval request of the conversation, once."""
    if item.type != "mcp_approval_response":
        return
    wanted = item.extra["approval_request_id"]
    request = conversation.get(wanted)
    if request is None or request.type != "mcp_approval_request":
        raise errors.invalid_value(
            "item.approval_request_id",
            f"Invalid 'item.approval_request_id': no MCP approval request with id '{wanted}' "
            "in the conversation.",
        )
    if any(
        i.type == "mcp_approval_response" and i.extra["approval_request_id"] == wanted
        for i in conversation.items
    ):
        raise errors.invalid_value(
            "item.approval_request_id",
            f"Invalid 'item.approval_request_id': approval request '{wanted}' was already "
            "answered.",
        )


def answered_request(response: Item, items: list[Item]) -> Item | None:
    """The approval request an approval response answers."""
    wanted = response.extra["approval_request_id"]
    return next((i for i in reversed(items) if i.id == wanted), None)


def callable_tools(history: list[Item], tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The listed MCP tools a response may call, each as ``{type: "mcp", server_label, name,
    description, parameters}`` (the shape :mod:`.tool_choice` and :mod:`.tool_args` read)."""
    configs = mcp_configs(tools)
    latest: dict[str, Item] = {}
    for item in reversed(history):
        if not configs or len(latest) == len(configs):
            break
        label = item.extra.get("server_label") if item.type == "mcp_list_tools" else None
        if label in configs and label not in latest:
            latest[label] = item
    out = []
    for label in configs:
        if label in latest:
            for entry in latest[label].extra.get("tools", []):
                out.append(
                    {
                        "type": "mcp",
                        "server_label": label,
                        "name": entry["name"],
                        "description": entry.get("description") or "",
                        "parameters": entry.get("input_schema"),
                        "annotations": entry.get("annotations") or {},
                    }
                )
    return out
