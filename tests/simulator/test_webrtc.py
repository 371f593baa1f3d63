"""WebRTC calls: an independent aiortc client places calls through the registry over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from console.simulator import SimulatorServer
from console.simulator.connection import Connection
from console.simulator.dialect import GA
from console.simulator.peers import Peer
from console.simulator.webrtc import Call, CallRegistry, CallRejected

from .helpers import Client, validate
from .rtc_client import RtcClient

LONG = " ".join(["word"] * 40)  # echoed back: a reply of about ten seconds


def make_connection(peer: Peer) -> Connection:
    return Connection(peer, GA, "gpt-realtime", "fast", None)


def make_paced_connection(peer: Peer) -> Connection:
    return Connection(peer, GA, "gpt-realtime", "realtime", None)


@pytest.fixture
async def registry() -> AsyncIterator[CallRegistry]:
    reg = CallRegistry(connect_timeout_s=10)
    yield reg
    await reg.close()


@pytest.fixture
async def client() -> AsyncIterator[RtcClient]:
    rtc = RtcClient()
    yield rtc
    await rtc.close()


async def connect(
    registry: CallRegistry,
    client: RtcClient,
    make: Callable[[Peer], Connection] = make_connection,
    **session: object,
) -> Call:
    call = await registry.place(await client.offer(), session=session or None, make_connection=make)
    await client.accept(call.answer_sdp)
    await client.wait_for("session.created")
    return call


def say(client: RtcClient, text: str) -> None:
    client.send(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            },
        }
    )
    client.send({"type": "response.create"})


async def test_text_turn_over_the_data_channel(registry: CallRegistry, client: RtcClient) -> None:
    call = await connect(registry, client)
    assert call.id.startswith("rtc_") and registry.get(call.id) is call
    say(client, "hello there")
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "completed"
    types = client.types()
    assert "response.output_audio_transcript.delta" in types
    assert "response.output_audio.delta" not in types  # the audio rides RTP
    await client.wait_for("output_audio_buffer.stopped")
    types = client.types()
    started = types.index("output_audio_buffer.started")
    assert types.index("response.content_part.added") < started
    assert types.index("response.done") < types.index("output_audio_buffer.stopped")
    await asyncio.wait_for(client.loud.wait(), 5)  # the reply was heard on the track
    for event in client.events:  # the SDK's models accept every event, the WebRTC-only too
        validate("ga", event)


async def test_text_only_response_has_no_output_buffer(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client, type="realtime", output_modalities=["text"])
    say(client, "hello")
    await client.wait_for("response.done")
    assert "response.output_text.delta" in client.types()
    assert not any(t.startswith("output_audio_buffer.") for t in client.types())


async def test_audio_turn_from_the_microphone_track(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client)
    assert client.mic is not None
    client.mic.play(1.0)
    await client.wait_for("input_audio_buffer.speech_started")
    stopped = await client.wait_for("input_audio_buffer.speech_stopped", timeout=10)
    started = next(e for e in client.events if e["type"] == "input_audio_buffer.speech_started")
    heard_ms = stopped["audio_end_ms"] - started["audio_start_ms"]
    assert 900 <= heard_ms <= 1600  # the tone (plus VAD padding), at the engine's rate
    await client.wait_for("input_audio_buffer.committed")
    done = await client.wait_for("response.done", timeout=10)
    assert done["response"]["status"] == "completed"
    assert "response.output_audio.delta" not in client.types()
    await asyncio.wait_for(client.loud.wait(), 5)
    assert client.peak_dbfs > -40


async def test_barge_in_clears_and_truncates_what_played(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client)
    say(client, LONG)
    await client.wait_for("output_audio_buffer.started")
    await asyncio.wait_for(client.loud.wait(), 5)
    assert client.mic is not None
    client.mic.play(0.6)
    cleared = await client.wait_for("output_audio_buffer.cleared", timeout=10)
    truncated = await client.wait_for("conversation.item.truncated")
    types = client.types()
    assert types.index("input_audio_buffer.speech_started") < types.index(
        "output_audio_buffer.cleared"
    )
    assert types.index("output_audio_buffer.cleared") < types.index("conversation.item.truncated")
    assert "output_audio_buffer.stopped" not in types
    first = next(e for e in client.events if e["type"] == "response.created")["response"]["id"]
    assert cleared["response_id"] == first
    # the reply (about ten seconds) was cut at what had played: more than nothing, far less than all
    assert 100 < truncated["audio_end_ms"] < 8000
    assert truncated["content_index"] == 0


async def test_client_clear_cuts_the_playing_audio(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client, type="realtime", audio={"input": {"turn_detection": None}})
    say(client, LONG)
    await client.wait_for("output_audio_buffer.started")
    client.send({"type": "output_audio_buffer.clear", "event_id": "clear1"})
    cleared = await client.wait_for("output_audio_buffer.cleared")
    truncated = await client.wait_for("conversation.item.truncated")
    assert truncated["audio_end_ms"] < 8000
    assert cleared["response_id"].startswith("resp_")
    assert "error" not in client.types()
    item = truncated["item_id"]
    client.send({"type": "conversation.item.retrieve", "item_id": item})
    retrieved = await client.wait_for("conversation.item.retrieved")
    assert retrieved["item"]["content"][0]["transcript"] == ""


async def test_hangup_ends_the_call(registry: CallRegistry, client: RtcClient) -> None:
    call = await connect(registry, client)
    assert await registry.hangup(call.id)
    await asyncio.wait_for(client.closed.wait(), 10)
    assert call.ended.is_set()
    assert call.pc.connectionState == "closed"
    assert call.track is not None and call.track.readyState == "ended"
    assert registry.get(call.id) is None and len(registry) == 0
    assert not await registry.hangup(call.id)


async def test_barge_in_while_generating_cancels_then_truncates(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client, make_paced_connection)
    say(client, LONG)
    await client.wait_for("output_audio_buffer.started")
    await asyncio.wait_for(client.loud.wait(), 5)
    assert client.mic is not None
    client.mic.play(0.6)
    done = await client.wait_for("response.done", timeout=10)
    assert done["response"]["status_details"]["reason"] == "turn_detected"
    types = client.types()
    order = [
        "input_audio_buffer.speech_started",
        "output_audio_buffer.cleared",
        "conversation.item.truncated",
        "response.done",
    ]
    assert [types.index(t) for t in order] == sorted(types.index(t) for t in order)
    truncated = await client.wait_for("conversation.item.truncated")
    assert 100 < truncated["audio_end_ms"] < 3000


async def test_clear_with_nothing_playing_is_quiet(
    registry: CallRegistry, client: RtcClient
) -> None:
    await connect(registry, client)
    client.send({"type": "output_audio_buffer.clear"})
    client.send({"type": "conversation.item.retrieve", "item_id": "nope"})  # a marker after it
    await client.wait_for("error")
    assert [e["error"]["param"] for e in client.events if e["type"] == "error"] == ["item_id"]
    assert not any(t.startswith("output_audio_buffer.") for t in client.types())


async def test_a_call_that_never_connects_is_cleaned_up(client: RtcClient) -> None:
    registry = CallRegistry(connect_timeout_s=0.5)
    call = await registry.place(await client.offer(), make_connection=make_connection)
    assert len(registry) == 1
    await asyncio.wait_for(call.ended.wait(), 10)  # the answer was never applied
    assert len(registry) == 0 and call.pc.connectionState == "closed"


async def test_bad_offers_and_sessions_are_refused(registry: CallRegistry) -> None:
    with pytest.raises(CallRejected) as empty:
        await registry.place("", make_connection=make_connection)
    assert empty.value.status == 400 and empty.value.payload()["error"]["code"] == "invalid_offer"
    with pytest.raises(CallRejected) as garbage:
        await registry.place("v=0\r\nnot an offer\r\n", make_connection=make_connection)
    assert garbage.value.status == 400 and "SDP offer" in garbage.value.message
    rtc = RtcClient()
    try:
        with pytest.raises(CallRejected) as bad_session:
            await registry.place(
                await rtc.offer(),
                session={"type": "realtime", "instructions": 5},
                make_connection=make_connection,
            )
        assert bad_session.value.payload()["error"]["param"] == "session.instructions"
    finally:
        await rtc.close()
    assert len(registry) == 0


async def test_live_calls_are_bounded(client: RtcClient) -> None:
    registry = CallRegistry(max_calls=1, connect_timeout_s=10)
    try:
        await connect(registry, client)
        second = RtcClient()
        try:
            with pytest.raises(CallRejected) as refused:
                await registry.place(await second.offer(), make_connection=make_connection)
            assert refused.value.status == 429
        finally:
            await second.close()
    finally:
        await registry.close()
    assert len(registry) == 0


async def test_client_closing_the_call_ends_it(registry: CallRegistry) -> None:
    rtc = RtcClient()
    call = await connect(registry, rtc)
    await rtc.close()
    await asyncio.wait_for(call.ended.wait(), 10)
    assert len(registry) == 0


async def test_session_config_from_the_offer(registry: CallRegistry, client: RtcClient) -> None:
    await connect(registry, client, type="realtime", instructions="Be brief.")
    created = client.events[0]
    assert created["type"] == "session.created"
    assert created["session"]["instructions"] == "Be brief."


async def test_output_audio_buffer_clear_stays_webrtc_only(server: SimulatorServer) -> None:
    ws = await Client.connect(server.url, "ga")
    try:
        await ws.recv_until("session.created")
        await ws.send("output_audio_buffer.clear")
        error = await ws.recv_until("error")
        assert "only supported for WebRTC" in error["error"]["message"]
    finally:
        await ws.close()
