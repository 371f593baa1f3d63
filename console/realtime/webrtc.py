"""``RealtimeWebRTC``: a ``RealtimeAPI`` whose events travel on a WebRTC call's data channel.

Same interface and events as the WebSocket transport (``connect``, ``disconnect``, ``send``,
``server.*``, ``client.*``, ``close``, ``error``), so ``RealtimeClient``, the inspector and the
app do not see the difference. What differs, following OpenAI's WebRTC guide:

- ``connect`` mints an ephemeral secret with a standard key (``POST /realtime/client_secrets``,
  the session's ``type`` and ``model``), or uses an ``ek_`` key as given; it posts the SDP offer
  (``POST /realtime/calls``, ``application/sdp``), applies the 201's answer, keeps the call id
  from ``Location`` (``call_id``) and waits for the ``oai-events`` data channel to open.
- Events are the data channel's text messages, handled one per loop iteration as on the socket.
- Input audio goes on the offer's audio track (``send_audio``: 24 kHz in, 48 kHz Opus out), not
  in ``input_audio_buffer.append`` events; the server's track arrives as ``track.audio``
  ``{"audio": int16 24 kHz}`` (the server sends no audio deltas on the data channel).
- ``disconnect`` posts the hangup when there is a call id, then closes the peer connection.
  A connection that fails (ICE, DTLS) is ``connection_lost`` (code 1006) told in words; a data
  channel the server closes is the call's end (``close`` code 1000).

WebRTC speaks the GA dialect only. The key and the ``ek_`` secret are never logged or shown.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp
import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcdatachannel import RTCDataChannel

from .api import MAX_FRAME_BYTES, RealtimeAPI, RealtimeNotConnectedError, _connection_lost
from .dialects import DEFAULT_MODELS
from .event_handler import make_error
from .redaction import redact, safe_url
from .secrets import EPHEMERAL_PREFIX, http_base
from .send_queue import SendQueue
from .signalling import (
    SignallingError,
    create_client_secret,
    hang_up,
    post_offer,
)
from .utils import Int16Array
from .webrtc_audio import InboundAudio, OutboundAudioTrack

EVENTS_CHANNEL = "oai-events"
MAX_RECEIVED_BACKLOG = 10_000
"""Data channel messages waiting for the receive loop; past it the connection is failed."""
_HANGUP_TIMEOUT = aiohttp.ClientTimeout(total=2.0)
_LOST = "lost"
_ENDED = "ended"


class RealtimeWebRTC(RealtimeAPI):
    """A WebRTC call to a Realtime server: events on ``oai-events``, audio on the tracks."""

    transport = "webrtc"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Arguments as ``RealtimeAPI``'s (``url`` is the WebSocket URL the routes derive from)."""
        super().__init__(*args, **kwargs)
        self.call_id: str | None = None
        """The call's id from the ``Location`` of ``POST /realtime/calls`` (while connected)."""
        self._pc: RTCPeerConnection | None = None
        self._channel: RTCDataChannel | None = None
        self._token: str | None = None
        self._track: OutboundAudioTrack | None = None
        self._incoming: asyncio.Queue[str | None] | None = None
        self._end: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def is_connected(self) -> bool:
        """True from the data channel's opening until ``disconnect`` or the call's end."""
        return self._channel is not None

    @property
    def dropped_input_samples(self) -> int:
        """48 kHz input samples dropped because the outbound track fell behind."""
        return self._track.dropped_samples if self._track is not None else 0

    async def connect(self, model: str | None = None, *, timeout: float = 10.0) -> bool:
        """Place the call; raises ``ConnectionError`` with a readable reason on failure."""
        if self.is_connected():
            raise RuntimeError("Already connected")
        if self.dialect != "ga":
            raise ConnectionError("WebRTC calls speak the GA dialect only (not beta)")
        base = http_base(self.url)
        pc = RTCPeerConnection()
        try:
            async with (
                asyncio.timeout(timeout),
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
            ):
                token = await self._call_token(http, base, model)
                channel, track = self._prepare(pc)
                offer = await pc.createOffer()
                await pc.setLocalDescription(offer)
                answer = await post_offer(http, base, token, pc.localDescription.sdp)
                opened = asyncio.Event()
                channel.on("open", opened.set)
                await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))
                if channel.readyState != "open":
                    await opened.wait()
        except (SignallingError, ConnectionError) as exc:
            await _close_quietly(pc)
            raise ConnectionError(f'Could not call "{safe_url(base)}": {exc}') from None
        except TimeoutError:
            await _close_quietly(pc)
            raise ConnectionError(
                f'Could not call "{safe_url(base)}": no open data channel within {timeout:g} s'
            ) from None
        except Exception as exc:  # aiortc's own failures (bad SDP answer, ICE)
            await _close_quietly(pc)
            reason = redact(str(exc)) or type(exc).__name__
            raise ConnectionError(f'Could not call "{safe_url(base)}": {reason}') from None
        self._open(pc, channel, track, token, answer.call_id)
        self.log(f'Connected to "{safe_url(base)}" over WebRTC (call {answer.call_id})')
        return True

    async def _call_token(
        self, http: aiohttp.ClientSession, base: str, model: str | None
    ) -> str | None:
        """The bearer of the offer: an ``ek_`` key as given, else a secret minted with the key."""
        key = self._api_key
        if key is None or key.startswith(EPHEMERAL_PREFIX):
            return key
        if self.intent == "transcription":
            config: dict[str, Any] = {"type": "transcription"}
        else:
            config = {"type": "realtime", "model": model or self.model or DEFAULT_MODELS["ga"]}
        return await create_client_secret(base, key, config)

    def _prepare(self, pc: RTCPeerConnection) -> tuple[RTCDataChannel, OutboundAudioTrack]:
        """The offer's parts: our audio track, the events channel, the remote track's reader."""
        track = OutboundAudioTrack()
        pc.addTrack(track)
        channel = pc.createDataChannel(EVENTS_CHANNEL)
        # Messages can arrive before connect() returns (session.created comes at once): they
        # wait in this call's queue, which the receive loop drains once the call is open.
        incoming: asyncio.Queue[str | None] = asyncio.Queue()
        self._incoming = incoming
        channel.on("message", lambda message: self._on_message(incoming, channel, message))
        channel.on("close", lambda: self._on_ended(channel, _ENDED))

        @pc.on("track")
        def on_track(remote: MediaStreamTrack) -> None:
            if remote.kind == "audio":
                self._spawn(self._read_track(remote), "realtime-webrtc-audio")

        @pc.on("connectionstatechange")
        def on_state() -> None:
            if pc.connectionState == "failed":
                self._on_ended(channel, _LOST)

        return channel, track

    def _open(
        self,
        pc: RTCPeerConnection,
        channel: RTCDataChannel,
        track: OutboundAudioTrack,
        token: str | None,
        call_id: str,
    ) -> None:
        """Keep the call's parts and start its receive and send loops."""
        self._pc, self._channel, self._track = pc, channel, track
        self._token, self.call_id, self._end = token, call_id or None, None
        self._outgoing = SendQueue(self.max_queued_audio_bytes, self.max_queued_bytes)
        self._receiver = asyncio.create_task(self._receive(channel), name="realtime-receive")
        self._sender = asyncio.create_task(
            _send_loop(channel, self._outgoing), name="realtime-send"
        )

    def _spawn(self, coroutine: Any, name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- receiving ---------------------------------------------------------------------------

    def _on_message(
        self, queue: asyncio.Queue[str | None], channel: RTCDataChannel, message: str | bytes
    ) -> None:
        if queue is not self._incoming:
            return  # a call that is over
        if len(message) > MAX_FRAME_BYTES:
            mib = MAX_FRAME_BYTES // (1024 * 1024)
            text = f"a data channel message over {mib} MiB arrived and was dropped"
            self.dispatch("error", make_error("frame_too_large", text))
            return
        if queue.qsize() >= MAX_RECEIVED_BACKLOG:
            self._on_ended(channel, _LOST)
            return
        queue.put_nowait(message if isinstance(message, str) else message.decode(errors="replace"))

    def _on_ended(self, channel: RTCDataChannel, how: str) -> None:
        """The data channel closed or the connection failed: end the receive loop (once)."""
        if channel is self._channel and self._end is None and self._incoming is not None:
            self._end = how
            self._incoming.put_nowait(None)

    async def _receive(self, channel: RTCDataChannel) -> None:
        queue = self._incoming
        assert queue is not None
        while (message := await queue.get()) is not None:
            try:
                self.handle_frame(message)
            except Exception as exc:  # handle_frame reports bad frames; this is a bug of ours
                text = f"handling a data channel message failed: {exc!r}"
                self.dispatch("error", make_error("receive_failed", text, exception=exc))
            await asyncio.sleep(0)  # one loop iteration per message, as on the socket
        if self._channel is not channel:
            return  # disconnect() ended it and reports it
        lost = self._end == _LOST
        await self._teardown(hang_up_call=False)
        if lost:
            reason = "the WebRTC connection failed (ICE/DTLS) or fell behind"
            payload = _connection_lost(1006, reason)
            payload["message"] = f"call lost: {reason}"
            self.dispatch("error", payload)
            self.dispatch("close", {"error": True, "code": 1006, "reason": reason})
        else:
            reason = "the server ended the call (data channel closed)"
            self.dispatch("close", {"error": False, "code": 1000, "reason": reason})

    async def _read_track(self, remote: MediaStreamTrack) -> None:
        """Deliver the server's audio as ``track.audio`` at 24 kHz until the track ends."""
        inbound = InboundAudio()
        while True:
            try:
                frame = await remote.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame):
                continue
            samples = inbound.convert(frame)
            if len(samples) and self.is_connected():
                self.dispatch("track.audio", {"audio": samples})

    # -- sending -----------------------------------------------------------------------------

    def send_audio(self, samples: Int16Array) -> bool:
        """Queue 24 kHz int16 input audio on the call's outbound track."""
        track = self._track
        if not self.is_connected() or track is None:
            raise RealtimeNotConnectedError("RealtimeWebRTC is not connected")
        track.push(samples)
        return True

    # -- closing -----------------------------------------------------------------------------

    async def disconnect(self) -> bool:
        """Flush queued events (up to 2 s), hang up, close the call and dispatch ``close``."""
        channel, queue, receiver = self._channel, self._outgoing, self._receiver
        if channel is None:
            return True
        if queue is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(queue.join(), 2.0)
        await self._teardown(hang_up_call=True)
        if self._incoming is not None:
            self._incoming.put_nowait(None)
        if receiver is not None and receiver is not asyncio.current_task():
            with contextlib.suppress(asyncio.CancelledError):
                await receiver
        self.log("Disconnected from the WebRTC call")
        self.dispatch("close", {"error": False, "code": 1000, "reason": "client disconnect"})
        return True

    async def _teardown(self, *, hang_up_call: bool) -> None:
        """Forget the call's parts, then hang up (if asked) and close them."""
        pc, token, call_id = self._pc, self._token, self.call_id
        self._channel = self._pc = self._track = None
        self._token = self.call_id = None
        if self._sender is not None:
            self._sender.cancel()
        for task in list(self._tasks):
            task.cancel()
        bearer = self._api_key or token
        if hang_up_call and call_id:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with aiohttp.ClientSession(timeout=_HANGUP_TIMEOUT) as http:
                    await hang_up(http, http_base(self.url), bearer, call_id)
        await _close_quietly(pc)


async def _send_loop(channel: RTCDataChannel, queue: SendQueue) -> None:
    """Write queued events to the data channel in order (aiortc buffers them in SCTP)."""
    try:
        while True:
            frame = await queue.get()
            try:
                if channel.readyState != "open":
                    return
                channel.send(frame)
            finally:
                queue.done(frame)
    finally:
        queue.discard_all()


async def _close_quietly(pc: RTCPeerConnection | None) -> None:
    """Close a peer connection, ignoring its own failures."""
    if pc is not None:
        with contextlib.suppress(Exception):
            await pc.close()
