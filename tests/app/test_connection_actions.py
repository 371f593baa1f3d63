"""Connection keys in the app: each action runs to its end, in the order asked for."""

from __future__ import annotations

import asyncio
from typing import Any

from console.simulator import SimulatorServer
from tests.app.conftest import TIMEOUT, connected, console_app


async def test_a_connect_asked_for_mid_disconnect_does_not_cut_it(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)):
        await connected(app)
        client = app.client
        for trial in range(30):
            closes: list[dict[str, Any]] = []
            on_close = closes.append
            client.on("close", on_close)
            client.send_user_message_content([{"type": "input_text", "text": f"trial {trial}"}])
            app.action_disconnect()
            for _ in range(trial):  # F2 again at a later step of the closing each time
                await asyncio.sleep(0)
            app.action_connect()
            await app.workers.wait_for_complete()
            if hasattr(app, "controller"):  # (the old app had none)
                await app.controller.idle()
            client.off("close", on_close)
            assert [close["code"] for close in closes] == [1000], f"trial {trial}"
            assert not client.response_state.in_flight or client.is_connected()
            assert client.is_connected(), f"trial {trial}: {app.inspector.connection.detail}"
            assert await client.wait_for_session_created(TIMEOUT)
            assert app.inspector.connection.state == "connected"


async def test_f2_twice_disconnects_then_connects(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await pilot.press("f2", "f2")
        await app.workers.wait_for_complete()
        await app.controller.idle()
        assert app.client.is_connected()
        assert app.controller.actions_run == 3  # connect at start, then disconnect and connect


async def test_an_error_noted_at_start_is_toasted_in_its_own_words(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url, keymap={"no.such.binding": "f9"})
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)  # the autoconnect starts a new session, clearing the last error
        app.render_frame()
        await pilot.pause()
        toasts = [str(notification.message) for notification in app._notifications]
        assert any("keymap: no binding with id no.such.binding" in text for text in toasts), toasts
