"""The payloads each wire dialect expects, rendered from the library's flat model.

``session_update_payload`` renders the flat session configuration (``dialects``) as a
``session.update``'s ``session`` object; ``response_create_payload`` turns ``create_response``
overrides, in either dialect's spelling, into a ``response.create``'s ``response`` object. A
field the dialect lacks is left out with a warning. The tables and the folding of what callers
pass live in ``dialects``; together the two modules are the only ones that know the dialects.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any

from .dialects import (
    BETA_ONLY_KEYS,
    FORMATS_BETA_TO_GA,
    GA_ALIASES,
    GA_AUDIO_PATHS,
    GA_ONLY_KEYS,
    TOOL_CHOICE_MODES,
    Dialect,
    SessionConfigError,
    normalise_value,
)
from .mcp_tools import check_mcp_tool, is_mcp_tool

logger = logging.getLogger("console.realtime")


_RESPONSE_KEYS = frozenset(
    {
        "modalities",
        "instructions",
        "voice",
        "output_audio_format",
        "tools",
        "tool_choice",
        "max_response_output_tokens",
        "conversation",
        "metadata",
        "input",
    }
)
_RESPONSE_BETA_ONLY = frozenset({"temperature"})
_RESPONSE_GA_ONLY = frozenset({"prompt", "parallel_tool_calls", "reasoning"})


def response_create_payload(response: Mapping[str, Any], dialect: Dialect) -> dict[str, Any]:
    """The ``response`` object of a ``response.create`` for ``dialect``.

    Accepts both dialects' spellings, as ``update_session`` does (``modalities`` or
    ``output_modalities``, ``voice``/``output_audio_format`` or ``audio.output``,
    ``max_response_output_tokens`` or ``max_output_tokens``). Raises ``SessionConfigError``
    for unknown keys and for MCP tools that are malformed (``mcp_tools``) or in beta, which has
    none; a key the dialect lacks is left out with a warning.
    """
    flat: dict[str, Any] = {}
    for key, value in response.items():
        if key == "audio":
            requested = value.get("output") if isinstance(value, Mapping) else None
            if not isinstance(requested, Mapping) or set(value) - {"output"}:
                raise SessionConfigError("response field 'audio' must be {'output': {...}}")
            for name, setting in requested.items():
                target = {"voice": "voice", "format": "output_audio_format"}.get(name)
                if target is None:
                    raise SessionConfigError(f"unknown response field 'audio.output.{name}'")
                flat[target] = setting
        elif key in GA_ALIASES:
            flat[GA_ALIASES[key]] = value
        elif key in _RESPONSE_KEYS | _RESPONSE_BETA_ONLY | _RESPONSE_GA_ONLY:
            flat[key] = value
        else:
            raise SessionConfigError(f"unknown response field {key!r}")
    flat = {key: normalise_value(key, value) for key, value in flat.items()}
    if "tools" in flat:
        flat["tools"] = [_response_tool(tool, dialect) for tool in flat["tools"]]
    unsupported = _RESPONSE_BETA_ONLY if dialect == "ga" else _RESPONSE_GA_ONLY
    for key in sorted(unsupported & set(flat)):
        logger.warning("response field %r is not part of the %s protocol; not sent", key, dialect)
        del flat[key]
    if dialect == "beta":
        _no_mcp_choice(flat)
        return flat
    payload: dict[str, Any] = {}
    output: dict[str, Any] = {}
    for key, value in flat.items():
        if key == "modalities":
            payload["output_modalities"] = ["audio"] if "audio" in value else ["text"]
        elif key == "max_response_output_tokens":
            payload["max_output_tokens"] = value
        elif key == "voice":
            output["voice"] = value
        elif key == "output_audio_format":
            output["format"] = FORMATS_BETA_TO_GA[value]
        elif key == "tool_choice" and isinstance(value, str) and value not in TOOL_CHOICE_MODES:
            # a function, GA-shaped
            payload[key] = {"type": "function", "name": value}
        else:
            payload[key] = value
    if output:
        payload["audio"] = {"output": output}
    return payload


def _no_mcp_choice(fields: Mapping[str, Any]) -> None:
    """Beta has no MCP: an MCP ``tool_choice`` is refused before it is sent."""
    if isinstance(fields.get("tool_choice"), Mapping):
        raise SessionConfigError("an MCP tool_choice is part of the GA protocol; beta has none")


def _response_tool(tool: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    """A per-response tool: a function (``type`` added), or a checked MCP tool."""
    if not is_mcp_tool(tool):
        return {"type": "function", **tool}
    if dialect == "beta":
        raise SessionConfigError("MCP tools are part of the GA protocol; beta has none")
    return check_mcp_tool(tool)


def session_update_payload(
    config: Mapping[str, Any],
    tools: list[dict[str, Any]] | None,
    dialect: Dialect,
    explicit_keys: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The ``session`` object of a ``session.update`` for ``dialect``.

    ``config`` may be the whole configuration or only the fields that changed (the server
    merges updates); ``tools`` is the full tool list to send, or ``None`` to leave the server's
    tools as they are. Fields the dialect cannot carry are left out; if the caller set one
    explicitly (``explicit_keys``) a warning says so.
    """
    unsupported = BETA_ONLY_KEYS if dialect == "ga" else GA_ONLY_KEYS
    for key in sorted(unsupported & explicit_keys):
        logger.warning("session field %r is not part of the %s protocol; not sent", key, dialect)
    fields = {k: v for k, v in config.items() if k not in unsupported and k != "tools"}
    if tools is not None:
        fields["tools"] = tools
    if dialect == "beta":
        _no_mcp_choice(fields)
        return copy.deepcopy(fields)
    return _render_ga(fields)


