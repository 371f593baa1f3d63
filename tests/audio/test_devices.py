"""No PortAudio, no device, a vanished device: AudioUnavailable or a notice, never a traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.audio.capture import Microphone
from console.audio.devices import AudioUnavailable, find_device, format_devices, list_devices
from console.audio.playback import Speaker
from console.realtime.handoff import Handoff

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import asyncio
from console.audio.devices import AudioUnavailable, list_devices
from console.audio.capture import Microphone
try:
    list_devices()
except AudioUnavailable as exc:
    print("devices:", exc)
async def main():
    try:
        Microphone(lambda chunk: None).start()
    except AudioUnavailable as exc:
        print("microphone:", exc)
asyncio.run(main())
"""


def test_missing_portaudio_is_a_one_line_reason(tmp_path: Path) -> None:
    # What the sounddevice wheel does on Linux without libportaudio2.
    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert "PortAudio is not installed" in line and "libportaudio2" in line


class FakeStream:
    def __init__(self, **kwargs: Any) -> None:
        self.callback = kwargs["callback"]
        self.finished_callback = kwargs["finished_callback"]
        self.active = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        pass


def fake_sounddevice(devices: list[dict[str, Any]], busy: bool = False) -> types.ModuleType:
    module = types.ModuleType("sounddevice")

    def stream(**kwargs: Any) -> FakeStream:
        if busy:
            raise RuntimeError("Error opening InputStream: Device unavailable [PaErrorCode -9985]")
        return FakeStream(**kwargs)

    module.query_devices = lambda: devices  # type: ignore[attr-defined]
    module.query_hostapis = lambda: [{"name": "ALSA"}]  # type: ignore[attr-defined]
    module.default = types.SimpleNamespace(device=[0, 0])  # type: ignore[attr-defined]
    module.InputStream = stream  # type: ignore[attr-defined]
    module.OutputStream = stream  # type: ignore[attr-defined]
    return module


CARD = {
    "index": 0,
    "name": "USB Mic",
    "hostapi": 0,
    "max_input_channels": 2,
    "max_output_channels": 0,
    "default_samplerate": 48000.0,
}


async def test_no_device_is_a_clear_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([]))
    assert list_devices() == []
    with pytest.raises(AudioUnavailable, match=r"^no audio: no input device found$"):
        Microphone(lambda chunk: None).start()
    with pytest.raises(AudioUnavailable, match=r"^no audio: no output device found$"):
        Speaker().start()
    assert "none" in format_devices([])


async def test_a_busy_device_is_a_clear_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([CARD], busy=True))
    assert find_device("input").name == "USB Mic"
    with pytest.raises(AudioUnavailable, match=r"'USB Mic' cannot be used .*Device unavailable"):
        Microphone(lambda chunk: None).start()


async def test_a_device_that_vanishes_becomes_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([CARD]))
    notices: asyncio.Queue[str] = asyncio.Queue()
    chunks: list[np.ndarray] = []
    mic = Microphone(chunks.append, on_notice=notices.put_nowait)
    mic.start()
    stream = mic._stream
    assert mic.running and stream is not None
    block = np.full((960, 2), 0.25, dtype=np.float32)  # 20 ms at 48 kHz stereo
    threading.Thread(
        target=lambda: [stream.callback(block, 960, None, None) for _ in range(3)]
    ).start()
    assert await mic.wait_started(5)
    threading.Thread(target=stream.finished_callback).start()  # PortAudio ended the stream
    notice = await asyncio.wait_for(notices.get(), 5)
    assert notice.startswith("microphone stopped: 'USB Mic' is gone")
    assert not mic.running and mic.notice == notice
    mic.start()  # the device came back: start again
    assert mic.running and mic.notice is None
    mic.stop()


async def test_the_handoff_drops_the_oldest_and_never_blocks_the_audio_thread() -> None:
    batches: list[list[int]] = []
    delivered = asyncio.Event()
    handoff: Handoff[int] = Handoff(
        asyncio.get_running_loop(), lambda b: (batches.append(b), delivered.set()), 4
    )
    put_all = threading.Event()
    durations: list[float] = []

    def audio_thread() -> None:
        for value in range(100):
            began = time.perf_counter()
            handoff.put(value)
            durations.append(time.perf_counter() - began)
        put_all.set()

    threading.Thread(target=audio_thread).start()
    assert put_all.wait(5)  # the loop is stuck here on purpose: it has fallen behind
    await asyncio.wait_for(delivered.wait(), 5)
    assert batches == [[96, 97, 98, 99]]
    assert handoff.dropped == 96
    assert max(durations) < 0.005
