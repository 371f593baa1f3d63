"""Real streams through a PulseAudio null sink: what is played comes back on its monitor."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.audio.capture import Microphone
from console.audio.devices import AudioUnavailable, find_device, list_devices
from console.audio.playback import Speaker

from .pulse import PrivatePulse
from .signals import (
    best_alignment,
    have_speech_tools,
    loud_span,
    peak_frequency,
    rms_dbfs,
    speech_wav,
    tone16,
)

pytestmark = pytest.mark.audio
TIMEOUT = 15.0


class Recording:
    """A Microphone on the monitor, keeping every chunk; awaitable on how much it has."""

    def __init__(self, **options: Any) -> None:
        self.chunks: list[np.ndarray] = []
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self.mic = Microphone(self._on_chunk, **options)

    def _on_chunk(self, chunk: np.ndarray) -> None:
        self.chunks.append(chunk)
        total = self.samples
        for count, future in self._waiters:
            if total >= count and not future.done():
                future.set_result(None)

    @property
    def samples(self) -> int:
        return sum(len(c) for c in self.chunks)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)

    async def more(self, seconds: float) -> None:
        """Wait until ``seconds`` more audio has been captured."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((self.samples + int(seconds * 24000), future))
        await asyncio.wait_for(future, TIMEOUT)

    async def __aenter__(self) -> Recording:
        self.mic.start()
        assert await self.mic.wait_started(TIMEOUT), "the monitor source delivered nothing"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.mic.stop()


async def play_file(path: Path) -> None:
    """Play a WAV into the null sink with PulseAudio's own player (not our speaker)."""
    process = await asyncio.create_subprocess_exec("paplay", "--device=vsink", str(path))
    assert await asyncio.wait_for(process.wait(), TIMEOUT) == 0


def test_pulse_devices_are_listed(pulse: PrivatePulse) -> None:
    names = [d.name for d in list_devices()]
    assert "pulse" in names or "default" in names
    assert find_device("input").max_input_channels > 0
    with pytest.raises(AudioUnavailable, match="no input device named 'no such card'"):
        find_device("input", "no such card")


async def test_speech_played_into_the_sink_is_captured_by_the_microphone(
    pulse: PrivatePulse, tmp_path: Path
) -> None:
    if not have_speech_tools():
        pytest.skip("espeak-ng and sox are needed to make speech")
    from console.audio.wav import read_wav

    speech_path = speech_wav(tmp_path, "Hello there. This is the realtime console speaking.")
    speech = read_wav(speech_path).samples[:, 0]
    async with Recording() as recording:
        await play_file(speech_path)
        await recording.more(0.3)  # what the monitor still holds after paplay returned
    captured = recording.audio()
    assert rms_dbfs(captured) > -40  # real energy, not silence
    _offset, correlation = best_alignment(captured, speech)
    assert correlation > 0.95, f"speech not found in the capture (correlation {correlation:.3f})"
    assert recording.mic.dropped_blocks == 0


async def test_a_44k1_stereo_microphone_gives_24k_mono_with_the_tone_kept(
    pulse: PrivatePulse, tmp_path: Path
) -> None:
    from console.audio.wav import write_wav

    path = write_wav(tmp_path / "tone.wav", tone16(700.0, 1.0))
    async with Recording(samplerate=44100, channels=2) as recording:
        assert recording.mic._converter is not None
        assert (recording.mic._converter.in_rate, recording.mic._converter.channels) == (44100, 2)
        await play_file(path)
        await recording.more(0.2)
    captured = recording.audio()
    span = loud_span(captured, 4000)
    assert span is not None
    start, end = span
    assert (end - start) / 24000 == pytest.approx(1.0, abs=0.03)
    assert peak_frequency(captured[start:end], 24000) == pytest.approx(700.0, abs=1)


