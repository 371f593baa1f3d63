"""MCP in the console, against the simulator (a real MCP client) and in-process MCP servers.

A server is added with the "Add MCP server" form; its listing, calls and outputs show in the
conversation pane; an approval request is answered with y or n from any focus that is not a
text field; a failing server's failure shows in words; secrets never reach the screen.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, Static

from console.app.app import RealtimeConsoleApp
from console.app.screens.mcp_server import McpServerScreen
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.session import SessionPane
from console.inspector.recording import load_recording
from console.simulator import SimulatorServer
from tests.mcp_servers import RunningMCP, demo_server, refused_url, serve_mcp

from .conftest import client_event, connected, console_app, expect, screen_text, server_event, until

TOKEN = "Bearer mcp-secret-0123456789"


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", mcp_timeout_s=2.0) as server:
        yield server


@pytest.fixture
async def demo() -> AsyncIterator[RunningMCP]:
    async with serve_mcp(demo_server()) as running:
        yield running


async def open_form(app: RealtimeConsoleApp, pilot: Any) -> McpServerScreen:
    app.action_add_mcp_server()
    await until(pilot, lambda: isinstance(app.screen, McpServerScreen), "the MCP server form")
    form = app.screen
    assert isinstance(form, McpServerScreen)
    await until(pilot, lambda: form.remove_button.is_mounted, "the form's widgets")
    return form


async def type_into(pilot: Any, field: Input, text: str) -> None:
    field.focus()
    await pilot.press(*text)


async def add_server(
    app: RealtimeConsoleApp, pilot: Any, url: str, approval: str, header: bool = False
) -> dict[str, Any]:
    """Fill the form by keyboard, add the server, and return the ``session.update`` sent."""
    form = await open_form(app, pilot)
    await type_into(pilot, form.label, "demo")
    await type_into(pilot, form.url, url)
    form.query_one("#mcp-server-approval", Select).value = approval
    if header:
        await type_into(pilot, form.header_name, "Authorization")
        await type_into(pilot, form.header_value, TOKEN)
    update = expect(app, client_event("session.update"))
    await pilot.press("ctrl+s")
    sent: dict[str, Any] = (await update)["event"]
    assert not isinstance(app.screen, McpServerScreen)
    return sent


async def shown(app: RealtimeConsoleApp, pilot: Any, text: str) -> None:
    pane = app.query_one(ConversationPane)

    def visible() -> bool:
        """In an item as the pane drew it (whole, unlike the screen, where lines wrap)."""
        app.render_frame()
        return any(text in (pane.text_of(item_id) or "") for item_id in pane.item_ids)

    await until(pilot, visible, f"{text!r} in the conversation pane")


async def ask(app: RealtimeConsoleApp, pilot: Any, text: str) -> dict[str, Any]:
    """Type a user message on the input line; the ``response.done`` that answers it."""
    done = expect(app, server_event("response.done"))
    prompt = app.query_one("#prompt", Input)
    prompt.focus()
    prompt.value = text
    await pilot.press("enter")
    response: dict[str, Any] = (await done)["event"]["response"]
    return response


async def test_a_server_added_in_the_form_lists_and_a_message_calls_it(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    app = console_app(sim.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.client.update_session(output_modalities=["text"])
        listed = expect(app, server_event("mcp_list_tools.completed"))
        sent = await add_server(app, pilot, demo.url, "never", header=True)
        [tool] = [t for t in sent["session"]["tools"] if t["type"] == "mcp"]
        assert tool["headers"] == {"Authorization": TOKEN}  # the real value goes to the server
        assert tool["require_approval"] == "never" and tool["server_url"] == demo.url
        await listed
        await shown(app, pilot, "MCP server demo: 2 tools (add, delete_file)")
        response = await ask(app, pilot, "Please add 2 and 3")
        call = next(item for item in response["output"] if item["type"] == "mcp_call")
        assert call["output"] == "5"
        await shown(app, pilot, f"demo.add({call['arguments']}) → 5")
        assert demo.requests and demo.requests[-1].get("authorization") == TOKEN
        # The token went to the MCP server, and nowhere on screen: not in the events pane,
        # not in the session pane (which lists the server by its label).
        registered = app.query_one("#session-registered-tools", Static)
        assert "MCP servers: demo" in str(registered.content)
        assert TOKEN not in screen_text(app) and "mcp-secret" not in screen_text(app)


async def request_delete(app: RealtimeConsoleApp, pilot: Any, path: str) -> None:
    response = await ask(app, pilot, f"Please delete the file. The path is {path}")
    assert response["output"][-1]["type"] == "mcp_approval_request"
    await shown(
        app, pilot, f'approve demo.delete_file({{"path":"{path}"}})?  [y] approve  [n] deny'
    )


async def test_approval_requests_are_answered_by_key_from_any_focus_but_a_text_field(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    app = console_app(sim.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.client.update_session(output_modalities=["text"])
        listed = expect(app, server_event("mcp_list_tools.completed"))
        await add_server(app, pilot, demo.url, "always")
        await listed
        await request_delete(app, pilot, "/tmp/a")
        assert app.client.pending_mcp_approvals()
        # In the input line, y is a letter like any other: nothing is answered.
        prompt = app.query_one("#prompt", Input)
        prompt.focus()
        await pilot.press("y")
        assert prompt.value == "y" and app.client.pending_mcp_approvals()
        prompt.value = ""

        answered = expect(app, client_event("conversation.item.create"))
        called = expect(app, server_event("response.mcp_call.completed"))
        app.query_one(ConversationPane).focus()
        await pilot.pause()
        assert "Approve MCP" in screen_text(app)  # the footer offers the keys while one waits
        await pilot.press("y")
        item = (await answered)["event"]["item"]
        assert item["type"] == "mcp_approval_response" and item["approve"] is True
        await called
        await shown(app, pilot, 'demo.delete_file({"path":"/tmp/a"}) — approved')
        await shown(app, pilot, 'demo.delete_file({"path":"/tmp/a"}) → deleted /tmp/a')
        await until(pilot, lambda: "Approve MCP" not in screen_text(app), "the keys hidden")

        await request_delete(app, pilot, "/tmp/b")
        denied = expect(app, client_event("conversation.item.create"))
        replied = expect(app, server_event("response.done"))
        app.query_one("#events-list").focus()
        await pilot.press("n")
        item = (await denied)["event"]["item"]
        assert item["type"] == "mcp_approval_response" and item["approve"] is False
        reply = (await replied)["event"]["response"]
        assert all(o["type"] != "mcp_call" for o in reply["output"])
        await shown(app, pilot, 'demo.delete_file({"path":"/tmp/b"}) — denied')
        assert not app.client.pending_mcp_approvals()


async def test_a_failing_server_shows_why_and_a_bad_form_sends_nothing(
    sim: SimulatorServer,
) -> None:
    app = console_app(sim.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        form = await open_form(app, pilot)
        await type_into(pilot, form.label, "demo")
        await type_into(pilot, form.url, "ftp://example.com/mcp")
        updates: list[str] = []
        app.client.realtime.on("client.session.update", lambda event: updates.append("x"))
        await pilot.press("ctrl+s")
        assert "must start with https://" in form.status_text
        assert isinstance(app.screen, McpServerScreen) and updates == []
        form.label.value = "9 lives"
        form.url.value = "https://example.com/mcp"
        await pilot.press("ctrl+s")
        assert "must start with a letter" in form.status_text and updates == []
        await pilot.press("escape")
        async with refused_url() as url:
            failed = expect(app, server_event("mcp_list_tools.failed"))
            app.client.add_mcp_tool("broken", url)
            await failed
            await shown(app, pilot, "MCP server broken: listing its tools failed — Could not")


async def test_the_tools_editor_takes_an_mcp_tool_and_masks_its_header(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    app = console_app(sim.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        tool = {
            "type": "mcp",
            "server_label": "edited",
            "server_url": demo.url,
            "require_approval": "never",
            "headers": {"X-Api-Key": TOKEN},
        }
        area = app.query_one("#session-tools")
        area.focus()
        area.load_text(json.dumps([{**tool, "server_url": "gopher://x"}]))  # type: ignore[attr-defined]
        editor = app.query_one("#session-tools-editor")
        await until(pilot, lambda: editor.error is not None, "the check")  # type: ignore[attr-defined]
        assert "must start with https://" in editor.error  # type: ignore[attr-defined]
        area.load_text(json.dumps([tool]))  # type: ignore[attr-defined]
        update = expect(app, client_event("session.update"))
        listed = expect(app, server_event("mcp_list_tools.completed"))
        await pilot.press("ctrl+s")
        sent = (await update)["event"]["session"]["tools"]
        assert sent[0] == tool  # then the console's own tools (with handlers)
        await listed
        await shown(app, pilot, "MCP server edited: 2 tools")
        # Reloaded from the session, the editor shows the header masked; applying again sends
        # the real value back, not the mask.
        await until(pilot, lambda: "••••••" in area.text, "the masked header")  # type: ignore[attr-defined]
        assert TOKEN not in area.text and TOKEN not in screen_text(app)  # type: ignore[attr-defined]
        assert editor.validate_now() == [tool]  # type: ignore[attr-defined]


MCP_FIXTURE = Path(__file__).parent / "fixtures" / "mcp.jsonl"


def test_the_conversation_with_mcp_items_looks_right(snap_compare: Any) -> None:
    """A replay (``fixtures/mcp.jsonl``): one server listed, one that failed, a call with its
    output, and an approval request still waiting, highlighted (a replay offers no keys)."""
    app = console_app(
        None, replay=load_recording(MCP_FIXTURE), replay_name="mcp.jsonl", autoconnect=False
    )

    async def settle(pilot: Any) -> None:
        assert isinstance(pilot.app, RealtimeConsoleApp)
        pilot.app.hold_still()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=settle)


@pytest.mark.parametrize(
    ("view", "words"),
    [
        ({"kind": "list_tools", "server_label": "w", "status": "in_progress", "tools": []},
         "MCP server w: listing its tools…"),
        ({"kind": "list_tools", "server_label": "w", "status": "completed", "tools": ["f"]},
         "MCP server w: 1 tool (f)"),
        ({"kind": "list_tools", "server_label": "w", "status": "failed", "tools": []},
         "MCP server w: listing its tools failed — no reason given"),
        ({"kind": "call", "server_label": "w", "name": "f", "arguments": '{"a": 1', "status": None,
          "output": None, "error": None}, 'w.f({"a": 1) …'),
        ({"kind": "call", "server_label": "w", "name": "f", "arguments": "{}",
          "status": "completed", "output": "", "error": None}, "w.f({}) → "),
        ({"kind": "call", "server_label": "w", "name": "f", "arguments": "{}", "status": "failed",
          "output": None, "error": "boom (tool_execution_error)"},
         "w.f({}) failed: boom (tool_execution_error)"),
        ({"kind": "approval_request", "server_label": "w", "name": "f", "arguments": "{}",
          "answer": None, "answer_sent": "denied"}, "w.f({}) — denied (sent)"),
    ],
)  # fmt: skip
def test_mcp_items_read_in_words(view: dict[str, Any], words: str) -> None:
    from console.app.widgets.conversation_mcp import mcp_body

    body = mcp_body({"id": "i", "type": "x", "formatted": {"mcp": view}})
    assert body is not None and body[0] == words


async def test_the_form_removes_an_added_server(sim: SimulatorServer, demo: RunningMCP) -> None:
    app = console_app(sim.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        app.client.add_mcp_tool("demo", demo.url)
        form = await open_form(app, pilot)
        assert form.servers.display
        form.servers.value = "demo"
        update = expect(app, client_event("session.update"))
        await pilot.click("#mcp-server-remove")
        tools = (await update)["event"]["session"]["tools"]
        assert all(tool["type"] != "mcp" for tool in tools)
        assert app.client.mcp_tools == {} and "Removed MCP server demo." in form.status_text
        assert not form.servers.display


async def test_the_session_pane_sets_an_mcp_tool_choice(
    sim: SimulatorServer, demo: RunningMCP
) -> None:
    """Tool choice ``demo.add`` (an MCP server's label and tool, as the conversation writes
    calls) goes out as GA's ``{type: mcp, server_label, name}``, is acknowledged, and reads back
    the same way; a label alone lets the server pick among its tools."""
    app = console_app(sim.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        listed = expect(app, server_event("mcp_list_tools.completed"))
        await add_server(app, pilot, demo.url, "never")
        await listed
        pane = app.query_one(SessionPane)
        for typed, choice in [
            ("demo.add", {"type": "mcp", "server_label": "demo", "name": "add"}),
            ("demo", {"type": "mcp", "server_label": "demo"}),
        ]:
            pane.tool_choice.value = typed
            update = expect(app, client_event("session.update"))
            acknowledged = expect(app, server_event("session.updated"))
            pane.action_apply()
            assert (await update)["event"]["session"]["tool_choice"] == choice
            assert (await acknowledged)["event"]["session"]["tool_choice"] == choice
            await until(
                pilot,
                lambda: (
                    "acknowledged"
                    in str(app.query_one("#session-status-tool-choice", Static).content)
                ),
                "tool choice acknowledged",
            )
            pane.refresh_from_state(force=True)
            assert pane.tool_choice.value == typed
