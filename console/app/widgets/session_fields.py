"""Pieces of the session pane: choices, the turn-detection editor, and how statuses read.

Conversions go one way each: ``*_from_config`` reads the library's flat ``session_config``
into form values; the pane's parsers turn form values into ``update_session`` keywords. Status
and summary text is built as ``Content`` (never markup), since it quotes server messages and
user text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Checkbox, Input, Label, Select

from console.inspector.session_state import FieldStatus, SessionState, field_of_param
from console.realtime.dialects import DEFAULT_SERVER_VAD_CONFIG

VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
TRANSCRIPTION_MODELS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
TURN_TYPES = ("none", "server_vad", "semantic_vad")
EAGERNESS = ("low", "medium", "high", "auto")
TOOL_CHOICE_MODES = ("auto", "none", "required")
UNKNOWN = "unknown"
"""A choice's value while the session is not known (attached to a call, before it is seen)."""
NOT_KNOWN_YET = (
    "the call's session is not known yet: it shows after its next session.updated; "
    "Apply sends only the fields you change"
)


class FormError(ValueError):
    """A form value that cannot be sent; the message names the field."""


class ListSuggester(Suggester):
    """Suggests the first of ``choices()`` that starts with what was typed (choices may change)."""

    def __init__(self, choices: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._choices = choices

    async def get_suggestion(self, value: str) -> str | None:
        for choice in self._choices():
            if value and choice.casefold().startswith(value) and choice.casefold() != value:
                return str(choice)
        return None


def short(value: Any, limit: int = 60) -> str:
    """A one-line rendering of a session value."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_content(status: FieldStatus | None) -> tuple[Content, str]:
    """What a field's status line says, and its class (``-applied``, ``-refused``...)."""
    if status is None:
        return Content(""), ""
    if status.state == "applied":
        return Content("✓ acknowledged"), "-applied"
    if status.state == "changed":
        return Content(f"~ server has {short(status.acknowledged)}"), "-changed"
    if status.state == "pending":
        return Content("… sent, awaiting the server"), "-pending"
    if status.culprit or not status.param:
        return Content(f"✗ {status.code}: {status.reason}"), "-refused"
    blamed = status.blamed or field_of_param(status.param) or status.param
    return Content(f"✗ not applied: the update was refused over {blamed} ({status.code})"), (
        "-refused"
    )


def edited_content(error: str | None = None) -> tuple[Content, str]:
    """The status of a field the user changed and has not applied (``error``: it cannot be)."""
    if error:
        return Content("● edited, invalid — not applied"), "-edited"
    return Content("● edited — Ctrl+S applies"), "-edited"


def outcome_text(names: tuple[str, ...], settled: list[FieldStatus]) -> tuple[str, str] | None:
    """The Apply line once the server answered the update that sent ``names``: the text and
    its class; ``None`` while it is still pending. ``settled`` is those fields' statuses for
    that update (empty when a later update or a reset replaced them)."""
    listed = ", ".join(names)
    refused = [status for status in settled if status.state == "refused"]
    if refused:
        blame = next((status for status in refused if status.culprit), refused[0])
        return (
            f"Refused: {blame.code}: {blame.reason} — nothing applied; {listed} kept in the form.",
            "-error",
        )
    if any(status.state == "pending" for status in settled):
        return None
    if not settled:
        return f"No answer recorded for {listed} (updated again, or reset).", ""
    changed = [status.name for status in settled if status.state == "changed"]
    text = f"Applied {listed}."
    return (text + f" The server changed {', '.join(changed)}." if changed else text), ""


def summary_content(
    state: SessionState, *, transcription: bool = False, known: bool = True
) -> Content:
    """The read-only line of what the server acknowledged last (a transcription session's:
    its model, language and whether logprobs come); ``known=False``: that the session attached
    to is not known yet."""
    if not known:
        return Content(NOT_KNOWN_YET)
    if state.acknowledged is None:
        return Content("acknowledged: nothing yet (not connected, or no session.created)")
    fields = state.acknowledged_fields
    turn = fields.get("turn_detection")
    turns = f"turns {turn.get('type') if isinstance(turn, dict) else 'manual'}"
    if transcription:
        settings = fields.get("input_audio_transcription")
        settings = settings if isinstance(settings, dict) else {}
        logprobs = "logprobs" if "logprobs" in str(fields.get("include") or "") else "no logprobs"
        return Content(
            "acknowledged: "
            + " · ".join(
                [
                    state.session_id or "no id",
                    "transcription",
                    str(settings.get("model") or "no model"),
                    f"language {settings.get('language') or 'auto'}",
                    turns,
                    logprobs,
                ]
            )
        )
    parts = [
        state.session_id or "no id",
        str(state.acknowledged.get("model") or "model?"),
        f"voice {short(fields.get('voice'), 20)}",
        f"turns {turn.get('type') if isinstance(turn, dict) else 'manual'}",
        "+".join(fields.get("output_modalities") or ["?"]),
    ]
    return Content("acknowledged: " + " · ".join(parts))


def voice_from_config(value: Any) -> str:
    """A voice name, or a custom voice's id."""
    return str(value.get("id", "")) if isinstance(value, dict) else str(value or "")


def voice_value(text: str) -> Any:
    """``update_session``'s voice: a name, or ``{"id": ...}`` for a custom ``voice_…`` id."""
    text = text.strip()
    if not text:
        raise FormError("voice: enter a voice name (e.g. alloy, marin) or a custom voice id")
    return {"id": text} if text.startswith("voice_") else text


def max_tokens_value(text: str) -> int | str:
    """``"inf"`` or a positive integer (the server enforces its own range)."""
    text = text.strip().lower()
    if text == "inf":
        return "inf"
    try:
        number = int(text)
    except ValueError:
        raise FormError(f"max output tokens: {text!r} is not an integer or 'inf'") from None
    if number < 1:
        raise FormError("max output tokens: must be at least 1 (or 'inf')")
    return number


def _number(text: str, label: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(text.strip())
    except ValueError:
        raise FormError(f"turn detection: {label} {text!r} is not a number") from None


class TurnDetectionEditor(Vertical):
    """Turn detection type, with the parameters of that type only."""

    def __init__(
        self, *, id: str | None = None, responses: bool = True, unknown: bool = False
    ) -> None:
        """``responses=False`` (a transcription session): no ``create_response`` or
        ``interrupt_response``, which such a session does not act on; ``unknown``: offer
        "unknown" (attached to a call whose session is not seen yet)."""
        super().__init__(id=id)
        self.responses = responses
        options = [(kind, kind) for kind in TURN_TYPES] + ([(UNKNOWN, UNKNOWN)] if unknown else [])
        self.kind = Select(
            options, value="none", allow_blank=False, id="session-turn", compact=True
        )
        self.threshold = Input(id="session-vad-threshold", compact=True)
        self.prefix = Input(id="session-vad-prefix", type="integer", compact=True)
        self.silence = Input(id="session-vad-silence", type="integer", compact=True)
        self.interrupt = Checkbox(
            "interrupt_response", True, id="session-vad-interrupt", compact=True
        )
        self.create = Checkbox("create_response", True, id="session-vad-create", compact=True)
        eagerness = [(level, level) for level in EAGERNESS]
        self.eagerness = Select(
            eagerness, value="auto", allow_blank=False, id="session-eagerness", compact=True
        )
        self.server_params = Vertical(classes="turn-params", id="session-server-vad")
        self.semantic_params = Horizontal(classes="turn-params field-row", id="session-semantic")

    def compose(self) -> ComposeResult:
        with self.server_params:
            with Horizontal(classes="field-row"):
                yield Label("threshold", classes="param-label")
                yield self.threshold
                yield Label("prefix ms", classes="param-label")
                yield self.prefix
                yield Label("silence ms", classes="param-label")
                yield self.silence
            if self.responses:
                with Horizontal(classes="field-row"):
                    yield self.interrupt
                    yield self.create
        with self.semantic_params:
            yield Label("eagerness", classes="param-label")
            yield self.eagerness

    def on_mount(self) -> None:
        self.show_params()

    def show_params(self) -> None:
        """Show only the parameters of the selected type."""
        self.server_params.display = self.kind.value == "server_vad"
        self.semantic_params.display = self.kind.value == "semantic_vad"

    def raw(self) -> tuple[Any, ...]:
        """The form state, for spotting a change (only the selected type's parameters)."""
        if self.kind.value == "server_vad":
            return (
                "server_vad",
                self.threshold.value,
                self.prefix.value,
                self.silence.value,
                *((self.interrupt.value, self.create.value) if self.responses else ()),
            )
        if self.kind.value == "semantic_vad":
            return ("semantic_vad", self.eagerness.value)
        return (UNKNOWN,) if self.kind.value == UNKNOWN else ("none",)

    def fill_unknown(self) -> None:
        """Show that the session's turn detection is not known (no parameters)."""
        self.kind.value = UNKNOWN
        self.show_params()

    def fill(self, value: Any) -> None:
        """Show a flat ``turn_detection`` (``None`` = manual)."""
        current = value if isinstance(value, dict) else {}
        kind = current.get("type", "none")
        self.kind.value = kind if kind in TURN_TYPES else "none"
        server = {**DEFAULT_SERVER_VAD_CONFIG, "create_response": True, "interrupt_response": True}
        if kind == "server_vad":
            server.update(current)
        self.threshold.value = str(server["threshold"])
        self.prefix.value = str(server["prefix_padding_ms"])
        self.silence.value = str(server["silence_duration_ms"])
        self.interrupt.value = bool(server["interrupt_response"])
        self.create.value = bool(server["create_response"])
        eagerness = current.get("eagerness", "auto") if kind == "semantic_vad" else "auto"
        self.eagerness.value = eagerness if eagerness in EAGERNESS else "auto"
        self.show_params()

    def parse(self) -> dict[str, Any] | None:
        """``update_session``'s ``turn_detection``; ``FormError`` for unusable numbers."""
        if self.kind.value == "server_vad":
            threshold = _number(self.threshold.value, "threshold", float)
            if not 0.0 <= threshold <= 1.0:
                raise FormError("turn detection: threshold must be between 0 and 1")
            values = {
                "prefix_padding_ms": _number(self.prefix.value, "prefix ms", int),
                "silence_duration_ms": _number(self.silence.value, "silence ms", int),
            }
            if any(v < 0 for v in values.values()):
                raise FormError("turn detection: durations must not be negative")
            responses = (
                {"interrupt_response": self.interrupt.value, "create_response": self.create.value}
                if self.responses
                else {}
            )
            return {"type": "server_vad", "threshold": threshold, **values, **responses}
        if self.kind.value == "semantic_vad":
            return {"type": "semantic_vad", "eagerness": self.eagerness.value}
        if self.kind.value == UNKNOWN:
            raise FormError("turn detection: choose none, server_vad or semantic_vad")
        return None