async def test_the_speaker_plays_a_tone_that_the_monitor_records(pulse: PrivatePulse) -> None:
    played: list[np.ndarray] = []
    speaker = Speaker(on_output=played.append)
    async with Recording() as recording:
        speaker.start()
        try:
            assert await speaker.wait_output(0.3, TIMEOUT)  # past PulseAudio's start-up stall
            speaker.play("item_tone", tone16(440.0, 1.0))
            assert await speaker.wait_drained(TIMEOUT)
            assert await speaker.wait_output(0.2, TIMEOUT)
            await recording.more(0.3)
        finally:
            speaker.stop()
    assert speaker.samples_played("item_tone") == 24000
    assert sum(len(p) for p in played) == 24000  # the meter got the audio as played
    captured = recording.audio()
    span = loud_span(captured, 8000)
    assert span is not None
    start, end = span
    assert (end - start) / 24000 == pytest.approx(1.0, abs=0.03)
    assert peak_frequency(captured[start:end], 24000) == pytest.approx(440.0, abs=1)
    assert speaker.notice is None


async def test_interrupt_reports_the_samples_the_monitor_recorded(pulse: PrivatePulse) -> None:
    reached: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    heard = 0

    def on_output(samples: np.ndarray) -> None:
        nonlocal heard
        heard += len(samples)
        if heard >= 19200 and not reached.done():  # 0.8 s played
            reached.set_result(None)

    speaker = Speaker(on_output=on_output)
    async with Recording() as recording:
        speaker.start()
        try:
            assert await speaker.wait_output(0.3, TIMEOUT)
            signal = tone16(523.0, 3.0)
            for start in range(0, len(signal), 2400):  # deltas of 100 ms, as a response sends
                speaker.append("item_cut", signal[start : start + 2400])
            await asyncio.wait_for(reached, TIMEOUT)
            result = speaker.interrupt()
            assert not speaker.append("item_cut", signal[:2400])  # late deltas are refused
            assert await speaker.wait_output(0.3, TIMEOUT)
            await recording.more(0.3)
        finally:
            speaker.stop()
    assert result is not None
    item_id, samples_played = result
    assert item_id == "item_cut"
    assert 19200 <= samples_played < 72000
    span = loud_span(recording.audio(), 8000)
    assert span is not None
    recorded = span[1] - span[0]
    assert abs(recorded - samples_played) <= 1200, (recorded, samples_played)  # within 50 ms


class TimedMicrophone(Microphone):
    """A Microphone whose PortAudio callback is timed, and that says when enough blocks came."""

    def __init__(self, *args: Any, blocks_wanted: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.durations: list[float] = []
        self.blocks_wanted = blocks_wanted
        self.enough = threading.Event()

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        began = time.perf_counter()
        super()._callback(indata, frames, time_info, status)
        self.durations.append(time.perf_counter() - began)
        if len(self.durations) >= self.blocks_wanted:
            self.enough.set()


async def test_a_loop_that_falls_behind_drops_the_oldest_blocks_without_blocking_audio(
    pulse: PrivatePulse,
) -> None:
    delivered: list[np.ndarray] = []
    batch: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_chunk(chunk: np.ndarray) -> None:
        delivered.append(chunk)
        if mic.enough.is_set() and not batch.done():
            batch.set_result(None)

    mic = TimedMicrophone(on_chunk, max_blocks=5, block_ms=20, blocks_wanted=1)
    mic.start()
    try:
        assert await mic.wait_started(TIMEOUT)
        mic.durations.clear()
        mic.enough.clear()
        mic.blocks_wanted = 20
        assert mic.enough.wait(TIMEOUT)  # the loop is stuck here on purpose while blocks arrive
        await asyncio.wait_for(batch, TIMEOUT)  # the backlog is delivered once the loop is back
    finally:
        mic.stop()
    assert mic.dropped_blocks >= 20 - 5 - 1  # at most 5 waited; the oldest went
    assert max(mic.durations) < 0.005  # the audio thread never waited for the loop
