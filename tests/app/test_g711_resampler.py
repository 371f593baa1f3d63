"""The console hands the library a soxr resampler for G.711 sessions."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from console.app.audio import SoxrResampler
from console.simulator import SimulatorServer
from tests.app.conftest import TIMEOUT, console_app

RATE = 24_000


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def test_soxr_resampler_keeps_a_tone_through_8_khz() -> None:
    t = np.arange(RATE) / RATE
    original = (np.sin(2 * np.pi * 440 * t) * 10_000).astype(np.int16)
    resampler = SoxrResampler()
    narrow = np.concatenate([resampler.from_24k(c) for c in np.array_split(original, 50)])
    wide = np.concatenate([resampler.to_24k(c) for c in np.array_split(narrow, 50)])
    assert narrow.dtype == wide.dtype == np.int16
    # soxr's LQ streams hold back 25 to 40 ms at 3:1 (our FIR 3.3 ms): at most 80 ms in all.
    assert 0 <= RATE // 3 - len(narrow) <= 8 * 40
    assert 0 <= RATE - len(wide) <= 24 * 80
    assert abs(peak_hz(narrow, 8000) - 440) <= 2 and abs(peak_hz(wide, RATE) - 440) <= 2


async def test_the_console_client_decodes_g711_with_soxr(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    to_24k = SoxrResampler.to_24k

    def spy(self: SoxrResampler, samples_8k: Any) -> Any:
        calls.append(len(samples_8k))
        return to_24k(self, samples_8k)

    monkeypatch.setattr(SoxrResampler, "to_24k", spy)
    client = console_app(simulator.url).client  # the app's client, built by the app factory
    client.update_session(audio={"output": {"format": {"type": "audio/pcmu"}}})
    received: list[bytes] = []
    client.realtime.on(
        "server.response.output_audio.delta",
        lambda event: received.append(base64.b64decode(event["delta"])),
    )
    await client.connect()
    client.send_user_message_content([{"type": "input_text", "text": "hello"}])
    reply: dict[str, Any] | None = None
    while reply is None or reply.get("role") != "assistant":
        event = await client.wait_for_next_completed_item(TIMEOUT)
        assert event is not None
        reply = event["item"]
    await client.disconnect()
    audio = reply["formatted"]["audio"]
    raw = b"".join(received)
    assert calls and sum(calls) == len(raw)
    assert 0 <= 3 * len(raw) - len(audio) <= 24 * 40  # what soxr still holds back
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 500
