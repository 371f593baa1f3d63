"""The session pane's widgets, built once per pane: one attribute per control.

``SessionControls`` only makes the widgets (what the dialect, the session kind and an attached
call offer); ``SessionPane`` (``session.py``) lays them out and runs the form, and the field
descriptors (``session_form``) read and write them by these attribute names.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from console.realtime import RealtimeClient

from .session_fields import (
    BETA_VOICES,
    NOISE_REDUCTION,
    TOOL_CHOICE_MODES,
    UNKNOWN,
    VOICES,
    ListSuggester,
)
from .session_options import PromptEditor, ReasoningEditor, TracingEditor, TruncationEditor
from .session_transcription import TranscriptionEditor
from .session_turn import TurnDetectionEditor
from .tools_editor import ToolsEditor


class SessionControls(Vertical):
    """The session pane's controls (``SessionPane`` is the pane)."""

    def __init__(self, client: RealtimeClient, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: RealtimeClient = client
        ga = client.dialect == "ga"
        self.summary = Static("", id="session-summary", markup=False)
        self.instructions: TextArea = TextArea(
            id="session-instructions", soft_wrap=True, tab_behavior="focus"
        )
        self.voice: Input = Input(
            placeholder="a voice name" + (" or voice_… id" if ga else ""),
            id="session-voice",
            compact=True,
            suggester=ListSuggester(lambda: VOICES if ga else BETA_VOICES),
        )
        self.speed: Input = Input(placeholder="1.0 (0.25-1.5)", id="session-speed", compact=True)
        # Attached to a call, a choice may be "unknown" until the call's session is seen.
        unknown = client.realtime.attach_call_id is not None
        modalities = [("audio (+ transcript)", "audio"), ("text", "text")]
        modalities += [(UNKNOWN, UNKNOWN)] if unknown else []
        self.modalities: Select[str] = Select(
            modalities, value="audio", allow_blank=False, id="session-modalities", compact=True
        )
        self.turn: TurnDetectionEditor = TurnDetectionEditor(
            id="session-turn-detection",
            responses=not client.transcription,
            unknown=unknown,
            idle_timeout=ga and not client.transcription,
        )
        self.transcriber: TranscriptionEditor = (
            TranscriptionEditor(id="session-transcriber")
            if client.transcription
            else TranscriptionEditor(
                id="session-transcriber",
                off=True,
                unknown=unknown,
                model_id="session-transcription",
            )
        )
        self.transcription: Select[str] = self.transcriber.model
        self.max_tokens: Input = Input(
            placeholder="1-4096 or inf", id="session-max-tokens", compact=True
        )
        self.tool_choice: Input = Input(
            id="session-tool-choice", compact=True, suggester=ListSuggester(self._choices)
        )
        self.tools: ToolsEditor = ToolsEditor(
            lambda: tuple(self.client.tools),
            known=lambda: self.client.session_config.get("tools") or [],
            servers=lambda: tuple(self.client.mcp_tools),
            id="session-tools-editor",
        )
        self.registered: Static = Static("", id="session-registered-tools", markup=False)
        self.logprobs: Checkbox = Checkbox("include logprobs", id="session-logprobs", compact=True)
        self.noise: Select[str] = Select(
            [(kind, kind) for kind in NOISE_REDUCTION],
            value="off",
            allow_blank=False,
            id="session-noise-reduction",
            compact=True,
        )
        self.truncation: TruncationEditor = TruncationEditor(id="session-truncation-editor")
        self.prompt: PromptEditor = PromptEditor(id="session-prompt-editor")
        self.tracing: TracingEditor = TracingEditor(id="session-tracing-editor")
        self.reasoning: ReasoningEditor = ReasoningEditor(id="session-reasoning-editor")
        self.result = Static("", id="session-apply-result", markup=False)

    def _choices(self) -> list[str]:
        """What tool_choice offers: the modes, then the tools."""
        return [*TOOL_CHOICE_MODES, *self.tools.tool_names(), *self.client.tools]
