"""WebRTC calls: an aiortc answerer that runs one simulator session per call.

What OpenAI's WebRTC guide and the openai SDK (``client.realtime.calls``) describe, and this
follows: the client posts an SDP offer (``POST /v1/realtime/calls``) and gets the SDP answer and a
call id; the session's events travel as JSON text on the data channel the client opened, labelled
``oai-events``; audio is Opus both ways (aiortc's codec, 48 kHz), converted at the edges to the
session's 24 kHz engine (:mod:`.rtc_media`). The microphone's audio feeds the session as
``input_audio_buffer.append`` would (VAD, commits, transcription), with no append events; the
response's audio plays on the call's track instead of ``response.output_audio.delta`` events,
through the output buffer that sends the WebRTC-only events (:mod:`.playout`).
``POST /v1/realtime/calls/{id}/hangup`` ends a call.

The HTTP routes are not here: :class:`CallRegistry` is what they call. Bounds: at most
``max_calls`` live calls; a call whose data channel has not opened ``connect_timeout_s`` after
the answer (ICE never connected, or no channel) is hung up; a failed or closed peer connection
hangs up; the client's unread events are capped (:data:`MAX_INBOUND_MESSAGES`) and so is what
waits to be sent to a client that stopped reading (:data:`MAX_BUFFERED_BYTES`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import av
from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from . import errors, ids
from .connection import Connection
from .peers import Peer, PeerClosed
from .playout import Playout
from .rtc_media import InboundAudio, PlayoutTrack

log = logging.getLogger(__name__)

EVENTS_LABEL = "oai-events"
MAX_CALLS = 32
CONNECT_TIMEOUT_S = 20.0
MAX_INBOUND_MESSAGES = 4096  # client events received but not yet handled
MAX_BUFFERED_BYTES = 16 * 1024 * 1024  # server events the client has not taken off the channel
MAX_OFFER_BYTES = 256 * 1024


class CallRejected(Exception):
    """A call that cannot be placed: the HTTP route answers ``status`` with :meth:`payload`."""

    def __init__(
        self, message: str, *, status: int = 400, code: str | None = None, param: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.param = param

    def payload(self) -> dict[str, Any]:
        """The error body, shaped as OpenAI's HTTP errors."""
        return {
            "error": {
                "message": self.message,
                "type": errors.INVALID_REQUEST,
                "code": self.code,
                "param": self.param,
            }
        }


class DataChannelPeer:
    """A :class:`~.peers.Peer` over the ``oai-events`` data channel (bound once it opens).

    ``on_close`` is called (once) when the session asks to close, when the client floods past
    :data:`MAX_INBOUND_MESSAGES` unhandled events, or stops reading past
    :data:`MAX_BUFFERED_BYTES`: the call hangs up."""

    def __init__(self, on_close: Callable[[str], None]) -> None:
        self._on_close = on_close
        self._queue: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self._channel: RTCDataChannel | None = None
        self._ended = False
        self.opened = asyncio.Event()

    @property
    def bound(self) -> bool:
        """Whether a data channel carries this peer."""
        return self._channel is not None

    @property
    def is_open(self) -> bool:
        """Whether events can be sent now."""
        channel = self._channel
        return not self._ended and channel is not None and channel.readyState == "open"

    def bind(self, channel: RTCDataChannel) -> None:
        """Carry the session on ``channel`` (the client's ``oai-events``)."""
        self._channel = channel
        channel.on("message", self._receive)
        channel.on("close", self.end)
        if channel.readyState == "open":
            self.opened.set()
        else:
            channel.on("open", self.opened.set)

    def end(self) -> None:
        """No more client events: the session's iteration ends."""
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(None)

    def _receive(self, message: str | bytes) -> None:
        if self._ended:
            return
        if self._queue.qsize() >= MAX_INBOUND_MESSAGES:
            self._give_up(f"more than {MAX_INBOUND_MESSAGES} client events waiting")
            return
        self._queue.put_nowait(message)

    def _give_up(self, reason: str) -> None:
        log.warning("simulator: hanging up a WebRTC call: %s", reason)
        self.end()
        self._on_close(reason)

    async def send(self, message: str) -> None:
        channel = self._channel
        if not self.is_open or channel is None:
            raise PeerClosed("the oai-events data channel is not open")
        if channel.bufferedAmount > MAX_BUFFERED_BYTES:
            self._give_up("the client stopped reading its events")
            raise PeerClosed("the client stopped reading its events")
        channel.send(message)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """The session closes (expiry): the call hangs up."""
        self.end()
        self._on_close(reason or f"session closed ({code})")

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        while True:
            message = await self._queue.get()
            if message is None:
                return
            yield message


