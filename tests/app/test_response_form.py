"""The response form (palette "Create response…", Ctrl+R in the composer), driven with Pilot
against the simulator: the wire event carries exactly the options chosen, invalid fields are
refused in the form with their reasons, and an out-of-band reply shows apart from the
conversation, with its metadata, while the conversation is unchanged."""

from __future__ import annotations

from typing import Any

from openai.types.realtime import ResponseCreateEventWithReferencesParam
from pydantic import TypeAdapter
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from console.app.app import RealtimeConsoleApp
from console.app.screens.composer import ComposerScreen
from console.app.screens.response_form import ResponseFormScreen
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.out_of_band import OutOfBandPane
from console.inspector.connection import Target
from console.simulator import SimulatorServer
from tests.realtime.test_conformance import check_client_event

from .conftest import client_event, connected, console_app, expect, server_event, until


async def open_form(app: RealtimeConsoleApp, pilot: Any) -> ResponseFormScreen:
    """Open the form from the command palette, as a user does."""
    app.action_focus_input()
    await pilot.press("ctrl+p")
    await pilot.press(*"Create response")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ResponseFormScreen), "the response form")
    assert isinstance(app.screen, ResponseFormScreen)
    return app.screen


async def type_into(pilot: Any, form: ResponseFormScreen, selector: str, text: str) -> None:
    """Focus a field and type ``text`` key by key."""
    form.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)


async def user_item(app: RealtimeConsoleApp, text: str) -> str:
    """Add a user message without a response; its id once the server has it."""
    done = expect(app, server_event("conversation.item.done"))
    app.client.realtime.send(
        "conversation.item.create",
        {
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            }
        },
    )
    return str((await done)["event"]["item"]["id"])


async def test_the_form_sends_exactly_the_options_chosen_and_the_reply_shows_apart(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        first = await user_item(app, "the first words")
        await user_item(app, "the second words")
        app.render_frame()
        conversation_before = [item["id"] for item in app.client.conversation.get_items()]
        form = await open_form(app, pilot)
        form.query_one("#rf-conversation", Select).value = "none"
        await type_into(pilot, form, "#rf-metadata", "topic=summary")
        form.query_one("#rf-references", SelectionList).select(first)
        await type_into(pilot, form, "#rf-instructions", "Be brief.")
        await type_into(pilot, form, "#rf-tool_choice", "none")
        form.query_one("#rf-output_modalities", Select).value = "text"
        await type_into(pilot, form, "#rf-max_output_tokens", "50")
        await type_into(pilot, form, "#rf-voice", "verse")
        sent = expect(app, client_event("response.create"))
        done = expect(app, server_event("response.done"))
        await pilot.press("ctrl+s")
        request = (await sent)["event"]
        assert request["response"] == {
            "conversation": "none",
            "metadata": {"topic": "summary"},
            "input": [{"type": "item_reference", "id": first}],
            "instructions": "Be brief.",
            "tool_choice": "none",
            "output_modalities": ["text"],
            "max_output_tokens": 50,
            "audio": {"output": {"voice": "verse"}},
        }
        # The SDK's GA model of response.create has no item_reference; its params type has.
        TypeAdapter(ResponseCreateEventWithReferencesParam).validate_python(request)
        response = (await done)["event"]["response"]
        assert response["conversation_id"] is None
        assert form.status_text == "✓ sent response.create (out-of-band)"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ResponseFormScreen), "closed")
        app.render_frame()
        await pilot.pause()
        pane = app.query_one(OutOfBandPane)
        assert pane.display
        lines = pane.text.splitlines()
        assert lines[0] == f"⟂ oob {response['id']} · completed · topic=summary"
        assert lines[1] == "You said: the first words"
        # The conversation is unchanged: no item of the reply, in the model or on screen.
        assert [item["id"] for item in app.client.conversation.get_items()] == conversation_before
        conversation = app.query_one(ConversationPane)
        assert conversation.item_ids == conversation_before
        assert not any("You said" in (conversation.text_of(i) or "") for i in conversation_before)


