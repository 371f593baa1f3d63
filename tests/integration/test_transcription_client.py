"""The library opens transcription sessions (``intent="transcription"``) on the simulator, in
both dialects: the URL has the intent and no model, the session configuration sent is the
transcription one (no realtime fields, no tools), and user turns get their transcripts."""

from __future__ import annotations

import numpy as np
import pytest

from console.realtime import RealtimeAPI, RealtimeClient
from console.simulator import SimulatorServer
from tests.realtime.helpers import Recorder

LOGPROBS = "item.input_audio_transcription.logprobs"


def test_the_url_has_the_intent_and_no_model() -> None:
    api = RealtimeAPI(url="ws://127.0.0.1:1/v1/realtime?model=x", intent="transcription")
    assert api.connection_url() == "ws://127.0.0.1:1/v1/realtime?intent=transcription"
    with pytest.raises(ValueError, match="intent"):
        RealtimeAPI(intent="translation")


async def test_a_transcription_session_transcribes_turns(dialect: str) -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, dialect=dialect, intent="transcription")
        assert client.transcription
        client.add_tool({"name": "noop", "parameters": {"type": "object"}}, lambda a: {})
        client.update_session(
            instructions="ignored here",
            input_audio_transcription={"model": "gpt-4o-transcribe", "language": "en"},
            turn_detection={"type": "server_vad", "silence_duration_ms": 300},
            include=[LOGPROBS],
        )
        errors = Recorder(client, "error")
        sent = Recorder(client, "realtime.event")
        await client.connect()
        assert await client.wait_for_session_created(5)
        turn = np.concatenate([np.zeros(7200), np.full(19200, 6000), np.zeros(14400)])
        client.append_input_audio(turn.astype(np.int16))
        completed = await client.wait_for_next_completed_item(5)
        assert completed is not None
        item = completed["item"]
        assert item["role"] == "user"
        # the transcript arrives after the item completes: wait for its event
        done = "conversation.item.input_audio_transcription.completed"
        event = await client.realtime.wait_for_next(f"server.{done}", timeout=5)
        assert event is not None and event["logprobs"]
        assert client.conversation.get_item(item["id"])["formatted"]["transcript"]
        updates = [
            e["event"]
            for e in sent.events["realtime.event"]
            if e["source"] == "client" and e["event"]["type"].endswith("session.update")
        ]
        assert updates and all("instructions" not in str(u) for u in updates)
        assert all("tools" not in u["session"] for u in updates)
        kind = "session.update" if dialect == "ga" else "transcription_session.update"
        assert {u["type"] for u in updates} == {kind}
        updated = [
            e["event"]
            for e in sent.events["realtime.event"]
            if e["event"]["type"].endswith("session.updated")
        ]
        assert updated
        assert errors.events["error"] == []
        await client.disconnect()


async def test_manual_turns_commit_without_asking_for_a_response() -> None:
    """Push-to-talk in a transcription session: ``commit_input_audio`` commits what was
    appended, the turn is transcribed, and no ``response.create`` is ever sent."""
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, intent="transcription")
        client.update_session(
            input_audio_transcription={"model": "gpt-4o-transcribe"}, turn_detection=None
        )
        sent = Recorder(client, "realtime.event")
        await client.connect()
        assert await client.wait_for_session_created(5)
        assert not client.commit_input_audio()  # nothing appended: nothing to commit
        client.append_input_audio(np.full(12000, 6000, dtype=np.int16))
        assert client.commit_input_audio()
        done = "conversation.item.input_audio_transcription.completed"
        event = await client.realtime.wait_for_next(f"server.{done}", timeout=5)
        assert event is not None and event["transcript"]
        item = client.conversation.get_item(event["item_id"])
        assert item is not None and item["formatted"]["audio"] is not None
        types = [e["event"]["type"] for e in sent.events["realtime.event"]]
        assert types.count("input_audio_buffer.commit") == 1
        assert "response.create" not in types
        await client.disconnect()
