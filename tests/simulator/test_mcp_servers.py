"""The in-process MCP test servers (tests/mcp_servers.py) behave as their docstring says, checked
with the mcp SDK's own client, so a failure in the simulator's MCP tests is never theirs."""

from __future__ import annotations

import asyncio

import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.mcp_servers import (
    DEMO_TOOLS,
    demo_server,
    faulty_server,
    hanging_server,
    refused_url,
    serve_mcp,
    status_server,
)


async def test_demo_server_lists_and_calls_with_headers_seen() -> None:
    async with serve_mcp(demo_server()) as running:
        async with (
            httpx2.AsyncClient(headers={"X-Probe": "yes"}) as http,
            streamable_http_client(running.url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            listed = await session.list_tools()
            assert tuple(t.name for t in listed.tools) == DEMO_TOOLS
            result = await session.call_tool("add", {"a": 2, "b": 3})
            assert [c.text for c in result.content] == ["5"]
        assert running.requests and all(r.get("x-probe") == "yes" for r in running.requests)


async def test_faulty_tool_returns_an_error_result() -> None:
    async with (
        serve_mcp(faulty_server()) as running,
        streamable_http_client(running.url) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        result = await session.call_tool("explode", {"reason": "on purpose"})
        assert result.is_error
        assert "exploded: on purpose" in result.content[0].text


async def _connect(url: str) -> None:
    async with (
        streamable_http_client(url) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()


async def test_refused_url_refuses() -> None:
    async with refused_url() as url:
        with pytest.raises(BaseException):  # noqa: B017 -- an ExceptionGroup from anyio
            await asyncio.wait_for(_connect(url), 5)


async def test_hanging_server_hangs() -> None:
    async with hanging_server() as url:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(_connect(url), 0.5)


async def test_status_server_fails_the_handshake() -> None:
    async with status_server(500) as url:
        with pytest.raises(BaseException):  # noqa: B017
            await asyncio.wait_for(_connect(url), 5)
