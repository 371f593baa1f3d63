"""The audio tests' virtual sound card: a private PulseAudio daemon for the whole session.

Tests that use ``pulse`` (all marked ``audio``) skip with a reason where PulseAudio is absent;
under CI (the ``CI`` environment variable set) a missing PulseAudio fails them instead, so CI can
never go green without running them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from console.audio.devices import device_call
from console.realtime import RealtimeClient
from console.simulator import SimulatorServer

from .pulse import PrivatePulse, PulseUnavailable

TIMEOUT = 20.0


@pytest.fixture(scope="session")
def pulse() -> Iterator[PrivatePulse]:
    """A running null sink ``vsink`` (24 kHz mono) whose monitor is the default source."""
    daemon = PrivatePulse()
    try:
        daemon.start()
    except PulseUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the audio tests, but: {exc}")
        pytest.skip(f"audio test: {exc}")
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        daemon.stop()
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the audio tests, but sounddevice/PortAudio: {exc}")
        pytest.skip(f"audio test: sounddevice/PortAudio unavailable ({exc})")
    sd._terminate()
    sd._initialize()
    try:
        yield daemon
    finally:
        daemon.stop()
        sd._terminate()
        sd._initialize()


@pytest.fixture
async def manual_client(pulse: PrivatePulse) -> AsyncIterator[RealtimeClient]:
    """A client connected to the fast simulator with no turn detection (push-to-talk)."""
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        client.update_session(turn_detection=None)
        await client.connect()
        assert await client.wait_for_session_created(TIMEOUT)
        yield client
        await client.disconnect()


@pytest.fixture(autouse=True)
def device_thread_idle() -> Iterator[None]:
    """After each test, wait for the device calls it queued (an app's exit queues its closing):
    the next test may call PortAudio on its own thread, and PortAudio wants one at a time."""
    yield
    device_call(lambda: None).result(timeout=TIMEOUT)
