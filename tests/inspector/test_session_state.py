"""SessionState: against the real simulator in both dialects, and on hand-made events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from console.inspector.session_state import (
    SessionState,
    field_of_param,
    matches,
    neutral_fields,
)
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def connected(dialect: str) -> AsyncIterator[tuple[RealtimeClient, SessionState]]:
    """A client on a fast simulator whose every realtime.event feeds a SessionState; the
    connect-time session.update is already acknowledged."""
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, dialect=dialect)
        state = SessionState()
        client.on("realtime.event", lambda record: state.observe(record["source"], record["event"]))
        settled = next_server_event(client, "session.updated")
        await client.connect()
        await asyncio.wait_for(settled, 5)
        yield client, state
        await client.disconnect()


def next_server_event(client: RealtimeClient, kind: str) -> asyncio.Future[dict[str, Any]]:
    """A future for the next server event of ``kind`` (registered now, before sending)."""
    future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    def on_event(event: dict[str, Any]) -> None:
        if not future.done():
            future.set_result(event)

    client.realtime.on_next(f"server.{kind}", on_event)
    return future


async def test_connect_update_is_acknowledged(
    connected: tuple[RealtimeClient, SessionState],
) -> None:
    client, state = connected
    assert state.session_id and state.session_id.startswith("sess_")
    assert state.last_request is not None
    status = state.field_status()
    assert status["voice"].state == "applied"
    assert status["output_modalities"].requested == ["audio"]
    assert state.acknowledged_fields["voice"] == client.session_config["voice"]


async def test_instructions_change_is_applied(
    connected: tuple[RealtimeClient, SessionState],
) -> None:
    client, state = connected
    before = state.version
    updated = next_server_event(client, "session.updated")
    client.update_session(instructions="Answer like a pirate.")
    assert state.field_status()["instructions"].state == "pending"
    await asyncio.wait_for(updated, 5)
    status = state.field_status()["instructions"]
    assert (status.state, status.requested) == ("applied", "Answer like a pirate.")
    assert status.acknowledged == "Answer like a pirate."
    assert state.acknowledged_fields["instructions"] == "Answer like a pirate."
    assert state.version > before


async def test_voice_after_audio_is_refused(
    connected: tuple[RealtimeClient, SessionState],
) -> None:
    client, state = connected
    client.send_user_message_content([{"type": "input_text", "text": "say something"}])
    assert await client.wait_for_next_completed_item(5)  # the user's message
    assert await client.wait_for_next_completed_item(5)  # the audio reply
    error = next_server_event(client, "error")
    client.update_session(voice="ash", instructions="Be brief.")
    await asyncio.wait_for(error, 5)
    voice = state.field_status()["voice"]
    assert voice.state == "refused"
    assert voice.code == "cannot_update_voice"
    assert voice.reason and "voice" in voice.reason
    assert voice.culprit and voice.param in ("session.voice", "session.audio.output.voice")
    # The whole update was refused; instructions went with it, but are not the culprit.
    instructions = state.field_status()["instructions"]
    assert (instructions.state, instructions.culprit) == ("refused", False)
    assert client.session_config["voice"] == "verse"  # the library undid it locally


async def test_invalid_value_is_refused_with_param(
    connected: tuple[RealtimeClient, SessionState],
) -> None:
    client, state = connected
    error = next_server_event(client, "error")
    client.update_session(max_response_output_tokens=10_000)
    await asyncio.wait_for(error, 5)
    status = state.field_status()["max_output_tokens"]
    assert (status.state, status.code, status.culprit) == ("refused", "invalid_value", True)
    assert status.param in ("session.max_output_tokens", "session.max_response_output_tokens")
    assert status.requested == 10_000


async def test_tools_and_turn_detection_apply(
    connected: tuple[RealtimeClient, SessionState],
) -> None:
    client, state = connected
    tool = {"type": "function", "name": "lookup", "description": "d", "parameters": {}}
    updated = next_server_event(client, "session.updated")
    client.update_session(tools=[tool], turn_detection={"type": "semantic_vad"})
    await asyncio.wait_for(updated, 5)
    status = state.field_status()
    assert status["tools"].state == "applied"
    # The server fills eagerness etc.: keys the client did not send are not a change.
    assert status["turn_detection"].state == "applied"
    assert status["turn_detection"].acknowledged["eagerness"] == "auto"


async def test_an_mcp_tools_unechoed_secrets_are_no_change() -> None:
    """The server never echoes an MCP tool's headers or authorization (the simulator, as
    OpenAI, leaves them out of session.updated): the tools read applied, not changed by the
    server. Against the simulator, GA (beta has no MCP); nothing listens at the URL, and the
    listing's failure does not matter here."""
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        state = SessionState()
        client.on("realtime.event", lambda record: state.observe(record["source"], record["event"]))
        settled = next_server_event(client, "session.updated")
        await client.connect()
        await asyncio.wait_for(settled, 5)
        updated = next_server_event(client, "session.updated")
        client.add_mcp_tool(
            "demo",
            "http://127.0.0.1:9/mcp",
            require_approval="never",
            headers={"X-Api-Key": "sekret"},
        )
        echoed = await asyncio.wait_for(updated, 5)
        assert "headers" not in next(t for t in echoed["session"]["tools"] if t["type"] == "mcp")
        assert state.field_status()["tools"].state == "applied"
        await client.disconnect()


