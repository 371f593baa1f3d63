"""Pieces of the session pane: choices, value checks, and how statuses read.

Conversions go one way each: ``*_from_config`` reads the library's flat ``session_config``
into form values; the pane's parsers (``voice_value``, ``max_tokens_value``, ``number_value``
and the editors' ``parse``) turn form values into ``update_session`` keywords, raising
``FormError`` with a message that names the field. Status
and summary text is built as ``Content`` (never markup), since it quotes server messages and
user text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from textual.content import Content
from textual.suggester import Suggester

from console.inspector.session_state import FieldStatus, SessionState, field_of_param

BETA_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse")
VOICES = (*BETA_VOICES, "marin", "cedar")
"""The built-in voices (GA adds marin and cedar); GA also takes a custom ``voice_…`` id."""
CUSTOM_VOICE = re.compile(r"voice_[A-Za-z0-9_-]+")
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
"""The transcription models the simulator knows (``console/simulator/session.py``, which the
app may not import); a model the server names that this list lacks is offered too."""
NOISE_REDUCTION = ("off", "near_field", "far_field")
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


def outcome_text(listed: str, settled: list[FieldStatus]) -> tuple[str, str] | None:
    """The Apply line once the server answered the update that sent the fields ``listed`` (as
    the pane names them): the text and its class; ``None`` while it is still pending.
    ``settled`` is those fields' statuses for that update (empty when a later update or a reset
    replaced them)."""
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


def voice_value(text: str, *, ga: bool = True) -> Any:
    """``update_session``'s voice: a built-in name, or (GA only) ``{"id": ...}`` for a custom
    ``voice_…`` id; ``FormError`` for anything else."""
    text = text.strip()
    names = VOICES if ga else BETA_VOICES
    if CUSTOM_VOICE.fullmatch(text):
        if not ga:
            raise FormError("voice: the beta protocol takes voice names only, not a custom id")
        return {"id": text}
    if text in names:
        return text
    custom = " or a custom voice id (voice_…)" if ga else ""
    raise FormError(f"voice: {text!r} is not one of {', '.join(names)}{custom}")


MAX_TOKENS = 4096


def max_tokens_value(text: str) -> int | str:
    """``"inf"`` or an integer from 1 to 4096 (the SDK's range)."""
    text = text.strip().lower()
    if text == "inf":
        return "inf"
    try:
        number = int(text)
    except ValueError:
        raise FormError(f"max output tokens: {text!r} is not an integer or 'inf'") from None
    if not 1 <= number <= MAX_TOKENS:
        raise FormError(f"max output tokens: must be 1 to {MAX_TOKENS} (or 'inf')")
    return number


def number_value(
    text: str, label: str, kind: type[int] | type[float], low: float, high: float | None = None
) -> Any:
    """``text`` as a number of ``kind`` within ``low``..``high``; ``FormError`` naming ``label``."""
    try:
        number = kind(text.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise FormError(f"{label}: {text.strip()!r} is not {what}") from None
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        span = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
        raise FormError(f"{label}: must be {span}")
    return number
