"""G.711 sessions (μ-law, A-law) through the library against the simulator, in both dialects.

The application hands and receives 24 kHz int16 only; on the wire the bytes are G.711 at 8 kHz.
The simulator decodes with its own codec (it never imports the library's), so a wrong encoding
shows up as a wrong duration, a misplaced turn or garbage audio here. Every event on the wire
is checked against the openai SDK's models, as the conformance tests do.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest

from console.realtime import RealtimeClient
from console.simulator import SimulatorServer
from console.simulator import g711 as simulator_g711
from tests.realtime.helpers import Recorder
from tests.realtime.test_conformance import SERVER_EVENTS, check_client_event

KEY = "sk-sim-0123456789"
RATE = 24_000
FORMATS = {
    # codec: (flat/beta spelling, GA spelling)
    "ulaw": ("g711_ulaw", "audio/pcmu"),
    "alaw": ("g711_alaw", "audio/pcma"),
    "pcm16": ("pcm16", "audio/pcm"),
}


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(pace="fast", require_key=KEY) as server:
        yield server


def tone(seconds: float, hz: float = 440.0, amplitude: float = 9000.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * hz * t) * amplitude).astype(np.int16)


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def g711_decode(codec: str, data: bytes) -> np.ndarray:
    """The simulator's (independent) decoder, for what crossed the wire."""
    return simulator_g711.ulaw_decode(data) if codec == "ulaw" else simulator_g711.alaw_decode(data)


async def connect(
    simulator: SimulatorServer, dialect: str, codec: str, turn_detection: Any
) -> tuple[RealtimeClient, Recorder]:
    """A client whose session uses ``codec`` both ways (set in the dialect's own spelling)."""
    client = RealtimeClient(url=simulator.url, api_key=KEY, dialect=dialect)
    flat, ga = FORMATS[codec]
    if dialect == "ga":
        fmt = {"type": ga, "rate": RATE} if codec == "pcm16" else {"type": ga}
        client.update_session(
            audio={"input": {"format": fmt}, "output": {"format": fmt}},
            turn_detection=turn_detection,
        )
    else:
        client.update_session(
            input_audio_format=flat, output_audio_format=flat, turn_detection=turn_detection
        )
    recorder = Recorder(
        client,
        "error",
        "realtime.event",
        "conversation.item.completed",
        "conversation.interrupted",
    )
    await client.connect()
    assert await client.wait_for_session_created(5)
    return client, recorder


def wire(recorder: Recorder, source: str, *types: str) -> list[dict[str, Any]]:
    return [
        r["event"]
        for r in recorder.events["realtime.event"]
        if r["source"] == source and r["event"]["type"] in types
    ]


def check_wire(recorder: Recorder, dialect: str) -> None:
    """Every client event validates with no unknown field; every server event validates."""
    for record in recorder.events["realtime.event"]:
        if record["source"] == "client":
            check_client_event(record["event"], dialect)
        else:
            SERVER_EVENTS[dialect].validate_python(record["event"])


def received_bytes(recorder: Recorder, item_id: str) -> bytes:
    deltas = wire(recorder, "server", "response.output_audio.delta", "response.audio.delta")
    return b"".join(base64.b64decode(e["delta"]) for e in deltas if e["item_id"] == item_id)


async def assistant_reply(recorder: Recorder) -> dict[str, Any]:
    completed = await recorder.wait_for(
        lambda: [
            e["item"]
            for e in recorder.events["conversation.item.completed"]
            if e["item"].get("role") == "assistant"
        ],
        what="the assistant's reply",
    )
    item: dict[str, Any] = completed[0]
    return item


@pytest.mark.parametrize("codec", ["ulaw", "alaw"])
async def test_g711_session_sends_and_shows_24khz_audio(
    simulator: SimulatorServer, dialect: str, codec: str
) -> None:
    client, recorder = await connect(simulator, dialect, codec, turn_detection=None)
    speech = tone(1.0)
    for chunk in np.array_split(speech, 50):  # 20 ms appends
        client.append_input_audio(chunk)
    client.create_response()  # manual turns: commits, then asks for a reply

    reply = await assistant_reply(recorder)
    user = next(
        e["item"]
        for e in recorder.events["conversation.item.completed"]
        if e["item"].get("role") == "user"
    )
    # What the application sees is the 24 kHz audio it appended.
    assert np.array_equal(user["formatted"]["audio"], speech)
    # What crossed the wire is G.711 at 8 kHz: one byte per three samples, still a 440 Hz tone.
    appends = wire(recorder, "client", "input_audio_buffer.append")
    sent = b"".join(base64.b64decode(e["audio"]) for e in appends)
    assert len(sent) == len(speech) // 3
    assert abs(peak_hz(g711_decode(codec, sent), 8000) - 440) <= 2
    # The simulator understood it as one second of speech (PCM16 bytes would make it 6 s).
    assert "[speech 1.0 s]" in reply["formatted"]["transcript"]

    # The reply's G.711 bytes come back as 24 kHz int16, three samples per byte, not silence.
    audio = reply["formatted"]["audio"]
    raw = received_bytes(recorder, reply["id"])
    assert audio.dtype == np.int16
    assert len(raw) > 8000 and len(audio) == 3 * len(raw)
    assert rms(audio) > 500
    assert abs(rms(audio) - rms(g711_decode(codec, raw))) < 0.1 * rms(g711_decode(codec, raw))
    assert recorder.events["error"] == []
    check_wire(recorder, dialect)
    await client.disconnect()


async def vad_turn(
    simulator: SimulatorServer, dialect: str, codec: str
) -> tuple[int, int, int, RealtimeClient, Recorder]:
    """Silence, a second of tone, silence, with server VAD: the turn's offsets and user audio."""
    client, recorder = await connect(simulator, dialect, codec, turn_detection="server_vad")
    signal = np.concatenate([np.zeros(RATE // 2, np.int16), tone(1.0), np.zeros(RATE, np.int16)])
    for chunk in np.array_split(signal, len(signal) // 480):
        client.append_input_audio(chunk)
    user = await recorder.wait_for(
        lambda: [
            e["item"]
            for e in recorder.events["conversation.item.completed"]
            if e["item"].get("role") == "user"
        ],
        what="the user's turn",
    )
    started = wire(recorder, "server", "input_audio_buffer.speech_started")[0]
    stopped = wire(recorder, "server", "input_audio_buffer.speech_stopped")[0]
    heard = len(user[0]["formatted"]["audio"])
    return started["audio_start_ms"], stopped["audio_end_ms"], heard, client, recorder


@pytest.mark.parametrize("codec", ["ulaw", "alaw"])
async def test_g711_turns_land_where_pcm16_turns_do(
    simulator: SimulatorServer, dialect: str, codec: str
) -> None:
    """The simulator's VAD finds the tone at the same offsets in a G.711 and a PCM16 session."""
    start, end, heard, client, recorder = await vad_turn(simulator, dialect, codec)
    reply = await assistant_reply(recorder)
    assert recorder.events["error"] == []
    check_wire(recorder, dialect)
    await client.disconnect()
    ref_start, ref_end, ref_heard, ref_client, _ = await vad_turn(simulator, dialect, "pcm16")
    await ref_client.disconnect()

    assert 0 < start < 500 < 1500 < end  # the tone is 500 to 1500 ms
    assert abs(start - ref_start) <= 20 and abs(end - ref_end) <= 20
    assert abs(heard - ref_heard) <= 20 * RATE // 1000
    assert heard == (end - start) * RATE // 1000
    assert len(reply["formatted"]["audio"]) == 3 * len(received_bytes(recorder, reply["id"]))