def _render_ga(fields: Mapping[str, Any]) -> dict[str, Any]:
    session: dict[str, Any] = {"type": fields.get("type", "realtime")}
    audio: dict[str, dict[str, Any]] = {}
    flat_to_path = {flat: path for path, flat in GA_AUDIO_PATHS.items()}
    for key, value in fields.items():
        if key == "type":
            continue
        if key in flat_to_path:
            direction, name = flat_to_path[key]
            if key.endswith("_format"):
                value = FORMATS_BETA_TO_GA[value]
            audio.setdefault(direction, {})[name] = copy.deepcopy(value)
        elif key == "modalities":
            session["output_modalities"] = ["audio"] if "audio" in value else ["text"]
        elif key == "max_response_output_tokens":
            session["max_output_tokens"] = value
        elif key == "tool_choice" and isinstance(value, str) and value not in TOOL_CHOICE_MODES:
            session["tool_choice"] = {"type": "function", "name": value}
        else:
            session[key] = copy.deepcopy(value)
    if audio:
        session["audio"] = audio
    return session


# -- transcription sessions (``intent="transcription"``) -----------------------------------

TRANSCRIPTION_KEYS = (
    "input_audio_format",
    "input_audio_transcription",
    "turn_detection",
    "input_audio_noise_reduction",
    "include",
)
"""The flat keys a transcription session takes; the other fields are left out, silently (a
console switching kinds keeps one configuration)."""


def session_event(dialect: Dialect, transcription: bool, verb: str) -> str:
    """The server event announcing a session ``created``/``updated``: beta's transcription
    sessions say ``transcription_session.*``; GA's use ``session.*`` for both kinds."""
    if transcription and dialect == "beta":
        return f"transcription_session.{verb}"
    return f"session.{verb}"


def transcription_update(
    config: Mapping[str, Any], dialect: Dialect
) -> tuple[str, dict[str, Any]] | None:
    """The event type and ``session`` object that send ``config``'s transcription fields to a
    transcription session (GA: ``session.update`` with ``type: "transcription"``; beta:
    ``transcription_session.update``), or None when ``config`` has none of them."""
    fields = {k: copy.deepcopy(config[k]) for k in TRANSCRIPTION_KEYS if k in config}
    if not fields:
        return None
    if dialect == "beta":
        return "transcription_session.update", fields
    session: dict[str, Any] = {"type": "transcription"}
    if "include" in fields:
        session["include"] = fields.pop("include")
    if fields:
        flat_to_path = {flat: path for path, flat in GA_AUDIO_PATHS.items()}
        audio_in = {flat_to_path[k][1]: v for k, v in fields.items()}
        if "format" in audio_in:
            audio_in["format"] = FORMATS_BETA_TO_GA[audio_in["format"]]
        session["audio"] = {"input": audio_in}
    return "session.update", session
