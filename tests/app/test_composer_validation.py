"""The composer checks a client event against its dialect's schema before sending (issue 15):
the console on the simulator over a real socket, driven with Pilot (F3 opens the composer)."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import Static

from console.app.app import RealtimeConsoleApp
from console.app.screens.composer import ComposerScreen
from console.inspector.connection import Target
from console.simulator import SimulatorServer

from .conftest import TIMEOUT, client_event, connected, console_app, expect, server_event, until


async def open_composer(pilot: Any, app: RealtimeConsoleApp, text: str) -> ComposerScreen:
    await pilot.press("f3")
    await until(pilot, lambda: isinstance(app.screen, ComposerScreen), "the composer")
    composer = app.screen
    assert isinstance(composer, ComposerScreen)
    composer.editor.load_text(text)
    composer.validate()
    await pilot.pause()
    return composer


def problems_text(composer: ComposerScreen) -> str:
    view = composer.query_one("#composer-problems", Static)
    return str(view.content) if view.display else ""


def sent_types(app: RealtimeConsoleApp, sent: list[str]) -> None:
    app.client.on(
        "realtime.event",
        lambda record: record["source"] == "client" and sent.append(record["event"]["type"]),
    )


async def test_an_unknown_type_is_flagged_with_the_nearest_name(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        sent: list[str] = []
        sent_types(app, sent)
        composer = await open_composer(pilot, app, '{"type": "respnse.create"}')
        assert problems_text(composer) == (
            "type: unknown event type 'respnse.create' in GA; did you mean response.create?"
        )
        assert composer.problems[0].nearest == "response.create"
        assert composer.editor.has_class("-invalid")
        await pilot.press("ctrl+s")
        assert composer.status_text == (
            "✗ not sent: 1 problem for the GA schema; ctrl+s again sends it anyway"
        )
        assert composer.sent == [] and sent == []


async def test_an_unknown_field_names_the_dialects_field(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        composer = await open_composer(
            pilot,
            app,
            '{"type": "session.update", "session": {"type": "realtime", "modalities": ["text"]}}',
        )
        assert problems_text(composer) == (
            "session.modalities: unknown field; GA names it output_modalities"
        )
        # Fixed as suggested, it is valid and goes as it did before the check existed.
        updated = expect(app, server_event("session.updated"))
        composer.editor.load_text(
            '{"type": "session.update", "session": {"type": "realtime", '
            '"output_modalities": ["text"]}}'
        )
        await pilot.press("ctrl+s")
        assert problems_text(composer) == ""
        assert not composer.editor.has_class("-invalid")
        assert composer.status_text == "✓ sent session.update"
        assert (await updated)["event"]["session"]["output_modalities"] == ["text"]


async def test_the_beta_dialect_has_its_own_names(simulator: SimulatorServer) -> None:
    target = Target(simulator.url, None, "beta", None, "simulator — test")
    app = console_app(simulator.url, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        composer = await open_composer(
            pilot, app, '{"type": "session.update", "session": {"output_modalities": ["text"]}}'
        )
        assert "beta dialect" in str(composer.query_one("#composer-title", Static).content)
        assert problems_text(composer) == (
            "session.output_modalities: unknown field; beta names it modalities"
        )


async def test_wrong_types_and_values_are_listed_under_the_editor(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        composer = await open_composer(
            pilot,
            app,
            '{"type": "conversation.item.truncate", "item_id": "item_1", '
            '"content_index": "0", "audio_end_ms": 100}',
        )
        assert problems_text(composer) == "content_index: expected integer, got string"
        composer.editor.load_text(
            '{"type": "response.create", "response": {"output_modalities": ["txt"]}}'
        )
        composer.validate()
        await pilot.pause()
        assert problems_text(composer) == (
            'response.output_modalities[0]: "txt" is not one of "text", "audio"'
        )
        assert "1 problem for the GA schema" in composer.status_text


async def test_send_anyway_sends_an_invalid_event_and_the_server_answers(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        sent: list[str] = []
        sent_types(app, sent)
        text = '{"type": "session.update", "session": {"type": "realtime", "modalities": ["text"]}}'
        composer = await open_composer(pilot, app, text)
        await pilot.press("ctrl+s")
        assert composer.sent == []
        # An edit disarms: the next Ctrl+S refuses again, whatever the edit.
        composer.editor.load_text(text + " ")
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert composer.sent == [] and sent == []
        error = expect(app, server_event("error"))
        request = expect(app, client_event("session.update"))
        await pilot.press("ctrl+s")  # the second press, on the same text: sent anyway
        assert composer.status_text == (
            "✓ sent session.update anyway, with 1 problem for the GA schema"
        )
        assert (await request)["event"]["session"]["modalities"] == ["text"]
        refusal = (await asyncio.wait_for(error, TIMEOUT))["event"]["error"]
        assert refusal["param"] == "session.modalities"
        assert len(composer.sent) == 1 and sent == ["session.update"]


def status_line(app: RealtimeConsoleApp, field: str) -> str:
    widget = app.query_one(f"#session-status-{field}", Static)
    return str(widget.content) if widget.display else ""


async def test_a_refused_raw_update_marks_only_the_fields_it_carried(
    simulator: SimulatorServer,
) -> None:
    """GA refuses beta's ``modalities``: the form's Output field, which the user never edited
    and the GA event did not carry (GA's is ``output_modalities``), stays as it was; the
    instructions the event carried show the refusal, and the voice it did not carry nothing."""
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        pane = app.query_one("#session")
        acknowledged = "✓ acknowledged"
        await until(pilot, lambda: status_line(app, "voice") == acknowledged, "connect's ack")
        before = {name: status_line(app, name) for name in ("output-modalities", "voice")}
        assert before["output-modalities"] == acknowledged
        composer = await open_composer(
            pilot,
            app,
            '{"type": "session.update", "session": {"type": "realtime", '
            '"instructions": "Raw.", "modalities": ["text"]}}',
        )
        error = expect(app, server_event("error"))
        await pilot.press("ctrl+s", "ctrl+s")  # sent anyway
        assert len(composer.sent) == 1
        assert (await error)["event"]["error"]["param"] == "session.modalities"
        await pilot.press("escape")
        pane.refresh_from_state()
        await until(pilot, lambda: status_line(app, "instructions") != "", "the refusal")
        assert status_line(app, "instructions") == (
            "✗ not applied: the update was refused over session.modalities (unknown_parameter)"
        )
        assert {name: status_line(app, name) for name in before} == before
        status = app.inspector.session.field_status()
        assert status["session.modalities"].culprit
        assert status["output_modalities"].state == "applied"
