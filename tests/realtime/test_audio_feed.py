"""append_input_audio_threadsafe: input audio from another thread, bounded, oldest dropped."""

from __future__ import annotations

import asyncio
import base64
import sys
import threading
import time

import numpy as np

from console.realtime import RealtimeClient
from console.realtime.audio_feed import ThreadsafeAudioFeed
from tests.realtime.conftest import API_KEY
from tests.realtime.helpers import Recorder
from tests.realtime.scripted_server import ScriptedServer


def chunk(value: int, samples: int = 480) -> np.ndarray:
    return np.full(samples, value, dtype=np.int16)


async def test_audio_from_a_thread_reaches_the_socket_in_order(client: RealtimeClient) -> None:
    recorder = Recorder(client, "realtime.event")
    sent = threading.Thread(
        target=lambda: [client.append_input_audio_threadsafe(chunk(v)) for v in range(1, 11)]
    )
    sent.start()
    await asyncio.to_thread(sent.join)

    def appended() -> list[dict]:
        events = [e["event"] for e in recorder.events["realtime.event"]]
        return [e for e in events if e["type"] == "input_audio_buffer.append"]

    frames = await recorder.wait_for(lambda: len(appended()) == 10 and appended())
    assert client.input_audio_buffer.total_samples == 4800
    values = [int(np.frombuffer(base64.b64decode(f["audio"]), "<i2")[0]) for f in frames]
    assert values == list(range(1, 11))
    assert client.dropped_input_audio_chunks == 0


async def test_a_loop_that_falls_behind_drops_the_oldest_chunks(server: ScriptedServer) -> None:
    client = RealtimeClient(url=server.url, api_key=API_KEY, max_queued_input_chunks=3)
    await client.connect()
    assert await client.wait_for_session_created(5)
    recorder = Recorder(client.realtime, "client.input_audio_buffer.append")
    all_put = threading.Event()
    durations: list[float] = []

    def feed() -> None:
        for value in range(1, 11):
            start = time.perf_counter()
            client.append_input_audio_threadsafe(chunk(value))
            durations.append(time.perf_counter() - start)
        all_put.set()

    threading.Thread(target=feed).start()
    assert all_put.wait(5)  # blocks the loop on purpose: it falls behind the feeding thread
    await recorder.wait_for(lambda: len(recorder.events["client.input_audio_buffer.append"]) == 3)
    assert client.dropped_input_audio_chunks == 7
    samples = client.input_audio_buffer.slice_ms(0, 1000)
    assert [int(samples[i * 480]) for i in range(3)] == [8, 9, 10]  # the newest were kept
    assert max(durations) < 0.05  # the feeding thread never waited for the loop
    await client.disconnect()


async def test_audio_fed_while_not_connected_is_dropped_and_counted() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
    assert client.append_input_audio_threadsafe(chunk(1)) is False
    assert client.dropped_input_audio_chunks == 1


async def test_every_chunk_is_delivered_or_counted_when_both_sides_drop() -> None:
    """The feeding thread drops the oldest (the queue is full) while the loop drops what arrives
    with no socket: both counts go through the hand-off's lock, so none is lost.

    (On CPython 3.11 the loop side's old unlocked ``+=`` was not interrupted between its load
    and store, so this could not catch it there; it states the contract the lock keeps.)
    """
    delivered: list[np.ndarray] = []
    feed = ThreadsafeAudioFeed(delivered.append, lambda: len(delivered) < 100, max_chunks=4)
    feed.bind(asyncio.get_running_loop())
    total = 50_000
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()

    def produce() -> None:
        for value in range(total):
            feed.put(chunk(value % 100, samples=2))
        loop.call_soon_threadsafe(finished.set)  # after the last batch's wake-up

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threading.Thread(target=produce).start()
        await asyncio.wait_for(finished.wait(), 30)  # the loop drains batches meanwhile
    finally:
        sys.setswitchinterval(switch_interval)
    probe = asyncio.Event()
    loop.call_soon(probe.set)
    await asyncio.wait_for(probe.wait(), 5)
    assert len(delivered) == 100
    assert len(delivered) + feed.dropped == total
