"""Which assistant item the audio of a WebRTC call's track belongs to.

Over WebRTC the server sends no ``response.output_audio.delta``: the reply's audio plays on the
track, which carries no item id and never pauses (silence between replies). The events still
say what is playing: ``response.content_part.added`` with an audio part names the item whose
audio starts; ``output_audio_buffer.stopped`` or ``.cleared`` says it ended (or was cut). So
track audio goes to the latest item that started an audio part, until one of those. A server
that sends neither (some do not) is covered by the response's end: after its ``response.done``
the item takes track audio until ``SILENT_FRAMES_TO_END`` silent frames in a row, then no more.
Audio with no item playing is not part of the conversation and is dropped (counted).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .utils import Int16Array

SILENT_FRAMES_TO_END = 10
"""Silent frames (about 200 ms) after ``response.done`` that end an item's track audio."""
SILENCE_PEAK = 64
"""A frame whose peak is below this (about -54 dBFS) is silence."""
_AUDIO_PARTS = frozenset({"output_audio", "audio"})


class TrackAudio:
    """Follows the server events to name the item that the track's audio is playing."""

    def __init__(self) -> None:
        self.item_id: str | None = None
        """The assistant item the track is playing, if any."""
        self._response_id: str | None = None
        self._response_done = False
        self._silent = 0
        self.dropped_samples = 0
        """24 kHz samples received while no item was playing (silence, mostly)."""

    def reset(self) -> None:
        """A new call: nothing plays."""
        self.item_id, self._response_id, self._response_done, self._silent = None, None, False, 0

    def on_server_event(self, event: dict[str, Any]) -> None:
        """Follow one server event (``server.*``)."""
        event_type = event.get("type")
        if event_type == "response.content_part.added":
            part = event.get("part")
            if (
                isinstance(part, dict)
                and part.get("type") in _AUDIO_PARTS
                and isinstance(event.get("item_id"), str)
            ):
                self.item_id = event["item_id"]
                self._response_id = event.get("response_id")
                self._response_done, self._silent = False, 0
        elif event_type in ("output_audio_buffer.stopped", "output_audio_buffer.cleared"):
            self.item_id = None
        elif event_type == "response.done":
            response = event.get("response")
            if not isinstance(response, dict):
                return
            if self.item_id is not None and response.get("id") == self._response_id:
                self._response_done = True

    def target(self, samples: Int16Array) -> str | None:
        """The item these received samples belong to, or None (then they are dropped)."""
        item_id = self.item_id
        if item_id is not None and self._response_done:
            peak = int(np.abs(samples.astype(np.int32)).max()) if len(samples) else 0
            self._silent = self._silent + 1 if peak < SILENCE_PEAK else 0
            if self._silent >= SILENT_FRAMES_TO_END:
                self.item_id = item_id = None
        if item_id is None:
            self.dropped_samples += len(samples)
        return item_id
