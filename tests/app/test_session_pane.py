"""SessionPane with Pilot, on a tiny host app whose client talks to the fast simulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, Collapsible, Input, Select, Static, TextArea

from console.app.widgets import tools_editor
from console.app.widgets.session import SessionPane
from console.app.widgets.session_fields import status_content
from console.app.widgets.tools_editor import parse_tools
from console.inspector.session_state import FieldStatus, SessionState
from console.realtime import RealtimeClient
from console.realtime.dialects import SessionConfigError
from console.simulator import SimulatorServer

from .conftest import until

STYLES = Path(__file__).resolve().parents[2] / "console" / "app" / "styles" / "session.tcss"


class Host(App[None]):
    """One client, one SessionState fed from ``realtime.event``, the pane polled at 30 Hz; below
    it the app's message input, which Escape focuses (as in the app)."""

    CSS_PATH = STYLES
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "focus_input", "Input", show=False)]

    def __init__(self, client: RealtimeClient) -> None:
        super().__init__()
        self.client = client
        self.state = SessionState()
        self.sent: list[dict[str, Any]] = []
        self.applied: list[SessionPane.Applied] = []
        client.on("realtime.event", self._record)

    def _record(self, record: dict[str, Any]) -> None:
        self.state.observe(record["source"], record["event"])
        if record["source"] == "client" and record["event"]["type"] == "session.update":
            self.sent.append(record["event"])

    def compose(self) -> ComposeResult:
        yield SessionPane(self.client, self.state, id="session")
        yield Input(id="prompt")

    def action_focus_input(self) -> None:
        self.query_one("#prompt", Input).focus()

    def on_mount(self) -> None:
        pane = self.query_one(SessionPane)
        self.set_interval(1 / 30, pane.refresh_from_state)

    def on_session_pane_applied(self, message: SessionPane.Applied) -> None:
        self.applied.append(message)


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def client(dialect: str) -> AsyncIterator[RealtimeClient]:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, dialect=dialect)
        yield client
        await client.disconnect()


def next_server_event(client: RealtimeClient, kind: str) -> asyncio.Future[dict[str, Any]]:
    """A future for the next server event of ``kind``, registered before anything is sent."""
    future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    def on_event(event: dict[str, Any]) -> None:
        if not future.done():
            future.set_result(event)

    client.realtime.on_next(f"server.{kind}", on_event)
    return future


async def connect(client: RealtimeClient) -> None:
    """Connect and wait until the connect-time session.update is acknowledged."""
    settled = next_server_event(client, "session.updated")
    await client.connect()
    await asyncio.wait_for(settled, 5)


def text_of(app: App[None], selector: str) -> str:
    return str(app.query_one(selector, Static).content)


async def settle(pilot: Any, pane: SessionPane) -> None:
    pane.refresh_from_state()
    await pilot.pause()


async def test_instructions_apply_and_show_acknowledged(client: RealtimeClient) -> None:
    app = Host(client)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        await settle(pilot, pane)
        assert pane.tools.text_area.is_syntax_aware  # textual[syntax] + a working tree-sitter
        assert "acknowledged: sess_" in text_of(app, "#session-summary")
        pane.instructions.load_text("Talk like a [b]pirate[/b].")
        pane.instructions.focus()
        updated = next_server_event(client, "session.updated")
        await pilot.press("ctrl+s")  # in the instructions editor, Ctrl+S is the pane's
        event = await asyncio.wait_for(updated, 5)
        assert event["session"]["instructions"] == "Talk like a [b]pirate[/b]."
        assert list(app.sent[-1]["session"]) in (["type", "instructions"], ["instructions"])
        await settle(pilot, pane)
        assert text_of(app, "#session-status-instructions").startswith("✓")
        assert pane.changed_fields() == []


