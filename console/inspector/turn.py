"""One turn as the turn model knows it (``Turn``), and the small records and readers the model
builds turns with. The model itself, and what a turn is, are in ``turns``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Trigger = Literal["speech", "text", "tool", "commit", "other"]
DEFAULT_TURNS_CAP = 5_000
MAX_PENDING = 64
BYTES_PER_SECOND = {"pcm16": 48_000.0, "g711": 8_000.0}

LOCAL_PLAYBACK_STARTED = "local.playback.started"
LOCAL_PLAYBACK_STOPPED = "local.playback.stopped"
LOCAL_CONNECTION = "local.connection"
DISCONNECTED = "disconnected"
"""The status of a turn whose connection closed before its ``response.done``."""


@dataclass(slots=True)
class Turn:
    """One response and its trigger; times are epoch seconds, ``None`` when unknown."""

    index: int
    response_id: str
    trigger: Trigger
    trigger_at: float | None
    user_item_id: str | None = None
    speech_started_at: float | None = None
    speech_start_ms: int | None = None
    """``audio_start_ms``/``audio_end_ms`` of the user's speech (input audio stream time)."""
    speech_end_ms: int | None = None
    requested_at: float | None = None
    created_at: float | None = None
    first_text_at: float | None = None
    first_audio_at: float | None = None
    first_heard_at: float | None = None
    last_heard_at: float | None = None
    done_at: float | None = None
    status: str | None = None
    reason: str | None = None
    """Why a response was ``cancelled``, ``incomplete`` or ``failed`` (the server's words)."""
    audio_bytes: int = 0
    bytes_per_second: float = BYTES_PER_SECOND["pcm16"]
    heard_ms: float | None = None
    buffer_started_at: float | None = None
    """WebRTC: when the call began playing its audio (``output_audio_buffer.started``)."""
    buffer_ended_at: float | None = None
    """WebRTC: when it had all played (``.stopped``) or was cut (``.cleared``)."""
    buffer_cleared: bool = False
    truncated_ms: int | None = None
    transcribed_at: float | None = None
    """When the trigger's input transcription completed (it may come after ``done``)."""
    tool_call_ids: list[str] = field(default_factory=list)
    """The function calls the response made (their facts are in ``TurnModel.tool_calls``)."""
    usage: dict[str, Any] | None = None
    model: str | None = None
    cost_usd: float | None = None
    item_ids: list[str] = field(default_factory=list)
    client_event_ids: list[str] = field(default_factory=list)
    """The ids of the client events that asked for it: the item create (or the commit), then the
    ``response.create``, as far as they carried one."""
    connection: int = 0

    def since_trigger(self, at: float | None) -> float | None:
        """Milliseconds from the trigger to ``at``."""
        if at is None or self.trigger_at is None:
            return None
        return (at - self.trigger_at) * 1000.0

    @property
    def created_ms(self) -> float | None:
        return self.since_trigger(self.created_at)

    @property
    def first_text_ms(self) -> float | None:
        return self.since_trigger(self.first_text_at)

    @property
    def first_audio_ms(self) -> float | None:
        return self.since_trigger(self.first_audio_at)

    @property
    def first_heard_ms(self) -> float | None:
        return self.since_trigger(self.first_heard_at)

    @property
    def done_ms(self) -> float | None:
        return self.since_trigger(self.done_at)

    @property
    def transcribed_ms(self) -> float | None:
        return self.since_trigger(self.transcribed_at)

    @property
    def audio_ms(self) -> float:
        """Audio generated (received), in milliseconds."""
        return self.audio_bytes / self.bytes_per_second * 1000.0

    @property
    def is_done(self) -> bool:
        return self.status is not None


@dataclass(slots=True)
class Action:
    """What the client did that a ``response.create`` answers: an item it created, a commit."""

    trigger: Trigger
    item_id: str | None = None
    """The item's id: the client's own, else the one the server's echo gives it."""
    event_id: str | None = None


@dataclass(slots=True)
class Request:
    at: float | None
    event_id: str | None
    action: Action


@dataclass(slots=True)
class Speech:
    started_at: float | None = None
    start_ms: int | None = None
    stopped: bool = False
    stopped_at: float | None = None
    end_ms: int | None = None
    item_id: str | None = None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def decoded_size(b64: str) -> int:
    """Bytes a base64 string decodes to, without decoding it."""
    return len(b64) * 3 // 4 - b64.count("=", max(0, len(b64) - 2))


def output_rate(session: Mapping[str, Any]) -> float | None:
    """Bytes per second of the session's output audio (PCM16 24 kHz, or G.711 8 kHz)."""
    fmt: Any = session.get("output_audio_format")
    audio = session.get("audio")
    if isinstance(audio, Mapping) and isinstance(audio.get("output"), Mapping):
        fmt = audio["output"].get("format", fmt)
    if isinstance(fmt, Mapping):
        fmt = fmt.get("type")
    if not isinstance(fmt, str):
        return None
    return BYTES_PER_SECOND["g711" if ("711" in fmt or fmt.endswith(("pcmu", "pcma"))) else "pcm16"]
