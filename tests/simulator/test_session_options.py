"""Session options over a socket, in each dialect that has them: input transcription settings
and logprobs in a realtime session, voices, speed, the output token limit and tracing."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone
from .test_schema import session_patch, user_text

DELTA = "conversation.item.input_audio_transcription.delta"
COMPLETED = "conversation.item.input_audio_transcription.completed"
LOGPROBS = "item.input_audio_transcription.logprobs"


async def opened(server: SimulatorServer, dialect: str) -> Client:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    return client


async def updated(client: Client, session: dict[str, Any]) -> dict[str, Any]:
    await client.send("session.update", session=session)
    return (await client.recv_until("session.updated"))["session"]  # type: ignore[no-any-return]


def transcription_of(dialect: str, session: dict[str, Any]) -> Any:
    if dialect == "beta":
        return session["input_audio_transcription"]
    return session["audio"]["input"]["transcription"]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize("include", [True, False])
async def test_realtime_transcription_settings_and_logprobs(
    server: SimulatorServer, dialect: str, include: bool
) -> None:
    client = await opened(server, dialect)
    settings = {"model": "gpt-4o-transcribe", "language": "de", "prompt": "Namen: Jürgen"}
    patch = session_patch(dialect, turn_detection=None, transcription=settings)
    patch["include"] = [LOGPROBS] if include else None
    session = await updated(client, patch)
    assert transcription_of(dialect, session) == settings
    assert session["include"] == ([LOGPROBS] if include else None)
    await client.send("input_audio_buffer.append", audio=pcm_b64(tone(0.6)))
    await client.send("input_audio_buffer.commit")
    events = await client.collect_until(COMPLETED)
    deltas = [e for e in events if e["type"] == DELTA]
    completed = events[-1]
    assert deltas and "".join(d["delta"] for d in deltas) == completed["transcript"]
    if include:
        for delta in deltas:
            assert [p["token"] for p in delta["logprobs"]] == [delta["delta"]]
            assert all(p["logprob"] <= 0 and p["bytes"] for p in delta["logprobs"])
        assert "".join(p["token"] for p in completed["logprobs"]) == completed["transcript"]
    else:
        assert all("logprobs" not in e for e in [*deltas, completed])
    await client.close()


@pytest.mark.parametrize("voice", ["marin", "cedar", "alloy", {"id": "voice_custom_123"}])
async def test_ga_voices_including_a_custom_one(server: SimulatorServer, voice: Any) -> None:
    client = await opened(server, "ga")
    session = await updated(client, {"type": "realtime", "audio": {"output": {"voice": voice}}})
    assert session["audio"]["output"]["voice"] == voice
    await client.send("conversation.item.create", item=user_text("hello"))
    await client.send("response.create")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    spoken = [e for e in client.received if e["type"] == "response.output_audio.delta"]
    assert spoken  # the custom voice speaks too
    await client.close()


async def test_beta_has_no_custom_voice(server: SimulatorServer) -> None:
    client = await opened(server, "beta")
    await client.send("session.update", session={"voice": {"id": "voice_custom_123"}})
    assert (await client.error())["param"] == "session.voice"
    await client.close()


async def reply_seconds(client: Client, dialect: str) -> float:
    """Seconds of audio in the reply to one fixed message."""
    await client.send("conversation.item.create", item=user_text("one two three four five six"))
    await client.send("response.create")
    events = await client.collect_until("response.done")
    delta = "response.audio.delta" if dialect == "beta" else "response.output_audio.delta"
    audio = b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == delta)
    return len(audio) / 2 / 24000


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_speed_changes_the_audio_length(server: SimulatorServer, dialect: str) -> None:
    seconds = {}
    for speed in (1.0, 1.5, 0.25):
        client = await opened(server, dialect)
        patch = {"speed": speed} if dialect == "beta" else {
            "type": "realtime", "audio": {"output": {"speed": speed}}}  # fmt: skip
        session = await updated(client, patch)
        echoed = session["speed"] if dialect == "beta" else session["audio"]["output"]["speed"]
        assert echoed == speed
        seconds[speed] = await reply_seconds(client, dialect)
        await client.close()
    assert seconds[1.5] == pytest.approx(seconds[1.0] / 1.5, rel=0.02)
    assert seconds[0.25] == pytest.approx(seconds[1.0] * 4, rel=0.02)
    for speed in (0.2, 1.6):
        client = await opened(server, dialect)
        patch = {"speed": speed} if dialect == "beta" else {
            "type": "realtime", "audio": {"output": {"speed": speed}}}  # fmt: skip
        await client.send("session.update", session=patch)
        assert (await client.error())["code"] == "invalid_value"
        await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_max_output_tokens_ends_incomplete(server: SimulatorServer, dialect: str) -> None:
    key = "max_response_output_tokens" if dialect == "beta" else "max_output_tokens"
    client = await opened(server, dialect)
    session = await updated(client, {**session_patch(dialect, modalities=["text"]), key: 4})
    assert session[key] == 4
    await client.send("conversation.item.create", item=user_text("a long sentence " * 10))
    await client.send("response.create")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "incomplete"
    assert done["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert done["usage"]["output_tokens"] <= 4
    assert done["output"][0]["status"] == "incomplete"
    # Per response, over the session's limit.
    await client.send("response.create", response={key: "inf"})
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize(
    "tracing",
    ["auto", {"workflow_name": "support", "group_id": "g-1", "metadata": {"team": "voice"}}, None],
)
async def test_tracing_is_accepted_and_echoed(
    server: SimulatorServer, dialect: str, tracing: Any
) -> None:
    client = await opened(server, dialect)
    session = await updated(client, {**session_patch(dialect), "tracing": tracing})
    assert session["tracing"] == tracing
    await client.send("session.update", session={**session_patch(dialect), "tracing": {"x": 1}})
    assert (await client.error())["param"] == "session.tracing.x"
    # Once enabled, tracing cannot be modified (sending it again unchanged is fine).
    session = await updated(client, {**session_patch(dialect), "tracing": tracing})
    assert session["tracing"] == tracing
    other = "auto" if tracing != "auto" else None
    await client.send("session.update", session={**session_patch(dialect), "tracing": other})
    if tracing is None:
        assert (await client.recv_until("session.updated"))["session"]["tracing"] == other
    else:
        error = await client.error()
        assert (error["code"], error["param"]) == ("invalid_value", "session.tracing")
        assert "cannot be modified" in error["message"]
    await client.close()


async def test_idle_timeout_is_ga_only(server: SimulatorServer) -> None:
    """Beta's server_vad has no ``idle_timeout_ms`` (the SDK's beta types lack it)."""
    client = await opened(server, "beta")
    td = {"type": "server_vad", "idle_timeout_ms": 6000}
    await client.send("session.update", session={"turn_detection": td})
    error = await client.error()
    assert (error["code"], error["param"]) == (
        "unknown_parameter",
        "session.turn_detection.idle_timeout_ms",
    )
    await client.close()


async def test_idle_timeout_counts_from_the_last_reply(server: SimulatorServer) -> None:
    """A user turn (and its reply) restarts the idle count: the timeout fires only after a whole
    ``idle_timeout_ms`` of silence since the last reply ended."""
    client = await opened(server, "ga")
    td = {"type": "server_vad", "idle_timeout_ms": 5000}
    await updated(
        client,
        {"type": "realtime", "output_modalities": ["text"],
         "audio": {"input": {"turn_detection": td}}},
    )  # fmt: skip
    await client.send("conversation.item.create", item=user_text("hi"))
    await client.send("response.create")
    await client.recv_until("response.done")
    turn = np.concatenate([silence(3.0), tone(0.5), silence(0.6)])
    await client.send("input_audio_buffer.append", audio=pcm_b64(turn))
    await client.recv_until("response.done")  # the reply to the turn
    await client.send("input_audio_buffer.append", audio=pcm_b64(silence(4.0)))
    await client.send("conversation.item.retrieve", item_id="item_none", event_id="sync")
    assert (await client.error())["event_id"] == "sync"  # a round trip: the audio was read
    assert "input_audio_buffer.timeout_triggered" not in [e["type"] for e in client.received]
    await client.send("input_audio_buffer.append", audio=pcm_b64(silence(1.5)))
    triggered = await client.recv_until("input_audio_buffer.timeout_triggered")
    assert triggered["audio_end_ms"] - triggered["audio_start_ms"] >= 5000
    assert triggered["audio_start_ms"] >= 4100  # counted from the second reply, not the first
    await client.close()