def _events(dialect: str) -> list[tuple[str, dict[str, Any]]]:
    """session.created, an update of voice+tokens, and the server's (clamped) answer."""
    if dialect == "ga":
        sent = {"type": "realtime", "audio": {"output": {"voice": "ash"}}, "max_output_tokens": 9}
        acked = {"id": "sess_1", "audio": {"output": {"voice": "ash"}}, "max_output_tokens": 8}
    else:
        sent = {"voice": "ash", "max_response_output_tokens": 9}
        acked = {"id": "sess_1", "voice": "ash", "max_response_output_tokens": 8}
    return [
        ("server", {"type": "session.created", "session": {"id": "sess_1"}}),
        ("client", {"type": "session.update", "event_id": "evt_1", "session": sent}),
        ("server", {"type": "session.updated", "session": acked}),
    ]


@pytest.mark.parametrize("wire", ["ga", "beta"])
def test_server_change_is_reported(wire: str) -> None:
    state = SessionState()
    for source, event in _events(wire):
        state.observe(source, event)
    status = state.field_status()
    assert status["voice"].state == "applied"
    tokens = status["max_output_tokens"]
    assert (tokens.state, tokens.requested, tokens.acknowledged) == ("changed", 9, 8)


def test_latest_request_per_field_wins() -> None:
    state = SessionState()
    state.observe("client", {"type": "session.update", "event_id": "a", "session": {"voice": "x"}})
    state.observe("client", {"type": "session.update", "event_id": "b", "session": {"voice": "y"}})
    state.observe("server", {"type": "session.updated", "session": {"voice": "x"}})
    assert state.field_status()["voice"].state == "pending"  # b is still unanswered
    error = {"event_id": "b", "code": "invalid_value", "message": "no", "param": "session.voice"}
    state.observe("server", {"type": "error", "error": error})
    assert state.field_status()["voice"].state == "refused"
    # An error about another event changes nothing.
    version = state.version
    state.observe("server", {"type": "error", "error": {"event_id": "zzz", "message": "?"}})
    assert state.version == version


def test_new_session_forgets_settled_outcomes() -> None:
    state = SessionState()
    for source, event in _events("beta"):
        state.observe(source, event)
    state.observe("client", {"type": "session.update", "event_id": "c", "session": {"voice": "z"}})
    state.observe("server", {"type": "session.created", "session": {"id": "sess_2"}})
    assert set(state.field_status()) == {"voice"}  # still pending
    state.clear()
    assert state.field_status() == {} and state.acknowledged is None


def test_pending_requests_are_bounded() -> None:
    state = SessionState()
    for n in range(200):
        session = {"instructions": str(n)}
        state.observe("client", {"type": "session.update", "event_id": f"e{n}", "session": session})
    assert len(state._pending) <= 64
    assert len(state.requests) <= 32
    assert state.field_status()["instructions"].requested == "199"


