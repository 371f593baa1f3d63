"""The session pane's fields for a transcription session (``--transcription``).

Such a session has no voice, instructions, output or tools: only its input. The fields are
the SDK's ``RealtimeTranscriptionSessionCreateRequest`` ones (``audio.input.transcription``:
model, language, prompt; ``include``: logprobs; ``audio.input.turn_detection``;
``audio.input.noise_reduction``), read from and written to the library's flat configuration,
whose ``update_session`` sends them as the dialect's transcription update. Every value is
checked before anything is sent: ``FormError`` names the field.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Select

from .session_field import SessionField
from .session_fields import TRANSCRIPTION_MODELS, UNKNOWN, FormError
from .session_form import FIELDS
from .session_form_options import INCLUDE, NOISE

MODELS = TRANSCRIPTION_MODELS
"""The models offered (a model the server names is added)."""
DEFAULT_MODEL = "gpt-4o-transcribe"
"""A transcription session's model until told otherwise (the simulator's default too)."""
LANGUAGE = re.compile(r"[a-z]{2}")


class TranscriptionEditor(Vertical):
    """The transcription model (on the field's line), with its language and prompt below.

    ``off=True`` (a realtime session, where transcribing the input is optional): the model list
    starts with "off", and the language and prompt show only while a model is chosen;
    ``unknown``: "unknown" is offered too (attached to a call not seen yet)."""

    def __init__(
        self,
        *,
        id: str | None = None,
        off: bool = False,
        unknown: bool = False,
        model_id: str = "session-transcription-model",
    ) -> None:
        super().__init__(id=id)
        self.off = off
        self.unknown = unknown
        first = "off" if off else DEFAULT_MODEL
        self.model: Select[str] = Select(
            self._options(MODELS), value=first, allow_blank=False, id=model_id, compact=True
        )
        self.language = Input(
            placeholder="ISO-639-1, e.g. en (empty: detected)",
            id="session-transcription-language",
            compact=True,
        )
        self.prompt = Input(
            placeholder="words or style to expect (optional)",
            id="session-transcription-prompt",
            compact=True,
        )
        self.details = Vertical(
            *(
                Horizontal(Label(f"  {label}", classes="field-label"), field, classes="field-row")
                for label, field in (("language", self.language), ("prompt", self.prompt))
            ),
            id="session-transcription-details",
        )

    def _options(self, models: tuple[str, ...]) -> list[tuple[str | Content, str]]:
        options: list[tuple[str | Content, str]] = [("off", "off")] if self.off else []
        options += [(Content(m), m) for m in models]
        return options + ([(UNKNOWN, UNKNOWN)] if self.unknown else [])

    def compose(self) -> ComposeResult:
        yield self.details

    def on_mount(self) -> None:
        self.show_details()

    def show_details(self) -> None:
        """Language and prompt only while a model is chosen."""
        self.details.display = self.model.value not in ("off", UNKNOWN)

    def raw(self) -> tuple[Any, ...]:
        if self.model.value in ("off", UNKNOWN):
            return (self.model.value,)
        return (self.model.value, self.language.value, self.prompt.value)

    def fill_unknown(self) -> None:
        """Show that the session's transcription is not known."""
        self.model.value = UNKNOWN
        self.show_details()

    def fill(self, value: Any) -> None:
        """Show a flat ``input_audio_transcription`` (None: off, or the default model)."""
        current = value if isinstance(value, dict) else {}
        model = str(current.get("model") or ("off" if self.off else DEFAULT_MODEL))
        if model != "off" and model not in MODELS:  # a model this list lacks: offer it too
            self.model.set_options(self._options((*MODELS, model)))
        self.model.value = model
        self.language.value = str(current.get("language") or "")
        self.prompt.value = str(current.get("prompt") or "")
        self.show_details()

    def parse(self) -> dict[str, Any] | None:
        """``update_session``'s ``input_audio_transcription`` (None: off); ``FormError`` if
        unusable."""
        if self.model.value == UNKNOWN:
            raise FormError("transcription: choose off or a model")
        if self.model.value == "off":
            return None
        settings: dict[str, Any] = {"model": self.model.value}
        language = self.language.value.strip()
        if language:
            if not LANGUAGE.fullmatch(language):
                raise FormError(
                    f"language: {language!r} is not an ISO-639-1 code (two lower-case letters, "
                    "e.g. en, fr), or leave it empty"
                )
            settings["language"] = language
        prompt = self.prompt.value.strip()
        if prompt:
            settings["prompt"] = prompt
        return settings


TURN_DETECTION = replace(
    next(field for field in FIELDS if field.name == "turn_detection"), section=None
)

TRANSCRIPTION_FIELDS: tuple[SessionField, ...] = (
    SessionField(
        "input_audio_transcription",
        "Model",
        control=lambda pane: pane.transcriber.model,
        raw=lambda pane: pane.transcriber.raw(),
        read=lambda pane, config: pane.transcriber.fill(config.get("input_audio_transcription")),
        write=lambda pane: ("input_audio_transcription", pane.transcriber.parse()),
        below=lambda pane: (pane.transcriber,),
    ),
    replace(INCLUDE, section=None, ga_only=False),
    TURN_DETECTION,
    replace(NOISE, section=None),
)
"""The fields of a transcription session, in the order the pane shows them."""
