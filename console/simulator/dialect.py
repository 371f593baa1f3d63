"""Everything that differs between the GA and the retired beta wire protocols, in one place.

The rest of the simulator works on canonical values (GA names and shapes, :class:`Item`
objects). A :class:`Dialect` renames server events (``response.output_text.delta`` ↔
``response.text.delta``, ``conversation.item.added`` ↔ ``conversation.item.created``, …), renders
sessions, items and responses in its wire shape, and validates and converts what clients send
(``session.update``, items, ``response.create`` parameters) with ``param`` paths in its names.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from . import errors, fields, ids
from . import validation as v
from .conversation import Item, Part
from .input_audio import decode_audio, encode_audio
from .session import (
    BETA_VOICES,
    GA_VOICES,
    SessionState,
)
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
BETA_CLIENT_EVENTS = (*GA_CLIENT_EVENTS, "transcription_session.update")

_BETA_EVENT_NAMES = {
    "conversation.item.added": "conversation.item.created",
    "conversation.item.done": None,
    "input_audio_buffer.timeout_triggered": None,
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
}
_OBFUSCATED = ("response.output_text.delta", "response.output_audio_transcript.delta")
_BETA_FORMATS = {"pcm16": "audio/pcm", "g711_ulaw": "audio/pcmu", "g711_alaw": "audio/pcma"}
_FORMAT_TO_BETA = {value: key for key, value in _BETA_FORMATS.items()}
_TOOL_CHOICE_MODES = ("auto", "none", "required")
GA_SERVER_VAD_EXTRAS = ("idle_timeout_ms",)
GA_TRANSCRIPTION_EXTRAS = ("delay", "keywords", "languages")


# --- dialect-specific field rules ----------------------------------------------------------


def _modalities(value: Any, param: str, ga: bool) -> list[str]:
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


class Dialect:
    """GA behaviour; :class:`BetaDialect` overrides what the beta protocol does differently."""

    name = "ga"
    default_model = "gpt-realtime"
    default_voice = "alloy"  # what real GA sessions report
    voices: tuple[str, ...] = GA_VOICES
    client_events: tuple[str, ...] = GA_CLIENT_EVENTS
    assistant_part_types = ("output_text", "output_audio")
    # Real GA traffic sends rate_limits.updated near the end of a response; beta right after
    # response.created.
    rate_limits_after_done = True
    rate_limit_names: tuple[str, ...] = ("tokens",)  # recorded GA sessions report only tokens

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
            "tools": copy.deepcopy(c["tools"]),
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
                patch[key] = _modalities(value, q, ga=True)
            elif key == "max_output_tokens":
                patch[key] = v.max_tokens(value, q)
            elif key == "tools":
                patch[key] = fields.tools(value, q)
            elif key == "tool_choice":
                patch[key] = self._tool_choice_in(value, q)
            elif key == "tracing":
                patch[key] = fields.tracing(value, q)
            elif key == "truncation":
                patch[key] = fields.truncation(value, q)
            elif key == "include":
                patch[key] = fields.include(value, q)
            elif key in ("prompt", "reasoning"):
                patch[key] = None if value is None else copy.deepcopy(v.require_object(value, q))
            elif key == "parallel_tool_calls":
                patch[key] = v.boolean(value, q)
            elif key == "audio":
                patch[key] = self._audio(value, q)
        tools = patch.get("tools", state.config["tools"])
        fields.check_tool_choice_names(
            patch.get("tool_choice", state.config["tool_choice"]), tools, f"{p}.tool_choice"
        )
        return patch

    def _tool_choice_in(self, value: Any, param: str) -> Any:
        choice = fields.tool_choice(value, param)
        if isinstance(choice, str):
            return v.enum(choice, param, _TOOL_CHOICE_MODES)
        return choice

    def _audio(self, value: Any, param: str) -> dict[str, Any]:
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

    # items ---------------------------------------------------------------------------------
    def _wire_part_type(self, part_type: str) -> str:
        return part_type

    def render_part(self, part: Part, fmt: str | None = None) -> dict[str, Any]:
        """A content part; ``fmt`` set means include the audio, encoded in that format."""
        kind = self._wire_part_type(part.type)
        out: dict[str, Any] = {"type": kind}
        if part.type in ("input_text", "output_text"):
            out["text"] = part.text or ""
        elif part.type in ("input_audio", "output_audio"):
            if fmt is not None and part.audio is not None:
                out["audio"] = encode_audio(part.audio, fmt)
            out["transcript"] = part.transcript
        elif part.type == "input_image":
            out.update(part.extra)
        elif part.type == "item_reference":
            out["id"] = part.extra.get("id")
        return out

    def _item_common(self, item: Item) -> dict[str, Any]:
        return {"id": item.id, "type": item.type}

    def render_item(
        self, item: Item, audio_formats: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """An item for the wire; ``audio_formats`` (input, output) includes audio (retrieve)."""
        out = self._item_common(item)
        if item.type == "message":
            fmt = None
            if audio_formats is not None:
                fmt = audio_formats[1] if item.role == "assistant" else audio_formats[0]
            out.update(
                status=item.status,
                role=item.role,
                content=[self.render_part(p, fmt) for p in item.content],
            )
        elif item.type == "function_call":
            out.update(
                status=item.status, name=item.name, call_id=item.call_id, arguments=item.arguments
            )
        elif item.type == "function_call_output":
            out.update(call_id=item.call_id, output=item.output)
        return out

    def _part_rules(self, role: str) -> tuple[str, ...]:
        if role == "user":
            return ("input_text", "input_audio", "input_image")
        if role == "system":
            return ("input_text",)
        return self.assistant_part_types

    def _canonical_part_type(self, wire: str) -> str:
        return wire

    def parse_part(self, raw: Any, param: str, role: str, input_format: str) -> Part:
        """Validate one content part of a client item."""
        obj = v.require_object(raw, param)
        kind = v.enum(v.require_key(obj, "type", param), f"{param}.type", self._part_rules(role))
        canonical = self._canonical_part_type(kind)
        if canonical in ("input_text", "output_text"):
            v.check_keys(obj, ["type", "text"], param)
            return Part(
                canonical, text=v.string(v.require_key(obj, "text", param), f"{param}.text")
            )
        if canonical in ("input_audio", "output_audio"):
            v.check_keys(obj, ["type", "audio", "transcript"], param)
            audio = None
            if obj.get("audio") is not None:
                audio = decode_audio(
                    v.string(obj["audio"], f"{param}.audio"), input_format, f"{param}.audio"
                )
            transcript = v.optional_string(obj.get("transcript"), f"{param}.transcript")
            return Part(canonical, audio=audio, transcript=transcript)
        v.check_keys(obj, ["type", "image_url", "detail"], param)
        url = v.string(v.require_key(obj, "image_url", param), f"{param}.image_url")
        extra: dict[str, Any] = {"image_url": url}
        if "detail" in obj:
            extra["detail"] = v.enum(obj["detail"], f"{param}.detail", ("auto", "low", "high"))
        return Part("input_image", extra=extra)

    def parse_item(self, raw: Any, param: str, input_format: str) -> Item:
        """Validate a client item (``conversation.item.create`` or ``response.input``)."""
        obj = v.require_object(raw, param)
        kind = v.enum(
            v.require_key(obj, "type", param),
            f"{param}.type",
            ("message", "function_call", "function_call_output"),
        )
        common = ["id", "type", "object", "status"]
        if "id" in obj:
            v.string(obj["id"], f"{param}.id")
        if "status" in obj:
            v.enum(obj["status"], f"{param}.status", ("completed", "incomplete", "in_progress"))
        if kind == "message":
            v.check_keys(obj, [*common, "role", "content"], param)
            role = v.enum(
                v.require_key(obj, "role", param), f"{param}.role", ("user", "assistant", "system")
            )
            parts = v.array(v.require_key(obj, "content", param), f"{param}.content")
            content = [
                self.parse_part(p, f"{param}.content[{i}]", role, input_format)
                for i, p in enumerate(parts)
            ]
            item = Item("message", role=role, content=content)
        elif kind == "function_call":
            v.check_keys(obj, [*common, "name", "call_id", "arguments"], param)
            item = Item(
                "function_call",
                name=v.string(v.require_key(obj, "name", param), f"{param}.name"),
                arguments=v.string(obj.get("arguments", ""), f"{param}.arguments"),
                call_id=v.string(v.require_key(obj, "call_id", param), f"{param}.call_id"),
            )
        else:
            v.check_keys(obj, [*common, "call_id", "output"], param)
            item = Item(
                "function_call_output",
                call_id=v.string(v.require_key(obj, "call_id", param), f"{param}.call_id"),
                output=v.string(v.require_key(obj, "output", param), f"{param}.output"),
            )
        if obj.get("id"):
            item.id = obj["id"]
        return item

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
        if "max_output_tokens" in obj:
            out["max_output_tokens"] = v.max_tokens(
                obj["max_output_tokens"], f"{p}.max_output_tokens"
            )
        if "output_modalities" in obj:
            out["output_modalities"] = _modalities(
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
            out["tools"] = fields.tools(obj["tools"], f"{p}.tools")

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


class BetaDialect(Dialect):
    """The retired beta protocol (``OpenAI-Beta: realtime=v1``)."""

    name = "beta"
    default_model = "gpt-4o-realtime-preview-2024-12-17"
    default_voice = "alloy"
    voices = BETA_VOICES
    client_events = BETA_CLIENT_EVENTS
    assistant_part_types = ("text", "audio")
    rate_limits_after_done = False
    rate_limit_names = ("requests", "tokens")

    def event_type(self, canonical: str) -> str | None:
        """Beta names (``response.text.delta``…); GA-only events map to None."""
        return _BETA_EVENT_NAMES.get(canonical, canonical)

    def render_session(self, state: SessionState) -> dict[str, Any]:
        """The flat beta session object."""
        c = state.config
        audio_in = c["audio"]["input"]
        audio_out = c["audio"]["output"]
        td = audio_in["turn_detection"]
        if td is not None:
            keep = (
                (
                    "type",
                    "threshold",
                    "prefix_padding_ms",
                    "silence_duration_ms",
                    "create_response",
                    "interrupt_response",
                )
                if td["type"] == "server_vad"
                else ("type", "eagerness", "create_response", "interrupt_response")
            )
            td = {k: td[k] for k in keep if k in td}
        transcription = audio_in["transcription"]
        if transcription is not None:
            transcription = {k: transcription.get(k) for k in ("model", "language", "prompt")}
        noise = audio_in["noise_reduction"]
        return {
            "id": state.id,
            "object": "realtime.session",
            "model": c["model"],
            "expires_at": state.expires_at,
            "modalities": ["text", "audio"] if "audio" in c["output_modalities"] else ["text"],
            "instructions": c["instructions"],
            "voice": audio_out["voice"],
            "input_audio_format": _FORMAT_TO_BETA[audio_in["format"]["type"]],
            "output_audio_format": _FORMAT_TO_BETA[audio_out["format"]["type"]],
            "input_audio_transcription": transcription,
            "input_audio_noise_reduction": None if noise is None else {"type": noise["type"]},
            "turn_detection": td,
            "tools": [t for t in copy.deepcopy(c["tools"]) if t.get("type") == "function"],
            "tool_choice": self._tool_choice_out(c["tool_choice"]),
            "temperature": c["temperature"],
            "max_response_output_tokens": c["max_output_tokens"],
            "speed": audio_out["speed"],
            "tracing": copy.deepcopy(c["tracing"]),
            "client_secret": None,
            "include": copy.deepcopy(c["include"]),
        }

    @staticmethod
    def _tool_choice_out(choice: Any) -> str:
        if isinstance(choice, dict):
            return str(choice.get("name", "auto"))
        return str(choice)

    def _tool_choice_in(self, value: Any, param: str) -> Any:
        choice = fields.tool_choice(value, param)
        if isinstance(choice, str) and choice not in _TOOL_CHOICE_MODES:
            return {"type": "function", "name": choice}
        return choice

    def _beta_format(self, value: Any, param: str) -> dict[str, Any]:
        name = v.enum(value, param, tuple(_BETA_FORMATS))
        return self._render_format(_BETA_FORMATS[name])

    def parse_session_update(self, raw: Any, state: SessionState) -> dict[str, Any]:
        """Validate a beta (flat) ``session.update`` payload; return a canonical patch."""
        p = "session"
        obj = v.require_object(raw, p)
        v.check_keys(
            obj,
            [
                "model", "modalities", "instructions", "voice", "input_audio_format",
                "output_audio_format", "input_audio_transcription", "input_audio_noise_reduction",
                "turn_detection", "tools", "tool_choice", "temperature",
                "max_response_output_tokens", "speed", "tracing", "client_secret", "include",
            ],
            p,
        )  # fmt: skip
        patch: dict[str, Any] = {}
        audio_in: dict[str, Any] = {}
        audio_out: dict[str, Any] = {}
        for key, value in obj.items():
            q = f"{p}.{key}"
            if key in ("model", "instructions"):
                patch[key] = v.string(value, q)
            elif key == "modalities":
                patch["output_modalities"] = _modalities(value, q, ga=False)
            elif key == "voice":
                audio_out["voice"] = self._voice(value, q)
            elif key == "speed":
                audio_out["speed"] = v.number(value, q, 0.25, 1.5)
            elif key == "input_audio_format":
                audio_in["format"] = self._beta_format(value, q)
            elif key == "output_audio_format":
                audio_out["format"] = self._beta_format(value, q)
            elif key == "input_audio_transcription":
                audio_in["transcription"] = fields.transcription(value, q)
            elif key == "input_audio_noise_reduction":
                audio_in["noise_reduction"] = fields.noise_reduction(value, q)
            elif key == "turn_detection":
                audio_in["turn_detection"] = fields.turn_detection(value, q)
            elif key == "tools":
                patch["tools"] = [t for t in fields.tools(value, q)]
            elif key == "tool_choice":
                patch["tool_choice"] = self._tool_choice_in(value, q)
            elif key == "temperature":
                patch["temperature"] = v.number(value, q, 0.6, 1.2)
            elif key == "max_response_output_tokens":
                patch["max_output_tokens"] = v.max_tokens(value, q)
            elif key == "tracing":
                patch["tracing"] = fields.tracing(value, q)
            elif key == "include":
                patch["include"] = fields.include(value, q)
        audio: dict[str, Any] = {}
        if audio_in:
            audio["input"] = audio_in
        if audio_out:
            audio["output"] = audio_out
        if audio:
            patch["audio"] = audio
        tools = patch.get("tools", state.config["tools"])
        fields.check_tool_choice_names(
            patch.get("tool_choice", state.config["tool_choice"]), tools, f"{p}.tool_choice"
        )
        return patch

    _PART_TO_CANONICAL: ClassVar[dict[str, str]] = {"text": "output_text", "audio": "output_audio"}
    _PART_TO_WIRE: ClassVar[dict[str, str]] = {"output_text": "text", "output_audio": "audio"}

    def _wire_part_type(self, part_type: str) -> str:
        return self._PART_TO_WIRE.get(part_type, part_type)

    def _canonical_part_type(self, wire: str) -> str:
        return self._PART_TO_CANONICAL.get(wire, wire)

    def _part_rules(self, role: str) -> tuple[str, ...]:
        if role == "user":
            return ("input_text", "input_audio")
        return super()._part_rules(role)

    def _item_common(self, item: Item) -> dict[str, Any]:
        return {"id": item.id, "object": "realtime.item", "type": item.type}

    def render_item(
        self, item: Item, audio_formats: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """Beta items also carry ``status`` on function_call_output."""
        out = super().render_item(item, audio_formats)
        if item.type == "function_call_output":
            out["status"] = item.status
        return out

    def parse_response_params(self, raw: Any, state: SessionState) -> dict[str, Any]:
        """Validate beta ``response.create``'s ``response`` object."""
        p = "response"
        obj = v.require_object(raw, p)
        v.check_keys(
            obj,
            [
                "conversation", "input", "instructions", "max_response_output_tokens",
                "metadata", "modalities", "output_audio_format", "temperature", "tool_choice",
                "tools", "voice",
            ],
            p,
        )  # fmt: skip
        out: dict[str, Any] = {}
        self._common_response_params(obj, out, p)
        if "max_response_output_tokens" in obj:
            out["max_output_tokens"] = v.max_tokens(
                obj["max_response_output_tokens"], f"{p}.max_response_output_tokens"
            )
        if "modalities" in obj:
            out["output_modalities"] = _modalities(obj["modalities"], f"{p}.modalities", False)
        if "output_audio_format" in obj:
            out["output_format"] = self._beta_format(
                obj["output_audio_format"], f"{p}.output_audio_format"
            )["type"]
        if "voice" in obj:
            out["voice"] = self._voice(obj["voice"], f"{p}.voice")
        if "temperature" in obj:
            out["temperature"] = v.number(obj["temperature"], f"{p}.temperature", 0.6, 1.2)
        if "tool_choice" in obj:
            out["tool_choice"] = self._tool_choice_in(obj["tool_choice"], f"{p}.tool_choice")
        fields.check_tool_choice_names(
            out.get("tool_choice", state.config["tool_choice"]),
            out.get("tools", state.config["tools"]),
            f"{p}.tool_choice",
        )
        return out

    def render_response(self, fields: dict[str, Any], output: list[Item]) -> dict[str, Any]:
        """The flat beta response object."""
        return {
            "object": "realtime.response",
            "id": fields["id"],
            "status": fields["status"],
            "status_details": fields["status_details"],
            "output": [self.render_item(item) for item in output],
            "conversation_id": fields["conversation_id"],
            "modalities": ["text", "audio"] if "audio" in fields["output_modalities"] else ["text"],
            "voice": voice_name(fields["voice"]),
            "output_audio_format": _FORMAT_TO_BETA[fields["output_format"]],
            "temperature": fields["temperature"],
            "max_output_tokens": fields["max_output_tokens"],
            "usage": fields["usage"],
            "metadata": fields["metadata"],
        }


GA = Dialect()
BETA = BetaDialect()
