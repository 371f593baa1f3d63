"""The two wire dialects of the Realtime API, GA (default) and beta: their tables, and the
folding of what callers pass (``dialect_payloads`` renders what is sent from these).

The library keeps the reference client's flat session configuration (``modalities``, ``voice``,
``input_audio_format``, ``turn_detection``, ...) as its own model. This module

- folds what a caller passes to ``update_session`` (the seed's flat keys and GA keys alike) into
  that flat model, with clear errors for unknown keys and values;
- holds the tables ``dialect_payloads`` renders the flat model with, as the ``session.update``
  payload each dialect expects (and ``response.create`` overrides likewise);
- names the handshake headers and default model per dialect;
- maps GA server event names to the reference client's names, so the conversation accepts both.

Nothing but this module and ``dialect_payloads`` branches on the dialect.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal, cast

Dialect = Literal["ga", "beta"]
DIALECTS: tuple[Dialect, ...] = ("ga", "beta")

DEFAULT_MODELS: dict[Dialect, str] = {"ga": "gpt-realtime", "beta": "gpt-4o-realtime-preview"}

DEFAULT_SESSION_CONFIG: dict[str, Any] = {
    "modalities": ["text", "audio"],
    "instructions": "",
    "voice": "verse",
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": None,
    "turn_detection": None,
    "tools": [],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": 4096,
}
"""The reference client's defaults (voice ``verse`` since 2024-11-07), in its flat shape."""

DEFAULT_SERVER_VAD_CONFIG: dict[str, Any] = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 200,
}
"""The reference's server-VAD preset; used when ``turn_detection="server_vad"`` is given."""

TRANSCRIPTION_MODELS: tuple[dict[str, str], ...] = ({"model": "whisper-1"},)
"""The reference's ``transcriptionModels`` (informational: no method reads it)."""

# Flat keys both dialects carry, and those only one of them has.
_COMMON_KEYS = frozenset(
    {
        "modalities",
        "instructions",
        "voice",
        "speed",
        "input_audio_format",
        "output_audio_format",
        "input_audio_transcription",
        "input_audio_noise_reduction",
        "turn_detection",
        "tools",
        "tool_choice",
        "max_response_output_tokens",
        "tracing",
        "model",
    }
)
BETA_ONLY_KEYS = frozenset({"temperature"})
GA_ONLY_KEYS = frozenset(
    {"type", "include", "truncation", "prompt", "reasoning", "parallel_tool_calls"}
)
FLAT_SESSION_KEYS = _COMMON_KEYS | BETA_ONLY_KEYS | GA_ONLY_KEYS

# GA-only spellings a caller may use, and the flat key each becomes.
GA_ALIASES = {"output_modalities": "modalities", "max_output_tokens": "max_response_output_tokens"}
# GA nested ``audio`` paths and their flat keys.
GA_AUDIO_PATHS: dict[tuple[str, str], str] = {
    ("input", "format"): "input_audio_format",
    ("input", "transcription"): "input_audio_transcription",
    ("input", "turn_detection"): "turn_detection",
    ("input", "noise_reduction"): "input_audio_noise_reduction",
    ("output", "format"): "output_audio_format",
    ("output", "voice"): "voice",
    ("output", "speed"): "speed",
}

FORMATS_BETA_TO_GA: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
}
_FORMATS_GA_TO_BETA = {v["type"]: k for k, v in FORMATS_BETA_TO_GA.items()}
AudioEncoding = Literal["pcm16", "ulaw", "alaw"]
_ENCODINGS: dict[str, AudioEncoding] = {"pcm16": "pcm16", "g711_ulaw": "ulaw", "g711_alaw": "alaw"}

SERVER_EVENT_ALIASES: dict[str, str] = {
    "conversation.item.added": "conversation.item.created",
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
}
"""GA server event type -> the reference (beta) name the conversation's processors use."""

TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
AUDIO_OUTPUT_PART_TYPES = frozenset({"audio", "output_audio"})


_MESSAGE_TEXT_PART = {
    ("ga", "user"): "input_text",
    ("ga", "assistant"): "output_text",
    ("beta", "user"): "input_text",
    ("beta", "assistant"): "text",
}
"""The text part a ``conversation.item.create`` message takes, by dialect and role."""


