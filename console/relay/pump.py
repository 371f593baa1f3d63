"""Moving frames: the capped queue before the upstream opens, then one pump per direction.

Frames are forwarded as they are (text stays text, binary stays binary) and never parsed. While
the upstream handshake runs, client frames wait in a :class:`PendingFrames` queue capped in bytes
and frames; past the cap the client is closed with 1008 rather than letting one client hold
gigabytes. Queued frames are dropped from the queue as they are sent.

Nothing here keeps a task's exception in a local while another local refers back to the task:
a connection's frames and buffers are freed by reference counting the moment it ends, without
waiting for Python's cycle collector.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.typing import Data

from console.defaults import RELAY_MAX_QUEUE_BYTES, RELAY_MAX_QUEUE_FRAMES
from console.relay.client_socket import ClientClosed, ClientSocket
from console.relay.closes import forward_close

DEFAULT_MAX_QUEUE_BYTES = RELAY_MAX_QUEUE_BYTES
"""Default cap on what a client may send before the upstream opens: 16 MiB ..."""

DEFAULT_MAX_QUEUE_FRAMES = RELAY_MAX_QUEUE_FRAMES
"""... and 1,000 frames (a second of 10 ms audio appends is 100)."""


def frame_size(message: Data) -> int:
    """A frame's payload size in bytes (text counted as UTF-8, as on the wire)."""
    if isinstance(message, str):
        return len(message) if message.isascii() else len(message.encode("utf-8"))
    return len(message)


class PendingFrames:
    """Client frames held until the upstream opens, in order, capped in bytes and frames."""

    def __init__(self, max_bytes: int, max_frames: int) -> None:
        self.max_bytes = max_bytes
        self.max_frames = max_frames
        self._frames: deque[Data] = deque()
        self.size = 0
        """Bytes held now."""
        self.total_frames = 0
        """Frames ever queued (the close log's "queued before open")."""
        self.total_bytes = 0

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, message: Data) -> str | None:
        """Queue ``message``; return what is over the cap ("frames" or "bytes"), else None."""
        size = frame_size(message)
        self._frames.append(message)
        self.size += size
        self.total_frames += 1
        self.total_bytes += size
        if len(self._frames) > self.max_frames:
            return "frames"
        if self.size > self.max_bytes:
            return "bytes"
        return None

    def pop(self) -> Data | None:
        """The oldest frame, removed from the queue; None when empty."""
        if not self._frames:
            return None
        message = self._frames.popleft()
        self.size -= frame_size(message)
        return message

    def clear(self) -> None:
        """Drop every frame still held."""
        self._frames.clear()
        self.size = 0


@dataclass
class Stats:
    """Per-connection counters for the close log line."""

    to_upstream: int = 0
    to_client: int = 0
    closed_by: str = ""


@dataclass
class Opened:
    """The upstream opened; ``pending_recv`` is a client read still in flight (not cancelled,
    so no frame is lost), handed on to the client pump."""

    upstream: ClientConnection
    pending_recv: asyncio.Task[Data] | None


@dataclass
class ClientLeft:
    """The client closed (or was lost) before the upstream opened."""


@dataclass
class QueueFull:
    """The client sent more than the cap before the upstream opened; ``over`` is which cap."""

    over: str


@dataclass
class UpstreamFailed:
    """The upstream handshake failed with ``error`` (its traceback dropped)."""

    error: BaseException


Outcome = Opened | ClientLeft | QueueFull | UpstreamFailed


async def queue_until_open(
    client: ClientSocket,
    upstream_task: asyncio.Task[ClientConnection],
    pending: PendingFrames,
    on_queued: Callable[[PendingFrames], None] | None = None,
) -> Outcome:
    """Read client frames into ``pending`` until the upstream opens, fails, or the cap is hit.

    Outcomes are returned, not raised: a raised exception's traceback would keep this frame, and
    with it the queue and the tasks, alive in a reference cycle. On every outcome but
    :class:`Opened`, the upstream task is left to the caller and no client read is in flight.
    """
    recv: asyncio.Task[Data] | None = None
    try:
        while not upstream_task.done():
            if recv is None:
                recv = asyncio.create_task(client.recv())
            await asyncio.wait({recv, upstream_task}, return_when=asyncio.FIRST_COMPLETED)
            if not recv.done():
                continue
            if recv.cancelled() or recv.exception() is not None:
                recv = None
                return ClientLeft()
            over = pending.push(recv.result())
            recv = None
            if on_queued is not None:
                on_queued(pending)
            if over is not None:
                return QueueFull(over)
        error = upstream_task.exception()
        if error is not None:
            error.__traceback__ = None
            return UpstreamFailed(error)
        opened = Opened(upstream_task.result(), recv)
        recv = None  # handed on
        return opened
    finally:
        if recv is not None:  # cancelled, or an outcome other than Opened: stop reading
            recv.cancel()
            with contextlib.suppress(BaseException):
                await recv
            recv = None


async def relay_both_ways(
    client: ClientSocket,
    upstream: ClientConnection,
    pending_recv: asyncio.Task[Data] | None,
    pending: PendingFrames,
    stats: Stats,
) -> None:
    """Flush the queue, pump both directions, and close each side when the other closes."""
    to_upstream = asyncio.create_task(_pump_client(client, upstream, pending_recv, pending, stats))
    to_client = asyncio.create_task(_pump_upstream(upstream, client, stats))
    pending_recv = None
    reader_of = {"client": to_upstream, "upstream": to_client}
    closed_side = "upstream"
    try:
        done, _ = await asyncio.wait({to_upstream, to_client}, return_when=asyncio.FIRST_COMPLETED)
        closed_side = next(iter(done)).result()
        # The pump reading from the closed side drains what that side sent before closing
        # (an upstream's last error event, a client's last frame) before anything is closed.
        reader = reader_of[closed_side]
        if not reader.done():
            await reader
    finally:
        for task in (to_upstream, to_client):
            task.cancel()
        for task in (to_upstream, to_client):
            with contextlib.suppress(BaseException):
                await task
        reader_of.clear()
        pending.clear()
    stats.closed_by = closed_side
    if closed_side == "client":
        await client.wait_closed()
        await forward_close(client, upstream, closed_side)
    else:
        await upstream.wait_closed()
        await forward_close(upstream, client, closed_side)


async def _pump_client(
    client: ClientSocket,
    upstream: ClientConnection,
    pending_recv: asyncio.Task[Data] | None,
    pending: PendingFrames,
    stats: Stats,
) -> str:
    """Client to upstream: queued frames first, then live ones. Returns the side that closed."""
    message: Data | None
    try:
        while (message := pending.pop()) is not None:
            await upstream.send(message)
            stats.to_upstream += 1
    except ConnectionClosed:
        return "upstream"
    while True:
        try:
            if pending_recv is not None:
                task, pending_recv = pending_recv, None
                message = await task
                del task
            else:
                message = await client.recv()
        except ClientClosed:
            return "client"
        try:
            await upstream.send(message)
        except ConnectionClosed:
            return "upstream"
        stats.to_upstream += 1
        message = None


async def _pump_upstream(upstream: ClientConnection, client: ClientSocket, stats: Stats) -> str:
    """Upstream to client, frame for frame. Returns the side that closed."""
    message: Data | None
    while True:
        try:
            message = await upstream.recv()
        except ConnectionClosed:
            return "upstream"
        try:
            await client.send(message)
        except ClientClosed:
            return "client"
        stats.to_client += 1
        message = None
