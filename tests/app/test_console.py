"""The console against the simulator: connecting, talking, tools, panes and failures.

Every test builds the app with the real factory and drives it with Pilot; waits are on client
events with a timeout, and ``render_frame`` draws what the 30 Hz timer would.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from console.app.widgets.conversation import ConversationPane
from console.inspector.connection import Target
from console.simulator import SimulatorServer

from .conftest import (
    client_event,
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
    settled,
)


def tool_output(payload) -> bool:
    event = payload["event"]
    return client_event("conversation.item.create")(payload) and (
        event["item"]["type"] == "function_call_output"
    )


async def exchange(app, pilot, text: str) -> None:
    """Say ``text``, wait for the reply's ``response.done``, and draw a frame."""
    waiter = expect(app, server_event("response.done"))
    await say(app, pilot, text)
    await waiter
    app.render_frame()
    await pilot.pause()


async def say(app, pilot, text: str) -> None:
    prompt = app.query_one("#prompt", Input)
    prompt.focus()
    prompt.value = text
    await pilot.press("enter")


async def test_opens_focused_on_the_input_and_connects(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.render_frame()
        await pilot.pause()
        assert app.focused is app.query_one("#prompt")
        text = screen_text(app)
        assert "simulator — test" in text
        assert "connected" in text and app.inspector.connection.session_id in text
        assert "session.created" in text


async def test_a_message_streams_into_the_conversation_with_figures(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, server_event("response.done"))
        await say(app, pilot, "Hello console")
        assert app.query_one("#prompt", Input).value == ""
        await waiter
        app.render_frame()
        await pilot.pause()
        shown = app.query_one(ConversationPane).item_ids
        assert len(shown) == 2
        user, assistant = (app.client.conversation.get_item(item_id) for item_id in shown)
        assert user["role"] == "user" and assistant["role"] == "assistant"
        text = screen_text(app)
        assert "Hello console" in text
        assert "first audio" in text and " out · $" in text


async def test_enter_cancels_a_response_in_progress_first(
    slow_simulator: SimulatorServer,
) -> None:
    app = console_app(slow_simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, server_event("response.output_audio.delta"))
        await say(app, pilot, "Tell me a long story please with many words in it")
        await waiter
        sent: list[str] = []
        app.client.realtime.on("client.*", lambda event: sent.append(event["type"]))
        waiter = expect(app, server_event("response.done"))
        await say(app, pilot, "Stop")
        assert sent[:2] == ["response.cancel", "conversation.item.create"]
        done = await waiter
        assert done["event"]["response"]["status"] == "cancelled"


async def test_set_memory_tool_runs_and_the_memory_view_shows_it(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, tool_output)
        answered = expect(app, server_event("response.done"), nth=2)  # the follow-up answer
        await say(app, pilot, "please call set_memory")
        await waiter
        await answered
        app.render_frame()
        await pilot.pause()
        assert app.inspector.memory, "set_memory saved nothing"
        key = next(iter(app.inspector.memory))
        assert key in screen_text(app)


async def test_get_weather_without_network_is_a_tool_error_not_a_crash(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, tool_output)
        await say(app, pilot, "call get_weather")
        output = await waiter
        assert "error" in output["event"]["item"]["output"]
        app.render_frame()
        await pilot.pause()
        assert "tool_error" in app.inspector.last_error
        assert app.is_running


async def test_a_refused_connection_is_explained_and_the_app_stays() -> None:
    app = console_app("ws://127.0.0.1:9/v1/realtime")
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app)
        app.render_frame()
        await pilot.pause()
        assert app.inspector.connection.state == "disconnected"
        assert "nothing is listening" in app.inspector.connection.detail
        assert "nothing is listening" in screen_text(app)
        assert app.is_running


async def test_a_relay_that_wants_a_token_says_so() -> None:
    from console.relay import RelayServer

    async with SimulatorServer(pace="fast") as simulator:
        relay = RelayServer(upstream_url=simulator.url, port=0, token="relay-token-123456")
        await relay.start()
        try:
            app = console_app(relay.url)
            async with app.run_test(size=(160, 48)):
                await settled(app)
                assert "--token" in app.inspector.connection.detail
            target = Target(relay.url, "relay-token-123456", "ga", None, "relay", True)
            app = console_app(None, target=target)
            async with app.run_test(size=(160, 48)) as pilot:
                await connected(app)
                app.render_frame()
                await pilot.pause()
                assert "relay-token-123456" not in screen_text(app)
        finally:
            await relay.stop()


