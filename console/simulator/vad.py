"""Energy-based voice activity detection on 24 kHz PCM16, as server_vad/semantic_vad use it.

Positions are absolute sample counts since the session's first appended audio, so reported
milliseconds match the real API's ``audio_start_ms``/``audio_end_ms`` convention:
``audio_start_ms`` includes ``prefix_padding_ms`` before the detected onset and
``audio_end_ms`` includes the ``silence_duration_ms`` that ended the turn. semantic_vad's
silence depends on its eagerness and on how the voice ended (:mod:`.eagerness`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import eagerness

SAMPLE_RATE = 24000
FRAME = 240  # 10 ms
ONSET_FRAMES = 2  # 20 ms above the threshold confirm speech
RELEASE_DB = 10.0  # hysteresis: speech continues until the level drops this far below onset


def threshold_dbfs(threshold: float) -> float:
    """Map the API's 0-1 ``threshold`` to a frame RMS level: 0 → -70 dBFS, 0.5 → -40, 1 → -10."""
    return -70.0 + 60.0 * threshold


@dataclass
class VadSettings:
    """The parameters the detector honours."""

    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 200
    eagerness: str | None = None  # semantic_vad: the silence depends on how speech ended

    @classmethod
    def from_turn_detection(cls, td: dict[str, Any]) -> VadSettings:
        """Settings from a session's turn_detection object (semantic_vad: its eagerness)."""
        if td.get("type") == "semantic_vad":
            level = td.get("eagerness") or "auto"
            return cls(0.5, 300, eagerness.wait_ms(level, False), level)
        return cls(
            float(td.get("threshold", 0.5)),
            int(td.get("prefix_padding_ms", 300)),
            int(td.get("silence_duration_ms", 200)),
        )


@dataclass
class VadEvent:
    """``kind`` is "started" or "stopped"; ``sample`` the absolute boundary position."""

    kind: str
    sample: int


class EnergyVad:
    """Streaming detector: feed samples in any chunk size, get start/stop boundaries."""

    def __init__(self, settings: VadSettings, position: int = 0) -> None:
        self.settings = settings
        self.position = position  # absolute sample index of the next unprocessed sample
        self._pending = np.zeros(0, dtype=np.int16)
        self.speaking = False
        self._loud_run = 0
        self._quiet_run = 0
        self._peak_db = -200.0  # the turn's loudest frame
        self._tail: deque[float] = deque(maxlen=eagerness.TAIL_FRAMES)  # latest voiced frames
        self._silence_frames = self._frames(settings.silence_duration_ms)

    @staticmethod
    def _frames(silence_ms: int) -> int:
        return max(1, -(-silence_ms * SAMPLE_RATE // 1000 // FRAME))

    def _silence_began(self) -> None:
        """semantic_vad: how long to wait depends on how the voice ended."""
        if self.settings.eagerness is not None:
            trailing = eagerness.trailing_off(self._tail, self._peak_db)
            self._silence_frames = self._frames(
                eagerness.wait_ms(self.settings.eagerness, trailing)
            )

    def _frame_db(self, frame: np.ndarray) -> float:
        rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
        return 20.0 * float(np.log10(max(rms, 1e-3) / 32768.0))

    def feed(self, samples: np.ndarray) -> list[VadEvent]:
        """Process ``samples`` (int16, 24 kHz); return boundaries detected in them."""
        data = np.concatenate([self._pending, samples]) if len(self._pending) else samples
        events: list[VadEvent] = []
        onset_db = threshold_dbfs(self.settings.threshold)
        release_db = onset_db - RELEASE_DB
        usable = len(data) - len(data) % FRAME
        for start in range(0, usable, FRAME):
            level = self._frame_db(data[start : start + FRAME])
            frame_end = self.position + FRAME
            if not self.speaking:
                self._loud_run = self._loud_run + 1 if level >= onset_db else 0
                if self._loud_run >= ONSET_FRAMES:
                    self.speaking = True
                    self._quiet_run = 0
                    self._peak_db = level
                    self._tail.clear()
                    events.append(VadEvent("started", frame_end - ONSET_FRAMES * FRAME))
            else:
                if level < release_db:
                    self._quiet_run += 1
                    if self._quiet_run == 1:
                        self._silence_began()
                else:
                    self._quiet_run = 0
                    self._peak_db = max(self._peak_db, level)
                    self._tail.append(level)
                if self._quiet_run >= self._silence_frames:
                    self.speaking = False
                    self._loud_run = 0
                    events.append(VadEvent("stopped", frame_end))
            self.position = frame_end
        self._pending = data[usable:].copy()
        return events
