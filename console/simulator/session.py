"""The session configuration: defaults, option tables and deep merging of updates.

The canonical form is the GA session object (nested ``audio.input``/``audio.output``), plus the
beta-only ``temperature``. :mod:`.dialect` validates what a client sends in its dialect, converts
it to a canonical patch, and renders the canonical form back in that dialect's shape.
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from . import ids

if TYPE_CHECKING:
    from .prompts import PromptLibrary

BETA_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse")
GA_VOICES = (*BETA_VOICES, "marin", "cedar")
TRANSCRIPTION_MODELS = (
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe-diarize",
    "gpt-realtime-whisper",
    "gpt-transcribe",
    "gpt-live-transcribe",
)
EAGERNESS = ("low", "medium", "high", "auto")  # semantic_vad's waits: see .eagerness

DEFAULT_INSTRUCTIONS = (
    "Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI. "
    "(realtime-console simulator: replies echo your input and can list these instructions "
    "and the session's tools.)"
)
DEFAULT_EXPIRY_S = 3600
KINDS = ("realtime", "transcription")
# What a transcription session transcribes with until the client says otherwise: the model of
# OpenAI's transcription guide's session example (the real default is not documented).
DEFAULT_TRANSCRIPTION: dict[str, Any] = {
    "model": "gpt-4o-transcribe",
    "language": None,
    "prompt": "",
}
PCM_FORMAT: dict[str, Any] = {"type": "audio/pcm", "rate": 24000}


def server_vad_defaults() -> dict[str, Any]:
    """The server_vad settings a fresh session reports."""
    return {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }


def semantic_vad_defaults() -> dict[str, Any]:
    """The semantic_vad settings used when a client switches to it."""
    return {
        "type": "semantic_vad",
        "eagerness": "auto",
        "create_response": True,
        "interrupt_response": True,
    }


def default_config(model: str, voice: str) -> dict[str, Any]:
    """A new session's canonical configuration."""
    return {
        "type": "realtime",
        "model": model,
        "output_modalities": ["audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "prompt_text": None,  # what the prompt reference resolved to (never rendered)
        "reasoning": None,
        "include": None,
        "temperature": 0.8,
        "audio": {
            "input": {
                "format": dict(PCM_FORMAT),
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": server_vad_defaults(),
            },
            "output": {"format": dict(PCM_FORMAT), "voice": voice, "speed": 1.0},
        },
    }


def merge_turn_detection(
    current: dict[str, Any] | None, patch: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Merge a turn_detection patch: null disables; a new ``type`` starts from its defaults."""
    if patch is None:
        return None
    kind = patch.get("type") or (current or {}).get("type") or "server_vad"
    if current is None or current.get("type") != kind:
        base = server_vad_defaults() if kind == "server_vad" else semantic_vad_defaults()
    else:
        base = dict(current)
    base.update({k: v for k, v in patch.items() if k != "type"})
    base["type"] = kind
    return base


# Objects a new value replaces whole (a new prompt reference does not keep the old variables).
REPLACED_WHOLE = ("format", "prompt", "reasoning", "truncation", "tool_choice", "tracing")


def deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Merge ``patch`` into ``target`` in place: objects recursively (except
    :data:`REPLACED_WHOLE`), everything else replaced."""
    for key, value in patch.items():
        if key == "turn_detection":
            target[key] = merge_turn_detection(target.get(key), value)
        elif (
            isinstance(value, dict)
            and isinstance(target.get(key), dict)
            and key not in REPLACED_WHOLE
        ):
            deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


class SessionState:
    """One connection's session: id, expiry and the canonical configuration.

    ``kind`` is ``"realtime"`` or ``"transcription"`` (``?intent=transcription``), fixed for the
    session's life. A transcription session keeps the whole canonical configuration (so the
    input audio code reads it the same way) but shows only its input side, and never answers.
    """

    def __init__(
        self,
        model: str,
        voice: str,
        expiry_s: float | None,
        kind: str = "realtime",
        prompts: PromptLibrary | None = None,
    ) -> None:
        """``prompts``: the templates a ``prompt`` reference resolves from (see :mod:`.prompts`;
        None: no prompt id is known)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self.id = ids.new_id("sess")
        self.created_at = time.time()
        self.expires_at = int(self.created_at + (expiry_s or DEFAULT_EXPIRY_S))
        self.prompts = prompts
        self.config = default_config(model, voice)
        self.config["type"] = kind
        if kind == "transcription":
            self.config["audio"]["input"]["transcription"] = dict(DEFAULT_TRANSCRIPTION)

    @property
    def kind(self) -> str:
        """``realtime`` or ``transcription``."""
        return str(self.config["type"])

    def creates_responses(self) -> bool:
        """Whether the end of a VAD turn asks for a response: never in a transcription
        session, else as ``turn_detection.create_response`` says (default true)."""
        td = self.turn_detection or {}
        return self.kind == "realtime" and bool(td.get("create_response", True))

    def update(self, patch: dict[str, Any]) -> None:
        """Apply a validated canonical patch."""
        deep_merge(self.config, patch)

    @property
    def turn_detection(self) -> dict[str, Any] | None:
        """The active turn-detection settings, or None for manual turns."""
        td: dict[str, Any] | None = self.config["audio"]["input"]["turn_detection"]
        return td

    @property
    def input_format(self) -> str:
        """``audio/pcm``, ``audio/pcmu`` or ``audio/pcma``."""
        return str(self.config["audio"]["input"]["format"]["type"])

    @property
    def output_format(self) -> str:
        """``audio/pcm``, ``audio/pcmu`` or ``audio/pcma``."""
        return str(self.config["audio"]["output"]["format"]["type"])

    @property
    def transcription(self) -> dict[str, Any] | None:
        """Input transcription settings, or None when off."""
        value: dict[str, Any] | None = self.config["audio"]["input"]["transcription"]
        return value