async def test_invalid_fields_are_refused_in_the_form_with_their_reasons(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        form = await open_form(app, pilot)
        form.query_one("#rf-metadata", TextArea).load_text("topic summary")
        form.query_one("#rf-input", TextArea).load_text('["item_missing"]')
        form.query_one("#rf-tools", TextArea).load_text('[{"type": "web", "name": "x"}]')
        form.query_one("#rf-tool_choice", Input).value = "lookup_order"
        form.query_one("#rf-max_output_tokens", Input).value = "5000"
        form.query_one("#rf-voice", Input).value = '{"name": "x"}'
        sent: list[dict[str, Any]] = []
        app.client.realtime.on("client.response.create", sent.append)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert sent == []
        reasons = {
            name: str(form.query_one(f"#rf-error-{name}", Static).render())
            for name in ("metadata", "input", "tools", "max_output_tokens", "voice", "tool_choice")
        }
        assert reasons == {
            "metadata": "✗ line 1: write key=value",
            "input": "✗ entry 1: no item 'item_missing' in the conversation",
            "tools": '✗ tool 1: "type" must be "function" or "mcp", not \'web\'',
            "max_output_tokens": "✗ a whole number from 1 to 4096, or inf",
            "voice": '✗ a custom voice is {"id": "voice_..."}',
            "tool_choice": "✗ no function 'lookup_order' among the session's tools",
        }
        assert all(form.query_one(f"#rf-error-{name}").display for name in reasons)
        assert form.status_text.startswith("✗ not sendable")
        # Fixed, it goes; the error lines go away.
        form.query_one("#rf-metadata", TextArea).load_text("topic=summary")
        form.query_one("#rf-input", TextArea).load_text("[]")
        form.query_one("#rf-tools", TextArea).load_text("")
        form.query_one("#rf-tool_choice", Input).value = ""
        form.query_one("#rf-max_output_tokens", Input).value = "inf"
        form.query_one("#rf-voice", Input).value = '{"id": "voice_123"}'
        request = expect(app, client_event("response.create"))
        await pilot.press("ctrl+s")
        event = (await request)["event"]
        assert event["response"] == {
            "metadata": {"topic": "summary"},
            "input": [],
            "max_output_tokens": "inf",
            "audio": {"output": {"voice": {"id": "voice_123"}}},
        }
        check_client_event(event, "ga")
        assert not any(form.query_one(f"#rf-error-{name}").display for name in reasons)


async def test_the_composer_opens_the_form_and_beta_gets_its_own_spelling(
    simulator: SimulatorServer,
) -> None:
    target = Target(simulator.url, None, "beta", None, "simulator — test")
    app = console_app(None, target=target)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen), "the composer")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ResponseFormScreen), "the form")
        form = app.screen
        assert isinstance(form, ResponseFormScreen)
        form.query_one("#rf-output_modalities", Select).value = "text"
        form.query_one("#rf-max_output_tokens", Input).value = "7"
        form.query_one("#rf-voice", Input).value = "sage"
        form.query_one("#rf-tools", TextArea).load_text(
            '[{"type": "function", "name": "lookup_order", "parameters": {"type": "object"}}]'
        )
        form.query_one("#rf-tool_choice", Input).value = "lookup_order"
        request = expect(app, client_event("response.create"))
        done = expect(app, server_event("response.done"))
        await pilot.press("ctrl+s")
        event = (await request)["event"]
        check_client_event(event, "beta")
        assert event["response"] == {
            "modalities": ["text"],
            "max_response_output_tokens": 7,
            "voice": "sage",
            "tools": [
                {"type": "function", "name": "lookup_order", "parameters": {"type": "object"}}
            ],
            "tool_choice": "lookup_order",
        }
        response = (await done)["event"]["response"]
        assert response["voice"] == "sage" and response["output"][0]["name"] == "lookup_order"
        assert form.status_text == "✓ sent response.create"
        await pilot.press("escape")  # back to the composer, then the console
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen), "the composer again")


async def test_a_default_response_waits_for_the_active_one_and_out_of_band_does_not(
    slow_simulator: SimulatorServer,
) -> None:
    app = console_app(slow_simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        form = await open_form(app, pilot)
        created = expect(app, server_event("response.created"))
        app.client.send_user_message_content([{"type": "input_text", "text": "a long story " * 30}])
        active = (await created)["event"]["response"]["id"]
        sent: list[dict[str, Any]] = []
        app.client.realtime.on("client.response.create", sent.append)
        await pilot.press("ctrl+s")  # every field empty: a default response
        assert form.status_text == "✓ queued: goes when the active response is done"
        assert sent == [] and app.client.response_state.deferred == 1
        form.query_one("#rf-conversation", Select).value = "none"
        oob_created = expect(app, server_event("response.created"), nth=1)
        await pilot.press("ctrl+s")
        assert form.status_text == "✓ sent response.create (out-of-band)"
        assert [event["response"] for event in sent] == [{"conversation": "none"}]
        assert (await oob_created)["event"]["response"]["conversation_id"] is None
        later = expect(
            app,
            lambda p: client_event("response.create")(p) and "response" not in p["event"],
        )
        assert active in app.client.response_state.active_ids
        app.client.realtime.send("response.cancel", {"response_id": active})  # done sooner
        await later  # sent once the active response is done
        assert active not in app.client.response_state.active_ids


async def test_tab_walks_every_field_to_send_without_a_trap(simulator: SimulatorServer) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        await user_item(app, "something to reference")
        app.action_response_form()
        await until(pilot, lambda: isinstance(app.screen, ResponseFormScreen), "the form")
        await pilot.pause()
        visited: list[str] = []
        for _ in range(14):
            focused = app.screen.focused
            visited.append(str(focused.id if focused is not None else None))
            await pilot.press("tab")
        expected = [
            "rf-conversation",
            "rf-metadata",
            "rf-input",
            "rf-references",
            "rf-instructions",
            "rf-tools",
            "rf-tool_choice",
            "rf-output_modalities",
            "rf-max_output_tokens",
            "rf-voice",
            "rf-send",
            "rf-close",
        ]
        assert visited[: len(expected)] == expected
