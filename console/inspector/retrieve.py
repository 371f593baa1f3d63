"""Retrieve audits: what the server kept of a user's audio, beside what the microphone sent.

The console sends ``conversation.item.retrieve`` for a user audio item; the server answers
``conversation.item.retrieved`` with the item as it keeps it (its audio after noise reduction
and VAD), or an ``error``. ``RetrieveAudits`` watches those events (the inspector feeds it every
event, so a replay rebuilds the audits from a recording) and, per item, holds the audio the
server returned and a comparison with the audio the library kept for the item (what was sent):
both lengths and levels, the item's VAD window in the sent stream (``speech_started``'s
``audio_start_ms`` to ``speech_stopped``'s ``audio_end_ms``) and where the server's audio starts
in what was sent (``audio_compare.align``).

Bounded: at most ``MAX_ITEM_SECONDS`` of audio per item (a longer reply is cut, and says so),
``MAX_TOTAL_SECONDS`` over all audits (the oldest audit lets its audio go first, keeping its
figures), ``MAX_AUDITS`` audits and ``MAX_WINDOWS`` VAD windows. A request the server never
answers reads as failed after ``ANSWER_TIMEOUT_S``.
"""

from __future__ import annotations

import binascii
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from console.realtime.utils import SAMPLE_RATE, AudioFormatError, Int16Array

from .audio_compare import Alignment, ClipLevels, align, clip_levels, level_profile
from .speech_windows import SpeechWindows

MAX_ITEM_SECONDS = 120.0
MAX_TOTAL_SECONDS = 600.0
"""About 29 MB of 24 kHz PCM16 over every audit."""
MAX_AUDITS = 200
MAX_WINDOWS = 1_000
ANSWER_TIMEOUT_S = 15.0
STRIP_COLUMNS = 48

AuditState = Literal["pending", "done", "failed"]
Decode = Callable[[str], Int16Array]
"""base64 ``input_audio`` (in the session's input format) -> 24 kHz PCM16."""
SentAudio = Callable[[str], Int16Array | None]
"""The audio the library kept for an item (what the microphone sent), or None."""


@dataclass
class Audit:
    """One item's retrieve: its state, the audio the server kept and the comparison."""

    item_id: str
    requested_at: float
    state: AuditState = "pending"
    reason: str = ""
    """Why it failed, in words."""
    heard: Int16Array | None = None
    """The server's audio (24 kHz); None once released for the total bound."""
    heard_levels: ClipLevels | None = None
    sent_levels: ClipLevels | None = None
    window_ms: tuple[int, int] | None = None
    """The item's VAD window in the sent stream (``audio_start_ms``, ``audio_end_ms``)."""
    alignment: Alignment | None = None
    cut: bool = False
    """The server's audio was longer than ``MAX_ITEM_SECONDS``: the rest was not kept."""
    strip: tuple[list[float | None], list[float | None]] = field(default_factory=lambda: ([], []))
    """RMS dBFS per column, sent then heard, on one timeline (heard placed at its offset)."""
    event_id: str | None = None

    def lines(self) -> list[str]:
        """The two comparison lines (or the state in words) the item detail shows."""
        if self.state == "pending":
            return ["Retrieving what the server heard…"]
        if self.state == "failed":
            return [f"Retrieve failed: {self.reason}"]
        heard = self.heard_levels.describe() if self.heard_levels else "no audio"
        if self.cut:
            heard += f" (cut at {MAX_ITEM_SECONDS:g} s)"
        sent = self.sent_levels.describe() if self.sent_levels else "not kept by the console"
        return [f"sent   {sent}{self._window_text()}", f"heard  {heard}{self._clip_text()}"]

    def _window_text(self) -> str:
        if self.window_ms is None:
            return ""
        start, end = self.window_ms
        return f" · VAD window {start / 1000:.2f} to {end / 1000:.2f} s of the input stream"

    def _clip_text(self) -> str:
        if self.sent_levels is None or self.heard_levels is None:
            return ""
        if self.alignment is None:
            return " · does not match what was sent"
        offset = self.alignment.offset_ms
        start = (
            "starts with what was sent"
            if abs(offset) < 5
            else (
                f"starts {offset} ms into what was sent"
                if offset > 0
                else f"starts {-offset} ms before what was sent"
            )
        )
        sent_ms = self.sent_levels.samples * 1000 // SAMPLE_RATE
        heard_end = offset + self.heard_levels.samples * 1000 // SAMPLE_RATE
        tail = sent_ms - heard_end
        end = f", ends {tail} ms before its end" if tail >= 5 else ""
        return f" · {start}{end} (match {self.alignment.correlation:.2f})"


