"""The relay's bounded memory: the queue before the upstream opens, and freeing a closed connection.

Frames a client sends while the upstream handshake is under way are queued; the queue is capped in
bytes and frames, and a client past the cap is closed with 1008. When a connection ends, what it
held is freed at once, without waiting for Python's cycle collector: these tests run with the
collector disabled and measure with ``tracemalloc``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import tracemalloc
from collections.abc import AsyncIterator, Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection

from console.relay import RelayServer

from .conftest import CLIENT_LOGGER, TIMEOUT, FakeUpstream
from .test_relay import SERVER_KEY, closed_with

MiB = 2**20


class RelayLog(logging.Handler):
    """Collects the relay's log lines; lets a test wait for one matching a pattern."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.changed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        self.changed.set()

    async def wait_for(self, pattern: str) -> re.Match[str]:
        async def find() -> re.Match[str]:
            while True:
                for line in self.lines:
                    if (match := re.search(pattern, line)) is not None:
                        return match
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(find(), TIMEOUT)


@pytest.fixture
def relay_log() -> Iterator[RelayLog]:
    logger = logging.getLogger("console.relay")
    handler, level = RelayLog(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


class WatchedRelay(RelayServer):
    """A relay that tells the test when it has finished handling each connection."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.handled: asyncio.Queue[None] = asyncio.Queue()

    async def _handle(self, client: ServerConnection) -> None:
        try:
            await super()._handle(client)
        finally:
            self.handled.put_nowait(None)

    async def next_handled(self) -> None:
        await asyncio.wait_for(self.handled.get(), TIMEOUT)


@pytest.fixture
def no_cycle_collection() -> Iterator[None]:
    """Run with the cycle collector off, so memory held by reference cycles shows."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def traced_now() -> int:
    return tracemalloc.get_traced_memory()[0]


@pytest.fixture
async def gated(upstream: FakeUpstream) -> AsyncIterator[FakeUpstream]:
    """The fake upstream holding every handshake until the test opens the gate."""
    upstream.gate = asyncio.Event()
    yield upstream


# -- the cap ---------------------------------------------------------------------------------


def test_caps_default_to_16_mib_and_1000_frames(no_ambient_key: None) -> None:
    relay = RelayServer(upstream_url="ws://127.0.0.1:9/v1/realtime")
    assert (relay.max_queue_bytes, relay.max_queue_frames) == (16 * MiB, 1000)


@pytest.mark.parametrize(("max_bytes", "max_frames"), [(0, 10), (10, 0), (-1, 10)])
def test_caps_must_be_positive(no_ambient_key: None, max_bytes: int, max_frames: int) -> None:
    with pytest.raises(ValueError, match="max_queue"):
        RelayServer(
            upstream_url="ws://127.0.0.1:9/v1/realtime",
            max_queue_bytes=max_bytes,
            max_queue_frames=max_frames,
        )


@pytest.mark.parametrize(
    ("frames", "reason_word"),
    [
        ([b"x" * 50] * 11, "frames"),  # one frame over the frame cap, 550 bytes
        ([b"x" * 400, b"y" * 400, "z" * 300], "bytes"),  # 1,100 bytes, over the byte cap
        (["é" * 550], "bytes"),  # 550 characters but 1,100 bytes of UTF-8
    ],
)
async def test_a_client_past_the_cap_is_closed_with_1008_and_the_upstream_abandoned(
    gated: FakeUpstream,
    no_ambient_key: None,
    relay_log: RelayLog,
    frames: list[str | bytes],
    reason_word: str,
) -> None:
    async with (
        RelayServer(
            upstream_url=gated.url,
            api_key=SERVER_KEY,
            port=0,
            max_queue_bytes=1000,
            max_queue_frames=10,
        ) as relay,
        connect(relay.url, logger=CLIENT_LOGGER) as ws,
    ):
        await asyncio.wait_for(gated.request_seen.wait(), TIMEOUT)
        for frame in frames:
            await ws.send(frame)
        code, reason = await closed_with(ws)
        assert code == 1008
        assert reason is not None and len(reason.encode()) <= 123
        assert "before the upstream opened" in reason and reason_word in reason
        line = await relay_log.wait_for(r"connection 1 closed by relay .*")
        warning = await relay_log.wait_for(r"connection 1: .*over the relay's queue cap.*")
    # The half-open upstream handshake is dropped, not completed for nobody.
    pending = gated.handshaking[0]
    await asyncio.wait_for(asyncio.shield(pending.connection_lost_waiter), TIMEOUT)
    gated.gate.set()  # type: ignore[union-attr]
    assert gated.connections == []
    assert "1000 bytes" in warning.group(0) and "10 frames" in warning.group(0)
    assert f"({len(frames)} queued before open)" in line.group(0)
    assert "client code 1008" in line.group(0)


async def test_a_client_exactly_at_the_cap_is_relayed(
    gated: FakeUpstream, no_ambient_key: None, relay_log: RelayLog
) -> None:
    frames: list[str | bytes] = [b"a" * 100] * 9 + ["b" * 100]  # 10 frames, 1,000 bytes
    async with (
        RelayServer(
            upstream_url=gated.url,
            api_key=SERVER_KEY,
            port=0,
            max_queue_bytes=1000,
            max_queue_frames=10,
        ) as relay,
        connect(relay.url, logger=CLIENT_LOGGER) as ws,
    ):
        await asyncio.wait_for(gated.request_seen.wait(), TIMEOUT)
        for frame in frames:
            await ws.send(frame)
        await relay_log.wait_for(r"connection 1: queued frame 10 ")  # all read by the relay
        gated.gate.set()  # type: ignore[union-attr]
        up = await gated.next_connection()
        assert [await asyncio.wait_for(up.received.get(), TIMEOUT) for _ in frames] == frames
        assert [await asyncio.wait_for(ws.recv(), TIMEOUT) for _ in frames] == frames
    line = await relay_log.wait_for(r"connection 1 closed by client.*")
    assert "client->upstream 10 (10 queued before open), upstream->client 10" in line.group(0)


# -- the count in the close line ---------------------------------------------------------------


@pytest.mark.parametrize("ending", ["client leaves", "upstream refuses", "upstream opens"])
async def test_the_close_line_counts_the_frames_queued_before_open(
    gated: FakeUpstream, no_ambient_key: None, relay_log: RelayLog, ending: str
) -> None:
    async with (
        RelayServer(upstream_url=gated.url, api_key=SERVER_KEY, port=0) as relay,
        connect(relay.url, logger=CLIENT_LOGGER) as ws,
    ):
        await asyncio.wait_for(gated.request_seen.wait(), TIMEOUT)
        for i in range(5):
            await ws.send(f"frame {i}")
        await relay_log.wait_for(r"connection 1: queued frame 5 ")
        if ending == "client leaves":
            await ws.close()
        elif ending == "upstream refuses":
            gated.refuse_status = 503
            gated.gate.set()  # type: ignore[union-attr]
            assert (await closed_with(ws))[0] == 1011
        else:
            gated.gate.set()  # type: ignore[union-attr]
            up = await gated.next_connection()
            for _ in range(5):
                await asyncio.wait_for(up.received.get(), TIMEOUT)
            await ws.send("live")
            await asyncio.wait_for(up.received.get(), TIMEOUT)
    line = (await relay_log.wait_for(r"connection 1 closed by .*")).group(0)
    sent = 6 if ending == "upstream opens" else 0
    assert f"client->upstream {sent} (5 queued before open)" in line, line


# -- freeing a closed connection at once -------------------------------------------------------


@pytest.mark.parametrize(
    "ending", ["client leaves", "upstream refuses", "queue overflows", "session ends"]
)
async def test_a_closed_connection_frees_its_queue_without_the_cycle_collector(
    gated: FakeUpstream,
    no_ambient_key: None,
    no_cycle_collection: None,
    traced: None,
    ending: str,
) -> None:
    """12 MiB queued before the upstream opens are freed as soon as the connection ends."""
    gated.echo = False
    frame = bytes(MiB)
    relay = WatchedRelay(upstream_url=gated.url, api_key=SERVER_KEY, port=0)
    await relay.start()
    try:
        baseline = traced_now()
        async with connect(relay.url, logger=CLIENT_LOGGER) as ws:
            await asyncio.wait_for(gated.request_seen.wait(), TIMEOUT)
            for _ in range(12):
                await ws.send(frame)
            await asyncio.wait_for(await ws.ping(), TIMEOUT)  # all 12 read by the relay
            held = traced_now() - baseline
            if ending == "client leaves":
                await ws.close()
            elif ending == "upstream refuses":
                gated.refuse_status = 401
                gated.gate.set()  # type: ignore[union-attr]
                assert (await closed_with(ws))[0] == 1008
            elif ending == "queue overflows":
                for _ in range(5):  # 17 MiB in all, past the 16 MiB default
                    await ws.send(frame)
                assert (await closed_with(ws))[0] == 1008
            else:
                gated.gate.set()  # type: ignore[union-attr]
                up = await gated.next_connection()
                for _ in range(12):
                    await asyncio.wait_for(up.received.get(), TIMEOUT)
                up.log.clear()  # the fake upstream is in this process too
                await ws.close()
        await relay.next_handled()
        left = traced_now() - baseline
    finally:
        await relay.stop()
    assert held >= 12 * MiB
    print(f"held {held / MiB:.2f} MiB, left {left / 1024:.1f} KiB")
    assert left < MiB // 2, f"{left / MiB:.1f} MiB still held after the close"
