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
cancels it. At most :data:`MAX_RUNNING` listings run at once per session (a client toggling a
server's URL in a loop cannot pile up connections); one more fails at once with the reason.
A response made while a listing runs does not wait for it (our choice: a hanging
server must not hold the conversation): it can call only the tools already listed. A response's
own MCP tools (``response.create``'s ``tools``) are listed the same way when that response
starts, before it decides what to say; their items join the conversation too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, Protocol

from . import mcp_client, mcp_tools
from .conversation import Conversation, Item
from .dialect import Dialect
from .log_redaction import redact
from .peers import PeerClosed

log = logging.getLogger(__name__)

MAX_RUNNING = 8
BUSY = f"The session already has {MAX_RUNNING} MCP listings in progress; try again when one ends."


class Host(Protocol):
    """What a listing needs from its connection."""

    dialect: Dialect
    conversation: Conversation
    mcp_timeout_s: float  # bounds each MCP operation (connect, handshake, request)

    async def emit(self, event_type: str, **fields: Any) -> None: ...


class SessionHost(Host, Protocol):
    """A connection, which also runs the listings in its own tasks."""

    def _spawn(self, coro: Awaitable[Any]) -> None: ...


class McpListings:
    """The MCP servers a session has listed (or is listing), by server label. It keeps no
    reference to its connection (the connection passes itself), so a closed connection is
    freed at once, without the cycle collector."""

    def __init__(self) -> None:
        self._listed: dict[str, tuple[str, bool]] = {}  # label → (signature, succeeded so far)
        self._running = 0  # listings in progress

    def _unlisted(self, tools: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
        """The MCP tools of ``tools`` not listed (or listing) as configured, marked listing."""
        out = []
        for label, tool in mcp_tools.mcp_configs(tools).items():
            sig = mcp_tools.signature(tool)
            known = self._listed.get(label)
            if known is None or known[0] != sig or not known[1]:
                self._listed[label] = (sig, True)
                out.append((tool, sig))
        return out

    def sync(self, host: SessionHost, tools: list[dict[str, Any]]) -> None:
        """Start listing, each in a task of ``host``, the session's MCP tools not listed yet."""
        for tool, sig in self._unlisted(tools):
            host._spawn(self._guarded(host, tool, sig))

    async def _guarded(self, host: Host, tool: dict[str, Any], sig: str) -> None:
        """A listing task: the socket closing ends it quietly; a bug is logged, not lost."""
        try:
            await self._list(host, tool, sig)
        except PeerClosed:
            pass
        except Exception:
            log.exception("simulator: listing MCP server %r failed", tool["server_label"])

    async def list_now(self, host: Host, tools: list[dict[str, Any]]) -> None:
        """List a response's own MCP tools (``response.tools``) not listed yet, before the
        response reads them; the listings run together and are bounded as any."""
        unlisted = self._unlisted(tools)
        await asyncio.gather(*(self._list(host, tool, sig) for tool, sig in unlisted))

    async def _list(self, host: Host, tool: dict[str, Any], sig: str) -> None:
        label = tool["server_label"]
        item = Item("mcp_list_tools", extra={"server_label": label, "tools": []})
        previous = host.conversation.insert(item, None, at_end=True)
        rendered = host.dialect.render_item(item)
        await host.emit("conversation.item.added", previous_item_id=previous, item=rendered)
        await host.emit("mcp_list_tools.in_progress", item_id=item.id)
        server = mcp_tools.server(tool)
        self._running += 1
        try:
            if server is None:
                raise mcp_client.McpFailure("http_error", mcp_tools.unreachable_reason(tool), 502)
            if self._running > MAX_RUNNING:
                raise mcp_client.McpFailure("http_error", BUSY, 429)
            listed = await mcp_client.list_tools(server, host.mcp_timeout_s)
        except mcp_client.McpFailure as failure:
            log.info("simulator: listing MCP server %r failed: %s", label, redact(str(failure)))
            item.extra["error"] = str(failure)
            if self._listed.get(label) == (sig, True):
                self._listed[label] = (sig, False)
            await host.emit("mcp_list_tools.failed", item_id=item.id)
        else:
            item.extra["tools"] = [t for t in listed if mcp_tools.allowed(tool, t)]
            await host.emit("mcp_list_tools.completed", item_id=item.id)
        finally:
            self._running -= 1
        conversation = host.conversation
        if item in conversation:  # the client may have deleted it meanwhile
            conversation.recount(item)
            await host.emit(
                "conversation.item.done",
                previous_item_id=conversation.previous_id(item),
                item=host.dialect.render_item(item),
            )
