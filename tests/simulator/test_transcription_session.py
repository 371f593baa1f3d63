"""Transcription sessions (``?intent=transcription``): the session shape each dialect shows,
input audio with VAD and transcription events (logprobs when included), no responses ever, and
the errors the real servers give for what such a session refuses."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from openai import AsyncOpenAI
from openai.types.beta.realtime.transcription_session import TranscriptionSession

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone

DELTA = "conversation.item.input_audio_transcription.delta"
COMPLETED = "conversation.item.input_audio_transcription.completed"
LOGPROBS = "item.input_audio_transcription.logprobs"
INTENT = "?intent=transcription"


def turn_audio() -> str:
    return pcm_b64(np.concatenate([silence(0.3), tone(0.8), silence(0.6)]))


def ga_update(**audio_input: Any) -> dict[str, Any]:
    return {"type": "transcription", "audio": {"input": audio_input}}


async def connect(server: SimulatorServer, dialect: str) -> Client:
    # beta's transcription_session.created is not in the SDK's beta union (real servers send it)
    return await Client.connect(server.url, dialect, strict=dialect == "ga", query=INTENT)


async def configure(client: Client, include: list[str] | None, model: str) -> dict[str, Any]:
    """Transcription model, language, prompt, VAD and include; returns the updated session."""
    if client.dialect == "ga":
        await client.recv_until("session.created")
        session: dict[str, Any] = ga_update(
            transcription={"model": model, "language": "en", "prompt": "names"},
            turn_detection={"type": "server_vad", "silence_duration_ms": 300},
        )
        session["include"] = include
        await client.send("session.update", session=session)
        return (await client.recv_until("session.updated"))["session"]
    await client.recv_until("transcription_session.created")
    await client.send(
        "transcription_session.update",
        session={
            "input_audio_transcription": {"model": model, "language": "en", "prompt": "names"},
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 300},
            "include": include,
        },
    )
    return (await client.recv_until("transcription_session.updated"))["session"]


async def test_ga_intent_opens_a_transcription_session(server: SimulatorServer) -> None:
    client = await connect(server, "ga")
    session = (await client.recv_until("session.created"))["session"]
    assert session["type"] == "transcription"
    assert session["object"] == "realtime.transcription_session"
    assert session["id"].startswith("sess_")
    assert set(session) == {"type", "object", "id", "expires_at", "audio", "include"}
    assert set(session["audio"]) == {"input"}
    assert session["audio"]["input"]["transcription"]["model"] == "gpt-4o-transcribe"
    assert session["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    await client.close()


async def test_beta_intent_opens_a_transcription_session(server: SimulatorServer) -> None:
    client = await connect(server, "beta")
    first = await client.recv()
    assert first["type"] == "transcription_session.created"
    session = first["session"]
    assert session["object"] == "realtime.transcription_session"
    assert "client_secret" not in session  # "not present ... via the WebSocket API" (SDK)
    TranscriptionSession.model_validate(
        {**session, "client_secret": {"expires_at": 0, "value": ""}}
    )
    assert session["input_audio_format"] == "pcm16"
    assert "instructions" not in session and "voice" not in session
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_turn_is_transcribed_with_logprobs_and_never_answered(
    server: SimulatorServer, dialect: str
) -> None:
    client = await connect(server, dialect)
    session = await configure(client, [LOGPROBS], "gpt-4o-transcribe")
    assert session["include"] == [LOGPROBS]
    settings = (
        session["audio"]["input"]["transcription"]
        if dialect == "ga"
        else session["input_audio_transcription"]
    )
    assert settings == {"model": "gpt-4o-transcribe", "language": "en", "prompt": "names"}
    await client.send("input_audio_buffer.append", audio=turn_audio())
    events = await client.collect_until(COMPLETED)
    kinds = [e["type"] for e in events]
    for expected in ("speech_started", "speech_stopped", "committed"):
        assert f"input_audio_buffer.{expected}" in kinds
    deltas = [e for e in events if e["type"] == DELTA]
    assert len(deltas) >= 2
    for delta in deltas:
        assert [p["token"] for p in delta["logprobs"]] == [delta["delta"]]
        assert all(p["logprob"] <= 0 and p["bytes"] for p in delta["logprobs"])
    completed = events[-1]
    assert "".join(p["token"] for p in completed["logprobs"]) == completed["transcript"]
    # a later event's reply marks the end: nothing about a response came before it
    await client.send("input_audio_buffer.clear")
    later = await client.collect_until("input_audio_buffer.cleared")
    assert not [e for e in events + later if e["type"].startswith("response.")]
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_no_logprobs_unless_included(server: SimulatorServer, dialect: str) -> None:
    client = await connect(server, dialect)
    await configure(client, None, "gpt-4o-mini-transcribe")
    await client.send("input_audio_buffer.append", audio=turn_audio())
    events = await client.collect_until(COMPLETED)
    assert all("logprobs" not in e for e in events if e["type"] in (DELTA, COMPLETED))
    await client.close()


async def test_semantic_vad_turns_are_transcribed(server: SimulatorServer) -> None:
    client = await connect(server, "ga")
    await client.recv_until("session.created")
    await client.send(
        "session.update",
        session=ga_update(turn_detection={"type": "semantic_vad", "eagerness": "high"}),
    )
    updated = (await client.recv_until("session.updated"))["session"]
    assert updated["audio"]["input"]["turn_detection"] == {
        "type": "semantic_vad",
        "eagerness": "high",
    }
    await client.send("input_audio_buffer.append", audio=turn_audio())
    await client.recv_until(COMPLETED)
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize("event", [{"type": "response.create"}, {"type": "response.cancel"}])
async def test_response_events_are_refused(
    server: SimulatorServer, dialect: str, event: dict[str, Any]
) -> None:
    client = await connect(server, dialect)
    await client.send(event["type"], event_id="evt_1")
    error = await client.error()
    assert error["code"] == "invalid_value"
    assert error["param"] == "type"
    assert error["event_id"] == "evt_1"
    assert error["message"].startswith(f"Invalid value: '{event['type']}'. Supported values are:")
    assert "'input_audio_buffer.append'" in error["message"]
    assert "response.create" not in error["message"].split("are:")[1]
    await client.close()


async def test_ga_session_kinds_cannot_be_switched(server: SimulatorServer) -> None:
    client = await connect(server, "ga")
    await client.send("session.update", session={"type": "realtime", "instructions": "hi"})
    error = await client.error()
    assert error["message"] == (
        "Passing a realtime session update event to a transcription session is not allowed."
    )
    await client.close()
    client = await Client.connect(server.url, "ga")
    await client.send("session.update", session=ga_update(transcription={"model": "whisper-1"}))
    error = await client.error()
    assert error["message"] == (
        "Passing a transcription session update event to a realtime session is not allowed."
    )
    await client.close()


async def test_beta_session_kinds_cannot_be_switched(server: SimulatorServer) -> None:
    client = await connect(server, "beta")
    await client.send("session.update", session={"instructions": "hi"})
    error = await client.error()
    assert "realtime session update event to a transcription session" in error["message"]
    await client.close()
    client = await Client.connect(server.url, "beta")
    await client.send("transcription_session.update", session={})
    error = await client.error()
    assert "transcription session update event to a realtime session" in error["message"]
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_transcription_fields_are_validated(server: SimulatorServer, dialect: str) -> None:
    client = await connect(server, dialect)
    if dialect == "ga":
        await client.send("session.update", session={"type": "transcription", "voice": "alloy"})
        assert (await client.error())["param"] == "session.voice"
        await client.send("session.update", session=ga_update(transcription={"model": "gpt-9"}))
        assert (await client.error())["param"] == "session.audio.input.transcription.model"
    else:
        await client.send("transcription_session.update", session={"voice": "alloy"})
        assert (await client.error())["param"] == "session.voice"
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_model_with_the_intent_is_refused(server: SimulatorServer, dialect: str) -> None:
    client = await Client.connect(
        server.url, dialect, strict=False, query=INTENT + "&model=gpt-realtime"
    )
    error = await client.error()
    assert error["code"] == "invalid_model"
    assert error["message"] == "You must not provide a model parameter for transcription sessions."
    await client.ws.wait_closed()
    await client.close()


async def test_an_unknown_intent_is_refused(server: SimulatorServer) -> None:
    client = await Client.connect(server.url, "ga", query="?intent=translation")
    error = await client.error()
    assert error["param"] == "intent"
    await client.ws.wait_closed()
    await client.close()


async def test_the_openai_sdk_opens_a_transcription_session(server: SimulatorServer) -> None:
    """The SDK as an independent client: no model, ``intent`` through ``extra_query``."""
    client = AsyncOpenAI(api_key="sk-test", websocket_base_url=f"ws://127.0.0.1:{server.port}/v1")
    async with client.realtime.connect(extra_query={"intent": "transcription"}) as conn:
        created = await asyncio.wait_for(conn.recv(), 5)
        assert created.type == "session.created"
        assert created.session.type == "transcription"
        await conn.session.update(
            session={
                "type": "transcription",
                "audio": {
                    "input": {
                        "transcription": {"model": "gpt-4o-mini-transcribe", "language": "en"},
                        "turn_detection": None,
                    }
                },
                "include": [LOGPROBS],
            }
        )
        await conn.input_audio_buffer.append(audio=pcm_b64(tone(0.6)))
        await conn.input_audio_buffer.commit()
        await conn.response.create()

        async def until_completed() -> list[Any]:
            seen = []
            while not seen or seen[-1].type != COMPLETED:
                seen.append(await conn.recv())
            return seen

        events = await asyncio.wait_for(until_completed(), 5)
        kinds = [e.type for e in events]
        assert kinds[0] == "session.updated" and events[0].session.type == "transcription"
        errors = [e.error for e in events if e.type == "error"]
        assert [(e.code, e.param) for e in errors] == [("invalid_value", "type")]
        assert events[-1].logprobs and events[-1].transcript.startswith("[speech")
        assert not [k for k in kinds if k.startswith("response.")]
