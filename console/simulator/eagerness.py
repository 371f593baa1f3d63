"""semantic_vad's ``eagerness``: how long the simulator waits in silence before it takes the turn.

OpenAI's semantic VAD scores whether the user has finished speaking and "dynamically sets a
timeout based on this probability. For example, if user audio trails off with 'uhhm', the
model will score a low probability of turn end and wait longer" (the SDK's docstring);
``low``, ``medium`` and ``high`` "have max timeouts of 8s, 4s, and 2s respectively", and
``auto`` "is equivalent to medium".

The simulator recognises no words (its transcripts are placeholders), so it reads how the voice
ends instead, a deterministic stand-in for "do the words look finished":

- **finished**: the last :data:`TAIL_FRAMES` voiced frames (200 ms) before the silence are within
  :data:`TRAILING_DB` of the turn's loudest frame: the utterance ended at full voice, like a
  complete sentence. The wait is short: :data:`FINISHED_WAIT_MS` (low 1 s, medium 0.6 s,
  high 0.25 s);
- **trailing off**: those frames are :data:`TRAILING_DB` (10 dB) or more below it: the voice
  faded into a murmur, like a trailing "um" or "and…". The wait is the eagerness's maximum,
  :data:`MAX_WAIT_MS`.

Speech that resumes during the wait continues the turn. The wait is counted in input audio, as
server_vad's ``silence_duration_ms`` is, and included in ``audio_end_ms``.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_WAIT_MS = {"low": 8000, "medium": 4000, "high": 2000, "auto": 4000}
FINISHED_WAIT_MS = {"low": 1000, "medium": 600, "high": 250, "auto": 600}
TAIL_FRAMES = 20  # 200 ms of 10 ms frames
TRAILING_DB = 10.0


def trailing_off(tail_levels: Iterable[float], peak_db: float) -> bool:
    """Whether the voice ended well below its loudest (the mean level of the tail, in dB)."""
    levels = list(tail_levels)
    if not levels:
        return False
    return sum(levels) / len(levels) <= peak_db - TRAILING_DB


def wait_ms(eagerness: str, trailing: bool) -> int:
    """The silence before the turn ends, for ``eagerness`` and how the voice ended."""
    table = MAX_WAIT_MS if trailing else FINISHED_WAIT_MS
    return table.get(eagerness, table["auto"])
