"""The simulator's MCP client: list a server's tools and call one, over streamable HTTP.

The real Realtime API connects to a session's MCP servers itself; so does the simulator, with the
``mcp`` SDK's client (``streamable_http_client`` and ``ClientSession``). The SDK is imported
here, lazily, on a session's first MCP operation: the embedded simulator starts with every
console and most sessions never use MCP.

Each operation opens its own MCP session (connect, ``initialize``, one request, close), so no
connection outlives the task that made it and a server that dies between calls costs nothing
(about 0.2 s per operation against a local server; see the report in the tests). Every
operation is bounded by ``timeout_s`` as a whole (connect, handshake and the request); what
comes back is bounded too (:data:`MAX_TOOLS` tools, :data:`MAX_SCHEMA_CHARS` per schema,
:data:`MAX_OUTPUT_CHARS` of output).

Failures come back as :class:`McpFailure` in the SDK's three MCP error shapes
(``RealtimeMcphttpError``, ``RealtimeMcpProtocolError``, ``RealtimeMcpToolExecutionError``).
The simulator stands between the client and the MCP server as a gateway does, so a server it
cannot reach is an ``http_error`` 502 and one that does not answer in time a 504; an HTTP error
status is that status; a JSON-RPC error is a ``protocol_error`` with its code; a tool that
reports ``isError`` is a ``tool_execution_error``. The ``headers`` (and the ``authorization``
token, sent as ``Authorization: Bearer``) go to the MCP server only: never into a message or a
log line.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

DEFAULT_TIMEOUT_S = 10.0
MAX_TOOLS = 100
MAX_SCHEMA_CHARS = 16 * 1024
MAX_DESCRIPTION_CHARS = 4096
MAX_OUTPUT_CHARS = 64 * 1024

T = TypeVar("T")


@dataclass
class McpFailure(Exception):
    """Why an MCP operation failed, as the SDK's error object (``error_object``)."""

    kind: str  # "http_error", "protocol_error" or "tool_execution_error"
    message: str
    code: int | None = None

    def __str__(self) -> str:
        return self.message

    def error_object(self) -> dict[str, Any]:
        """The ``error`` of an ``mcp_call`` item."""
        out: dict[str, Any] = {"type": self.kind, "message": self.message}
        if self.kind != "tool_execution_error":
            out["code"] = self.code if self.code is not None else 0
        return out


@dataclass(frozen=True)
class Server:
    """Where an MCP server is and what to send it (from a session's ``mcp`` tool)."""

    url: str
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # secrets: never shown
    authorization: str | None = field(default=None, repr=False)

    def http_headers(self) -> dict[str, str]:
        out = dict(self.headers)
        if self.authorization:
            out["Authorization"] = f"Bearer {self.authorization}"
        return out


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _tool_entry(tool: Any) -> dict[str, Any]:
    """One listed tool as the ``mcp_list_tools`` item carries it."""
    schema = tool.input_schema if isinstance(tool.input_schema, dict) else {"type": "object"}
    if len(json.dumps(schema)) > MAX_SCHEMA_CHARS:
        raise McpFailure(
            "protocol_error",
            f"The input schema of tool '{tool.name}' is larger than {MAX_SCHEMA_CHARS} characters.",
            -32603,
        )
    entry: dict[str, Any] = {"name": str(tool.name), "input_schema": schema}
    if tool.description:
        entry["description"] = _bounded(str(tool.description), MAX_DESCRIPTION_CHARS)
    if tool.annotations is not None:
        entry["annotations"] = tool.annotations.model_dump(by_alias=True, exclude_none=True)
    return entry


def _output_text(result: Any) -> str:
    """A call result's text content, joined (other content types named, not inlined)."""
    pieces = []
    for block in result.content:
        text = getattr(block, "text", None)
        pieces.append(text if isinstance(text, str) else f"[{getattr(block, 'type', 'content')}]")
    return _bounded("\n".join(pieces), MAX_OUTPUT_CHARS)


