"""The WebRTC transport against an independent aiortc answerer (``webrtc_answerer``): the call
is placed through HTTP, events ride the ``oai-events`` channel and audio the tracks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import numpy as np
import pytest

from console.realtime import RealtimeClient
from console.realtime.secrets import http_base
from tests.realtime.helpers import Recorder
from tests.realtime.webrtc_answerer import KEY, WebRTCAnswerer

TIMEOUT = 10.0


@pytest.fixture
async def answerer() -> AsyncIterator[WebRTCAnswerer]:
    server = WebRTCAnswerer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(answerer: WebRTCAnswerer) -> AsyncIterator[RealtimeClient]:
    client = RealtimeClient(answerer.url, KEY, transport="webrtc")
    yield client
    await client.disconnect()


def _recorder(client: RealtimeClient) -> Recorder:
    return Recorder(
        client,
        "realtime.event",
        "conversation.updated",
        "conversation.item.completed",
        "error",
        "close",
    )


def _server_types(recorder: Recorder) -> list[str]:
    return [
        r["event"]["type"] for r in recorder.events["realtime.event"] if r["source"] == "server"
    ]


def test_http_routes_derive_from_the_websocket_url() -> None:
    assert http_base("ws://127.0.0.1:8080/v1/realtime") == "http://127.0.0.1:8080/v1"
    assert http_base("wss://api.openai.com/v1/realtime?model=gpt-realtime") == (
        "https://api.openai.com/v1"
    )
    assert http_base("wss://user:pw@h/v1/realtime/") == "https://h/v1"


async def test_a_typed_message_gets_its_reply_with_audio_from_the_track(
    answerer: WebRTCAnswerer, client: RealtimeClient
) -> None:
    recorder = _recorder(client)
    await client.connect()
    assert client.realtime.transport == "webrtc"
    await recorder.wait_for(lambda: "session.created" in _server_types(recorder), TIMEOUT)
    # A standard key mints an ephemeral secret first; the offer carries that secret.
    assert answerer.secrets
    calls = [headers for path, headers in answerer.requests if path == "/v1/realtime/calls"]
    assert calls[0]["Authorization"].startswith("Bearer ek_")
    assert calls[0]["Content-Type"] == "application/sdp"
    assert client.realtime.call_id in answerer.calls  # type: ignore[attr-defined]

    client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
    completed = await recorder.wait_for(
        lambda: [
            r["item"]
            for r in recorder.events["conversation.item.completed"]
            if r["item"]["role"] == "assistant"
        ],
        TIMEOUT,
        "the assistant item",
    )
    assert completed[0]["formatted"]["transcript"] == "Hello from WebRTC."
    await recorder.wait_for(
        lambda: "output_audio_buffer.stopped" in _server_types(recorder), TIMEOUT
    )
    audio = client.conversation.get_item(completed[0]["id"])["formatted"]["audio"]
    assert len(audio) >= 0.3 * 24_000  # 0.4 s played; the resampler's delay may hold a little
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    assert 20 * np.log10(rms / 32768) > -40
    deltas = [r for r in recorder.events["conversation.updated"] if "audio" in (r["delta"] or {})]
    assert deltas  # the speaker path (conversation.updated audio deltas) is fed from the track
    assert not recorder.events["error"]


async def test_microphone_audio_goes_on_the_track_not_in_events(
    answerer: WebRTCAnswerer, client: RealtimeClient
) -> None:
    recorder = _recorder(client)
    await client.connect()
    t = np.arange(12_000) / 24_000
    tone = (np.sin(2 * np.pi * 300 * t) * 10_000).astype(np.int16)
    for start in range(0, len(tone), 480):
        assert client.append_input_audio(tone[start : start + 480])
    call = answerer.calls[client.realtime.call_id]  # type: ignore[attr-defined]
    await answerer.wait(lambda: call.input_peak > 5_000, TIMEOUT)
    sent = [
        r["event"]["type"] for r in recorder.events["realtime.event"] if r["source"] == "client"
    ]
    assert "input_audio_buffer.append" not in sent
    assert client.input_audio_buffer.pending_samples == len(tone)  # kept for formatted.audio


async def test_disconnect_hangs_up_and_closes_cleanly(
    answerer: WebRTCAnswerer, client: RealtimeClient
) -> None:
    recorder = _recorder(client)
    await client.connect()
    call = answerer.calls[client.realtime.call_id]  # type: ignore[attr-defined]
    await client.disconnect()
    assert call.hung_up
    assert not client.is_connected()
    assert recorder.events["close"][-1]["code"] == 1000
    assert not recorder.events["error"]


async def test_an_ek_token_is_used_as_given(answerer: WebRTCAnswerer) -> None:
    minter = RealtimeClient(answerer.url, KEY, transport="webrtc")
    await minter.connect()
    await minter.disconnect()
    secret = next(iter(answerer.secrets))
    answerer.requests.clear()
    client = RealtimeClient(answerer.url, secret, transport="webrtc")
    await client.connect()
    try:
        paths = [path for path, _ in answerer.requests]
        assert paths == ["/v1/realtime/calls"]
        assert answerer.requests[0][1]["Authorization"] == f"Bearer {secret}"
    finally:
        await client.disconnect()


async def test_a_refused_key_is_a_readable_error_without_the_key(
    answerer: WebRTCAnswerer,
) -> None:
    bad = "sk-wrong-key-abcdefghijkl"
    client = RealtimeClient(answerer.url, bad, transport="webrtc")
    with pytest.raises(ConnectionError) as caught:
        await client.connect()
    message = str(caught.value)
    assert "client secret" in message and "401" in message
    assert bad not in message
    assert not client.is_connected()


async def test_a_call_that_never_opens_fails_within_the_timeout(
    answerer: WebRTCAnswerer,
) -> None:
    answerer.drop_next_answer = True
    client = RealtimeClient(answerer.url, KEY, transport="webrtc")
    with pytest.raises(ConnectionError, match="Could not call"):
        await client.connect(timeout=3.0)
    assert not client.is_connected()


async def test_the_server_ending_the_call_is_told(
    answerer: WebRTCAnswerer, client: RealtimeClient
) -> None:
    recorder = _recorder(client)
    await client.connect()
    await recorder.wait_for(lambda: "session.created" in _server_types(recorder), TIMEOUT)
    await answerer.calls[client.realtime.call_id].close()  # type: ignore[attr-defined]
    closes = await recorder.count("close", 1, TIMEOUT)
    assert "ended the call" in closes[0]["reason"]
    assert not client.is_connected()


async def test_neither_key_nor_secret_reaches_the_logs(
    answerer: WebRTCAnswerer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = RealtimeClient(answerer.url, KEY, transport="webrtc", debug=True)
    recorder = _recorder(client)
    await client.connect()
    client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
    await recorder.wait_for(
        lambda: "response.done" in _server_types(recorder), TIMEOUT, "response.done"
    )
    await client.disconnect()
    secret = next(iter(answerer.secrets))
    text = caplog.text + repr(client.realtime) + repr(recorder.events)
    assert KEY not in text
    assert secret not in text


async def test_without_a_key_the_offer_carries_no_authorization(answerer: WebRTCAnswerer) -> None:
    answerer.require_key = False
    client = RealtimeClient(answerer.url, None, transport="webrtc")
    await client.connect()
    try:
        assert [path for path, _ in answerer.requests] == ["/v1/realtime/calls"]
        assert "Authorization" not in answerer.requests[0][1]
    finally:
        await client.disconnect()