def text_message_item(role: str, text: str, dialect: Dialect) -> dict[str, Any]:
    """A ``conversation.item.create`` item carrying ``text`` as a ``user`` or ``assistant``
    message (GA assistant text is ``output_text``, beta's ``text``): how earlier turns are
    carried into a new session, as livekit and pipecat do on reconnect.
    """
    part = _MESSAGE_TEXT_PART.get((dialect, role))
    if part is None:
        raise ValueError(f"no text message of role {role!r} in dialect {dialect!r}")
    return {"type": "message", "role": role, "content": [{"type": part, "text": text}]}


class SessionConfigError(ValueError):
    """An ``update_session`` key or value the Realtime API would reject."""


def check_dialect(dialect: str) -> Dialect:
    """Return ``dialect`` if it is ``"ga"`` or ``"beta"``, else raise ``ValueError``."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be 'ga' or 'beta', not {dialect!r}")
    return dialect


def handshake_headers(dialect: Dialect) -> dict[str, str]:
    """Extra HTTP headers of the websocket handshake: beta announces itself, GA sends none."""
    return {"OpenAI-Beta": "realtime=v1"} if dialect == "beta" else {}


def canonical_event_type(event_type: str) -> str:
    """The reference client's name for a server event type (GA names mapped, others as is)."""
    return SERVER_EVENT_ALIASES.get(event_type, event_type)


def default_session_config() -> dict[str, Any]:
    """A fresh deep copy of the default flat session configuration."""
    return copy.deepcopy(DEFAULT_SESSION_CONFIG)


