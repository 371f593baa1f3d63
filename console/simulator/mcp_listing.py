"""Listing a session's MCP servers' tools when the session gains an ``mcp`` tool.

Order, per server (GA; the beta protocol had no MCP): ``conversation.item.added`` with an
``mcp_list_tools`` item (no tools yet) → ``mcp_list_tools.in_progress`` → the listing over MCP
→ ``mcp_list_tools.completed`` (or ``.failed``) → ``conversation.item.done`` with the item's
``tools`` (filtered by ``allowed_tools``), or with ``tools: []`` and the ``error`` in words. The
real API announces the listing the same way (OpenAI's realtime MCP guide); its exact order
between ``.completed`` and the item's ``done`` is not documented, so the status comes first.

A listing starts after the ``session.created`` or ``session.updated`` that shows a new MCP tool,
or one whose source, headers, authorization or filter changed; a tool whose last listing failed
is listed again on the next update that still has it. Each listing runs in its own task,
bounded by the session's MCP timeout (:data:`.mcp_client.DEFAULT_TIMEOUT_S` unless the server
was given another), so the session keeps serving while a server hangs; closing the session
cancels it. A response made while a listing runs does not wait for it (our choice: a hanging
server must not hold the conversation): it can call only the tools already listed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from . import mcp_client, mcp_tools
from .conversation import Conversation, Item
from .dialect import Dialect

log = logging.getLogger(__name__)


class Host(Protocol):
    """What a listing needs from its connection."""

    dialect: Dialect
    conversation: Conversation
    mcp_timeout_s: float  # bounds each MCP operation (connect, handshake, request)

    async def emit(self, event_type: str, **fields: Any) -> None: ...


class McpListings:
    """The MCP servers a session has listed (or is listing), by server label."""

    def __init__(self, host: Host, spawn: Callable[[Awaitable[Any]], None]) -> None:
        self._host = host
        self._spawn = spawn
        self._listed: dict[str, tuple[str, bool]] = {}  # label → (signature, succeeded so far)

    def sync(self, tools: list[dict[str, Any]]) -> None:
        """Start listing every MCP tool of ``tools`` not listed (or listing) as configured."""
        for label, tool in mcp_tools.mcp_configs(tools).items():
            sig = mcp_tools.signature(tool)
            known = self._listed.get(label)
            if known is not None and known[0] == sig and known[1]:
                continue
            self._listed[label] = (sig, True)
            self._spawn(self._list(tool, sig))

    async def _list(self, tool: dict[str, Any], sig: str) -> None:
        host = self._host
        label = tool["server_label"]
        item = Item("mcp_list_tools", extra={"server_label": label, "tools": []})
        previous = host.conversation.insert(item, None, at_end=True)
        rendered = host.dialect.render_item(item)
        await host.emit("conversation.item.added", previous_item_id=previous, item=rendered)
        await host.emit("mcp_list_tools.in_progress", item_id=item.id)
        server = mcp_tools.server(tool)
        try:
            if server is None:
                raise mcp_client.McpFailure("http_error", mcp_tools.unreachable_reason(tool), 502)
            listed = await mcp_client.list_tools(server, host.mcp_timeout_s)
        except mcp_client.McpFailure as failure:
            log.info("simulator: listing MCP server %r failed: %s", label, failure)
            item.extra["error"] = str(failure)
            if self._listed.get(label) == (sig, True):
                self._listed[label] = (sig, False)
            await host.emit("mcp_list_tools.failed", item_id=item.id)
        else:
            item.extra["tools"] = [t for t in listed if mcp_tools.allowed(tool, t)]
            await host.emit("mcp_list_tools.completed", item_id=item.id)
        conversation = host.conversation
        if item in conversation:  # the client may have deleted it meanwhile
            conversation.recount(item)
            await host.emit(
                "conversation.item.done",
                previous_item_id=conversation.previous_id(item),
                item=host.dialect.render_item(item),
            )
