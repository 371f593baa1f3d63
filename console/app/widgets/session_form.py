"""The session pane's fields, one descriptor each: everything the pane knows about a field.

A field's label, its widget, how it reads the library's flat ``session_config``, how it writes an
``update_session`` keyword, and the form value that "edited" is measured on (and that becomes the
baseline once ``session.updated`` acknowledges it) used to sit in five tables of the pane; adding
a field meant five edits that had to agree. Now it is one ``SessionField`` in ``FIELDS``, in the
order the pane shows them, each in its section (``SessionField`` is in ``session_field``; the
fields beyond the basics in ``session_form_options``). ``name`` is the field as ``SessionState``
names it, so its status (acknowledged, changed, refused) comes under the same name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from console.realtime import RealtimeClient

from .session_field import Config, SessionField
from .session_fields import UNKNOWN, FormError, max_tokens_value, voice_from_config, voice_value
from .session_form_options import (
    INCLUDE,
    NOISE,
    PROMPT,
    REASONING,
    SPEED_FIELD,
    TRACING,
    TRUNCATION,
)
from .tools_editor import tools_json

if TYPE_CHECKING:
    from .session import SessionPane

# -- reading the session config into the form ------------------------------------------------


def _read_instructions(pane: SessionPane, config: Config) -> None:
    text = config.get("instructions") or ""
    if text != pane.instructions.text:  # load_text also resets the cursor and undo history
        pane.instructions.load_text(text)


# A key missing from the config is a value not known (attached to a call, before its session is
# seen: the library's config is empty then, never the defaults): the form shows it empty or
# "unknown", and a field left so is never sent.


def _read_modalities(pane: SessionPane, config: Config) -> None:
    if "modalities" not in config:
        pane.modalities.value = UNKNOWN
        return
    pane.modalities.value = "audio" if "audio" in (config.get("modalities") or ()) else "text"


def _read_turn_detection(pane: SessionPane, config: Config) -> None:
    if "turn_detection" not in config:
        pane.turn.fill_unknown()
    else:
        pane.turn.fill(config.get("turn_detection"))


def _read_transcription(pane: SessionPane, config: Config) -> None:
    if "input_audio_transcription" not in config:
        pane.transcriber.fill_unknown()
    else:
        pane.transcriber.fill(config.get("input_audio_transcription"))


def _read_max_tokens(pane: SessionPane, config: Config) -> None:
    value = config.get("max_response_output_tokens", "")
    pane.max_tokens.value = str(value)


def _read_tools(pane: SessionPane, config: Config) -> None:
    pane.tools.load(tools_json(config["tools"] or []) if "tools" in config else "")


def _read_tool_choice(pane: SessionPane, config: Config) -> None:
    value = config.get("tool_choice", "")
    if isinstance(value, dict) and value.get("type") == "mcp":  # an MCP server's tool
        label, name = value.get("server_label"), value.get("name")
        pane.tool_choice.value = f"{label}.{name}" if name else str(label)
        return
    name = value.get("name") if isinstance(value, dict) else value
    pane.tool_choice.value = str(name or ("auto" if "tool_choice" in config else ""))


# -- writing the form as update_session keywords ---------------------------------------------


def _write_modalities(pane: SessionPane) -> tuple[str, Any]:
    if pane.modalities.value == UNKNOWN:
        raise FormError("output: choose audio or text")
    return "output_modalities", [pane.modalities.value]


def _write_tool_choice(pane: SessionPane) -> tuple[str, Any]:
    """A mode, a function's name, or an MCP server's label (``demo``: any of its tools) or one
    of its tools (``demo.add``), as the conversation pane writes MCP calls."""
    choice = pane.tool_choice.value.strip()
    if not choice:
        raise FormError("tool choice: auto, none, required, a function name, or label.tool (MCP)")
    label, _, name = choice.partition(".")
    if label in mcp_labels(pane.client):
        mcp = {"type": "mcp", "server_label": label}
        return "tool_choice", {**mcp, "name": name} if name else mcp
    return "tool_choice", choice  # the library spells a function name for the dialect


def mcp_labels(client: RealtimeClient) -> set[str]:
    """The labels of the session's MCP servers (added by the form or typed in the tools JSON)."""
    tools = client.session_config.get("tools") or []
    typed = {t.get("server_label") for t in tools if isinstance(t, dict) and t.get("type") == "mcp"}
    return {label for label in typed if isinstance(label, str)} | set(client.mcp_tools)


FIELDS: tuple[SessionField, ...] = (
    SessionField(
        "instructions",
        "Instructions",
        control=lambda pane: pane.instructions,
        raw=lambda pane: pane.instructions.text,
        read=_read_instructions,
        write=lambda pane: ("instructions", pane.instructions.text),
        heading=True,
    ),
    SessionField(
        "voice",
        "Voice",
        control=lambda pane: pane.voice,
        raw=lambda pane: pane.voice.value,
        read=lambda pane, config: setattr(
            pane.voice, "value", voice_from_config(config.get("voice"))
        ),
        write=lambda pane: ("voice", voice_value(pane.voice.value, ga=pane.client.dialect == "ga")),
        section="Output",
    ),
    SPEED_FIELD,
    SessionField(
        "output_modalities",
        "Modalities",
        control=lambda pane: pane.modalities,
        raw=lambda pane: pane.modalities.value,
        read=_read_modalities,
        write=_write_modalities,
        section="Output",
    ),
    SessionField(
        "max_output_tokens",
        "Max out tokens",
        control=lambda pane: pane.max_tokens,
        raw=lambda pane: pane.max_tokens.value,
        read=_read_max_tokens,
        write=lambda pane: ("max_output_tokens", max_tokens_value(pane.max_tokens.value)),
        section="Output",
    ),
    SessionField(
        "turn_detection",
        "Type",
        spoken="turn detection",
        control=lambda pane: pane.turn.kind,
        raw=lambda pane: pane.turn.raw(),
        read=_read_turn_detection,
        write=lambda pane: ("turn_detection", pane.turn.parse()),
        below=lambda pane: (pane.turn,),
        section="Turn detection",
    ),
    SessionField(
        "input_audio_transcription",
        "Transcription",
        control=lambda pane: pane.transcription,
        raw=lambda pane: pane.transcriber.raw(),
        read=_read_transcription,
        write=lambda pane: ("input_audio_transcription", pane.transcriber.parse()),
        below=lambda pane: (pane.transcriber,),
        section="Audio input",
    ),
    INCLUDE,
    NOISE,
    SessionField(
        "tool_choice",
        "Tool choice",
        control=lambda pane: pane.tool_choice,
        raw=lambda pane: pane.tool_choice.value,
        read=_read_tool_choice,
        write=_write_tool_choice,
        section="Tools",
    ),
    SessionField(
        "tools",
        "Tools (JSON)",
        control=lambda pane: pane.tools,
        raw=lambda pane: pane.tools.text,
        read=_read_tools,
        write=lambda pane: ("tools", pane.tools.validate_now()),
        heading=True,
        below=lambda pane: (pane.registered,),
        section="Tools",
    ),
    TRUNCATION,
    PROMPT,
    TRACING,
    REASONING,
)
"""The fields the pane edits, in the order it shows them."""
