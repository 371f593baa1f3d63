"""Input audio transcription: asynchronous (after ``response.created``, a configurable delay
after the commit), whisper-1 transcripts ending with a newline and billed by duration, the
gpt-4o transcription models streaming several deltas and billed in tokens."""

from __future__ import annotations

import time

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client, pcm_b64, silence, tone
from .test_schema import session_patch

DELTA = "conversation.item.input_audio_transcription.delta"
COMPLETED = "conversation.item.input_audio_transcription.completed"


async def vad_session(client: Client, model: str = "whisper-1") -> None:
    await client.recv_until("session.created")
    patch = session_patch(
        client.dialect,
        turn_detection={"type": "server_vad", "silence_duration_ms": 300},
        transcription={"model": model},
    )
    await client.send("session.update", session=patch)
    await client.recv_until("session.updated")
    turn = np.concatenate([silence(0.3), tone(0.8), silence(0.5)])
    await client.send("input_audio_buffer.append", audio=pcm_b64(turn))


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_transcription_arrives_after_the_response_starts(
    server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(server.url, dialect)
    await vad_session(client)
    await client.recv_each(COMPLETED, "response.done")
    kinds = [e["type"] for e in client.received]
    assert kinds.index("input_audio_buffer.committed") < kinds.index("response.created")
    assert kinds.index("response.created") < kinds.index(DELTA) < kinds.index(COMPLETED)
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_transcription_arrives_while_a_paced_response_streams(
    slow_server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(slow_server.url, dialect)
    await vad_session(client)
    await client.recv_each(COMPLETED, "response.done", timeout=10)
    kinds = [e["type"] for e in client.received]
    assert kinds.index("response.created") < kinds.index(COMPLETED) < kinds.index("response.done")
    await client.close()


async def test_the_delay_is_configurable() -> None:
    async with SimulatorServer(transcription_delay_s=0.6) as server:
        client = await Client.connect(server.url)
        await client.recv_until("session.created")
        patch = session_patch("ga", turn_detection=None, transcription={"model": "whisper-1"})
        await client.send("session.update", session=patch)
        await client.recv_until("session.updated")
        await client.send("input_audio_buffer.append", audio=pcm_b64(tone(0.5)))
        await client.send("input_audio_buffer.commit")
        await client.recv_until("input_audio_buffer.committed")
        committed = time.monotonic()
        await client.recv_until(COMPLETED)
        assert time.monotonic() - committed >= 0.5
        await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_whisper_ends_with_a_newline_and_bills_duration(
    server: SimulatorServer, dialect: str
) -> None:
    client = await Client.connect(server.url, dialect)
    await vad_session(client, "whisper-1")
    events = await client.recv_each(COMPLETED, "response.done")
    deltas = [e["delta"] for e in events if e["type"] == DELTA]
    completed = next(e for e in events if e["type"] == COMPLETED)
    assert completed["transcript"].endswith("\n")
    assert completed["transcript"].startswith("[speech ")
    assert deltas == [completed["transcript"]]
    assert completed["usage"]["type"] == "duration"
    assert completed["usage"]["seconds"] == pytest.approx(1.1, abs=0.3)
    await client.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
@pytest.mark.parametrize("model", ["gpt-4o-transcribe", "gpt-4o-mini-transcribe"])
async def test_gpt4o_models_stream_deltas_and_bill_tokens(
    server: SimulatorServer, dialect: str, model: str
) -> None:
    client = await Client.connect(server.url, dialect)
    await vad_session(client, model)
    events = await client.recv_each(COMPLETED, "response.done")
    deltas = [e["delta"] for e in events if e["type"] == DELTA]
    completed = next(e for e in events if e["type"] == COMPLETED)
    assert len(deltas) >= 3
    assert "".join(deltas) == completed["transcript"]
    assert not completed["transcript"].endswith("\n")
    usage = completed["usage"]
    assert usage["type"] == "tokens"
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] > 0
    assert usage["input_token_details"]["audio_tokens"] == usage["input_tokens"]
    await client.close()
