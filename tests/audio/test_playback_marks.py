"""Playback marks on a real PulseAudio sink: the speaker says when an item's first sample reaches
the listener and when its playing stops (at its end, or cut, with what was played); the console
records them as ``local.playback.*`` events and the turn model reads them as heard audio.

A replay of an item's audio (the conversation pane's **p**) is not a mark: it is not the turn.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

import pytest
from textual.widgets import Input

from console.audio.devices import in_device_thread
from console.audio.playback import PlaybackMark, Speaker
from console.audio.voice import VoiceSession
from console.inspector.store import EventRecord
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from tests.app.conftest import client_event, connected, console_app, expect, server_event

from .pulse import PrivatePulse
from .signals import tone16

TIMEOUT = 20.0
MS = 24_000 // 1000  # samples per millisecond at 24 kHz


class Marks:
    """The marks a ``VoiceSession`` reports, awaitable by kind."""

    def __init__(self) -> None:
        self.marks: list[PlaybackMark] = []
        self._waiters: list[tuple[str, asyncio.Future[PlaybackMark]]] = []

    def __call__(self, mark: PlaybackMark) -> None:
        self.marks.append(mark)
        for kind, future in self._waiters:
            if mark.kind == kind and not future.done():
                future.set_result(mark)

    def next(self, kind: str) -> asyncio.Future[PlaybackMark]:
        future: asyncio.Future[PlaybackMark] = asyncio.get_running_loop().create_future()
        self._waiters.append((kind, future))
        return future


class LocalEvents:
    """``local.*`` records of an inspector's store, awaitable by type, from creation on."""

    def __init__(self, app: Any) -> None:
        self.records: list[EventRecord] = []
        self._waiters: list[tuple[str, asyncio.Future[EventRecord]]] = []
        app.inspector.store.listen(self._on)

    def _on(self, record: EventRecord) -> None:
        if record.source != "local":
            return
        self.records.append(record)
        for kind, future in self._waiters:
            if record.type == kind and not future.done():
                future.set_result(record)

    def next(self, kind: str) -> asyncio.Future[EventRecord]:
        future: asyncio.Future[EventRecord] = asyncio.get_running_loop().create_future()
        self._waiters.append((kind, future))
        return future

    def of(self, kind: str) -> list[EventRecord]:
        return [record for record in self.records if record.type == kind]


@pytest.mark.audio
async def test_a_reply_played_to_its_end_is_marked_and_a_replay_is_not(
    pulse: PrivatePulse,
) -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        await client.connect()
        marks = Marks()
        speaker = Speaker()
        voice = VoiceSession(client, None, speaker, on_playback=marks)
        try:
            assert await client.wait_for_session_created(TIMEOUT)
            await voice.start()
            assert await speaker.wait_output(0.3, timeout=TIMEOUT)  # past the sink's start stall
            started, stopped = marks.next("started"), marks.next("stopped")
            sent_at = time.time()
            client.send_user_message_content([{"type": "input_text", "text": "Say hello."}])
            start = await asyncio.wait_for(started, TIMEOUT)
            end = await asyncio.wait_for(stopped, TIMEOUT)
            assistant = client.conversation.get_items()[-1]
            samples = len(assistant["formatted"]["audio"])
            assert samples > 0 and start.item_id == end.item_id == assistant["id"]
            assert start.played_ms is None and not start.interrupted
            assert end.played_ms == samples // MS and not end.interrupted
            # Heard after it was asked for, and for about as long as it lasts (the sink runs in
            # real time; allow for a loaded machine's late callbacks).
            assert sent_at < start.at < end.at
            assert end.at - start.at >= samples / 24_000 - 0.1

            before = len(marks.marks)
            assert await voice.play_item(assistant["id"])
            assert await speaker.wait_drained(TIMEOUT)
            assert await speaker.wait_output(0.3, timeout=TIMEOUT)  # its end went through
            assert speaker.samples_played(f"{assistant['id']}#replay") == samples
            assert len(marks.marks) == before  # a replay is no mark
        finally:
            await voice.stop()
            await client.disconnect()


