"""G.711 μ-law/A-law: bit-exact against the ITU/Sun algorithm written out independently here,
and end to end through the server (pcmu/pcma input and output)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from console.simulator import SimulatorServer, g711

from .helpers import Client, tone


def ref_ulaw(sample: int) -> int:
    """μ-law encoding, G.711 as in Sun's reference g711.c (14-bit magnitude, bias 0x84)."""
    seg_end = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]
    pcm = sample >> 2
    if pcm < 0:
        pcm, mask = -pcm, 0x7F
    else:
        mask = 0xFF
    pcm = min(pcm, 8159) + (0x84 >> 2)
    seg = next((i for i, end in enumerate(seg_end) if pcm <= end), 8)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((pcm >> (seg + 1)) & 0xF)) ^ mask


def ref_ulaw_decode(code: int) -> int:
    u = ~code & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return 0x84 - t if u & 0x80 else t - 0x84


def ref_alaw(sample: int) -> int:
    seg_end = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]
    pcm = sample >> 3
    if pcm >= 0:
        mask = 0xD5
    else:
        mask, pcm = 0x55, -pcm - 1
    seg = next((i for i, end in enumerate(seg_end) if pcm <= end), 8)
    if seg >= 8:
        return 0x7F ^ mask
    value = (seg << 4) | ((pcm >> (1 if seg < 2 else seg)) & 0xF)
    return value ^ mask


def ref_alaw_decode(code: int) -> int:
    a = code ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = t + 8 if seg == 0 else t + 0x108
    if seg > 1:
        t <<= seg - 1
    return t if a & 0x80 else -t


SAMPLES = np.array(
    [0, 1, -1, 7, -8, 100, -100, 1000, -1000, 8159, -8160, 32767, -32768, 12345, -4321]
)


def test_known_values() -> None:
    """Spot values from the G.711 tables: silence and full scale."""
    assert g711.ulaw_encode(np.array([0], np.int16)) == b"\xff"
    assert g711.alaw_encode(np.array([0], np.int16)) == b"\xd5"
    assert g711.ulaw_encode(np.array([32767, -32768], np.int16)) == b"\x80\x00"
    assert g711.alaw_encode(np.array([32767, -32768], np.int16)) == b"\xaa\x2a"
    assert g711.ulaw_decode(b"\x80\x00").tolist() == [32124, -32124]
    assert g711.alaw_decode(b"\xaa\x2a").tolist() == [32256, -32256]


def test_encode_matches_reference_everywhere() -> None:
    everything = np.arange(-32768, 32768, 7, dtype=np.int16)
    assert list(g711.ulaw_encode(everything)) == [ref_ulaw(int(s)) for s in everything]
    assert list(g711.alaw_encode(everything)) == [ref_alaw(int(s)) for s in everything]


def test_decode_matches_reference() -> None:
    codes = bytes(range(256))
    assert g711.ulaw_decode(codes).tolist() == [ref_ulaw_decode(c) for c in codes]
    assert g711.alaw_decode(codes).tolist() == [ref_alaw_decode(c) for c in codes]


@pytest.mark.parametrize(
    ("encode", "decode"),
    [(g711.ulaw_encode, g711.ulaw_decode), (g711.alaw_encode, g711.alaw_decode)],
)
def test_round_trip_error_is_bounded(encode, decode) -> None:
    """Companding keeps the relative error small (about 1/16 of the value plus a step)."""
    x = np.arange(-32768, 32768, 13, dtype=np.int16)
    y = decode(encode(x)).astype(np.int32)
    assert np.all(np.abs(y - x) <= np.abs(x.astype(np.int32)) / 16 + 16)
    # Every code survives decode → encode, except μ-law's "negative zero" (0x7F → 0xFF).
    codes = bytes(c for c in range(256) if not (encode is g711.ulaw_encode and c == 0x7F))
    assert encode(decode(codes)) == codes


@pytest.mark.parametrize(
    ("dialect", "fmt", "codec"), [("ga", "audio/pcmu", "u"), ("beta", "g711_alaw", "a")]
)
async def test_g711_through_the_server(
    server: SimulatorServer, dialect: str, fmt: str, codec: str
) -> None:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    if dialect == "ga":
        audio = {
            "input": {"format": {"type": fmt}, "turn_detection": None},
            "output": {"format": {"type": fmt}},
        }
        await client.send("session.update", session={"type": "realtime", "audio": audio})
    else:
        await client.send(
            "session.update",
            session={"input_audio_format": fmt, "output_audio_format": fmt, "turn_detection": None},
        )
    await client.recv_until("session.updated")
    pcm8k = tone(0.5)[::3]  # 0.5 s at 8 kHz
    encoded = g711.ulaw_encode(pcm8k) if codec == "u" else g711.alaw_encode(pcm8k)
    await client.send("input_audio_buffer.append", audio=base64.b64encode(encoded).decode())
    await client.send("input_audio_buffer.commit")
    await client.recv_until("input_audio_buffer.committed")
    await client.send("response.create")
    delta_type = "response.output_audio.delta" if dialect == "ga" else "response.audio.delta"
    deltas = []
    while True:
        event = await client.recv()
        if event["type"] == delta_type:
            deltas.append(base64.b64decode(event["delta"]))
        if event["type"] == "response.done":
            break
    transcript = event["response"]["output"][0]["content"][0]["transcript"]
    assert "[speech 0.5 s]" in transcript  # the 8 kHz input was understood as 0.5 s
    raw = b"".join(deltas)
    decoded = g711.ulaw_decode(raw) if codec == "u" else g711.alaw_decode(raw)
    assert len(raw) > 8000  # one byte per 8 kHz sample: more than a second of speech
    assert np.sqrt(np.mean(decoded.astype(np.float64) ** 2)) > 500  # not silence
    await client.close()
