"""Which assistant item the audio of a WebRTC call's track belongs to.

Over WebRTC the server sends no ``response.output_audio.delta``: the reply's audio plays on the
track, which carries no item id and never pauses (silence between replies). The events say what
is playing. ``response.content_part.added`` with an audio part names a response's audio item;
``output_audio_buffer.started`` / ``.stopped`` / ``.cleared`` carry the ``response_id`` whose
audio begins, has all played, or was cut. The server's output buffer is FIFO: responses play in
the order their audio was queued, so a response created while the previous one still plays (a
tool call's follow-up after its preamble) is credited nothing until its own ``started``. Track
audio goes to the item of the response whose buffer is playing, from its ``started`` to its
``stopped`` or ``cleared``. A buffer event without ``response_id`` means the oldest response
waiting (FIFO).

Fallback, until a call's first ``output_audio_buffer`` event (a server that sends none): audio
goes to the latest item that started an audio part; after its ``response.done`` the item takes
track audio until ``SILENT_FRAMES_TO_END`` silent frames in a row, then no more.
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
MAX_WAITING = 64
"""Responses remembered with queued audio (the oldest goes past this: it was never played)."""
_AUDIO_PARTS = frozenset({"output_audio", "audio"})
_BUFFER_ENDS = frozenset({"output_audio_buffer.stopped", "output_audio_buffer.cleared"})


class TrackAudio:
    """Follows the server events to name the item that the track's audio is playing."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}  # response id -> its audio item, in queueing order
        self._playing: str | None = None  # the response whose buffer plays
        self._buffered = False  # the server sends output_audio_buffer events
        self._latest: str | None = None  # fallback: the latest audio item
        self._latest_response: str | None = None
        self._response_done = False
        self._silent = 0
        self.dropped_samples = 0
        """24 kHz samples received while no item was playing (silence, mostly)."""

    @property
    def item_id(self) -> str | None:
        """The assistant item the track is playing, if any."""
        if self._buffered:
            return self._items.get(self._playing) if self._playing is not None else None
        return self._latest

    def reset(self) -> None:
        """A new call: nothing plays, nothing waits."""
        self._items.clear()
        self._playing = self._latest = self._latest_response = None
        self._buffered = self._response_done = False
        self._silent = 0

    def on_server_event(self, event: dict[str, Any]) -> None:
        """Follow one server event (``server.*``)."""
        event_type = event.get("type")
        if event_type == "response.content_part.added":
            self._on_part(event)
        elif event_type == "output_audio_buffer.started":
            self._buffered = True
            self._playing = self._response_of(event)
        elif event_type in _BUFFER_ENDS:
            self._buffered = True
            response_id = self._response_of(event)
            if response_id is not None:
                self._items.pop(response_id, None)
            if self._playing == response_id or response_id is None:
                self._playing = None
        elif event_type == "response.done" and not self._buffered:
            response = event.get("response")
            if (
                self._latest is not None
                and isinstance(response, dict)
                and response.get("id") == self._latest_response
            ):
                self._response_done = True

    def _on_part(self, event: dict[str, Any]) -> None:
        part = event.get("part")
        item_id, response_id = event.get("item_id"), event.get("response_id")
        if not isinstance(part, dict) or part.get("type") not in _AUDIO_PARTS:
            return
        if not isinstance(item_id, str):
            return
        if isinstance(response_id, str):
            self._items.setdefault(response_id, item_id)  # a response's first audio item
            while len(self._items) > MAX_WAITING:
                del self._items[next(iter(self._items))]
        self._latest, self._latest_response = item_id, response_id
        self._response_done, self._silent = False, 0

    def _response_of(self, event: dict[str, Any]) -> str | None:
        """The response a buffer event is about: its ``response_id``, else the oldest waiting."""
        response_id = event.get("response_id")
        if isinstance(response_id, str):
            return response_id
        return next(iter(self._items), None)

    def target(self, samples: Int16Array) -> str | None:
        """The item these received samples belong to, or None (then they are dropped)."""
        item_id = self.item_id
        if item_id is not None and not self._buffered and self._response_done:
            peak = int(np.abs(samples.astype(np.int32)).max()) if len(samples) else 0
            self._silent = self._silent + 1 if peak < SILENCE_PEAK else 0
            if self._silent >= SILENT_FRAMES_TO_END:
                self._latest = item_id = None
        if item_id is None:
            self.dropped_samples += len(samples)
        return item_id
