"""An ``--input-wav`` file that ends in speech still makes a turn: at its end the console sends
about a second of silence, as a live microphone would keep doing, so the server's VAD hears the
speech stop (``speech_stopped``) and the turn goes on (a reply, or a transcript)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from console.audio.wav import write_wav
from console.simulator import SimulatorServer
from tests.simulator.helpers import silence, tone

from .conftest import connected, console_app, expect, server_event

COMPLETED = "conversation.item.input_audio_transcription.completed"


def ends_in_speech(tmp_path: Path) -> Path:
    """Silence, then a harmonic burst up to the last sample: no trailing silence."""
    return write_wav(tmp_path / "ends_in_speech.wav", np.concatenate([silence(0.3), tone(0.8)]))


@pytest.mark.parametrize("transcription", [False, True])
async def test_a_wav_ending_in_speech_makes_a_turn(
    simulator: SimulatorServer, tmp_path: Path, transcription: bool
) -> None:
    wav = ends_in_speech(tmp_path)
    app = console_app(simulator.url, transcription=transcription, input_wav=wav, autoconnect=False)
    async with app.run_test(size=(160, 48)):
        if not transcription:  # the console's realtime session starts in manual turns
            app.client.update_session(
                turn_detection={"type": "server_vad"},
                input_audio_transcription={"model": "whisper-1"},
            )
        stopped = expect(app, server_event("input_audio_buffer.speech_stopped"))
        transcript = expect(app, server_event(COMPLETED))
        done = None if transcription else expect(app, server_event("response.done"))
        app.action_connect()
        await connected(app)
        await stopped
        assert (await transcript)["event"]["transcript"]
        if done is not None:
            assert (await done)["event"]["response"]["status"] == "completed"