@pytest.mark.audio
async def test_the_console_records_the_marks_and_the_turn_is_heard(pulse: PrivatePulse) -> None:
    async with SimulatorServer(pace="fast") as simulator:
        app = console_app(simulator.url, audio=True)
        async with app.run_test(size=(160, 48)):
            await connected(app)
            assert app.voice is not None and app.voice.speaker is not None
            speaker = app.voice.speaker
            assert await speaker.wait_output(0.3, timeout=TIMEOUT)
            local = LocalEvents(app)
            stopped = local.next("local.playback.stopped")
            app.send_message(Input.Submitted(app.query_one("#prompt", Input), "Say hello."))
            end = (await asyncio.wait_for(stopped, TIMEOUT)).event
            (start,) = (record.event for record in local.of("local.playback.started"))
            turn = app.inspector.turns.for_item(end["item_id"])
            assert turn is not None and start["item_id"] == end["item_id"] in turn.item_ids
            assert end["interrupted"] is False and end["played_ms"] == int(turn.audio_ms)
            assert turn.first_audio_ms is not None and turn.first_heard_ms is not None
            assert turn.first_heard_ms > turn.first_audio_ms  # received, then heard
            assert turn.heard_ms == end["played_ms"] and turn.last_heard_at is not None
            assert turn.last_heard_at > turn.first_heard_at  # type: ignore[operator]


@pytest.mark.audio
async def test_a_reply_cut_while_it_plays_is_marked_where_it_was_cut(pulse: PrivatePulse) -> None:
    async with SimulatorServer(pace="realtime", generation_speed=20.0) as simulator:
        app = console_app(simulator.url, audio=True)
        async with app.run_test(size=(160, 48)):
            await connected(app)
            assert app.voice is not None and app.voice.speaker is not None
            speaker = app.voice.speaker
            assert await speaker.wait_output(0.3, timeout=TIMEOUT)
            local = LocalEvents(app)
            started = local.next("local.playback.started")
            done = expect(app, server_event("response.done"))
            prompt = app.query_one("#prompt", Input)
            app.send_message(Input.Submitted(prompt, "tell me about lighthouses"))
            await done
            await asyncio.wait_for(started, TIMEOUT)
            assert await speaker.wait_output(0.3, timeout=TIMEOUT)
            stopped = local.next("local.playback.stopped")
            truncated = expect(app, client_event("conversation.item.truncate"))
            app.send_message(Input.Submitted(prompt, "stop, a question"))
            truncate = (await truncated)["event"]
            end = (await asyncio.wait_for(stopped, TIMEOUT)).event
            assert end["item_id"] == truncate["item_id"] and end["interrupted"] is True
            assert end["played_ms"] == truncate["audio_end_ms"]  # the same samples, counted once
            turn = app.inspector.turns.for_item(end["item_id"])
            assert turn is not None and turn.heard_ms == end["played_ms"]
            assert turn.heard_ms < turn.audio_ms  # cut before its end


@pytest.mark.audio
async def test_marks_survive_a_loop_that_falls_behind(pulse: PrivatePulse) -> None:
    """The hand-off drops the oldest played audio when the loop stalls (the meter can lose it);
    a mark is never among what is dropped."""
    marks = Marks()
    speaker = Speaker(on_mark=marks)
    await in_device_thread(partial(speaker.start, asyncio.get_running_loop()))
    try:
        assert await speaker.wait_output(0.3, timeout=TIMEOUT)
        stopped = marks.next("stopped")
        speaker.play("item_1", tone16(440, 3.0))
        time.sleep(3.5)  # noqa: ASYNC251 - the loop stalls on purpose while the item plays out
        end = await asyncio.wait_for(stopped, TIMEOUT)
        assert speaker.dropped_messages > 0  # the hand-off did overflow
        assert [(mark.kind, mark.item_id) for mark in marks.marks] == [
            ("started", "item_1"),
            ("stopped", "item_1"),
        ]
        assert end.played_ms == 3000 and not end.interrupted
    finally:
        await in_device_thread(speaker.stop)
