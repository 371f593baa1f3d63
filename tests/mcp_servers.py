"""In-process MCP servers for tests: a good one, and the bad ones an MCP client must survive.

Every server listens on 127.0.0.1 with port 0 (the OS picks a free port) and serves MCP's
streamable HTTP transport at ``/mcp`` through the ``mcp`` SDK's own server (``MCPServer``, the
2.x name of FastMCP), so a client under test talks to a real MCP implementation, not a mock.

How to start one (inside an async test or fixture)::

    from tests.mcp_servers import demo_server, serve_mcp

    async with serve_mcp(demo_server()) as running:
        running.url            # "http://127.0.0.1:PORT/mcp"
        running.requests       # the HTTP headers of every request so far (lower-case names)

The tools, chosen so that the realtime MCP flows can all be driven by words:

- ``demo_server()``: ``add(a, b)`` (read-only, returns the sum as text) and
  ``delete_file(path)`` (destructive: the one a session marks as needing approval; it deletes
  nothing and answers ``deleted PATH``).
- ``faulty_server()``: ``explode(reason)`` raises a ``ToolError`` (the call returns
  ``is_error`` with the reason), ``refuse(reason)`` answers a JSON-RPC error (-32602) and
  ``stall(seconds)`` sleeps (a call that outlives a timeout).
- ``many_tools_server(n)``: ``tool_0`` … ``tool_{n-1}`` (for limits on what a listing keeps).

The bad servers, each an async context manager yielding a URL:

- ``refused_url()``: nothing listens there (the port was bound, then closed).
- ``hanging_server()``: accepts TCP connections and never answers a byte.
- ``status_server(500)``: answers every HTTP request with that status.

Fixtures built on these live next to the tests that use them (``tests/simulator/test_mcp*.py``);
import the helpers from here rather than copying them.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

DEMO_TOOLS = ("add", "delete_file")
FAULTY_TOOLS = ("explode", "refuse", "stall")

_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_ASGIApp = Callable[[_Scope, _Receive, _Send], Awaitable[None]]


def demo_server() -> Any:
    """An MCP server with ``add(a, b)`` (read-only) and ``delete_file(path)`` (destructive)."""
    from mcp.server.mcpserver import MCPServer
    from mcp_types import ToolAnnotations

    server = MCPServer("demo", log_level="WARNING")

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    def add(a: float, b: float) -> str:
        """Add two numbers and return their sum."""
        total = a + b
        return str(int(total)) if total.is_integer() else str(total)

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, read_only_hint=False))
    def delete_file(path: str) -> str:
        """Delete the file at a path (pretend: nothing is deleted)."""
        return f"deleted {path}"

    return server


def faulty_server() -> Any:
    """An MCP server whose ``explode(reason)`` fails, ``refuse(reason)`` answers a protocol
    error and ``stall(seconds)`` hangs."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.shared.exceptions import MCPError

    server = MCPServer("faulty", log_level="WARNING")

    @server.tool()
    def explode(reason: str) -> str:
        """Fail with the given reason."""
        raise ToolError(f"exploded: {reason}")

    @server.tool()
    def refuse(reason: str) -> str:
        """Answer with a JSON-RPC error (a protocol error, not a tool result)."""
        raise MCPError(-32602, f"refused: {reason}")

    @server.tool()
    async def stall(seconds: float) -> str:
        """Sleep for a number of seconds, then answer."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    return server


def many_tools_server(count: int) -> Any:
    """An MCP server with ``count`` tools ``tool_0``… (each returns its own name)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("many", log_level="WARNING", warn_on_duplicate_tools=False)
    for index in range(count):
        name = f"tool_{index}"
        server.add_tool(lambda name=name: name, name=name, description=f"Tool number {index}.")
    return server


@dataclass
class RunningMCP:
    """A started MCP server: where it listens and what reached it."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def serve_mcp(server: Any) -> AsyncIterator[RunningMCP]:
    """Serve an ``MCPServer`` over streamable HTTP on 127.0.0.1, a free port, until exit.

    The socket is bound and listening before this yields, so a client may connect at once
    (uvicorn accepts once the app's lifespan has started; early connections wait in the
    backlog). Shutdown is bounded: open streams are cut after one second.
    """
    import uvicorn

    sock = _bound_socket()
    port = sock.getsockname()[1]
    running = RunningMCP(url=f"http://127.0.0.1:{port}/mcp")
    inner: _ASGIApp = server.streamable_http_app()

    async def app(scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] == "http":
            running.requests.append(
                {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            )
        await inner(scope, receive, send)

    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    try:
        yield running
    finally:
        uv.should_exit = True
        try:
            await asyncio.wait_for(task, 5)
        except TimeoutError:
            task.cancel()
        sock.close()


@contextlib.asynccontextmanager
async def refused_url() -> AsyncIterator[str]:
    """A URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}/mcp"


@contextlib.asynccontextmanager
async def _raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    writers: list[asyncio.StreamWriter] = []

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await handle(reader, writer)

    srv = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        srv.close()
        for writer in writers:
            writer.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(srv.wait_closed(), 2)


@contextlib.asynccontextmanager
async def hanging_server() -> AsyncIterator[str]:
    """A URL whose server accepts the connection, reads the request and never answers."""

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            pass

    async with _raw_server(hang) as url:
        yield url


@contextlib.asynccontextmanager
async def status_server(status: int = 500) -> AsyncIterator[str]:
    """A URL whose server answers every HTTP request with ``status`` and a short text body."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        body = b"server broke"
        writer.write(
            f"HTTP/1.1 {status} Failure\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    async with _raw_server(answer) as url:
        yield url