async def test_disconnect_and_reconnect_from_the_app(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        first_session = app.inspector.connection.session_id
        await pilot.press("f2")
        await settled(app)
        assert not app.client.is_connected()
        assert app.inspector.connection.state == "disconnected"
        await pilot.press("f2")
        await connected(app)
        app.render_frame()
        await pilot.pause()
        assert app.inspector.connection.session_id not in ("", first_session)


async def test_the_server_closing_is_shown_in_plain_words() -> None:
    async with SimulatorServer(pace="fast", session_expiry_s=0.3) as simulator:
        app = console_app(simulator.url)
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            await app.client.realtime.wait_for_next("close", 10)
            app.render_frame()
            await pilot.pause()
            assert app.inspector.connection.state == "disconnected"
            assert "1001" in app.inspector.connection.detail
            assert "1001" in screen_text(app)
            assert app.is_running


async def test_delete_an_item_from_the_conversation(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await exchange(app, pilot, "Hello")
        pane = app.query_one(ConversationPane)
        first = pane.item_ids[0]
        pane.focus()
        await pilot.press("up", "up")  # from nothing selected: the newest, then the one before
        assert pane.selected_id == first
        deleted = expect(app, server_event("conversation.item.deleted"))
        await pilot.press("delete")
        await deleted
        app.render_frame()
        await pilot.pause()
        assert first not in pane.item_ids


async def test_item_details_open_with_audio_as_its_length(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await exchange(app, pilot, "Hello")
        app.query_one(ConversationPane).focus()
        await pilot.press("up", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemDetailScreen"
        assert "samples" in app.screen.detail and '"role": "assistant"' in app.screen.detail


async def test_palette_toggles_a_pane_and_help_lists_binding_ids(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Toggle session")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert not app.query_one("#session").display
        await pilot.press("f1")
        await pilot.pause()
        assert "app.connect" in screen_text(app)
        await pilot.press("end")  # the panes' keys come further down the list
        await pilot.pause()
        assert "events.open_detail" in screen_text(app)


async def test_zoom_fills_the_screen_with_the_focused_pane(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.query_one("#events-list").focus()
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#events")
        await pilot.press("f6")
        assert app.screen.maximized is None


async def test_usable_at_100_by_30(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(app)
        await exchange(app, pilot, "Hi small screen")
        assert not app.query_one("#session").display  # F5 shows it
        assert app.query_one(ConversationPane).region.width >= 30
        assert app.query_one("#events").region.width >= 40
        assert "Hi small screen" in screen_text(app)
        await pilot.press("f5")
        await pilot.pause()
        assert app.query_one("#session").display


async def test_record_then_replay_rebuilds_the_conversation(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    from console.inspector.recording import load_recording

    path = tmp_path / "session.jsonl"
    app = console_app(simulator.url, record_path=path)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, server_event("response.done"))
        await say(app, pilot, "Replay this message")
        await waiter
        live_items = [(i["id"], i["role"]) for i in app.client.conversation.get_items()]
        live_events = app.inspector.store.total
        await pilot.press("ctrl+q")
    recording = load_recording(path)
    assert len(recording.entries) == live_events
    replay = console_app(None, replay=recording, replay_name=str(path), autoconnect=False)
    async with replay.run_test(size=(160, 48)) as pilot:
        replay.render_frame()
        await pilot.pause()
        assert [(i["id"], i["role"]) for i in replay.client.conversation.get_items()] == live_items
        assert replay.inspector.connection.state == "replay"
        assert "Replay this message" in screen_text(replay)
        await pilot.press("f2")  # connecting a replay is refused, not attempted
        await settled(replay)
        assert not replay.client.is_connected()


async def test_export_writes_the_kept_events(simulator: SimulatorServer, tmp_path: Path) -> None:
    from console.inspector.recording import load_recording

    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)):
        await connected(app)
        app.action_export_events(str(tmp_path / "export.jsonl"))
        exported = load_recording(tmp_path / "export.jsonl")
        assert len(exported.entries) == len(app.inspector.store.records)


async def test_user_tools_from_a_file_are_called(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    from console.inspector.tools import load_tools_file

    tools_file = tmp_path / "my_tools.py"
    tools_file.write_text(
        "CALLS = []\n"
        "def lookup_order(arguments):\n"
        "    CALLS.append(arguments)\n"
        "    return {'status': 'shipped'}\n"
        "TOOLS = [({'type': 'function', 'name': 'lookup_order', 'description': 'Order status',"
        " 'parameters': {'type': 'object', 'properties': {}}}, lookup_order)]\n"
    )
    app = console_app(simulator.url, tools=load_tools_file(tools_file), demo_tools=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, tool_output)
        await say(app, pilot, "please lookup_order")
        output = await waiter
        assert "shipped" in output["event"]["item"]["output"]


async def test_server_text_with_markup_never_breaks_a_notification(tmp_path: Path) -> None:
    from console.inspector.recording import load_recording

    path = tmp_path / "odd.jsonl"
    path.write_text('{"type": "[/oops]", "event_id": "e1"}\n{"type": "[bold red]x[/]"}\n')
    app = console_app(None, replay=load_recording(path), autoconnect=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        app.render_frame()
        app.query_one("#events-list").focus()
        await pilot.press("home", "c", "down", "c")
        await pilot.pause()
        assert app.is_running
        assert app.clipboard and "[bold red]x[/]" in app.clipboard


async def test_reset_then_connect_keeps_the_panes_fed(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.action_reset()
        await settled(app)
        before = app.inspector.store.total
        app.action_connect()
        await connected(app)
        await exchange(app, pilot, "after the reset")
        assert app.inspector.store.total > before + 5
        assert len(app.query_one(ConversationPane).item_ids) == 2
        assert set(app.client.tools) == {"set_memory", "get_weather"}


async def test_a_reconnect_starts_the_conversation_pane_afresh(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, server_event("response.done"))
        await say(app, pilot, "first session")
        await waiter
        app.render_frame()
        assert len(app.query_one(ConversationPane).item_ids) == 2
        app.action_connect()  # reconnect
        await connected(app)
        app.render_frame()
        await pilot.pause()
        assert app.query_one(ConversationPane).item_ids == []


async def test_a_user_tool_named_like_a_demo_tool_replaces_it(
    simulator: SimulatorServer,
) -> None:
    calls: list[dict[str, object]] = []
    definition = {
        "type": "function",
        "name": "set_memory",
        "description": "mine",
        "parameters": {"type": "object", "properties": {}},
    }
    app = console_app(simulator.url, tools=[(definition, calls.append)])
    async with app.run_test(size=(160, 48)):
        assert app.client.tools["set_memory"]["definition"]["description"] == "mine"


async def test_a_replay_is_read_only(tmp_path: Path) -> None:
    from console.inspector.recording import load_recording

    fixture = Path(__file__).parent / "fixtures" / "conversation.jsonl"
    app = console_app(None, replay=load_recording(fixture), autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.render_frame()
        await pilot.pause()
        assert app.query_one("#prompt", Input).disabled
        assert app.query_one("#session").disabled
        for action in ("composer", "cycle_turn_detection", "toggle_connection"):
            assert app.check_action(action, ()) is False
        await pilot.press("f3", "f4")
        assert type(app.screen).__name__ != "ComposerScreen"
        assert app.client.get_turn_detection_type() is None


def test_the_cli_refuses_a_url_that_is_not_a_websocket(capsys) -> None:
    from console.cli import main

    assert main(["--url", "foo"]) == 2
    assert "not a websocket URL" in capsys.readouterr().err


async def test_folded_counts_stay_visible_at_100_columns(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(app)
        await exchange(app, pilot, "Say something long enough for several transcript deltas")
        text = screen_text(app)
        rows = [r for r in app.inspector.store.rows if r.count > 1 and "transcript" in r.type]
        assert rows and f"\u00d7{rows[0].count}" in text  # the multiplication sign


async def test_the_meter_shows_the_reply_audio_level(simulator: SimulatorServer) -> None:
    from console.app.widgets.meter import MeterPane

    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        waiter = expect(app, server_event("response.output_audio.delta"))
        await say(app, pilot, "Speak to the meter")
        await waiter
        app.query_one(MeterPane).tick()
        await pilot.pause()
        out_line = next(line for line in screen_text(app).splitlines() if " out " in line)
        assert "-100 dB rms" not in out_line, out_line
        assert app.inspector.output_levels.levels().rms_dbfs > -60


async def test_a_keymap_remaps_by_id_and_reports_unknown_ids() -> None:
    app = console_app(
        "ws://127.0.0.1:9/v1/realtime",
        autoconnect=False,
        keymap={"app.help": "f9", "app.nonsense": "f10"},
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        assert "app.nonsense" in app.inspector.last_error


async def test_the_audio_kept_and_released_is_shown(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url, max_audio_seconds=2.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await exchange(app, pilot, "First, say something long enough to keep")
        await exchange(app, pilot, "Second, say something long enough to release the first")
        text = screen_text(app)
        assert "of 2 s · released from 1 older item" in text
        pane = app.query_one(ConversationPane)
        lines = [pane.render_line(y).text for y in range(pane.scrollable_content_region.height)]
        drawn = " ".join(" ".join(lines).split())  # the first reply's title, wherever it wraps
        assert "s released (memory limit)" in drawn, drawn