async def test_invalid_form_is_never_sent_and_every_error_shows(client: RealtimeClient) -> None:
    app = Host(client)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        await settle(pilot, pane)
        before = len(app.sent)
        pane.tools.text_area.load_text('[\n  {"type": "function", "name": "x",}\n]')
        await until(pilot, lambda: pane.tools.error is not None, "the debounced check")
        await pilot.pause()  # its Checked message redraws the statuses
        error = text_of(app, "#session-tools-error")
        assert error.startswith("line 2, column 36:"), error
        assert pane.tools.text_area.has_class("-invalid")
        assert text_of(app, "#session-status-tools") == "● edited, invalid — not applied"
        pane.max_tokens.value = "lots"
        await pilot.click("#session-apply")
        await pilot.pause()
        result = text_of(app, "#session-apply-result")
        assert result.startswith("Not sent: max output tokens: 'lots' is not"), result
        assert "; tools: line 2, column 36" in result  # every error, not only the first
        assert len(app.sent) == before


async def test_valid_tools_apply_and_change_the_server(client: RealtimeClient) -> None:
    client.add_tool({"name": "local_clock", "parameters": {"type": "object"}}, lambda args: "12")
    app = Host(client)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        await settle(pilot, pane)
        assert "local_clock" in text_of(app, "#session-registered-tools")
        tools = [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ]
        pane.tools.load(json.dumps(tools))
        assert not pane.tools.text_area.has_class("-invalid")
        updated = next_server_event(client, "session.updated")
        await pilot.click("#session-apply")
        event = await asyncio.wait_for(updated, 5)
        names = [tool["name"] for tool in event["session"]["tools"]]
        assert names == ["get_weather", "local_clock"]  # the handler's tool was kept
        await settle(pilot, pane)
        assert text_of(app, "#session-status-tools").startswith("✓")


async def test_refused_update_keeps_every_edit_and_says_why(client: RealtimeClient) -> None:
    app = Host(client)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        client.send_user_message_content([{"type": "input_text", "text": "hello"}])
        assert await client.wait_for_next_completed_item(5)
        assert await client.wait_for_next_completed_item(5)  # the audio reply
        await settle(pilot, pane)
        pane.instructions.clear()
        pane.instructions.focus()
        await pilot.press(*"Be brief.")
        pane.voice.value = "ash"
        error = next_server_event(client, "error")
        await pilot.click("#session-apply")  # focus leaves both fields
        await asyncio.wait_for(error, 5)
        await settle(pilot, pane)
        status = app.query_one("#session-status-voice", Static)
        assert str(status.content).startswith("✗ cannot_update_voice: Cannot update")
        assert status.has_class("-refused")
        # The library rolled its session_config back; the form keeps what the user typed.
        assert client.session_config["voice"] == "verse"
        assert (pane.instructions.text, pane.voice.value) == ("Be brief.", "ash")
        assert pane.changed_fields() == ["instructions", "voice"]
        assert text_of(app, "#session-status-instructions") == (
            "✗ not applied: the update was refused over voice (cannot_update_voice)"
        )
        result = text_of(app, "#session-apply-result")
        assert result.startswith("Refused: cannot_update_voice: Cannot update"), result
        assert result.endswith("nothing applied; instructions, voice kept in the form.")
        # Put the voice back and apply again: the instructions go through alone.
        pane.voice.value = "verse"
        await pilot.pause()
        assert text_of(app, "#session-status-instructions").startswith("✗ not applied")
        updated = next_server_event(client, "session.updated")
        await pilot.press("ctrl+s")  # focus is on the Apply button, inside the pane
        event = await asyncio.wait_for(updated, 5)
        assert "voice" not in json.dumps(app.sent[-1]["session"])
        assert event["session"]["instructions"] == "Be brief."
        await settle(pilot, pane)
        assert text_of(app, "#session-status-instructions") == "✓ acknowledged"
        assert text_of(app, "#session-apply-result") == "Applied instructions."
        assert pane.changed_fields() == []
        assert pane.instructions.text == "Be brief."
        # The refused voice left the form: its refusal is history, not the field's state.
        assert not app.query_one("#session-status-voice", Static).display