def fold_session_update(update: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``update_session`` arguments (flat and/or GA keys) into flat keys and values.

    Raises ``SessionConfigError`` for unknown keys and for values no dialect accepts.
    """
    flat: dict[str, Any] = {}
    for key, value in update.items():
        if key == "audio":
            flat.update(_fold_ga_audio(value))
        elif key in GA_ALIASES:
            flat[GA_ALIASES[key]] = value
        elif key in FLAT_SESSION_KEYS:
            flat[key] = value
        else:
            known = ", ".join(sorted(FLAT_SESSION_KEYS | set(GA_ALIASES) | {"audio"}))
            raise SessionConfigError(f"unknown session field {key!r}; known fields: {known}")
    return {key: normalise_value(key, value) for key, value in flat.items()}


def server_session_fields(session: Mapping[str, Any]) -> dict[str, Any]:
    """The flat configuration a server's ``session`` object (either dialect) describes.

    Unlike ``fold_session_update`` it refuses nothing: fields this library does not keep, and
    values it cannot read, are left out, because a session the console attaches to was made by
    someone else (``RealtimeClient`` with a ``call_id``).
    """
    flat: dict[str, Any] = {}
    for key, value in session.items():
        if key == "audio" and isinstance(value, Mapping):
            for direction, settings in value.items():
                if not isinstance(settings, Mapping):
                    continue
                for name, setting in settings.items():
                    target = GA_AUDIO_PATHS.get((direction, name))
                    if target is not None:
                        flat[target] = setting
        elif key in GA_ALIASES:
            flat[GA_ALIASES[key]] = value
        elif key in FLAT_SESSION_KEYS and key != "type":
            flat[key] = value
    readable: dict[str, Any] = {}
    for key, value in flat.items():
        try:
            readable[key] = normalise_value(key, value)
        except (SessionConfigError, TypeError, ValueError):
            continue
    return readable


def _fold_ga_audio(audio: Any) -> dict[str, Any]:
    if not isinstance(audio, Mapping):
        raise SessionConfigError("session field 'audio' must be an object with input/output")
    flat: dict[str, Any] = {}
    for direction, settings in audio.items():
        if direction not in ("input", "output") or not isinstance(settings, Mapping):
            raise SessionConfigError(f"unknown audio section {direction!r} (use input/output)")
        for name, value in settings.items():
            target = GA_AUDIO_PATHS.get((direction, name))
            if target is None:
                raise SessionConfigError(f"unknown session field 'audio.{direction}.{name}'")
            flat[target] = value
    return flat


def normalise_value(key: str, value: Any) -> Any:
    """Canonical flat value for ``key``; accepts both dialects' spellings."""
    if key in ("input_audio_format", "output_audio_format"):
        return _flat_format(key, value)
    if key == "modalities":
        return _flat_modalities(value)
    if key == "turn_detection":
        return _flat_turn_detection(value)
    if key == "tools":
        return _tool_list(value)
    if key == "tool_choice":
        return _flat_tool_choice(value)
    if key == "voice" and not (
        (isinstance(value, str) and value) or (isinstance(value, Mapping) and value.get("id"))
    ):
        raise SessionConfigError(f"voice must be a voice name or {{'id': ...}}, not {value!r}")
    if key == "type" and value != "realtime":
        raise SessionConfigError(
            f"session type {value!r} is not supported: RealtimeClient runs 'realtime' sessions"
        )
    return copy.deepcopy(value)


TOOL_CHOICE_MODES = frozenset({"auto", "none", "required"})


def _flat_tool_choice(value: Any) -> str | dict[str, str]:
    """A mode or a function's name (GA's ``{"type": "function", "name": ...}`` accepted), or
    an MCP server's tool as GA spells it: ``{"type": "mcp", "server_label", "name"?}``."""
    if isinstance(value, Mapping) and value.get("type") == "mcp":
        return _mcp_tool_choice(value)
    if isinstance(value, Mapping) and value.get("type") == "function":
        value = value.get("name")
    if not isinstance(value, str) or not value:
        raise SessionConfigError(
            "tool_choice must be auto, none, required, a function name or "
            f"{{'type': 'mcp', 'server_label': ..., 'name': ...}}, not {value!r}"
        )
    return value


def _mcp_tool_choice(value: Mapping[str, Any]) -> dict[str, str]:
    """``{"type": "mcp", "server_label", "name"?}`` checked (strings; no other keys)."""
    extra = set(value) - {"type", "server_label", "name"}
    label, name = value.get("server_label"), value.get("name")
    if extra or not isinstance(label, str) or not label:
        raise SessionConfigError(
            "an MCP tool_choice is {'type': 'mcp', 'server_label': ..., 'name': ...} "
            f"(name optional), not {dict(value)!r}"
        )
    if name is not None and not (isinstance(name, str) and name):
        raise SessionConfigError(f"an MCP tool_choice's name must be a tool name, not {name!r}")
    choice = {"type": "mcp", "server_label": label}
    if name is not None:
        choice["name"] = name
    return choice


def _tool_list(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple) or not all(isinstance(t, Mapping) for t in value):
        raise SessionConfigError("'tools' must be a list of tool definitions (objects)")
    return [dict(tool) for tool in value]


def _flat_format(key: str, value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("type")
    if value in FORMATS_BETA_TO_GA:
        return cast(str, value)
    if value in _FORMATS_GA_TO_BETA:
        return _FORMATS_GA_TO_BETA[value]
    allowed = sorted(FORMATS_BETA_TO_GA) + sorted(_FORMATS_GA_TO_BETA)
    raise SessionConfigError(f"invalid {key} {value!r}; use one of {allowed}")


def audio_encoding(audio_format: Any) -> AudioEncoding:
    """How audio in a session format travels: ``pcm16`` (24 kHz), ``ulaw`` or ``alaw`` (8 kHz).

    Accepts either dialect's spelling (``g711_ulaw``, ``audio/pcmu``, ``{"type": ...}``);
    ``None`` (no format set) is PCM16. Raises ``SessionConfigError`` for other values.
    """
    if audio_format is None:
        return "pcm16"
    return _ENCODINGS[_flat_format("audio format", audio_format)]


def _flat_modalities(value: Any) -> list[str]:
    if isinstance(value, str) or not all(m in ("text", "audio") for m in value):
        raise SessionConfigError(f"modalities must be a list of 'text'/'audio', not {value!r}")
    modalities = list(value)
    if not modalities:
        raise SessionConfigError("modalities must not be empty")
    # GA's ["audio"] means audio with its transcript: beta's ["text", "audio"].
    return ["text", "audio"] if "audio" in modalities else ["text"]


def _flat_turn_detection(value: Any) -> dict[str, Any] | None:
    if value is None or value in ("none", "disabled"):
        return None
    if value in ("server_vad", "semantic_vad"):
        return dict(DEFAULT_SERVER_VAD_CONFIG) if value == "server_vad" else {"type": value}
    if isinstance(value, Mapping):
        if value.get("type") == "none":  # the seed README's spelling of manual mode
            return None
        if value.get("type") not in ("server_vad", "semantic_vad"):
            raise SessionConfigError(
                f"turn_detection type must be server_vad, semantic_vad or None, not {value!r}"
            )
        return dict(value)
    raise SessionConfigError(f"turn_detection must be None or an object, not {value!r}")


CLIENT_EVENT_TYPES = frozenset(
    {
        "session.update",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "input_audio_buffer.clear",
        "conversation.item.create",
        "conversation.item.retrieve",
        "conversation.item.truncate",
        "conversation.item.delete",
        "response.create",
        "response.cancel",
        "output_audio_buffer.clear",
        "transcription_session.update",
    }
)
"""Client event types of the GA and beta protocols: a bare event of another type is a server's."""
