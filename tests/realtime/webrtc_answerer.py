"""A small, independent WebRTC Realtime server for the transport's tests (aiohttp + aiortc).

It serves what OpenAI's WebRTC guide describes, and nothing of our library: ``POST
/v1/realtime/client_secrets`` (with the key) mints ``ek_`` secrets; ``POST /v1/realtime/calls``
(an ``application/sdp`` offer with a secret or the key) answers 201 with the SDP answer and
``Location: /v1/realtime/calls/{id}``; ``POST …/hangup`` ends the call. On the ``oai-events``
channel it sends ``session.created``, echoes session updates and items, and answers
``response.create`` with a transcript in deltas and a 48 kHz tone on its track, framed by
``output_audio_buffer.started``/``stopped`` as OpenAI does over WebRTC (no audio deltas).
It records the peak of the caller's audio so a test can see the microphone arrived.
"""

from __future__ import annotations

import asyncio
import fractions
import itertools
import json
import re
import time
from collections import deque
from typing import Any

import numpy as np
from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from tests.realtime.scripted_shapes import response_shape, session_shape

KEY = "sk-test-webrtc-key-0123456789"
RATE = 48_000
FRAME = 960
_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


class ToneTrack(MediaStreamTrack):
    """The server's audio track: queued tone frames in real time, silence otherwise."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.frames: deque[np.ndarray] = deque()
        self.on_drained: list[Any] = []
        self._start = 0.0
        self._pts: int | None = None

    def play(self, seconds: float, on_drained: Any) -> None:
        t = np.arange(int(seconds * RATE)) / RATE
        tone = (np.sin(2 * np.pi * 440.0 * t) * 12000).astype(np.int16)
        for start in range(0, len(tone) - FRAME + 1, FRAME):
            self.frames.append(tone[start : start + FRAME])
        self.on_drained.append(on_drained)

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._pts is None:
            self._start, self._pts = time.monotonic(), 0
        else:
            self._pts += FRAME
            delay = self._start + self._pts / RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)  # RTP pacing
        if self.frames:
            samples = self.frames.popleft()
            if not self.frames:
                for callback in self.on_drained:
                    callback()
                self.on_drained.clear()
        else:
            samples = np.zeros(FRAME, dtype=np.int16)
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.pts, frame.sample_rate = self._pts, RATE
        frame.time_base = fractions.Fraction(1, RATE)
        return frame


class Call:
    """One call: its peer connection, events channel and tracks."""

    def __init__(self, server: WebRTCAnswerer) -> None:
        self.server = server
        self.id = _id("rtc_")
        self.pc = RTCPeerConnection()
        self.track = ToneTrack()
        self.channel: Any = None
        self.received: list[dict[str, Any]] = []
        self.input_peak = 0
        self.hung_up = False
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, event: dict[str, Any]) -> None:
        if self.channel is not None and self.channel.readyState == "open":
            self.channel.send(json.dumps({"event_id": _id("event_"), **event}))

    def on_message(self, message: str) -> None:
        event = json.loads(message)
        self.received.append(event)
        self.server.changed.set()
        kind = event.get("type")
        if kind == "session.update":
            session = session_shape("/v1/realtime", False) | event.get("session", {})
            self.send({"type": "session.updated", "session": session})
        elif kind == "conversation.item.create":
            item = {"id": _id("item_"), "object": "realtime.item", "status": "completed"}
            item |= event["item"]
            self.send({"type": "conversation.item.added", "previous_item_id": None, "item": item})
            self.send({"type": "conversation.item.done", "previous_item_id": None, "item": item})
        elif kind == "response.create":
            self.respond()

    def respond(self) -> None:
        rid, iid = _id("resp_"), _id("item_")
        base = {"response_id": rid, "item_id": iid, "output_index": 0}
        item = {"id": iid, "object": "realtime.item", "type": "message", "role": "assistant"}
        item |= {"status": "in_progress", "content": []}
        self.send(
            {"type": "response.created", "response": response_shape(False, rid, "in_progress", [])}
        )
        ref = {"response_id": rid, "output_index": 0}
        self.send({"type": "response.output_item.added", **ref, "item": item})
        self.send({"type": "conversation.item.added", "previous_item_id": None, "item": item})
        part = {"type": "output_audio", "transcript": ""}
        self.send({"type": "response.content_part.added", **base, "content_index": 0, "part": part})
        self.send({"type": "output_audio_buffer.started", "response_id": rid})
        words = ["Hello", " from", " WebRTC."]
        for word in words:
            self.send(
                {
                    "type": "response.output_audio_transcript.delta",
                    **base,
                    "content_index": 0,
                    "delta": word,
                }
            )
        transcript = "".join(words)
        self.send(
            {
                "type": "response.output_audio_transcript.done",
                **base,
                "content_index": 0,
                "transcript": transcript,
            }
        )
        part = {"type": "output_audio", "transcript": transcript}
        self.send({"type": "response.content_part.done", **base, "content_index": 0, "part": part})
        done = item | {"status": "completed", "content": [part]}
        self.send({"type": "response.output_item.done", **ref, "item": done})
        self.send({"type": "conversation.item.done", "previous_item_id": None, "item": done})
        self.send(
            {"type": "response.done", "response": response_shape(False, rid, "completed", [done])}
        )

        def drained() -> None:
            self.send({"type": "output_audio_buffer.stopped", "response_id": rid})

        self.track.play(0.4, drained)

    async def read_input(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            peak = int(np.abs(frame.to_ndarray().astype(np.int32)).max())
            if peak > self.input_peak:
                self.input_peak = peak
                self.server.changed.set()

    async def answer(self, offer: str) -> str:
        @self.pc.on("datachannel")
        def on_channel(channel: Any) -> None:
            if channel.label != "oai-events":
                return
            self.channel = channel
            channel.on("message", self.on_message)
            session = session_shape("/v1/realtime", False)
            self.send({"type": "session.created", "session": session})

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.ensure_future(self.read_input(track))
            self._tasks.add(task)

        self.pc.addTrack(self.track)
        await self.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return str(self.pc.localDescription.sdp)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.pc.close()


class WebRTCAnswerer:
    """The HTTP routes and the calls; ``url`` is the WebSocket-style URL clients are given."""

    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self.secrets: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.changed = asyncio.Event()
        self.drop_next_answer = False
        self.require_key = True
        app = web.Application()
        app.router.add_post("/v1/realtime/client_secrets", self.client_secret)
        app.router.add_post("/v1/realtime/calls", self.create_call)
        app.router.add_post("/v1/realtime/calls/{call_id}/hangup", self.hangup)
        self._runner = web.AppRunner(app)
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for call in self.calls.values():
            await call.close()
        await self._runner.cleanup()

    def _bearer(self, request: web.Request) -> str:
        self.requests.append((request.path, dict(request.headers)))
        return request.headers.get("Authorization", "").removeprefix("Bearer ")

    @staticmethod
    def _refuse(message: str) -> web.Response:
        body = {
            "error": {
                "type": "invalid_request_error",
                "code": "invalid_api_key",
                "message": message,
            }
        }
        return web.json_response(body, status=401)

    async def client_secret(self, request: web.Request) -> web.Response:
        if self._bearer(request) != KEY:
            return self._refuse("Incorrect API key provided")
        body = await request.json()
        value = f"ek_{_id('secret')}abcdef"
        self.secrets[value] = body.get("session", {})
        return web.json_response(
            {"value": value, "expires_at": 2_000_000_000, "session": body.get("session")}
        )

    async def create_call(self, request: web.Request) -> web.Response:
        token = self._bearer(request)
        if self.require_key and token != KEY and token not in self.secrets:
            return self._refuse("Invalid ephemeral key")
        if request.content_type != "application/sdp":
            return web.json_response({"error": {"message": "expected application/sdp"}}, status=400)
        call = Call(self)
        answer = await call.answer(await request.text())
        self.calls[call.id] = call
        if self.drop_next_answer:  # a wrong ICE password: no check succeeds, the call never opens
            self.drop_next_answer = False
            answer = re.sub(r"a=ice-pwd:\S+", "a=ice-pwd:" + "x" * 24, answer)
        headers = {"Location": f"/v1/realtime/calls/{call.id}"}
        return web.Response(
            status=201, text=answer, content_type="application/sdp", headers=headers
        )

    async def hangup(self, request: web.Request) -> web.Response:
        self._bearer(request)
        call = self.calls.get(request.match_info["call_id"])
        if call is None:
            return web.json_response({"error": {"message": "unknown call"}}, status=404)
        call.hung_up = True
        self.changed.set()
        await call.close()
        return web.Response(status=200)

    async def wait(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Wait until ``predicate()`` holds (re-checked whenever the server records something)."""

        async def poll() -> Any:
            while not (result := predicate()):
                self.changed.clear()
                await self.changed.wait()
            return result

        return await asyncio.wait_for(poll(), timeout)
