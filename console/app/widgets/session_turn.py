"""The session pane's turn-detection editor: the type, with every parameter of that type only.

server_vad: threshold (0-1), prefix padding and silence (ms), ``idle_timeout_ms`` (GA only:
5000-30000, empty for none), ``create_response`` and ``interrupt_response``; semantic_vad:
``eagerness``, ``create_response`` and ``interrupt_response`` (the SDK's
``RealtimeAudioInputTurnDetection``; beta's ``turn_detection`` lacks ``idle_timeout_ms``). A
transcription session creates no responses, so it gets neither checkbox.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select

from console.realtime.dialects import DEFAULT_SERVER_VAD_CONFIG

from .session_fields import UNKNOWN, FormError, number_value

TURN_TYPES = ("none", "server_vad", "semantic_vad")
EAGERNESS = ("low", "medium", "high", "auto")
IDLE_TIMEOUT_MS = (5000, 30000)
"""The range the GA API takes for ``idle_timeout_ms``."""
MAX_DURATION_MS = 10000


class TurnDetectionEditor(Vertical):
    """Turn detection type, with the parameters of that type only."""

    def __init__(
        self,
        *,
        id: str | None = None,
        responses: bool = True,
        unknown: bool = False,
        idle_timeout: bool = True,
    ) -> None:
        """``responses=False`` (a transcription session): no ``create_response`` or
        ``interrupt_response``, which such a session does not act on; ``unknown``: offer
        "unknown" (attached to a call whose session is not seen yet); ``idle_timeout=False``
        (beta): no ``idle_timeout_ms``."""
        super().__init__(id=id)
        self.responses = responses
        self.idle_timeout = idle_timeout
        options = [(kind, kind) for kind in TURN_TYPES] + ([(UNKNOWN, UNKNOWN)] if unknown else [])
        self.kind = Select(
            options, value="none", allow_blank=False, id="session-turn", compact=True
        )
        self.threshold = Input(id="session-vad-threshold", compact=True)
        self.prefix = Input(id="session-vad-prefix", type="integer", compact=True)
        self.silence = Input(id="session-vad-silence", type="integer", compact=True)
        self.idle = Input(id="session-vad-idle", type="integer", placeholder="none", compact=True)
        self.interrupt = Checkbox(
            "interrupt_response", True, id="session-vad-interrupt", compact=True
        )
        self.create = Checkbox("create_response", True, id="session-vad-create", compact=True)
        eagerness = [(level, level) for level in EAGERNESS]
        self.eagerness = Select(
            eagerness, value="auto", allow_blank=False, id="session-eagerness", compact=True
        )
        self.semantic_interrupt = Checkbox(
            "interrupt_response", True, id="session-semantic-interrupt", compact=True
        )
        self.semantic_create = Checkbox(
            "create_response", True, id="session-semantic-create", compact=True
        )
        self.server_params = Vertical(classes="turn-params", id="session-server-vad")
        self.semantic_params = Vertical(classes="turn-params", id="session-semantic")

    def compose(self) -> ComposeResult:
        with self.server_params:
            with Horizontal(classes="field-row"):
                yield Label("threshold", classes="param-label")
                yield self.threshold
                yield Label("prefix ms", classes="param-label")
                yield self.prefix
                yield Label("silence ms", classes="param-label")
                yield self.silence
                if self.idle_timeout:
                    yield Label("idle ms", classes="param-label")
                    yield self.idle
            if self.responses:
                with Horizontal(classes="field-row"):
                    yield self.interrupt
                    yield self.create
        with self.semantic_params:
            with Horizontal(classes="field-row"):
                yield Label("eagerness", classes="param-label")
                yield self.eagerness
            if self.responses:
                with Horizontal(classes="field-row"):
                    yield self.semantic_interrupt
                    yield self.semantic_create

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
                *((self.idle.value,) if self.idle_timeout else ()),
                *((self.interrupt.value, self.create.value) if self.responses else ()),
            )
        if self.kind.value == "semantic_vad":
            return (
                "semantic_vad",
                self.eagerness.value,
                *(
                    (self.semantic_interrupt.value, self.semantic_create.value)
                    if self.responses
                    else ()
                ),
            )
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
        defaults = {"create_response": True, "interrupt_response": True}
        server = {**DEFAULT_SERVER_VAD_CONFIG, **defaults, "idle_timeout_ms": None}
        if kind == "server_vad":
            server.update(current)
        self.threshold.value = str(server["threshold"])
        self.prefix.value = str(server["prefix_padding_ms"])
        self.silence.value = str(server["silence_duration_ms"])
        idle = server.get("idle_timeout_ms")
        self.idle.value = "" if idle is None else str(idle)
        self.interrupt.value = bool(server["interrupt_response"])
        self.create.value = bool(server["create_response"])
        semantic = {"eagerness": "auto", **defaults}
        if kind == "semantic_vad":
            semantic.update(current)
        eagerness = semantic["eagerness"]
        self.eagerness.value = eagerness if eagerness in EAGERNESS else "auto"
        self.semantic_interrupt.value = bool(semantic["interrupt_response"])
        self.semantic_create.value = bool(semantic["create_response"])
        self.show_params()

    def parse(self) -> dict[str, Any] | None:
        """``update_session``'s ``turn_detection``; ``FormError`` for unusable numbers."""
        if self.kind.value == "server_vad":
            return self._server_vad()
        if self.kind.value == "semantic_vad":
            settings: dict[str, Any] = {"type": "semantic_vad", "eagerness": self.eagerness.value}
            if self.responses:
                settings["interrupt_response"] = self.semantic_interrupt.value
                settings["create_response"] = self.semantic_create.value
            return settings
        if self.kind.value == UNKNOWN:
            raise FormError("turn detection: choose none, server_vad or semantic_vad")
        return None

    def _server_vad(self) -> dict[str, Any]:
        label = "turn detection: {}".format
        settings: dict[str, Any] = {
            "type": "server_vad",
            "threshold": number_value(self.threshold.value, label("threshold"), float, 0.0, 1.0),
            "prefix_padding_ms": number_value(
                self.prefix.value, label("prefix ms"), int, 0, MAX_DURATION_MS
            ),
            "silence_duration_ms": number_value(
                self.silence.value, label("silence ms"), int, 0, MAX_DURATION_MS
            ),
        }
        if self.idle_timeout:
            idle = self.idle.value.strip()
            settings["idle_timeout_ms"] = (
                number_value(idle, label("idle ms"), int, *IDLE_TIMEOUT_MS) if idle else None
            )
        if self.responses:
            settings["interrupt_response"] = self.interrupt.value
            settings["create_response"] = self.create.value
        return settings
