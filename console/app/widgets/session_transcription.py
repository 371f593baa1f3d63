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
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Select

from console.inspector.transcripts import LOGPROBS

from .session_fields import FormError
from .session_form import FIELDS, Config, SessionField

if TYPE_CHECKING:
    from .session import SessionPane

MODELS = (
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "whisper-1",
    "gpt-transcribe",
    "gpt-live-transcribe",
    "gpt-realtime-whisper",
)
"""The SDK's ``AudioTranscriptionParam.model`` values (a model the server names is added)."""
NOISE_REDUCTION = ("off", "near_field", "far_field")
LANGUAGE = re.compile(r"[a-z]{2}")


class TranscriptionEditor(Vertical):
    """The transcription model (on the field's line), with its language and prompt below."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model: Select[str] = Select(
            [(m, m) for m in MODELS],
            value=MODELS[0],
            allow_blank=False,
            id="session-transcription-model",
            compact=True,
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

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("  language", classes="field-label")
            yield self.language
        with Horizontal(classes="field-row"):
            yield Label("  prompt", classes="field-label")
            yield self.prompt

    def raw(self) -> tuple[Any, ...]:
        return (self.model.value, self.language.value, self.prompt.value)

    def fill(self, value: Any) -> None:
        """Show a flat ``input_audio_transcription`` (None: the first model, nothing else)."""
        current = value if isinstance(value, dict) else {}
        model = str(current.get("model") or MODELS[0])
        if model not in MODELS:  # a model this list lacks: offer it too
            self.model.set_options([(Content(m), m) for m in (*MODELS, model)])
        self.model.value = model
        self.language.value = str(current.get("language") or "")
        self.prompt.value = str(current.get("prompt") or "")

    def parse(self) -> dict[str, Any]:
        """``update_session``'s ``input_audio_transcription``; ``FormError`` if unusable."""
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


def _read_noise(pane: SessionPane, config: Config) -> None:
    value = config.get("input_audio_noise_reduction")
    kind = value.get("type") if isinstance(value, dict) else None
    pane.noise.value = kind if kind in NOISE_REDUCTION else "off"


def _write_noise(pane: SessionPane) -> tuple[str, Any]:
    kind = pane.noise.value
    return "input_audio_noise_reduction", None if kind == "off" else {"type": kind}


def _read_logprobs(pane: SessionPane, config: Config) -> None:
    pane.logprobs.value = LOGPROBS in (config.get("include") or ())


TURN_DETECTION = next(field for field in FIELDS if field.name == "turn_detection")

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
    SessionField(
        "include",
        "Logprobs",
        control=lambda pane: pane.logprobs,
        raw=lambda pane: pane.logprobs.value,
        read=_read_logprobs,
        write=lambda pane: ("include", [LOGPROBS] if pane.logprobs.value else []),
    ),
    TURN_DETECTION,
    SessionField(
        "input_audio_noise_reduction",
        "Noise reduction",
        control=lambda pane: pane.noise,
        raw=lambda pane: pane.noise.value,
        read=_read_noise,
        write=_write_noise,
    ),
)
"""The fields of a transcription session, in the order the pane shows them."""