class Call:
    """One WebRTC call: its peer connection, its session and its audio edges."""

    def __init__(
        self,
        pc: RTCPeerConnection,
        make_connection: Callable[[Peer], Connection],
        on_ended: Callable[[Call], None] = lambda call: None,
    ) -> None:
        self.id = ids.new_id("rtc")
        self._on_ended = on_ended
        self.pc = pc
        self.answer_sdp = ""
        self.peer = DataChannelPeer(self._peer_closed)
        self.connection = make_connection(self.peer)  # a sideband joins this session
        self.track: PlayoutTrack | None = None
        self.ended = asyncio.Event()
        self._ending = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session: asyncio.Task[None] | None = None
        self._buffer_full = False
        pc.on("datachannel", self._on_datachannel)
        pc.on("track", self._on_track)
        pc.on("connectionstatechange", self._on_state)

    def start(self, connect_timeout_s: float) -> None:
        """Run the session once the data channel opens; hang up if it has not in time."""
        self._session = self._spawn(self._run_session(connect_timeout_s))

    async def hangup(self) -> None:
        """End the call: the session, the track, the peer connection. Idempotent."""
        if self._ending:
            await self.ended.wait()
            return
        self._ending = True
        self.peer.end()
        if self.track is not None:
            self.track.stop()
        session = self._session
        current = asyncio.current_task()
        if session is not None and session is not current and not session.done():
            if not self.peer.opened.is_set():
                session.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(session), 5.0)
        for task in list(self._tasks):
            if task is not current and task is not session:
                task.cancel()
        await self.pc.close()
        self.ended.set()
        self._on_ended(self)

    # peer connection events ----------------------------------------------------------------
    def _peer_closed(self, reason: str) -> None:
        if not self._ending:
            self._spawn(self.hangup())

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        if channel.label == EVENTS_LABEL and not self.peer.bound and not self._ending:
            self.peer.bind(channel)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._spawn(self._pump(track))

    def _on_state(self) -> None:
        if self.pc.connectionState in ("failed", "closed") and not self._ending:
            self._spawn(self.hangup())

    # tasks ---------------------------------------------------------------------------------
    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run_session(self, connect_timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self.peer.opened.wait(), connect_timeout_s)
        except TimeoutError:
            log.info("simulator: WebRTC call %s never opened its data channel", self.id)
            self._spawn(self.hangup())
            return
        try:
            await self.connection.run()
        except PeerClosed:
            pass
        except Exception:
            log.exception("simulator: WebRTC call %s: session failed", self.id)
        finally:
            if not self._ending:
                self._spawn(self.hangup())

    async def _pump(self, track: MediaStreamTrack) -> None:
        """The client's microphone into the session, once the session runs."""
        inbound = InboundAudio()
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not self.peer.is_open:
                continue  # before session.created, or after the end: nobody to tell
            if not isinstance(frame, av.AudioFrame):
                continue
            pcm = inbound.convert(frame)
            if len(pcm):
                await self._feed(pcm)

    async def _feed(self, pcm: Any) -> None:
        """One block of input audio; a full input buffer is told once, then audio is dropped
        until it has room again."""
        try:
            await self.connection.feed_input_audio(pcm)
            self._buffer_full = False
        except errors.RealtimeError as error:
            if not self._buffer_full:
                self._buffer_full = True
                with contextlib.suppress(PeerClosed):
                    await self.connection.send_error(error)
        except PeerClosed:
            pass
        except Exception:
            log.exception("simulator: WebRTC call %s: input audio failed", self.id)


