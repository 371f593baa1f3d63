"""The WebRTC transport against the simulator's own call answerer (``CallRegistry``).

The simulator's HTTP routes are another branch's (issue 14); until they are merged, a two-route
aiohttp app here stands in for them and hands the offer to the real ``CallRegistry``: the
simulator's engine answers (VAD, turns, the paced Opus playout and ``output_audio_buffer``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import numpy as np
import pytest
from aiohttp import web

from console.realtime import RealtimeClient
from console.simulator.connection import Connection
from console.simulator.dialect import GA
from console.simulator.peers import Peer
from console.simulator.webrtc import CallRegistry, CallRejected
from tests.realtime.helpers import Recorder

TIMEOUT = 15.0


def _connection(peer: Peer) -> Connection:
    return Connection(peer, GA, "gpt-realtime", "fast", None)


class CallRoutes:
    """``POST /v1/realtime/calls`` and its hangup in front of a ``CallRegistry``."""

    def __init__(self) -> None:
        self.registry = CallRegistry(connect_timeout_s=10)
        self.hung_up: list[str] = []
        app = web.Application()
        app.router.add_post("/v1/realtime/calls", self.create)
        app.router.add_post("/v1/realtime/calls/{call_id}/hangup", self.hangup)
        self.runner = web.AppRunner(app)
        self.url = ""

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"ws://127.0.0.1:{port}/v1/realtime"

    async def create(self, request: web.Request) -> web.Response:
        try:
            call = await self.registry.place(await request.text(), make_connection=_connection)
        except CallRejected as rejected:
            return web.json_response(rejected.payload(), status=rejected.status)
        headers = {"Location": f"/v1/realtime/calls/{call.id}"}
        return web.Response(
            status=201, text=call.answer_sdp, content_type="application/sdp", headers=headers
        )

    async def hangup(self, request: web.Request) -> web.Response:
        call_id = request.match_info["call_id"]
        self.hung_up.append(call_id)
        found = await self.registry.hangup(call_id)
        return web.Response(status=200 if found else 404)


@pytest.fixture
async def routes() -> AsyncIterator[CallRoutes]:
    server = CallRoutes()
    await server.start()
    yield server
    await server.registry.close()
    await server.runner.cleanup()


def _recorder(client: RealtimeClient) -> Recorder:
    return Recorder(client, "realtime.event", "conversation.item.completed", "error", "close")


def _server_types(recorder: Recorder) -> list[str]:
    events = recorder.events["realtime.event"]
    return [r["event"]["type"] for r in events if r["source"] == "server"]


def _dbfs(audio: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    return 20 * np.log10(max(rms, 1e-9) / 32768)


async def _reply(recorder: Recorder) -> dict:
    items = await recorder.wait_for(
        lambda: [
            r["item"]
            for r in recorder.events["conversation.item.completed"]
            if r["item"]["role"] == "assistant"
        ],
        TIMEOUT,
        "the assistant's item",
    )
    await recorder.wait_for(
        lambda: "output_audio_buffer.stopped" in _server_types(recorder), TIMEOUT, "stopped"
    )
    return items[0]


async def test_a_text_turn_with_its_audio_from_the_simulator(routes: CallRoutes) -> None:
    client = RealtimeClient(routes.url, None, transport="webrtc")
    recorder = _recorder(client)
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        client.send_user_message_content([{"type": "input_text", "text": "Hello simulator"}])
        item = await _reply(recorder)
        assert item["formatted"]["transcript"]
        audio = client.conversation.get_item(item["id"])["formatted"]["audio"]
        assert len(audio) > 0.2 * 24_000 and _dbfs(audio) > -40
        assert "response.output_audio.delta" not in _server_types(recorder)
        assert not recorder.events["error"]
        call_id = client.realtime.call_id  # type: ignore[attr-defined]
    finally:
        await client.disconnect()
    assert routes.hung_up == [call_id]
    assert recorder.events["close"][-1]["code"] == 1000


async def test_an_audio_turn_from_the_microphone_track(routes: CallRoutes) -> None:
    client = RealtimeClient(routes.url, None, transport="webrtc")
    client.update_session(turn_detection={"type": "server_vad"})
    recorder = _recorder(client)
    await client.connect()
    try:
        assert await client.wait_for_session_created(TIMEOUT)
        t = np.arange(24_000) / 24_000
        tone = (np.sin(2 * np.pi * 440 * t) * 0.316 * 32767).astype(np.int16)
        speech = np.concatenate([tone, np.zeros(19_200, np.int16)])
        for start in range(0, len(speech), 480):
            client.append_input_audio(speech[start : start + 480])
        await recorder.wait_for(
            lambda: "input_audio_buffer.speech_stopped" in _server_types(recorder),
            TIMEOUT,
            "speech_stopped",
        )
        item = await _reply(recorder)
        audio = client.conversation.get_item(item["id"])["formatted"]["audio"]
        assert _dbfs(audio) > -40
        user = [r["item"] for r in recorder.events["conversation.item.completed"]]
        assert user[0]["role"] == "user"
        assert len(user[0]["formatted"]["audio"]) > 0.8 * 24_000  # the speech, kept locally
    finally:
        await client.disconnect()