def _leaves(error: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups, or the error itself."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for sub in error.exceptions for leaf in _leaves(sub)]
    return [error]


_STAND_INS = ("Server returned an error response", "Not Found", "Session terminated")
"""The messages of the JSON-RPC errors the SDK makes up for an HTTP error status."""


def _failure(error: BaseException, server: Server, status: int | None) -> McpFailure:
    """The :class:`McpFailure` an exception from the SDK or the HTTP layer stands for;
    ``status`` is the last HTTP error status the server answered (the SDK turns one into a
    made-up JSON-RPC error, so it is recorded as the responses arrive)."""
    import httpx2
    from mcp.shared.exceptions import MCPError

    leaves = _leaves(error)
    for leaf in leaves:
        if isinstance(leaf, McpFailure):
            return leaf
    for leaf in leaves:
        if isinstance(leaf, MCPError) and not (status is not None and leaf.message in _STAND_INS):
            return McpFailure("protocol_error", leaf.message or "MCP protocol error", leaf.code)
    for leaf in leaves:
        if isinstance(leaf, httpx2.HTTPStatusError):
            status = leaf.response.status_code
    if status is not None:
        return McpFailure(
            "http_error", f"MCP server at {server.url} answered HTTP {status}.", status
        )
    for leaf in leaves:
        if isinstance(leaf, httpx2.TimeoutException):
            return McpFailure("http_error", f"MCP server at {server.url} timed out.", 504)
        if isinstance(leaf, (httpx2.TransportError, OSError)):
            reason = f"Could not connect to MCP server at {server.url}: {leaf}"
            return McpFailure("http_error", reason, 502)
    first = leaves[0]
    reason = f"MCP session with {server.url} failed: {first or type(first).__name__}"
    return McpFailure("protocol_error", reason, -32603)


async def _session_do(server: Server, timeout_s: float, action: Callable[[Any], Awaitable[T]]) -> T:
    """Open an MCP session with ``server``, run ``action(session)``, close; all within
    ``timeout_s``. Raises :class:`McpFailure`."""
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    statuses: list[int] = []

    async def record(response: Any) -> None:
        if response.status_code >= 400:
            statuses.append(response.status_code)

    async def run() -> T:
        async with (
            httpx2.AsyncClient(
                headers=server.http_headers(),
                timeout=httpx2.Timeout(timeout_s),
                event_hooks={"response": [record]},
            ) as http,
            streamable_http_client(server.url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await action(session)

    try:
        return await asyncio.wait_for(run(), timeout_s)
    except TimeoutError:
        raise McpFailure(
            "http_error", f"MCP server at {server.url} did not answer within {timeout_s:g} s.", 504
        ) from None
    except asyncio.CancelledError:
        raise
    except BaseException as error:  # an ExceptionGroup from the SDK's task groups
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise _failure(error, server, statuses[-1] if statuses else None) from None


async def list_tools(server: Server, timeout_s: float = DEFAULT_TIMEOUT_S) -> list[dict[str, Any]]:
    """The server's tools (at most :data:`MAX_TOOLS`), each ``{name, input_schema,
    description?, annotations?}``. Raises :class:`McpFailure`."""

    async def action(session: Any) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            from mcp_types import PaginatedRequestParams

            params = None if cursor is None else PaginatedRequestParams(cursor=cursor)
            page = await session.list_tools(params=params)
            tools.extend(_tool_entry(t) for t in page.tools)
            cursor = page.next_cursor
            if cursor is None or len(tools) >= MAX_TOOLS:
                return tools[:MAX_TOOLS]

    return await _session_do(server, timeout_s, action)


async def call_tool(
    server: Server, name: str, arguments: dict[str, Any], timeout_s: float = DEFAULT_TIMEOUT_S
) -> str:
    """Call ``name``; its text output. Raises :class:`McpFailure` (a tool's own error is a
    ``tool_execution_error`` with the tool's words)."""

    async def action(session: Any) -> str:
        result = await session.call_tool(name, arguments)
        text = _output_text(result)
        if result.is_error:
            raise McpFailure("tool_execution_error", text or f"Tool '{name}' failed.")
        return text

    return await _session_do(server, timeout_s, action)
