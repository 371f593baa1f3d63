"""Tool calls the console has no handler for: shown as pending, answered from a form.

The tool is defined only in the session (``client.update_session(tools=[...])``), as when the
console attaches to a session defined elsewhere; the simulator calls it when the user names it.
The palette is driven once (its "Answer tool call" entry); the other tests press the
conversation pane's key or call the action.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Checkbox, Select

from console.app.app import RealtimeConsoleApp
from console.app.screens.tool_answer import AnswerToolCallScreen
from console.app.widgets.conversation import ConversationPane
from console.inspector.tool_calls import ToolCall
from console.simulator import SimulatorServer

from .conftest import (
    client_event,
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
    until,
)

ORDER_TOOL = {
    "type": "function",
    "name": "lookup_order",
    "description": "Looks up an order by its number",
    "parameters": {
        "type": "object",
        "properties": {"order": {"type": "string", "description": "the order number"}},
        "required": ["order"],
    },
}


def tool_output(payload: dict[str, Any]) -> bool:
    event = payload["event"]
    return client_event("conversation.item.create")(payload) and (
        event["item"]["type"] == "function_call_output"
    )


async def pending_call(app: RealtimeConsoleApp, pilot: Any) -> ToolCall:
    """Define the tool in the session only, ask for it, and wait until the call sits."""
    updated = expect(app, server_event("session.updated"))
    app.client.update_session(tools=[ORDER_TOOL], output_modalities=["text"])
    await updated
    done = expect(app, server_event("response.done"))
    app.client.send_user_message_content([{"type": "input_text", "text": "lookup_order 42"}])
    await done
    app.render_frame()
    await pilot.pause()
    [call] = app.inspector.tool_calls.pending()
    return call


async def wait_for_screen(pilot: Any, kind: type) -> Any:
    """The screen once it is on top (a push lands after the next message round)."""
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), f"a {kind.__name__}")
    return pilot.app.screen


async def test_a_call_with_no_handler_is_pending_then_answered_from_the_form(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        call = await pending_call(app, pilot)
        assert "pending — no handler" in screen_text(app)
        pane = app.query_one(ConversationPane)
        pane.focus()
        assert call.item_id is not None
        pane.select(call.item_id)
        await pilot.press("a")
        form = await wait_for_screen(pilot, AnswerToolCallScreen)
        assert form.call_id == call.call_id and "lookup_order" in screen_text(app)
        assert form.editor.is_syntax_aware  # JSON by default, highlighted
        form.editor.load_text('{"status": "shipped", "eta": "tomorrow"}')
        sent = expect(app, tool_output)
        requested = expect(app, client_event("response.create"))
        replied = expect(app, server_event("response.done"))
        await pilot.press("ctrl+s")
        output = (await sent)["event"]["item"]
        assert output["call_id"] == call.call_id
        assert output["output"] == '{"status":"shipped","eta":"tomorrow"}'
        await requested
        reply = (await replied)["event"]["response"]
        assert reply["status"] == "completed" and reply["output"][0]["role"] == "assistant"
        assert not isinstance(app.screen, AnswerToolCallScreen)
        app.render_frame()
        await pilot.pause()
        assert not call.pending and call.handler_ms is not None
        assert "answered in" in screen_text(app) and "pending — no handler" not in screen_text(app)


async def test_the_form_refuses_bad_json_sends_plain_text_and_can_skip_the_response(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        call = await pending_call(app, pilot)
        app.action_answer_tool_call()
        form = await wait_for_screen(pilot, AnswerToolCallScreen)
        form.editor.load_text("shipped yesterday")
        await pilot.press("ctrl+s")
        assert "not JSON" in form.status_text and form.editor.has_class("-invalid")
        assert call.pending and isinstance(app.screen, AnswerToolCallScreen)  # nothing sent
        form.query_one("#tool-answer-kind", Select).value = "text"
        form.query_one("#tool-answer-respond", Checkbox).value = False
        await pilot.pause()
        assert not form.editor.is_syntax_aware  # plain text is not highlighted as JSON
        sent = expect(app, tool_output)
        created: list[str] = []
        app.client.realtime.on("client.response.create", lambda event: created.append("x"))
        await pilot.press("ctrl+s")
        assert (await sent)["event"]["item"]["output"] == "shipped yesterday"
        assert created == []  # the checkbox was off: no response asked for
        assert not call.pending


async def test_the_palette_answers_the_newest_pending_call_and_says_when_there_is_none(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await connected(app)
        app.action_answer_tool_call()
        toast = "No tool call is waiting for an answer."
        await until(pilot, lambda: toast in screen_text(app), "the toast")
        app.query_one(ConversationPane).focus()
        await pilot.press("a")  # no call waits: the key is not offered and does nothing
        assert not isinstance(app.screen, AnswerToolCallScreen)
        assert not app.check_action("answer_tool_call", ())
        call = await pending_call(app, pilot)
        assert app.check_action("answer_tool_call", ())
        app.action_focus_input()
        await pilot.press("ctrl+p")
        await pilot.press(*"Answer tool")
        await pilot.press("enter")
        form = await wait_for_screen(pilot, AnswerToolCallScreen)
        assert form.call_id == call.call_id
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AnswerToolCallScreen) and call.pending


async def test_a_call_answered_meanwhile_is_not_answered_twice(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        call = await pending_call(app, pilot)
        app.action_answer_tool_call()
        form = await wait_for_screen(pilot, AnswerToolCallScreen)
        sent = expect(app, tool_output)
        app.client.realtime.send(
            "conversation.item.create",
            {"item": {"type": "function_call_output", "call_id": call.call_id, "output": "{}"}},
        )
        await sent
        form.editor.load_text("{}")
        await pilot.press("ctrl+s")
        assert "already answered" in form.status_text
        assert call.outputs == 1


@pytest.mark.parametrize("connected_first", [False])
async def test_answering_while_disconnected_says_so(connected_first: bool) -> None:
    from console.inspector.store import EventRecord

    app = console_app("ws://127.0.0.1:9/v1/realtime", autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        item = {"id": "item_1", "type": "function_call", "status": "completed"}
        item |= {"name": "lookup_order", "call_id": "call_1", "arguments": "{}"}
        event = {"type": "response.output_item.done", "response_id": "resp_1", "item": item}
        app.inspector.tool_calls.observe(EventRecord(1, 1.0, "server", event["type"], event))
        app.action_answer_tool_call()
        form = await wait_for_screen(pilot, AnswerToolCallScreen)
        form.editor.load_text('{"ok": true}')
        await pilot.press("ctrl+s")
        assert "not sent" in form.status_text and "not connected" in form.status_text.lower()
        assert app.is_running and isinstance(app.screen, AnswerToolCallScreen)


async def test_a_replay_shows_how_long_the_recorded_handler_ran_and_offers_no_answer() -> None:
    from console.inspector.recording import load_recording

    from .test_snapshots import FIXTURE

    app = console_app(None, replay=load_recording(FIXTURE), replay_name="x", autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.render_frame()
        await pilot.pause()
        [call] = app.inspector.tool_calls.all()
        assert call.name == "set_memory" and call.handler_ms is not None
        assert f"answered in {call.handler_ms:.0f} ms" in screen_text(app)
        assert not app.check_action("answer_tool_call", ())


async def test_a_reconnect_leaves_nothing_to_answer(simulator: SimulatorServer) -> None:
    """The new session's server knows none of the old calls: answering one would be refused."""
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        call = await pending_call(app, pilot)
        assert app.check_action("answer_tool_call", ())
        created = expect(app, server_event("session.created"))
        app.action_connect()  # F2 twice, or the palette's "Connect": a new session
        await created
        await app.controller.idle()
        app.render_frame()
        await pilot.pause()
        assert call.ended and not call.pending and app.inspector.tool_calls.to_answer() is None
        assert not app.check_action("answer_tool_call", ())
