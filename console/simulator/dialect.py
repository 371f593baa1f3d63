"""Everything that differs between the GA and the retired beta wire protocols, in one place.

The rest of the simulator works on canonical values (GA names and shapes, :class:`Item`
objects). A :class:`Dialect` renames server events (``response.output_text.delta`` ↔
``response.text.delta``, ``conversation.item.added`` ↔ ``conversation.item.created``, …), renders
sessions, items and responses in its wire shape, and validates and converts what clients send
(``session.update``, items, ``response.create`` parameters) with ``param`` paths in its names.

This module holds the GA dialect; :mod:`.dialect_items` the item codec it inherits and
:mod:`.dialect_beta` the beta protocol's overrides.
"""

from __future__ import annotations

import copy
from typing import Any

from . import dialect_transcription as transcription
from . import errors, fields, ids, mcp_tools
from . import validation as v
from .conversation import Item
from .dialect_items import ItemCodec
from .session import GA_VOICES, SessionState
from .voice import voice_name

GA_CLIENT_EVENTS = (
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
)

_OBFUSCATED = ("response.output_text.delta", "response.output_audio_transcript.delta")
TOOL_CHOICE_MODES = ("auto", "none", "required")
GA_SERVER_VAD_EXTRAS = ("idle_timeout_ms",)
GA_TRANSCRIPTION_EXTRAS = ("delay", "keywords", "languages")


# --- dialect-specific field rules ----------------------------------------------------------


def modalities(value: Any, param: str, ga: bool) -> list[str]:
    """``output_modalities`` (GA: one of text or audio) or ``modalities`` (beta: text, or text
    and audio), canonical as a one-element list."""
    items = [
        v.enum(m, f"{param}[{i}]", ("text", "audio")) for i, m in enumerate(v.array(value, param))
    ]
    chosen = set(items)
    if ga:
        if chosen not in ({"text"}, {"audio"}):
            raise errors.invalid_value(
                param,
                f"Invalid modalities: {items}. Supported combinations are: ['text'] and ['audio'].",
            )
        return sorted(chosen)
    if chosen not in ({"text"}, {"text", "audio"}):
        raise errors.invalid_value(
            param,
            f"Invalid modalities: {items}. Supported combinations are: ['text'] and "
            "['audio', 'text'].",
        )
    return ["audio"] if "audio" in chosen else ["text"]


# --- the dialects ---------------------------------------------------------------------------


