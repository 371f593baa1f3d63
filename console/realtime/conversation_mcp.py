"""``RealtimeConversation``'s processors for MCP events (``mcp_items`` says what they mean).

A status event of an ``mcp_list_tools`` item may come before the item itself (the server lists
a session's tools while it updates the session, not in a response): it is kept, bounded, and
applied when the item arrives, not reported as an unknown item. A call's events name items of
a response, found as every other response event finds its item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import mcp_items
from .item_updates import Item

Processed = dict[str, Any]

MCP_PROCESSORS: dict[str, str] = {
    **dict.fromkeys(mcp_items.LIST_STATUS_EVENTS, "_mcp_list_status"),
    **dict.fromkeys(mcp_items.CALL_STATUS_EVENTS, "_mcp_call_status"),
    "response.mcp_call_arguments.delta": "_mcp_arguments_delta",
    "response.mcp_call_arguments.done": "_mcp_arguments_done",
}
"""MCP server event type -> processor method of ``RealtimeConversation``."""

MAX_EARLY_STATUSES = 256
"""List statuses kept for items not seen yet (the oldest go first)."""


class EarlyStatuses:
    """Statuses of ``mcp_list_tools`` items announced before the item, by item id."""

    def __init__(self) -> None:
        self._statuses: dict[str, tuple[str, Any]] = {}

    def keep(self, item_id: str, status: str, error: Any) -> None:
        self._statuses.pop(item_id, None)
        self._statuses[item_id] = (status, error)
        while len(self._statuses) > MAX_EARLY_STATUSES:
            del self._statuses[next(iter(self._statuses))]

    def take(self, item_id: str) -> tuple[str, Any] | None:
        return self._statuses.pop(item_id, None)

    def clear(self) -> None:
        self._statuses.clear()


def _item_id(event: Mapping[str, Any]) -> str:
    item_id = event.get("item_id")
    if not isinstance(item_id, str) or not item_id:
        raise ValueError(f'{event.get("type")}: missing "item_id"')
    return item_id


class McpProcessors:
    """The MCP processors; mixed into ``RealtimeConversation``."""

    item_lookup: dict[str, Item]
    mcp_early: EarlyStatuses

    def _known_item(self, event: Mapping[str, Any]) -> Item | None:
        raise NotImplementedError  # RealtimeConversation's

    def _mcp_item_created(self, item: Item) -> None:
        """A new item: apply a list status that came first; mark the request a response answers."""
        view = item["formatted"].get("mcp")
        if view is None:
            return
        early = self.mcp_early.take(item["id"])
        if early is not None:
            mcp_items.set_status(item, *early)
        if view["kind"] == "approval_response":
            mcp_items.link_response(self.item_lookup, item)

    def _mcp_list_status(self, event: Mapping[str, Any]) -> Processed:
        item_id = _item_id(event)
        status = mcp_items.LIST_STATUS_EVENTS[str(event.get("type"))]
        item = self.item_lookup.get(item_id)
        if item is None:
            self.mcp_early.keep(item_id, status, event.get("error"))
            return {"item": None, "delta": None}
        mcp_items.set_status(item, status, event.get("error"))
        return {"item": item, "delta": {"mcp_status": status}}

    def _mcp_call_status(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        if item is None:
            return {"item": None, "delta": None}
        status = mcp_items.CALL_STATUS_EVENTS[str(event.get("type"))]
        mcp_items.set_status(item, status, event.get("error"))
        return {"item": item, "delta": {"mcp_status": status}}

    def _mcp_arguments_delta(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        delta = event.get("delta")
        if item is None or not isinstance(delta, str) or not delta:
            return {"item": None, "delta": None}
        mcp_items.add_arguments(item, delta)
        return {"item": item, "delta": {"arguments": delta}}

    def _mcp_arguments_done(self, event: Mapping[str, Any]) -> Processed:
        item = self._known_item(event)
        arguments = event.get("arguments")
        if item is None or not isinstance(arguments, str):
            return {"item": None, "delta": None}
        mcp_items.set_arguments(item, arguments)
        return {"item": item, "delta": None}
