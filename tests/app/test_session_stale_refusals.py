"""A refusal stops being told once it no longer holds: the Apply line once the refused value has
left the form, the status bar's last error once a later session update is acknowledged. The
console on the simulator over a real socket, with Pilot."""

from __future__ import annotations

from console.app.widgets.session import SessionPane
from console.app.widgets.status import StatusBar
from console.simulator import SimulatorServer

from .conftest import connected, console_app, expect, server_event, until


async def test_a_refusal_is_no_longer_told_once_it_no_longer_holds(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)  # gpt-realtime: the simulator refuses reasoning
    async with app.run_test(size=(180, 50)) as pilot:
        await connected(app)
        pane = app.query_one(SessionPane)
        status = app.query_one(StatusBar)
        pane.reasoning.effort.value = "low"
        await pilot.pause()
        error = expect(app, server_event("error"))
        pane.action_apply()
        code = (await error)["event"]["error"]["code"]
        await until(pilot, lambda: str(pane.result.content).startswith("Refused"), "refused")
        await until(pilot, lambda: code in str(status.render()), "the status bar's error")
        # Reasoning set back to off: the refused value left the form, so did the refusal.
        pane.reasoning.effort.value = "off"
        await until(pilot, lambda: str(pane.result.content) == "", "the Apply line cleared")
        assert pane.changed_fields() == []
        # The next update is acknowledged: the refusal no longer describes the session.
        pane.voice.value = "ash"
        await pilot.pause()
        updated = expect(app, server_event("session.updated"))
        pane.action_apply()
        await updated
        await until(pilot, lambda: str(pane.result.content) == "Applied voice.", "applied")
        await until(pilot, lambda: code not in str(status.render()), "the error cleared")
        assert app.inspector.last_error == ""
