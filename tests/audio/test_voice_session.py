"""``VoiceSession`` against the simulator and a real PulseAudio sink: the gate, reset, typing over
a reply that still plays, and what the status bar says about ``--input-wav``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy.typing as npt
import pytest

from console.audio.capture import Microphone, WavMicrophone
from console.audio.levels import LevelMeter
from console.audio.playback import Speaker
from console.audio.voice import VoiceSession
from console.audio.wav import write_wav
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer

from .pulse import PrivatePulse
from .signals import tone16

TIMEOUT = 20.0


class CountingMeter(LevelMeter):
    """A level meter that counts the samples pushed and can be awaited on that count."""

    def __init__(self) -> None:
        super().__init__()
        self.samples = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def push(self, samples: npt.NDArray[Any], now: float | None = None) -> None:
        super().push(samples, now)
        self.samples += len(samples)
        for count, future in self._waiters:
            if self.samples >= count and not future.done():
                future.set_result(None)

    async def more(self, seconds: float) -> None:
        """Wait until ``seconds`` more audio (at 24 kHz) has been pushed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self.samples + int(seconds * 24000), future))
        await asyncio.wait_for(future, TIMEOUT)


class Sent:
    """The client events sent, by type, awaitable from the moment this object exists."""

    def __init__(self, client: RealtimeClient, prefix: str = "client") -> None:
        self.events: list[dict[str, Any]] = []
        self._waiters: list[tuple[str, asyncio.Future[dict[str, Any]]]] = []
        client.realtime.on(f"{prefix}.*", self._on)

    def _on(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        for kind, future in self._waiters:
            if event.get("type") == kind and not future.done():
                future.set_result(event)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event.get("type") == kind]

    def next(self, kind: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.append((kind, future))
        return future


@pytest.mark.audio
async def test_manual_turns_keep_the_microphone_open_and_send_only_while_talking(
    manual_client: RealtimeClient,
) -> None:
    sent = Sent(manual_client)
    levels = CountingMeter()
    microphone = Microphone(lambda _chunk: None)
    voice = VoiceSession(manual_client, microphone, None, input_levels=levels)
    await voice.start()
    try:
        assert microphone.running and voice.notice is None, voice.notice
        await levels.more(0.2)  # the meter shows the input...
        assert not sent.of("input_audio_buffer.append")  # ...but nothing is sent
        appended = sent.next("input_audio_buffer.append")
        assert voice.toggle_talk()
        await asyncio.wait_for(appended, TIMEOUT)
        committed = sent.next("input_audio_buffer.commit")
        assert not voice.toggle_talk()
        await asyncio.wait_for(committed, TIMEOUT)
        assert microphone.running  # push-to-talk closed nothing
        appends = len(sent.of("input_audio_buffer.append"))
        await levels.more(0.2)
        assert len(sent.of("input_audio_buffer.append")) == appends
    finally:
        await voice.stop()
    assert not microphone.running


@pytest.mark.audio
async def test_attach_after_reset_brings_back_playback_and_saved_audio(
    pulse: PrivatePulse, tmp_path: Path
) -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        speaker = Speaker()
        voice = VoiceSession(client, None, speaker, save_dir=tmp_path)
        await client.reset()  # drops every handler, the voice session's too
        voice.attach()
        voice.attach()  # idempotent: one save and one playback per item, not two
        await client.connect()
        try:
            assert await client.wait_for_session_created(TIMEOUT)
            await voice.start()
            done = Sent(client, "server").next("response.done")
            client.send_user_message_content([{"type": "input_text", "text": "Say hello."}])
            await asyncio.wait_for(done, TIMEOUT)
            assert await speaker.wait_drained(TIMEOUT)
            assistant = client.conversation.get_items()[-1]
        finally:
            await voice.stop()
            await client.disconnect()
    assert assistant["role"] == "assistant"
    audio = assistant["formatted"]["audio"]
    assert len(audio) and speaker.samples_played(assistant["id"]) == len(audio)
    assert voice.saved == [tmp_path / f"{assistant['id']}.wav"]


@pytest.mark.audio
async def test_interrupting_a_reply_that_still_plays_truncates_it_where_it_was_heard(
    pulse: PrivatePulse,
) -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        await client.connect()
        heard = CountingMeter()
        speaker = Speaker()
        voice = VoiceSession(client, None, speaker, output_levels=heard)
        try:
            assert await client.wait_for_session_created(TIMEOUT)
            await voice.start()
            sent = Sent(client)
            done = Sent(client, "server").next("response.done")
            client.send_user_message_content(
                [{"type": "input_text", "text": "Please tell me a long story about the sea."}]
            )
            await asyncio.wait_for(done, TIMEOUT)  # generated in full, long before it is heard
            await heard.more(0.3)
            assert speaker.buffered_samples > 0, "the reply should still be playing"
            truncated = Sent(client, "server").next("conversation.item.truncated")
            assert voice.interrupt_playback()
            assistant = client.conversation.get_items()[-1]
            played_ms = speaker.samples_played(assistant["id"]) * 1000 / 24000
            truncate = sent.of("conversation.item.truncate")
            assert len(truncate) == 1 and truncate[0]["item_id"] == assistant["id"]
            assert abs(truncate[0]["audio_end_ms"] - played_ms) <= 20, (truncate, played_ms)
            assert heard.samples * 1000 / 24000 >= played_ms - 20  # the meter saw it too
            assert not sent.of("response.cancel")  # the response was already done
            await asyncio.wait_for(truncated, TIMEOUT)
            assert not voice.interrupt_playback()  # nothing plays any more
        finally:
            await voice.stop()
            await client.disconnect()


@pytest.mark.audio
async def test_playing_an_item_opens_a_closed_speaker_and_plays_all_of_it(
    pulse: PrivatePulse,
) -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        await client.connect()
        speaker = Speaker()
        voice = VoiceSession(client, None, speaker)
        try:
            assert await client.wait_for_session_created(TIMEOUT)
            done = Sent(client, "server").next("response.done")
            client.send_user_message_content([{"type": "input_text", "text": "Say hi."}])
            await asyncio.wait_for(done, TIMEOUT)
            assistant = client.conversation.get_items()[-1]
            speaker.interrupt()  # the live reply is not what this test plays
            assert not speaker.running
            assert await voice.play_item(assistant["id"])  # opened on the device thread
            assert speaker.running
            assert await speaker.wait_drained(TIMEOUT)
            replayed = speaker.samples_played(f"{assistant['id']}#replay")
            assert replayed == len(assistant["formatted"]["audio"]) > 0
            assert not await voice.play_item("item_that_does_not_exist")
        finally:
            await voice.stop()
            await client.disconnect()


async def test_an_input_wav_without_a_speaker_says_that_space_sends_it(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "question.wav", tone16(440.0, 0.5))
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")  # never connected
    client.update_session(turn_detection=None)
    no_speaker = VoiceSession(client, WavMicrophone(lambda _chunk: None, wav), None)
    assert "space sends question.wav" in no_speaker.describe()
    missing = VoiceSession(
        client, WavMicrophone(lambda _chunk: None, wav), Speaker(device="no such speaker")
    )
    await missing.start()
    try:
        status = missing.describe()
        assert missing.notice and missing.notice in status  # why there is no sound...
        assert "space sends question.wav" in status  # ...and what Space does
        client.update_session(turn_detection={"type": "server_vad"})
        missing.turn_detection_changed()
        assert "sending question.wav" in missing.describe()
    finally:
        await missing.stop()


async def test_push_to_talk_without_an_open_microphone_says_why_and_sends_nothing() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")  # never connected
    client.update_session(turn_detection=None)
    voice = VoiceSession(client, Microphone(lambda _chunk: None, device="no such mic"), None)
    assert not voice.toggle_talk()
    assert voice.notice == "not connected: push-to-talk needs a connection (F2)"
    await voice.start()  # as on connecting: the device cannot open
    try:
        reason = voice.notice
        assert reason and "no such mic" in reason
        assert not voice.toggle_talk() and not voice.talking
        assert voice.notice == reason  # the reason it did not open stays
        assert reason in voice.describe()
    finally:
        await voice.stop()
