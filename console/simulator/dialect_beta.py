"""The retired beta protocol (``OpenAI-Beta: realtime=v1``): event names, the flat session and
response objects, ``g711_ulaw``-style format names and beta part types, over the GA
:class:`~.dialect.Dialect`."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from . import dialect_transcription as transcription
from . import fields
from . import validation as v
from .conversation import Item
from .dialect import GA_CLIENT_EVENTS, TOOL_CHOICE_MODES, Dialect, modalities
from .session import BETA_VOICES, SessionState
from .voice import voice_name

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
_BETA_FORMATS = {"pcm16": "audio/pcm", "g711_ulaw": "audio/pcmu", "g711_alaw": "audio/pcma"}
_FORMAT_TO_BETA = {value: key for key, value in _BETA_FORMATS.items()}


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
    tool_kinds = ("function",)
    client_item_types = ("message", "function_call", "function_call_output")

    def event_type(self, canonical: str) -> str | None:
        """Beta names (``response.text.delta``…); GA-only events map to None."""
        return _BETA_EVENT_NAMES.get(canonical, canonical)

    transcription_client_events = transcription.client_events(BETA_CLIENT_EVENTS)
    kind_param = "type"

    def session_event(self, state: SessionState, verb: str) -> str:
        """``transcription_session.*`` for a transcription session."""
        if state.kind == "transcription":
            return f"transcription_session.{verb}"
        return f"session.{verb}"

    def update_kind(self, raw: Any) -> str | None:
        """``session.update`` is always a realtime session's update in beta."""
        return "realtime"

    def parse_transcription_update(self, raw: Any, state: SessionState) -> dict[str, Any]:
        """Validate ``transcription_session.update``'s session; return a canonical patch."""
        return self.parse_session_update(transcription.check_beta_keys(raw), state)

    def render_any_session(self, state: SessionState) -> dict[str, Any]:
        """The beta session object of either kind."""
        full = self.render_session(state)
        return transcription.render_beta(state, full) if state.kind == "transcription" else full

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
        choice = fields.tool_choice(value, param, self.tool_kinds)
        if isinstance(choice, str) and choice not in TOOL_CHOICE_MODES:
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
                patch["output_modalities"] = modalities(value, q, ga=False)
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
                patch["tools"] = fields.tools(value, q, self.tool_kinds)
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
            out["output_modalities"] = modalities(obj["modalities"], f"{p}.modalities", False)
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


BETA = BetaDialect()
