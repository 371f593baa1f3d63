"""semantic_vad ``eagerness``: the silence before the simulator takes the turn is short when
the voice ends at full strength (a finished utterance) and the eagerness's maximum (low 8 s,
medium 4 s, high 2 s, auto = medium) when it trails off into a murmur. Both dialects, over a
socket; the waits are measured in audio time (``audio_end_ms``), not by sleeping."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from console.simulator import SimulatorServer
from console.simulator.eagerness import FINISHED_WAIT_MS, MAX_WAIT_MS

from .helpers import Client, pcm_b64, silence
from .test_vad import TOLERANCE_MS, speech_like_burst, true_bounds_ms

LEAD = silence(0.5)


def utterance(trailing: bool) -> np.ndarray:
    """A burst at full voice; trailing: followed by a murmur 23 dB quieter (still speech)."""
    burst = speech_like_burst(0.8)
    if not trailing:
        return burst
    return np.concatenate([burst, (speech_like_burst(0.5, seed=2) // 15).astype(np.int16)])


async def wait_after(server: SimulatorServer, dialect: str, level: str, trailing: bool) -> float:
    """How long after the voice ended the turn ended (ms), for ``level`` in ``dialect``."""
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    td: dict[str, Any] = {"type": "semantic_vad", "eagerness": level, "create_response": False}
    session: dict[str, Any] = (
        {"modalities": ["text"], "turn_detection": td}
        if dialect == "beta"
        else {"type": "realtime", "audio": {"input": {"turn_detection": td}}}
    )
    await client.send("session.update", session=session)
    echoed = (await client.recv_until("session.updated"))["session"]
    echoed_td = echoed["turn_detection"] if dialect == "beta" else echoed["audio"]["input"][
        "turn_detection"]  # fmt: skip
    assert echoed_td["eagerness"] == level
    voice = utterance(trailing)
    signal = np.concatenate([LEAD, voice, silence(9.0)])
    for start in range(0, len(signal), 2400):
        await client.send("input_audio_buffer.append", audio=pcm_b64(signal[start : start + 2400]))
    stopped = await client.recv_until("input_audio_buffer.speech_stopped")
    await client.close()
    _, offset = true_bounds_ms(voice, len(LEAD))
    return float(stopped["audio_end_ms"]) - offset


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_waits_follow_eagerness_and_how_speech_ended(
    server: SimulatorServer, dialect: str
) -> None:
    waits = {
        (level, trailing): await wait_after(server, dialect, level, trailing)
        for level in ("low", "medium", "high", "auto")
        for trailing in (False, True)
    }
    for (level, trailing), wait in waits.items():
        expected = (MAX_WAIT_MS if trailing else FINISHED_WAIT_MS)[level]
        assert abs(wait - expected) <= TOLERANCE_MS, (level, trailing, waits)
    for trailing in (False, True):
        low, medium, high = (waits[(level, trailing)] for level in ("low", "medium", "high"))
        assert low > medium > high
        assert abs(waits[("auto", trailing)] - medium) <= TOLERANCE_MS
    # The guide's maxima for a user who trails off.
    assert [round(waits[(level, True)] / 1000) for level in ("low", "medium", "high")] == [8, 4, 2]


async def test_speech_resuming_in_the_wait_continues_the_turn(server: SimulatorServer) -> None:
    """A trailing-off pause shorter than the wait is not the end of the turn."""
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    td = {"type": "semantic_vad", "eagerness": "high", "create_response": False}
    audio = {"input": {"turn_detection": td}}
    await client.send("session.update", session={"type": "realtime", "audio": audio})
    await client.recv_until("session.updated")
    second = speech_like_burst(0.6, seed=3)
    signal = np.concatenate([LEAD, utterance(True), silence(1.5), second, silence(1.5)])
    for start in range(0, len(signal), 2400):
        await client.send("input_audio_buffer.append", audio=pcm_b64(signal[start : start + 2400]))
    stopped = await client.recv_until("input_audio_buffer.speech_stopped")
    started = [e for e in client.received if e["type"] == "input_audio_buffer.speech_started"]
    assert len(started) == 1  # one turn across the pause
    _, offset = true_bounds_ms(second, len(signal) - len(second) - 36000)
    assert abs(stopped["audio_end_ms"] - (offset + FINISHED_WAIT_MS["high"])) <= TOLERANCE_MS
    await client.close()