class CallRegistry:
    """The live WebRTC calls of one simulator (see the module docstring)."""

    def __init__(
        self, *, max_calls: int = MAX_CALLS, connect_timeout_s: float = CONNECT_TIMEOUT_S
    ) -> None:
        self.max_calls = max_calls
        self.connect_timeout_s = connect_timeout_s
        self._calls: dict[str, Call] = {}

    def __len__(self) -> int:
        return len(self._calls)

    def get(self, call_id: str) -> Call | None:
        """The live call with this id (a sideband attaches to ``call.connection``)."""
        return self._calls.get(call_id)

    async def place(
        self,
        offer_sdp: str,
        *,
        session: dict[str, Any] | None = None,
        make_connection: Callable[[Peer], Connection],
    ) -> Call:
        """Answer ``offer_sdp``; the call's session starts from ``session`` (a realtime session
        config, validated as ``session.update``'s). :class:`CallRejected` for a bad offer or
        session, or when ``max_calls`` calls are live."""
        if len(self._calls) >= self.max_calls:
            raise CallRejected(
                f"Too many concurrent calls: the limit is {self.max_calls}.",
                status=429,
                code="too_many_calls",
            )
        if not isinstance(offer_sdp, str) or not offer_sdp.strip():
            raise CallRejected("The SDP offer is empty.", code="invalid_offer", param="sdp")
        if len(offer_sdp) > MAX_OFFER_BYTES:
            raise CallRejected(
                f"The SDP offer is larger than {MAX_OFFER_BYTES} bytes.",
                code="invalid_offer",
                param="sdp",
            )
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # offline: host candidates
        try:
            call = Call(pc, make_connection, self._forget)
            if session is not None:
                call.connection.preset_session(session)
            await self._answer(call, offer_sdp)
        except errors.RealtimeError as error:
            await pc.close()
            raise CallRejected(error.message, code=error.code, param=error.param) from None
        except CallRejected:
            await pc.close()
            raise
        except Exception as exc:
            await pc.close()
            raise CallRejected(
                f"Invalid SDP offer: {exc}", code="invalid_offer", param="sdp"
            ) from None
        self._calls[call.id] = call
        call.start(self.connect_timeout_s)
        return call

    async def _answer(self, call: Call, offer_sdp: str) -> None:
        pc = call.pc
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        if not any(t.kind == "audio" for t in pc.getTransceivers()) and not offer_has_data(
            offer_sdp
        ):
            raise CallRejected(
                "The SDP offer has neither audio nor a data channel.", code="invalid_offer"
            )
        if any(t.kind == "audio" for t in pc.getTransceivers()):
            playout = Playout(call.connection)
            call.connection.audio_out = playout
            call.track = PlayoutTrack(playout)
            pc.addTrack(call.track)
        await pc.setLocalDescription(await pc.createAnswer())
        call.answer_sdp = pc.localDescription.sdp

    def _forget(self, call: Call) -> None:
        if self._calls.get(call.id) is call:
            del self._calls[call.id]
        log.info("call %s ended", call.id)

    async def hangup(self, call_id: str) -> bool:
        """End a live call; False for an unknown or ended one."""
        call = self._calls.pop(call_id, None)
        if call is None:
            return False
        await call.hangup()
        return True

    async def close(self) -> None:
        """Hang up every call (the simulator stops)."""
        calls = list(self._calls.values())
        self._calls.clear()
        await asyncio.gather(*(call.hangup() for call in calls), return_exceptions=True)


def offer_has_data(offer_sdp: str) -> bool:
    """Whether an SDP offer has a data channel (an ``m=application`` section)."""
    return any(line.startswith("m=application") for line in offer_sdp.splitlines())
