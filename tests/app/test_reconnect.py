"""The console after a lost connection: it says what happened, keeps what was shown, and
reconnects (F2) with the same session and tools, or with the conversation's text carried over.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.widgets import Input, Static
from websockets.asyncio.server import ServerConnection, serve

from console.app.app import RealtimeConsoleApp
from console.app.screens.composer import ComposerScreen
from console.app.widgets.session import SessionPane
from console.inspector.connection import Target
from console.simulator import SimulatorServer
from tests.app.conftest import (
    TIMEOUT,
    client_event,
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
    settled,
)


async def exchange(app: RealtimeConsoleApp, pilot: Any, text: str) -> None:
    waiter = expect(app, server_event("response.done"))
    prompt = app.query_one("#prompt", Input)
    prompt.focus()
    prompt.value = text
    await pilot.press("enter")
    await waiter
    app.render_frame()
    await pilot.pause()


async def lose_connection(app: RealtimeConsoleApp, pilot: Any, server: SimulatorServer) -> int:
    """Stop the simulator under the console; returns its port for a restart."""
    port = server.port
    closed = asyncio.ensure_future(app.client.realtime.wait_for_next("close", 10))
    await server.stop()
    assert await closed is not None
    app.render_frame()
    await pilot.pause()
    return port


async def test_a_lost_connection_keeps_what_was_shown_and_f2_reconnects() -> None:
    server = SimulatorServer(pace="fast")
    await server.start()
    app = console_app(server.url)
    restarted: SimulatorServer | None = None
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            await settled(app)
            await exchange(app, pilot, "remember the lighthouse")
            events_before = len(app.inspector.store.records)
            port = await lose_connection(app, pilot, server)
            status = app.inspector.connection
            assert status.state == "disconnected"
            assert "1001" in status.detail and status.lost
            text = screen_text(app)
            assert "remember the lighthouse" in text and "F2 reconnects" in text
            assert len(app.inspector.store.records) >= events_before  # the event log stays
            app.query_one("#prompt", Input).value = "anyone there?"
            await pilot.press("enter")
            await pilot.pause()
            assert app.query_one("#prompt", Input).value == "anyone there?"  # not sent, kept
            composer = ComposerScreen(app.send_raw, text='{"type": "response.create"}')
            app.push_screen(composer)
            await pilot.pause()
            await pilot.press("ctrl+s")
            assert composer.status_text == "✗ not sent: RealtimeNotConnectedError: " + (
                "not connected (F2 reconnects)"
            )
            composer.dismiss(None)
            await pilot.pause()
            pane = app.query_one(SessionPane)  # an edit while lost is kept for the reconnect
            pane.instructions.load_text("Speak like a lighthouse keeper.")
            pane.instructions.focus()
            await pilot.press("ctrl+s")
            await pilot.pause()
            result = str(app.query_one("#session-apply-result", Static).content)
            assert result.startswith("Not connected: saved"), result

            restarted = SimulatorServer(pace="fast", port=port)
            await restarted.start()
            updated = expect(app, server_event("session.updated"))
            await pilot.press("f2")
            await connected(app)
            session = (await updated)["event"]["session"]
            assert "get_weather" in [tool["name"] for tool in session["tools"]]
            assert session["instructions"] == "Speak like a lighthouse keeper."
            app.render_frame()
            await pilot.pause()
            assert "remember the lighthouse" in screen_text(app)
            assert app.inspector.connection.state == "connected"
    finally:
        await server.stop()
        if restarted is not None:
            await restarted.stop()


@pytest.mark.parametrize(("dialect", "assistant_part"), [("ga", "output_text"), ("beta", "text")])
async def test_reconnect_with_history_carries_the_text(dialect: str, assistant_part: str) -> None:
    server = SimulatorServer(pace="fast")
    await server.start()
    target = Target(server.url, None, dialect, None, "simulator — test")
    app = console_app(None, target=target)
    restarted: SimulatorServer | None = None
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            await settled(app)
            await exchange(app, pilot, "my name is Ada")
            reply = app.client.conversation.get_items()[-1]["formatted"]
            reply_text = reply["text"] or reply["transcript"]
            assert reply_text
            port = await lose_connection(app, pilot, server)
            restarted = SimulatorServer(pace="fast", port=port)
            await restarted.start()
            created = expect(app, client_event("conversation.item.create"), nth=2)
            added = expect(
                app,
                server_event(
                    "conversation.item.created" if dialect == "beta" else "conversation.item.added"
                ),
                nth=2,
            )
            errors_before = app.inspector.errors
            app.action_reconnect_with_history()  # the palette's "Reconnect with history"
            await created
            last_added = (await added)["event"]["item"]["id"]
            await settled(app)
            sent = [
                r.event["item"]
                for r in app.inspector.store.records
                if r.source == "client" and r.type == "conversation.item.create"
            ][-2:]
            assert [
                (i["role"], i["content"][0]["type"], i["content"][0]["text"]) for i in sent
            ] == [
                ("user", "input_text", "my name is Ada"),
                ("assistant", assistant_part, reply_text),
            ]
            # The server answers in order: an error about the carried items comes before this.
            retrieved = expect(app, server_event("conversation.item.retrieved"))
            app.client.realtime.send("conversation.item.retrieve", {"item_id": last_added})
            await retrieved
            assert app.inspector.errors == errors_before, app.inspector.last_error
            items = app.client.conversation.get_items()
            assert [i["formatted"]["text"] for i in items] == ["my name is Ada", reply_text]
    finally:
        await server.stop()
        if restarted is not None:
            await restarted.stop()


@pytest.fixture
async def beta_shutdown_url() -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        error = {
            "type": "invalid_request_error",
            "code": "beta_api_shape_disabled",
            "message": "The beta API shape is disabled.",
        }
        await ws.send(json.dumps({"type": "error", "event_id": "e1", "error": error}))
        await ws.close(4000, "beta_api_shape_disabled")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1/realtime"


async def test_the_beta_shutdown_tells_the_user_to_use_ga(beta_shutdown_url: str) -> None:
    target = Target(beta_shutdown_url, None, "beta", None, "openai — test")
    app = console_app(None, target=target, autoconnect=False)
    async with app.run_test(size=(200, 48)) as pilot:
        closed = asyncio.ensure_future(app.client.realtime.wait_for_next("close", TIMEOUT))
        app.action_connect()
        assert await closed is not None  # before or after the connect action ends
        await settled(app)
        app.render_frame()
        await pilot.pause()
        detail = app.inspector.connection.detail
        assert "4000" in detail and "use the GA dialect (--dialect ga)" in detail
        assert "GA dialect" in screen_text(app)
        assert app.is_running