def test_neutral_names_agree_across_dialects() -> None:
    ga = {
        "type": "realtime",
        "output_modalities": ["audio"],
        "max_output_tokens": "inf",
        "tool_choice": {"type": "function", "name": "f"},
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": {"model": "whisper-1"},
                "turn_detection": {"type": "server_vad", "threshold": 0.5},
                "future_knob": 1,
            },
            "output": {"voice": "marin"},
        },
    }
    beta = {
        "modalities": ["text", "audio"],
        "max_response_output_tokens": "inf",
        "tool_choice": "f",
        "input_audio_format": "pcm16",
        "input_audio_transcription": {"model": "whisper-1"},
        "turn_detection": {"type": "server_vad", "threshold": 0.5},
        "voice": "marin",
    }
    expected = neutral_fields(beta)
    assert {k: v for k, v in neutral_fields(ga).items() if k != "audio.input.future_knob"} == (
        expected
    )
    assert expected["output_modalities"] == ["audio"] and expected["tool_choice"] == "f"


def test_helpers() -> None:
    assert field_of_param("session.audio.output.voice") == "voice"
    assert field_of_param("session.audio.input.turn_detection.threshold") == "turn_detection"
    assert field_of_param("session.tools[0].name") == "tools"
    assert field_of_param("session.max_response_output_tokens") == "max_output_tokens"
    assert field_of_param(None) is None
    assert matches({"a": 1}, {"a": 1, "b": 2}) and not matches({"a": 1}, {"a": 2})
    assert not matches([1], [1, 2]) and matches("x", "x")


async def test_a_transcription_session_settles_its_updates(dialect: str) -> None:
    """Beta's transcription sessions say ``transcription_session.*``: the same statuses."""
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, dialect=dialect, intent="transcription")
        client.update_session(input_audio_transcription={"model": "gpt-4o-transcribe"})
        state = SessionState()
        client.on("realtime.event", lambda record: state.observe(record["source"], record["event"]))
        kind = "session.updated" if dialect == "ga" else "transcription_session.updated"
        settled = next_server_event(client, kind)
        await client.connect()
        await asyncio.wait_for(settled, 5)
        assert state.session_id and state.acknowledged is not None
        updated = next_server_event(client, kind)
        client.update_session(
            input_audio_transcription={"model": "gpt-4o-transcribe", "language": "fr"}
        )
        await asyncio.wait_for(updated, 5)
        status = state.field_status()["input_audio_transcription"]
        assert status.state == "applied", status
        assert state.acknowledged_fields["input_audio_transcription"]["language"] == "fr"
        await client.disconnect()


def test_the_other_dialects_spelling_is_not_the_field() -> None:
    """A raw GA update carrying beta's ``modalities`` (refused as unknown) blames
    ``session.modalities``, not the form's ``output_modalities`` the event never carried."""
    state = SessionState("ga")
    session = {"type": "realtime", "instructions": "x", "modalities": ["text"]}
    state.observe("client", {"type": "session.update", "event_id": "e1", "session": session})
    error = {
        "event_id": "e1",
        "code": "unknown_parameter",
        "message": "Unknown parameter: 'session.modalities'.",
        "param": "session.modalities",
    }
    state.observe("server", {"type": "error", "error": error})
    status = state.field_status()
    assert set(status) == {"instructions", "session.modalities"}
    assert status["session.modalities"].culprit and not status["instructions"].culprit
    assert status["instructions"].blamed == "session.modalities"
    # Without a dialect (a replayed recording) both spellings are still read as the field.
    state = SessionState()
    state.observe("client", {"type": "session.update", "event_id": "e1", "session": session})
    assert set(state.field_status()) == {"instructions", "output_modalities"}


def test_foreign_spellings_per_dialect() -> None:
    assert field_of_param("session.voice", "ga") == "session.voice"
    assert field_of_param("session.audio.output.voice", "ga") == "voice"
    assert field_of_param("session.output_modalities", "ga") == "output_modalities"
    assert field_of_param("session.audio.output.voice", "beta") == "session.audio"
    assert field_of_param("session.modalities", "beta") == "output_modalities"
    beta = {"modalities": ["text"], "output_modalities": ["text"], "audio": {}}
    assert set(neutral_fields(beta, "beta")) == {
        "output_modalities",
        "session.output_modalities",
        "session.audio",
    }
