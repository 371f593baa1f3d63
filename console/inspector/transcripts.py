"""What the input transcription events say beyond the transcript: logprobs and failures.

The library's conversation keeps each user item's transcript (deltas, then completed). The
server also sends, per item, the tokens' log probabilities when the session includes
``item.input_audio_transcription.logprobs`` (the SDK's ``LogProbProperties``: ``token``,
``bytes``, ``logprob``, on the deltas and the completed event) and, when transcription fails,
``conversation.item.input_audio_transcription.failed`` with an ``error`` (``code``,
``message``), which the conversation does not keep. ``Transcripts`` keeps both per item id,
bounded, so the conversation pane can show them without parsing events.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PREFIX = "conversation.item.input_audio_transcription."
LOGPROBS = "item.input_audio_transcription.logprobs"
"""The ``include`` entry that asks the server for them."""
LOW_LOGPROB = math.log(0.5)
"""A token below this (less likely than not) is marked as low-confidence."""
TRANSCRIPTION_SESSION: dict[str, Any] = {
    "input_audio_transcription": {"model": "gpt-4o-transcribe"},
    "turn_detection": {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
    },
    "include": [LOGPROBS],
}
"""What the console's ``--transcription`` session starts from: OpenAI's own defaults for VAD
(the SDK's ``ServerVad`` docstrings: threshold 0.5, 300 ms padding, 500 ms silence), a model that
streams deltas, and logprobs (the console is for inspecting). The library's default configuration
has neither a transcription model nor turn detection, and a transcription session given those
would transcribe nothing."""
MAX_NOTES = 2_000
MAX_TOKENS = 4_000
"""Tokens kept per item (a transcript that long is cut on screen anyway)."""


@dataclass(frozen=True, slots=True)
class Token:
    """One transcribed token and its log probability."""

    text: str
    logprob: float

    @property
    def low(self) -> bool:
        return self.logprob < LOW_LOGPROB


@dataclass
class TranscriptNote:
    """One user item's logprobs (as streamed, then as completed) and failure, if any."""

    tokens: list[Token] = field(default_factory=list)
    completed: bool = False
    failure: str | None = None
    """``code: message`` of the ``.failed`` event."""

    @property
    def mean(self) -> float | None:
        return sum(t.logprob for t in self.tokens) / len(self.tokens) if self.tokens else None

    @property
    def minimum(self) -> float | None:
        return min(t.logprob for t in self.tokens) if self.tokens else None

    @property
    def low_count(self) -> int:
        return sum(1 for token in self.tokens if token.low)

    def summary(self) -> str:
        """``logprob mean -0.04 · min -0.90 · 1 low`` (empty without logprobs)."""
        mean, minimum = self.mean, self.minimum
        if mean is None or minimum is None:
            return ""
        text = f"logprob mean {mean:.2f} · min {minimum:.2f}"
        return text + (f" · {self.low_count} low" if self.low_count else "")


def _tokens(raw: Any) -> list[Token] | None:
    """The ``logprobs`` list as tokens; None when absent or malformed (nothing is guessed)."""
    if not isinstance(raw, list):
        return None
    tokens = []
    for entry in raw[:MAX_TOKENS]:
        if not isinstance(entry, Mapping):
            return None
        token, logprob = entry.get("token"), entry.get("logprob")
        if not isinstance(token, str) or not isinstance(logprob, int | float):
            return None
        tokens.append(Token(token, float(logprob)))
    return tokens


class Transcripts:
    """Logprobs and failures of the input transcriptions, per item id (the newest kept)."""

    def __init__(self, cap: int = MAX_NOTES) -> None:
        self.cap = cap
        self._notes: OrderedDict[str, TranscriptNote] = OrderedDict()

    def note(self, item_id: str) -> TranscriptNote | None:
        """What is known of ``item_id``'s transcription beyond its text."""
        return self._notes.get(item_id)

    def clear(self) -> None:
        self._notes.clear()

    def observe(self, event: Mapping[str, Any]) -> str | None:
        """Take one server event; the id of the item whose note changed, if any."""
        kind = str(event.get("type") or "")
        item_id = event.get("item_id")
        if not kind.startswith(PREFIX) or not isinstance(item_id, str):
            return None
        stage = kind.removeprefix(PREFIX)
        tokens = _tokens(event.get("logprobs"))
        if stage == "failed":
            error = event.get("error")
            error = error if isinstance(error, Mapping) else {}
            code = str(error.get("code") or error.get("type") or "error")
            message = str(error.get("message") or "no reason given")
            self._take(item_id).failure = f"{code}: {message}"
        elif stage == "completed":
            note = self._take(item_id)
            note.failure = None
            note.completed = True
            if tokens is not None:
                note.tokens = tokens
        elif stage == "delta" and tokens:
            note = self._take(item_id)
            if not note.completed and len(note.tokens) < MAX_TOKENS:
                note.tokens.extend(tokens[: MAX_TOKENS - len(note.tokens)])
        else:
            return None
        return item_id

    def _take(self, item_id: str) -> TranscriptNote:
        note = self._notes.get(item_id)
        if note is None:
            note = self._notes[item_id] = TranscriptNote()
            while len(self._notes) > self.cap:
                self._notes.popitem(last=False)
        return note
