"""The session pane's refusals and answers, with Pilot, against the simulator over a real socket.

An invalid value is refused in the form, next to its field, and nothing is sent; a beta session's
pane offers only what its protocol has; the server's answer to a prompt reference or a reasoning
effort shows next to that field (a refusal unfolds its section). The options' happy paths are in
``test_session_surface``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import Collapsible

from console.app.widgets.session import SessionPane
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer

from .test_session_pane import Host, connect, next_server_event, settle, text_of
from .test_session_surface import Edit, contains, set_values, unfold_all

INVALID: list[tuple[str, Edit, str]] = [
    ("speed", set_values(speed="2"), "speed: must be from 0.25 to 1.5"),
    ("speed", set_values(speed="fast"), "speed: 'fast' is not a number"),
    ("max_output_tokens", set_values(max_tokens="5000"), "max output tokens: must be 1 to 4096"),
    ("voice", set_values(voice="robot"), "voice: 'robot' is not one of alloy"),
    (
        "turn_detection",
        set_values(turn__kind="server_vad", turn__threshold="1.5"),
        "turn detection: threshold: must be from 0 to 1",
    ),
    (
        "turn_detection",
        set_values(turn__kind="server_vad", turn__idle="1000"),
        "turn detection: idle ms: must be from 5000 to 30000",
    ),
    (
        "turn_detection",
        set_values(turn__kind="server_vad", turn__silence="-5"),
        "turn detection: silence ms: must be from 0 to 10000",
    ),
    (
        "input_audio_transcription",
        set_values(transcription="whisper-1", transcriber__language="French"),
        "language: 'French' is not an ISO-639-1 code",
    ),
    (
        "truncation",
        set_values(truncation__kind="retention_ratio", truncation__ratio="1.2"),
        "truncation: retention ratio: must be from 0 to 1",
    ),
    (
        "truncation",
        set_values(truncation__kind="retention_ratio", truncation__ratio=""),
        "truncation: retention_ratio needs a ratio",
    ),
    (
        "truncation",
        set_values(
            truncation__kind="retention_ratio", truncation__ratio="0.5", truncation__limit="0"
        ),
        "truncation: post-instructions tokens: must be at least 1",
    ),
    ("prompt", set_values(prompt__prompt_id="support"), "prompt: id 'support' is not a prompt id"),
    (
        "prompt",
        set_values(prompt__version="2"),
        "prompt: enter the prompt's id (pmpt_…), or clear the fields",
    ),
    (
        "prompt",
        set_values(prompt__prompt_id="pmpt_a", prompt__variables="city Paris"),
        "prompt variables: line 1: write key=value",
    ),
    (
        "prompt",
        set_values(prompt__prompt_id="pmpt_a", prompt__variables='{"n": 1}'),
        "prompt variables: 'n' must be a string",
    ),
    (
        "tracing",
        set_values(tracing__kind="custom", tracing__metadata="[1]"),
        "tracing metadata: must be a JSON object",
    ),
    (
        "tracing",
        set_values(tracing__kind="custom", tracing__metadata="{env}"),
        "tracing metadata: line 1, column 2:",
    ),
]


@pytest.mark.parametrize(("field", "edit", "message"), INVALID)
async def test_invalid_value_is_refused_next_to_its_field(
    simulator: SimulatorServer, field: str, edit: Edit, message: str
) -> None:
    client = RealtimeClient(url=simulator.url)
    app = Host(client)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.query_one(SessionPane)
            await connect(client)
            await settle(pilot, pane)
            await unfold_all(pilot)
            sent_before = len(app.sent)
            edit(pane)
            await pilot.pause()
            status = app.query_one(f"#session-status-{field.replace('_', '-')}")
            assert text_of(app, f"#{status.id}").startswith(f"✗ {message}")
            assert status.has_class("-invalid")
            pane.action_apply()
            await pilot.pause()
            result = text_of(app, "#session-apply-result")
            assert result.startswith(f"Not sent: {message}"), result
            assert len(app.sent) == sent_before  # nothing went to the server
            assert pane.changed_fields() == [field]  # the value stays to be fixed
    finally:
        await client.disconnect()


async def test_beta_offers_only_what_its_protocol_has(simulator: SimulatorServer) -> None:
    client = RealtimeClient(url=simulator.url, dialect="beta")
    app = Host(client)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.query_one(SessionPane)
            await connect(client)
            await settle(pilot, pane)
            await unfold_all(pilot)
            for absent in (
                "#session-logprobs",
                "#session-vad-idle",
                "#session-truncation",
                "#session-prompt-id",
                "#session-reasoning",
                "#session-section-context",
            ):
                assert not app.query(absent), absent
            for shown in ("#session-noise-reduction", "#session-speed", "#session-tracing"):
                assert app.query(shown), shown
            pane.voice.value = "voice_abc123"  # a custom voice is GA's
            await pilot.pause()
            assert text_of(app, "#session-status-voice").startswith(
                "✗ voice: the beta protocol takes voice names only"
            )
            pane.voice.value = "marin"  # a GA voice
            await pilot.pause()
            assert "'marin' is not one of alloy" in text_of(app, "#session-status-voice")
    finally:
        await client.disconnect()


async def test_prompt_reference_is_sent_and_answered(simulator: SimulatorServer) -> None:
    """GA only (beta has no prompt). The simulator either takes the prompt (echoed, then
    acknowledged) or refuses an id it does not know, as OpenAI does; either way the answer shows
    next to the prompt, its section unfolded."""
    client = RealtimeClient(url=simulator.url)
    app = Host(client)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.query_one(SessionPane)
            await connect(client)
            await settle(pilot, pane)
            section = app.query_one("#session-section-context", Collapsible)
            assert section.collapsed  # folded at first; filled and sent all the same
            pane.prompt.prompt_id.value = "pmpt_support"
            pane.prompt.version.value = "3"
            pane.prompt.variables.load_text("city = Paris\nname=Zoë\n")
            await pilot.pause()
            updated = next_server_event(client, "session.updated")
            error = next_server_event(client, "error")
            await pilot.click("#session-apply")
            done, _ = await asyncio.wait(
                {updated, error}, timeout=5, return_when=asyncio.FIRST_COMPLETED
            )
            assert done, "no answer from the server"
            event = done.pop().result()
            variables = {"city": "Paris", "name": "Zoë"}
            expected = {"id": "pmpt_support", "version": "3", "variables": variables}
            assert app.sent[-1]["session"] == {"type": "realtime", "prompt": expected}
            await settle(pilot, pane)
            if event["type"] == "session.updated":
                assert contains(expected, event["session"]["prompt"])
                assert section.collapsed  # nothing to call the user's eye there
                await unfold_all(pilot)
                assert text_of(app, "#session-status-prompt") == "✓ acknowledged"
            else:
                assert event["error"]["param"].startswith("session.prompt"), event
                assert not section.collapsed  # unfolded: the refusal is seen
                await pilot.pause()
                status = text_of(app, "#session-status-prompt")
                assert status.startswith(f"✗ {event['error']['code']}: "), status
    finally:
        await client.disconnect()


async def answer_to_apply(pilot: Any, client: RealtimeClient) -> dict[str, Any]:
    """Click Apply; the server's answer: ``session.updated``, or an ``error``."""
    updated = next_server_event(client, "session.updated")
    error = next_server_event(client, "error")
    await pilot.click("#session-apply")
    done, _ = await asyncio.wait({updated, error}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    assert done, "no answer from the server"
    return done.pop().result()


async def test_reasoning_refused_for_a_model_without_it_shows_next_to_it(
    simulator: SimulatorServer,
) -> None:
    """The pane warns, still sends (the debugging use), and shows the server's refusal next to
    the reasoning field only, unfolding its section."""
    client = RealtimeClient(url=simulator.url)  # gpt-realtime: no reasoning
    app = Host(client)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.query_one(SessionPane)
            await connect(client)
            await settle(pilot, pane)
            note = str(pane.reasoning.note.content)
            assert note.startswith("⚠ gpt-realtime does not take reasoning"), note
            section = app.query_one("#session-section-advanced", Collapsible)
            assert section.collapsed
            pane.reasoning.effort.value = "low"
            await pilot.pause()
            assert pane.changed_fields() == ["reasoning"]
            event = await answer_to_apply(pilot, client)
            assert app.sent[-1]["session"] == {"type": "realtime", "reasoning": {"effort": "low"}}
            if event["type"] == "session.updated":
                pytest.skip("this simulator takes reasoning on every model (before issue 15's)")
            await settle(pilot, pane)
            await pilot.pause()  # the unfolded section's rows mount
            status = app.query_one("#session-status-reasoning")
            assert text_of(app, "#session-status-reasoning").startswith(
                f"✗ {event['error']['code']}: "
            )
            assert status.has_class("-refused")
            assert not section.collapsed  # unfolded: the refusal is seen
            refused = [w.id for w in app.query(".field-status.-refused")]
            assert refused == ["session-status-reasoning"]  # that field only
            assert pane.changed_fields() == ["reasoning"]  # kept, to fix or change the model
    finally:
        await client.disconnect()


async def test_reasoning_on_a_reasoning_model_is_acknowledged(simulator: SimulatorServer) -> None:
    client = RealtimeClient(url=simulator.url, model="gpt-realtime-2")
    app = Host(client)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = app.query_one(SessionPane)
            await connect(client)
            await settle(pilot, pane)
            await unfold_all(pilot)
            assert text_of(app, "#session-reasoning-note").startswith("taken by gpt-realtime-2,")
            pane.reasoning.effort.value = "xhigh"
            event = await answer_to_apply(pilot, client)
            assert app.sent[-1]["session"] == {"type": "realtime", "reasoning": {"effort": "xhigh"}}
            assert event["type"] == "session.updated", event
            if "reasoning" not in event["session"]:
                pytest.skip("this simulator does not echo reasoning yet (issue 15's does)")
            assert event["session"]["reasoning"] == {"effort": "xhigh"}
            await settle(pilot, pane)
            assert text_of(app, "#session-status-reasoning") == "✓ acknowledged"
    finally:
        await client.disconnect()
