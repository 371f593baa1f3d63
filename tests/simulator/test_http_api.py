"""The HTTP side of the simulator's one port: unknown paths, plain GETs, added routes, the
registry of live sessions."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from console.simulator import SimulatorServer
from console.simulator.http_api import authorize, server_of

from .helpers import Client


async def get(url: str, method: str = "GET") -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.request(method, url) as response:
        return response.status, await response.text()


async def test_unknown_paths_are_404_with_a_hint(server: SimulatorServer) -> None:
    for path in ("/v2/other", "/v1/realtime/nothing"):
        status, text = await get(f"http://127.0.0.1:{server.port}{path}")
        assert (status, text) == (404, "Not found: use /v1/realtime\n")


async def test_plain_get_on_the_websocket_path_is_426(server: SimulatorServer) -> None:
    status, text = await get(f"http://127.0.0.1:{server.port}/v1/realtime")
    assert status == 426
    assert "WebSocket" in text


async def test_wrong_method_on_a_route_is_405(server: SimulatorServer) -> None:
    status, _ = await get(f"{server.http_url}/realtime/client_secrets")
    assert status == 405


async def test_other_modules_add_routes_that_see_the_server() -> None:
    async def whoami(request: web.Request) -> web.Response:
        secret = authorize(request)
        return web.json_response({"port": server_of(request).port, "secret": secret is not None})

    srv = SimulatorServer(pace="fast", require_key="sk-server")
    srv.add_routes([web.get("/v1/realtime/whoami", whoami)])
    async with srv:
        headers = {"Authorization": "Bearer sk-server"}
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{srv.http_url}/realtime/whoami", headers=headers) as r,
        ):
            assert r.status == 200
            assert await r.json() == {"port": srv.port, "secret": False}
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{srv.http_url}/realtime/whoami") as r,
        ):
            assert r.status == 401
        with pytest.raises(RuntimeError, match="before start"):
            srv.add_routes([web.get("/late", whoami)])


async def test_open_sessions_are_registered_by_id(server: SimulatorServer) -> None:
    assert server.sessions == {}
    client = await Client.connect(server.url)
    created = await client.recv_until("session.created")
    session_id = created["session"]["id"]
    assert set(server.sessions) == {session_id}
    await server.stop()  # closes the session and waits for its handler
    assert server.sessions == {}
    await client.close()
