"""Sound devices through sounddevice (PortAudio), imported lazily, failing in one line.

The Linux ``sounddevice`` wheel does not bundle PortAudio: ``import sounddevice`` raises
``OSError`` until ``libportaudio2`` is installed. A machine may also have PortAudio and no device
at all, or a device that is busy or gone. Every such case becomes ``AudioUnavailable`` with a
one-line reason the console shows in its status bar (never a traceback), and text mode goes on.

PortAudio scans devices once, when it initialises; ``rescan()`` makes it look again, so a device
(or a sound server) that appears later can be used without restarting.

Opening, closing and rescanning can each take a second or two (a new stream through ALSA's
PulseAudio plugin stalls before it runs), and PortAudio is not safe to call from several threads
at once. So every such call goes through ``device_call``/``in_device_thread``: one worker thread
for the whole process, which runs them one at a time, in the order they were asked for, and never
on the event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

T = TypeVar("T")
Kind = Literal["input", "output"]
DeviceSpec = int | str | None
"""A device by PortAudio index, by (part of its) name, or ``None`` for the default."""


class AudioUnavailable(RuntimeError):
    """No audio: no PortAudio, no device, a busy or vanished device. ``str()`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(" ".join(reason.split()))

    @property
    def reason(self) -> str:
        """The one-line reason."""
        return str(self)


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device, as ``realtime-console devices`` lists it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    default_input: bool = False
    default_output: bool = False

    def channels(self, kind: Kind) -> int:
        """Channels for ``kind``: what a stream opens with (mono or stereo, as the device has)."""
        most = self.max_input_channels if kind == "input" else self.max_output_channels
        return max(1, min(2, most))

    def describe(self) -> str:
        """One line: index, default markers, name, channels, rate."""
        marks = ("<" if self.default_input else " ") + (">" if self.default_output else " ")
        return (
            f"{self.index:>3} {marks} {self.name} ({self.hostapi}; "
            f"{self.max_input_channels} in, {self.max_output_channels} out; "
            f"{self.default_samplerate:g} Hz)"
        )


_DEVICE_THREAD = concurrent.futures.ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="audio-devices"
)


def device_call(call: Callable[[], T]) -> concurrent.futures.Future[T]:
    """Queue a PortAudio call (open, close, rescan) on the one device thread; returns at once."""
    return _DEVICE_THREAD.submit(call)


async def in_device_thread(call: Callable[[], T]) -> T:
    """Run ``call`` on the device thread, after every call queued before it; the loop goes on."""
    return await asyncio.wrap_future(device_call(call))


def sounddevice() -> Any:
    """The ``sounddevice`` module, or ``AudioUnavailable`` if it or PortAudio is missing."""
    try:
        return importlib.import_module("sounddevice")
    except ImportError:
        raise AudioUnavailable(
            "no audio: the sounddevice package is not installed (pip install sounddevice)"
        ) from None
    except OSError as exc:  # sounddevice raises OSError when PortAudio is absent
        raise AudioUnavailable(
            f"no audio: PortAudio is not installed ({exc}; on Debian: apt-get install "
            "libportaudio2)"
        ) from None


def rescan() -> None:
    """Make PortAudio look for devices again (a sound server or device that came later)."""
    sd = sounddevice()
    try:
        sd._terminate()
        sd._initialize()
    except Exception as exc:
        raise AudioUnavailable(f"no audio: PortAudio could not restart ({exc})") from None


def _defaults(sd: Any) -> tuple[int, int]:
    try:
        default_in, default_out = (int(i) for i in sd.default.device)
    except (TypeError, ValueError):
        return -1, -1
    return default_in, default_out


def list_devices() -> list[DeviceInfo]:
    """Every input and output device PortAudio knows, with the defaults marked."""
    sd = sounddevice()
    try:
        raw = list(sd.query_devices())
        hostapis = [str(h["name"]) for h in sd.query_hostapis()]
    except Exception as exc:
        raise AudioUnavailable(f"no audio: cannot list devices ({exc})") from None
    default_in, default_out = _defaults(sd)
    return [_info(d, hostapis, default_in, default_out) for d in raw]


def _info(raw: Any, hostapis: list[str], default_in: int, default_out: int) -> DeviceInfo:
    index = int(raw["index"])
    hostapi = int(raw["hostapi"])
    return DeviceInfo(
        index=index,
        name=str(raw["name"]),
        hostapi=hostapis[hostapi] if 0 <= hostapi < len(hostapis) else "?",
        max_input_channels=int(raw["max_input_channels"]),
        max_output_channels=int(raw["max_output_channels"]),
        default_samplerate=float(raw["default_samplerate"]),
        default_input=index == default_in,
        default_output=index == default_out,
    )


def find_device(kind: Kind, device: DeviceSpec = None) -> DeviceInfo:
    """The device a stream of ``kind`` would use, or ``AudioUnavailable`` saying why none."""
    devices = list_devices()
    usable = [
        d
        for d in devices
        if (d.max_input_channels if kind == "input" else d.max_output_channels) > 0
    ]
    if not usable:
        raise AudioUnavailable(f"no audio: no {kind} device found")
    if device is None:
        marked = [d for d in usable if (d.default_input if kind == "input" else d.default_output)]
        return marked[0] if marked else usable[0]
    if isinstance(device, int) or (isinstance(device, str) and device.strip().isdigit()):
        wanted = int(device)
        for d in usable:
            if d.index == wanted:
                return d
        raise AudioUnavailable(f"no audio: no {kind} device with index {wanted}")
    matches = [d for d in usable if device.lower() in d.name.lower()]
    exact = [d for d in matches if d.name.lower() == device.lower()]
    if exact or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        raise AudioUnavailable(f"no audio: no {kind} device named {device!r}")
    names = ", ".join(repr(d.name) for d in matches)
    raise AudioUnavailable(f"no audio: {device!r} matches several {kind} devices: {names}")


def format_devices(devices: list[DeviceInfo]) -> str:
    """The listing ``realtime-console devices`` prints (``<`` default input, ``>`` output)."""
    inputs = [d.describe() for d in devices if d.max_input_channels > 0]
    outputs = [d.describe() for d in devices if d.max_output_channels > 0]
    lines = ["Input devices (< default):", *(inputs or ["  none"])]
    lines += ["Output devices (> default):", *(outputs or ["  none"])]
    return "\n".join(lines)


def stream_error(kind: Kind, device: DeviceInfo | None, exc: BaseException) -> AudioUnavailable:
    """``AudioUnavailable`` for a stream that would not open or start (a busy device...)."""
    name = f" {device.name!r}" if device is not None else ""
    return AudioUnavailable(f"no audio: the {kind} device{name} cannot be used ({exc})")


def close_stream(stream: Any) -> None:
    """Abort and close a PortAudio stream, whatever state a vanished device left it in.

    Aborting drops what the device still buffers instead of waiting for it to play out: the
    stream is closed because nobody listens any more (barge-in already cut the audio).
    """
    if stream is None:
        return
    with contextlib.suppress(Exception):
        stream.abort()
    with contextlib.suppress(Exception):
        stream.close()