class Dialect(ItemCodec):
    """GA behaviour; :class:`BetaDialect` overrides what the beta protocol does differently."""

    name = "ga"
    default_model = "gpt-realtime"
    default_voice = "alloy"  # what real GA sessions report
    voices: tuple[str, ...] = GA_VOICES
    client_events: tuple[str, ...] = GA_CLIENT_EVENTS
    # Real GA traffic sends rate_limits.updated near the end of a response; beta right after
    # response.created.
    rate_limits_after_done = True
    rate_limit_names: tuple[str, ...] = ("tokens",)  # recorded GA sessions report only tokens
    tool_kinds: tuple[str, ...] = ("function", "mcp")  # the beta protocol had no MCP

    # events --------------------------------------------------------------------------------
    def event_type(self, canonical: str) -> str | None:
        """Wire name of a canonical (GA) event type; None if the dialect lacks the event."""
        return canonical

    def shape_event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Rename/trim one canonical event for the wire (None drops it).

        GA text and transcript deltas carry an ``obfuscation`` padding string, as real GA
        traffic does (it hides token lengths from traffic analysis).
        """
        wire = self.event_type(event["type"])
        if wire is None:
            return None
        if wire != event["type"]:
            event = {**event, "type": wire}
        if self.name == "ga" and wire in _OBFUSCATED:
            event["obfuscation"] = ids.padding(max(2, 16 - len(event.get("delta", ""))))
        return event

    # sessions ------------------------------------------------------------------------------
    transcription_client_events = transcription.client_events(GA_CLIENT_EVENTS)
    kind_param = "session.type"  # where a session.update names its kind (for errors)

    def session_event(self, state: SessionState, verb: str) -> str:
        """The event announcing a session ``created``/``updated``."""
        return f"session.{verb}"

    def update_kind(self, raw: Any) -> str | None:
        """The kind of session a ``session.update`` payload is for (None: the parser says)."""
        kind = raw.get("type") if isinstance(raw, dict) else None
        return kind if kind in ("realtime", "transcription") else None

    def parse_transcription_update(self, raw: Any, state: SessionState) -> dict[str, Any]:
        """Validate a transcription session's update; return a canonical patch."""
        return transcription.parse_ga(raw, self)

    def render_any_session(self, state: SessionState) -> dict[str, Any]:
        """The session object of either kind."""
        if state.kind == "transcription":
            return transcription.render_ga(state)
        return self.render_session(state)

    def render_session(self, state: SessionState) -> dict[str, Any]:
        """The full session object as ``session.created``/``session.updated`` carry it."""
        c = state.config
        return {
            "type": "realtime",
            "object": "realtime.session",
            "id": state.id,
            "model": c["model"],
            "output_modalities": list(c["output_modalities"]),
            "instructions": c["instructions"],
            "tools": [mcp_tools.public(t) for t in c["tools"]],
            "tool_choice": copy.deepcopy(c["tool_choice"]),
            "max_output_tokens": c["max_output_tokens"],
            "tracing": copy.deepcopy(c["tracing"]),
            "truncation": copy.deepcopy(c["truncation"]),
            "prompt": copy.deepcopy(c["prompt"]),
            "expires_at": state.expires_at,
            "audio": copy.deepcopy(c["audio"]),
            "include": copy.deepcopy(c["include"]),
        }

    def _format(self, value: Any, param: str) -> dict[str, Any]:
        obj = v.require_object(value, param)
        v.check_keys(obj, ["type", "rate"], param)
        kind = v.enum(obj.get("type"), f"{param}.type", ("audio/pcm", "audio/pcmu", "audio/pcma"))
        if kind == "audio/pcm":
            if "rate" in obj and obj["rate"] != 24000:
                raise errors.invalid_enum(f"{param}.rate", obj["rate"], ("24000",))
            return {"type": kind, "rate": 24000}
        return {"type": kind}

    def _voice(self, value: Any, param: str) -> Any:
        if isinstance(value, dict) and self.name == "ga":
            v.check_keys(value, ["id"], param)
            return {"id": v.string(v.require_key(value, "id", param), f"{param}.id")}
        return v.enum(value, param, self.voices)

    def parse_session_update(self, raw: Any, state: SessionState) -> dict[str, Any]:
        """Validate a GA ``session.update`` payload; return a canonical patch."""
        p = "session"
        obj = v.require_object(raw, p)
        v.check_keys(
            obj,
            [
                "type", "model", "instructions", "output_modalities", "audio", "tools",
                "tool_choice", "max_output_tokens", "tracing", "truncation", "prompt",
                "include", "reasoning", "parallel_tool_calls",
            ],
            p,
        )  # fmt: skip
        kind = v.require_key(obj, "type", p)
        if kind != "realtime":
            raise errors.invalid_enum(f"{p}.type", kind, ("realtime",))
        patch: dict[str, Any] = {}
        for key, value in obj.items():
            q = f"{p}.{key}"
            if key in ("model", "instructions"):
                patch[key] = v.string(value, q)
            elif key == "output_modalities":
                patch[key] = modalities(value, q, ga=True)
            elif key == "max_output_tokens":
                patch[key] = v.max_tokens(value, q)
            elif key == "tools":
                patch[key] = fields.tools(value, q, self.tool_kinds)
            elif key == "tool_choice":
                patch[key] = self._tool_choice_in(value, q)
            elif key == "tracing":
                patch[key] = fields.tracing(value, q)
            elif key == "truncation":
                patch[key] = fields.truncation(value, q)
            elif key == "include":
                patch[key] = fields.include(value, q)
            elif key in ("prompt", "reasoning"):
                patch[key] = None if value is None else copy.deepcopy(v.opaque_object(value, q))
            elif key == "parallel_tool_calls":
                patch[key] = v.boolean(value, q)
            elif key == "audio":
                patch[key] = self.parse_audio(value, q)
        tools = patch.get("tools", state.config["tools"])
        fields.check_tool_choice_names(
            patch.get("tool_choice", state.config["tool_choice"]), tools, f"{p}.tool_choice"
        )
        return patch

    def _tool_choice_in(self, value: Any, param: str) -> Any:
        choice = fields.tool_choice(value, param, self.tool_kinds)
        if isinstance(choice, str):
            return v.enum(choice, param, TOOL_CHOICE_MODES)
        return choice

    def parse_audio(self, value: Any, param: str) -> dict[str, Any]:
        """A GA ``audio`` object (``input``/``output``) as a canonical patch."""
        obj = v.require_object(value, param)
        v.check_keys(obj, ["input", "output"], param)
        out: dict[str, Any] = {}
        if "input" in obj:
            q = f"{param}.input"
            inp = v.require_object(obj["input"], q)
            v.check_keys(inp, ["format", "transcription", "noise_reduction", "turn_detection"], q)
            section: dict[str, Any] = {}
            if "format" in inp:
                section["format"] = self._format(inp["format"], f"{q}.format")
            if "transcription" in inp:
                section["transcription"] = fields.transcription(
                    inp["transcription"], f"{q}.transcription", GA_TRANSCRIPTION_EXTRAS
                )
            if "noise_reduction" in inp:
                section["noise_reduction"] = fields.noise_reduction(
                    inp["noise_reduction"], f"{q}.noise_reduction"
                )
            if "turn_detection" in inp:
                section["turn_detection"] = fields.turn_detection(
                    inp["turn_detection"], f"{q}.turn_detection", GA_SERVER_VAD_EXTRAS
                )
            out["input"] = section
        if "output" in obj:
            q = f"{param}.output"
            outp = v.require_object(obj["output"], q)
            v.check_keys(outp, ["format", "voice", "speed"], q)
            section = {}
            if "format" in outp:
                section["format"] = self._format(outp["format"], f"{q}.format")
            if "voice" in outp:
                section["voice"] = self._voice(outp["voice"], f"{q}.voice")
            if "speed" in outp:
                section["speed"] = v.number(outp["speed"], f"{q}.speed", 0.25, 1.5)
            out["output"] = section
        return out

    @staticmethod
    def patched_voice(patch: dict[str, Any]) -> Any:
        """The voice a canonical patch sets, or None."""
        return patch.get("audio", {}).get("output", {}).get("voice")

    # responses -----------------------------------------------------------------------------
    def parse_response_params(self, raw: Any, state: SessionState) -> dict[str, Any]:
        """Validate GA ``response.create``'s ``response`` object into canonical parameters."""
        p = "response"
        obj = v.require_object(raw, p)
        v.check_keys(
            obj,
            [
                "audio", "conversation", "input", "instructions", "max_output_tokens",
                "metadata", "output_modalities", "parallel_tool_calls", "prompt", "reasoning",
                "tool_choice", "tools",
            ],
            p,
        )  # fmt: skip
        out: dict[str, Any] = {}
        self._common_response_params(obj, out, p)
        for key in ("prompt", "reasoning"):  # accepted, not used by the simulator
            if obj.get(key) is not None:
                v.opaque_object(obj[key], f"{p}.{key}")
        if "max_output_tokens" in obj:
            out["max_output_tokens"] = v.max_tokens(
                obj["max_output_tokens"], f"{p}.max_output_tokens"
            )
        if "output_modalities" in obj:
            out["output_modalities"] = modalities(
                obj["output_modalities"], f"{p}.output_modalities", True
            )
        if "audio" in obj:
            audio = v.require_object(obj["audio"], f"{p}.audio")
            v.check_keys(audio, ["output"], f"{p}.audio")
            section = v.require_object(audio.get("output", {}), f"{p}.audio.output")
            v.check_keys(section, ["format", "voice"], f"{p}.audio.output")
            if "format" in section:
                out["output_format"] = self._format(section["format"], f"{p}.audio.output.format")[
                    "type"
                ]
            if "voice" in section:
                out["voice"] = self._voice(section["voice"], f"{p}.audio.output.voice")
        if "tool_choice" in obj:
            out["tool_choice"] = self._tool_choice_in(obj["tool_choice"], f"{p}.tool_choice")
        fields.check_tool_choice_names(
            out.get("tool_choice", state.config["tool_choice"]),
            out.get("tools", state.config["tools"]),
            f"{p}.tool_choice",
        )
        return out

    def _common_response_params(self, obj: dict[str, Any], out: dict[str, Any], p: str) -> None:
        if "conversation" in obj:
            out["conversation"] = v.enum(obj["conversation"], f"{p}.conversation", ("auto", "none"))
        if "input" in obj:
            out["input"] = v.array(obj["input"], f"{p}.input")
        if "instructions" in obj:
            out["instructions"] = v.string(obj["instructions"], f"{p}.instructions")
        if "metadata" in obj:
            out["metadata"] = v.metadata(obj["metadata"], f"{p}.metadata")
        if "tools" in obj:
            out["tools"] = fields.tools(obj["tools"], f"{p}.tools", self.tool_kinds)

    def render_response(self, fields: dict[str, Any], output: list[Item]) -> dict[str, Any]:
        """A response object from canonical ``fields`` (see :mod:`.streaming`) and its items."""
        return {
            "object": "realtime.response",
            "id": fields["id"],
            "status": fields["status"],
            "status_details": fields["status_details"],
            "output": [self.render_item(item) for item in output],
            "conversation_id": fields["conversation_id"],
            "output_modalities": list(fields["output_modalities"]),
            "max_output_tokens": fields["max_output_tokens"],
            "audio": {
                "output": {
                    "format": self._render_format(fields["output_format"]),
                    "voice": voice_name(fields["voice"]),  # the SDK's model has a string
                }
            },
            "usage": fields["usage"],
            "metadata": fields["metadata"],
        }

    @staticmethod
    def _render_format(fmt: str) -> dict[str, Any]:
        return {"type": fmt, "rate": 24000} if fmt == "audio/pcm" else {"type": fmt}


GA = Dialect()