async def test_edited_fields_say_so_until_acknowledged(
    client: RealtimeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pause long enough that the "not checked yet" line is still there under load (a press
    # took over 300 ms with other suites running, and the check had already run).
    monkeypatch.setattr(tools_editor, "DEBOUNCE_S", 1.0)
    app = Host(client)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        await settle(pilot, pane)
        assert text_of(app, "#session-status-voice") == "✓ acknowledged"  # sent at connect
        pane.voice.clear()
        pane.voice.focus()
        await pilot.press(*"sage")
        voice = app.query_one("#session-status-voice", Static)
        assert (str(voice.content), voice.has_class("-edited")) == (
            "● edited — Ctrl+S applies",
            True,
        )
        pane.tools.text_area.focus()
        await pilot.press("end", "x")  # the JSON breaks at once; its check waits for a pause
        assert text_of(app, "#session-status-tools") == "● edited — Ctrl+S applies"
        await until(pilot, lambda: pane.tools.error is not None, "the debounced check")
        await pilot.pause()  # its Checked message redraws the statuses
        assert text_of(app, "#session-status-tools") == "● edited, invalid — not applied"
        await pilot.press("backspace")  # back to the session's tools
        assert text_of(app, "#session-status-tools") == "✓ acknowledged"
        updated = next_server_event(client, "session.updated")
        pane.action_apply()  # as Ctrl+S does; read before the (fast) server can answer
        assert (str(voice.content), voice.has_class("-pending")) == (
            "… sent, awaiting the server",
            True,
        )
        await asyncio.wait_for(updated, 5)
        await settle(pilot, pane)
        assert (str(voice.content), voice.has_class("-applied")) == ("✓ acknowledged", True)
        assert text_of(app, "#session-apply-result") == "Applied voice."


async def test_tab_and_escape_leave_the_editors() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/unused")
    app = Host(client)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(SessionPane)
        app.query_one("#prompt").focus()
        await pilot.press("tab")  # wraps round to the pane's first stop: a field
        assert app.focused is pane.instructions
        await pilot.press("tab")  # the Output section's title (Enter folds it), not a tab
        assert pane.instructions.text == ""
        assert app.focused is app.query_one("#session-section-output CollapsibleTitle")
        await pilot.press("tab")
        assert app.focused is pane.voice
        pane.tools.text_area.focus()
        await pilot.press("tab")  # on to the next section's title
        assert app.focused is app.query_one("#session-section-context CollapsibleTitle")
        assert pane.tools.text == "[]"  # Tab moved on, it did not indent
        app.query_one("#session-section-context", Collapsible).collapsed = False
        await pilot.pause()
        for area in (pane.instructions, pane.tools.text_area, pane.prompt.variables):
            area.focus()
            await pilot.pause()
            assert app.focused is area
            await pilot.press("escape")
            assert app.focused is app.query_one("#prompt", Input), area
            assert isinstance(area, TextArea)


async def test_server_vad_shows_its_parameters_and_sends_them(client: RealtimeClient) -> None:
    client.update_session(turn_detection=None)
    app = Host(client)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        await settle(pilot, pane)
        server_vad = app.query_one("#session-server-vad")
        assert not server_vad.display
        app.query_one("#session-turn", Select).value = "server_vad"
        await pilot.pause()
        assert server_vad.display
        assert not app.query_one("#session-semantic").display
        app.query_one("#session-vad-threshold", Input).value = "0.7"
        app.query_one("#session-vad-silence", Input).value = "650"
        app.query_one("#session-vad-create", Checkbox).value = False
        updated = next_server_event(client, "session.updated")
        await pilot.click("#session-apply")
        event = await asyncio.wait_for(updated, 5)
        session = event["session"]
        if client.dialect == "ga":
            turn = session["audio"]["input"]["turn_detection"]
            sent = app.sent[-1]["session"]["audio"]["input"]["turn_detection"]
        else:
            turn, sent = session["turn_detection"], app.sent[-1]["session"]["turn_detection"]
        assert sent["type"] == "server_vad" and sent["interrupt_response"] is True
        assert (turn["threshold"], turn["silence_duration_ms"]) == (0.7, 650)
        assert turn["create_response"] is False
        await settle(pilot, pane)
        assert text_of(app, "#session-status-turn-detection").startswith("✓")


async def test_apply_names_fields_as_the_pane_does() -> None:
    """The Apply line names fields by their labels ("turn detection, noise reduction"), not by
    the library's flat keys (input_audio_noise_reduction, which read as beta in a GA session)."""
    client = RealtimeClient(url="ws://127.0.0.1:9/unused")
    app = Host(client)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(SessionPane)
        pane.noise.value = "far_field"
        pane.turn.kind.value = "semantic_vad"
        pane.speed.value = "1.2"
        await pilot.pause()
        await pilot.click("#session-apply")
        await pilot.pause()
        assert "saved speed, turn detection, noise reduction locally" in text_of(
            app, "#session-apply-result"
        )


async def test_apply_while_disconnected_saves_locally() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/unused")
    app = Host(client)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(SessionPane)
        assert "nothing yet" in text_of(app, "#session-summary")
        pane.max_tokens.value = "lots"
        await pilot.click("#session-apply")
        await pilot.pause()
        assert "max output tokens" in text_of(app, "#session-apply-result")
        pane.max_tokens.value = "512"
        pane.tool_choice.value = "required"
        await pilot.press("ctrl+s")  # focus is on the Apply button, inside the pane
        await pilot.pause()
        assert "saved max out tokens, tool choice locally" in text_of(app, "#session-apply-result")
        assert client.session_config["max_response_output_tokens"] == 512
        assert client.session_config["tool_choice"] == "required"
        assert app.sent == []
        assert [(m.fields, m.sent) for m in app.applied] == [
            (("max_output_tokens", "tool_choice"), False)
        ]


async def test_refresh_fills_untouched_fields_only(client: RealtimeClient) -> None:
    app = Host(client)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(SessionPane)
        await connect(client)
        await settle(pilot, pane)
        pane.voice.focus()
        await pilot.press("end", "x")  # typed, not applied
        pane.max_tokens.value = "77"  # changed, not applied, not focused
        updated = next_server_event(client, "session.updated")
        client.update_session(instructions="Set elsewhere.", voice="sage", tool_choice="none")
        await asyncio.wait_for(updated, 5)
        await settle(pilot, pane)
        assert pane.instructions.text == "Set elsewhere."
        assert pane.tool_choice.value == "none"
        assert (pane.voice.value, pane.max_tokens.value) == ("versex", "77")
        assert pane.changed_fields() == ["voice", "max_output_tokens"]


async def test_library_errors_are_shown_not_raised(
    client: RealtimeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**fields: Any) -> bool:
        raise SessionConfigError("voice must be a [b]voice name[/b]")

    app = Host(client)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(SessionPane)
        monkeypatch.setattr(client, "update_session", refuse)
        pane.voice.value = "ash"
        await pilot.click("#session-apply")
        await pilot.pause()
        result = app.query_one("#session-apply-result", Static)
        assert str(result.content) == "Not sent: voice must be a [b]voice name[/b]"
        assert result.has_class("-error")
        assert pane.changed_fields() == ["voice"]  # still to apply


def test_server_text_is_never_markup() -> None:
    status = FieldStatus("voice", "refused", "x", code="bad", reason="[red]no[/red]", culprit=True)
    content, css_class = status_content(status)
    assert (str(content), css_class) == ("✗ bad: [red]no[/red]", "-refused")


def test_parse_tools_messages() -> None:
    assert parse_tools("") == []
    for text, message in [
        ("{}", "JSON array"),
        ("[1]", "tool 1: must be an object"),
        ('[{"name": "a"}]', '"type" must be "function"'),
        ('[{"type": "function"}]', '"name" must be a non-empty string'),
        ('[{"type": "function", "name": "a"}, {"type": "function", "name": "a"}]', "twice"),
        ('[{"type": "function", "name": "h"}]', "registered with a handler"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_tools(text, registered={"h"})
