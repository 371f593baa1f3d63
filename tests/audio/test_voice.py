"""The console's voice path end to end, through a real PulseAudio null sink and the simulator.

Speech is played into the sink; the microphone hears it on the monitor, the simulator's voice
activity detector takes the turn, and the reply plays back through the speaker into the same sink,
where a second recorder hears it. The microphone is muted while the reply plays: on a null sink
the microphone would otherwise hear the reply itself (a loudspeaker next to the microphone).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.audio.capture import Microphone
from console.audio.playback import Speaker
from console.audio.voice import VoiceSession
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer

from .pulse import PrivatePulse
from .signals import have_speech_tools, rms_dbfs, speech_wav
from .test_streams import Recording, play_file

pytestmark = pytest.mark.audio
TIMEOUT = 20.0


class Events:
    """Server events, awaitable by type from the moment this object exists."""

    def __init__(self, client: RealtimeClient) -> None:
        self.seen: list[dict[str, Any]] = []
        self._waiters: list[tuple[str, asyncio.Future[dict[str, Any]]]] = []
        client.realtime.on("server.*", self._on)

    def _on(self, event: dict[str, Any]) -> None:
        self.seen.append(event)
        for kind, future in self._waiters:
            if event.get("type") == kind and not future.done():
                future.set_result(event)

    async def next(self, kind: str) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.append((kind, future))
        return await asyncio.wait_for(future, TIMEOUT)


@pytest.fixture
async def vad_client(pulse: PrivatePulse) -> AsyncIterator[RealtimeClient]:
    if not have_speech_tools():
        pytest.skip("espeak-ng and sox are needed to make speech")
    async with SimulatorServer(pace="realtime") as server:
        client = RealtimeClient(url=server.url)
        client.update_session(turn_detection={"type": "server_vad", "silence_duration_ms": 300})
        await client.connect()
        assert await client.wait_for_session_created(TIMEOUT)
        yield client
        await client.disconnect()


def voice_for(client: RealtimeClient) -> VoiceSession:
    return VoiceSession(client, Microphone(lambda _chunk: None), Speaker())


async def test_speech_takes_the_turn_and_the_reply_is_heard(
    vad_client: RealtimeClient, tmp_path: Path
) -> None:
    events = Events(vad_client)
    voice = voice_for(vad_client)
    await voice.start()
    assert voice.notice is None, voice.notice
    assert voice.capturing
    speech = speech_wav(tmp_path, "What is the weather like today in Paris?")
    try:
        async with Recording() as monitor:
            stopped = asyncio.ensure_future(events.next("input_audio_buffer.speech_stopped"))
            done = asyncio.ensure_future(events.next("response.done"))
            await play_file(speech)
            await stopped
            voice.toggle_mute()  # the microphone would hear the reply on the sink
            heard_before_reply = monitor.samples
            response = (await done)["response"]
            assert response["status"] == "completed"
            speaker = voice.speaker
            assert speaker is not None
            assert await speaker.wait_drained(TIMEOUT)
            await monitor.more(0.3)
        reply = monitor.audio()[heard_before_reply:]
        assert rms_dbfs(reply) > -45, "the reply was not heard on the sink"
        assistant = vad_client.conversation.get_items()[-1]
        assert assistant["role"] == "assistant"
        played = speaker.samples_played(assistant["id"])
        assert played == len(assistant["formatted"]["audio"])
    finally:
        await voice.stop()


async def test_speech_during_the_reply_truncates_it_where_playback_stopped(
    vad_client: RealtimeClient, tmp_path: Path
) -> None:
    events = Events(vad_client)
    voice = voice_for(vad_client)
    await voice.start()
    assert voice.notice is None, voice.notice
    speaker = voice.speaker
    assert speaker is not None
    voice.toggle_mute()
    first = speech_wav(tmp_path, "Please tell me a long story about the sea and the ships.")
    try:
        voice.toggle_mute()
        stopped = asyncio.ensure_future(events.next("input_audio_buffer.speech_stopped"))
        await play_file(first)
        await stopped
        voice.toggle_mute()
        await events.next("response.output_audio.delta")
        assert await speaker.wait_output(0.8, TIMEOUT)  # the reply is playing
        truncated = asyncio.ensure_future(events.next("conversation.item.truncated"))
        voice.toggle_mute()  # the user speaks over the reply (it hears the reply too)
        barge_in = asyncio.ensure_future(play_file(first))
        event = await truncated
        cut_ms = event["audio_end_ms"]
        item_id = event["item_id"]
        played_ms = speaker.samples_played(item_id) * 1000 / 24000
        assert abs(cut_ms - played_ms) <= 50, (cut_ms, played_ms)
        assert voice.truncations == 1
        item = vad_client.conversation.get_item(item_id)
        assert item is not None
        assert abs(len(item["formatted"]["audio"]) * 1000 / 24000 - cut_ms) <= 50
        await barge_in
    finally:
        await voice.stop()
