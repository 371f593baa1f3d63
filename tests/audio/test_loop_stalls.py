"""Device calls never stall the event loop: open, close, rescan and push-to-talk, on a real sink.

A ticker task wakes every 5 ms and records how late each wake-up was, per phase. Opening or
closing a stream through ALSA's PulseAudio plugin can take a second or two; done on the loop,
it froze the console (the first push-to-talk stop froze it for about 1.5 s).
"""

from __future__ import annotations

import asyncio

import pytest

from console.audio.capture import Microphone
from console.audio.playback import Speaker
from console.audio.voice import VoiceSession
from console.realtime import RealtimeClient

pytestmark = pytest.mark.audio
TIMEOUT = 20.0
PERIOD = 0.005
MAX_STALL = 0.050


class Ticker:
    """Wakes every ``PERIOD`` and keeps the worst lateness seen under each ``phase`` label."""

    def __init__(self) -> None:
        self.phase = "idle"
        self.worst: dict[str, float] = {}
        self._tick: asyncio.Event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + PERIOD
            await asyncio.sleep(PERIOD)  # the ticker itself: how late does this wake up?
            late = loop.time() - due
            self.worst[self.phase] = max(self.worst.get(self.phase, 0.0), late)
            self._tick.set()

    async def ticked(self) -> None:
        """Wait for the next wake-up (so a stall that just ended is recorded in its phase)."""
        self._tick.clear()
        await asyncio.wait_for(self._tick.wait(), TIMEOUT)

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self.ticked()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def test_device_calls_and_push_to_talk_never_stall_the_loop(
    manual_client: RealtimeClient,
) -> None:
    microphone = Microphone(lambda _chunk: None)
    voice = VoiceSession(manual_client, microphone, Speaker())
    try:
        async with Ticker() as ticker:
            ticker.phase = "start"
            await voice.start()
            assert voice.notice is None, voice.notice
            await ticker.ticked()
            for turn in range(3):
                ticker.phase = f"talk {turn}"
                assert voice.toggle_talk()
                await ticker.ticked()
                assert await microphone.wait_started(TIMEOUT)  # audio flows
                ticker.phase = f"stop talking {turn}"
                assert not voice.toggle_talk()
                await ticker.ticked()
            ticker.phase = "retry"
            await voice.retry()
            assert voice.notice is None and voice.streaming, voice.notice
            await ticker.ticked()
            ticker.phase = "stop"
            await voice.stop()
            await ticker.ticked()
    finally:
        await voice.stop()
    stalls = {phase: round(late * 1000) for phase, late in ticker.worst.items()}
    assert max(ticker.worst.values()) < MAX_STALL, f"worst lateness per phase (ms): {stalls}"