class RetrieveAudits:
    """Audits by item id, from the events of a session (client and server)."""

    def __init__(self, decode: Decode, sent_audio: SentAudio) -> None:
        self.decode = decode
        self.sent_audio = sent_audio
        self.version = 0
        """Changes whenever an audit changes (the detail screen redraws)."""
        self._audits: OrderedDict[str, Audit] = OrderedDict()
        self._windows = SpeechWindows(MAX_WINDOWS)
        self._kept_samples = 0

    def get(self, item_id: str, now: float | None = None) -> Audit | None:
        """The item's audit; a request unanswered for ``ANSWER_TIMEOUT_S`` reads as failed."""
        audit = self._audits.get(item_id)
        late = now is not None and audit is not None and now - audit.requested_at > ANSWER_TIMEOUT_S
        if audit is not None and audit.state == "pending" and late:
            self._fail(audit, f"no answer from the server in {ANSWER_TIMEOUT_S:g} s")
        return audit

    def clear(self) -> None:
        self._audits.clear()
        self._windows.clear()
        self._kept_samples = 0
        self.version += 1

    def observe(self, source: str, event: dict[str, Any], at: float) -> str | None:
        """Take one event in; the id of the item whose audit changed, if one did."""
        kind = event.get("type")
        if source == "client" and kind == "conversation.item.retrieve":
            return self._requested(event, at)
        if source != "server":
            return None
        if kind == "conversation.item.retrieved":
            return self._retrieved(event.get("item"))
        if kind == "error":
            return self._refused(event.get("error"))
        if kind in ("input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped"):
            self._windows.observe(event)
        return None

    # -- the events -------------------------------------------------------------------------

    def _requested(self, event: dict[str, Any], at: float) -> str | None:
        item_id = event.get("item_id")
        if not isinstance(item_id, str):
            return None
        self._release(self._audits.pop(item_id, None))
        event_id = event.get("event_id")
        audit = Audit(item_id, at, event_id=event_id if isinstance(event_id, str) else None)
        self._audits[item_id] = audit
        while len(self._audits) > MAX_AUDITS:
            self._release(self._audits.popitem(last=False)[1])
        self.version += 1
        return item_id

    def _refused(self, error: Any) -> str | None:
        """An error naming a pending retrieve's event id, or the retrieve error code."""
        if not isinstance(error, dict):
            return None
        pending = [audit for audit in self._audits.values() if audit.state == "pending"]
        event_id = error.get("event_id")
        audit = next((a for a in pending if event_id and a.event_id == event_id), None)
        if audit is None and error.get("code") == "item_retrieve_invalid_item_id" and pending:
            audit = pending[0]
        if audit is None:
            return None
        code = str(error.get("code") or error.get("type") or "error")
        message = str(error.get("message") or "")
        self._fail(audit, f"{code}: {message}" if message else code)
        return audit.item_id

    def _retrieved(self, item: Any) -> str | None:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return None
        audit = self._audits.get(item["id"])
        if audit is None or audit.state != "pending":
            return None
        if item.get("role") != "user":
            self._fail(
                audit,
                f"the item is not a user's audio ({item.get('type')}, "
                f"{item.get('role') or 'no role'})",
            )
            return audit.item_id
        content = item.get("content")
        payloads: list[str] = [
            part["audio"]
            for part in (content if isinstance(content, list) else [])
            if isinstance(part, dict)
            and part.get("type") == "input_audio"
            and isinstance(part.get("audio"), str)
            and part["audio"]
        ]
        if not payloads:
            self._fail(audit, "the server's item has no audio (no input_audio with audio)")
            return audit.item_id
        try:
            heard, cut = self._decode(payloads)
        except (AudioFormatError, binascii.Error, ValueError) as exc:
            self._fail(audit, f"the server's audio could not be decoded: {exc}")
            return audit.item_id
        self._compare(audit, heard, cut)
        return audit.item_id

    def _decode(self, payloads: list[str]) -> tuple[Int16Array, bool]:
        """Decode at most ``MAX_ITEM_SECONDS`` (base64 cut before decoding, so a huge reply
        never becomes a huge array)."""
        limit = int(MAX_ITEM_SECONDS * SAMPLE_RATE)
        clips: list[Int16Array] = []
        total, cut = 0, False
        for payload in payloads:
            left = limit - total
            if left <= 0:
                cut = True
                break
            # 3 bytes per 4 characters; 12 characters (9 bytes) keep even sample boundaries
            # in PCM16 and whole bytes in G.711 (which decodes to more samples: cut again).
            chars = (left * 2 + 8) // 9 * 12
            if len(payload) > chars:
                payload, cut = payload[:chars], True
            clip = self.decode(payload)[:left]
            clips.append(clip)
            total += len(clip)
        heard = np.concatenate(clips) if clips else np.zeros(0, dtype=np.int16)
        return heard.astype(np.int16, copy=False), cut

    def _compare(self, audit: Audit, heard: Int16Array, cut: bool) -> None:
        audit.state, audit.heard, audit.cut = "done", heard, cut
        audit.heard_levels = clip_levels(heard)
        audit.window_ms = self._windows.get(audit.item_id) or audit.window_ms
        sent = self.sent_audio(audit.item_id)
        if sent is not None and len(sent):
            audit.sent_levels = clip_levels(sent)
            audit.alignment = align(sent, heard)
        audit.strip = _strip(sent, heard, audit.alignment)
        self._kept_samples += len(heard)
        self._bound_total(keep=audit)
        self.version += 1

    # -- bounds ----------------------------------------------------------------------------

    def _fail(self, audit: Audit, reason: str) -> None:
        audit.state, audit.reason = "failed", reason
        self.version += 1

    def _release(self, audit: Audit | None) -> None:
        if audit is not None and audit.heard is not None:
            self._kept_samples -= len(audit.heard)
            audit.heard = None

    def _bound_total(self, keep: Audit) -> None:
        """Past ``MAX_TOTAL_SECONDS`` the oldest audits let their audio go (figures stay)."""
        limit = int(MAX_TOTAL_SECONDS * SAMPLE_RATE)
        for audit in self._audits.values():
            if self._kept_samples <= limit:
                return
            if audit is not keep:
                self._release(audit)


def _strip(
    sent: Int16Array | None, heard: Int16Array, alignment: Alignment | None
) -> tuple[list[float | None], list[float | None]]:
    """Both clips' levels on one timeline: heard placed at its offset in what was sent."""
    sent = sent if sent is not None else np.zeros(0, dtype=np.int16)
    offset = alignment.offset_samples if alignment is not None else 0
    start = min(0, offset)
    span = max(len(sent), offset + len(heard)) - start
    return (
        level_profile(sent, -start, span, STRIP_COLUMNS),
        level_profile(heard, offset - start, span, STRIP_COLUMNS),
    )
