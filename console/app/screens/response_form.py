"""The response form: a ``response.create`` with per-response options, without writing JSON.

Fields: the conversation (``auto`` or ``none``, out-of-band), metadata (``key=value`` lines),
input (a JSON list of items or item ids, and conversation items picked in a list, sent as
``item_reference``), instructions, tools (JSON, checked as the session's tools editor checks),
tool_choice, output modalities, max_output_tokens and the voice. A field left empty is left
out: the session's setting applies. The fields are checked ~300 ms after an edit and again on
Send; each refused field shows its reason on the line under it (``response_request`` says what
is checked), and nothing is sent until every field is valid.

Ctrl+S (or Send) sends through ``RealtimeClient.create_response``, which keeps the library's
rules: an out-of-band response goes at once, one for the default conversation waits for the
active response (the status line says which). Opened from the palette ("Create response…") and
from the composer (Ctrl+R). Whatever sending raises (not connected, say) is shown, never raised.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select, SelectionList, Static, TextArea

from console.app.response_request import (
    FIELDS,
    TOOL_CHOICE_MODES,
    ResponseFields,
    build_response,
)
from console.app.widgets.session_fields import VOICES, ListSuggester
from console.realtime import RealtimeClient, RealtimeNotConnectedError

VALIDATE_DELAY = 0.3
"""Seconds of quiet typing before the fields are checked."""
PICKABLE_ITEMS = 50
"""The newest conversation items offered as references."""
SESSIONS = ""
"""A choice's value for "the session's setting" (left out of the request)."""
CONVERSATIONS = [("auto — the default conversation", "auto"), ("none — out-of-band", "none")]
MODALITIES = [("the session's", SESSIONS), ("text", "text"), ("audio", "audio")]
LABELS = {
    "conversation": "conversation",
    "metadata": "metadata (key=value lines)",
    "input": "input (a JSON list of items or item ids, [] for none; and items ticked below)",
    "instructions": "instructions",
    "tools": "tools (a JSON array of function tools)",
    "tool_choice": "tool_choice",
    "output_modalities": "output_modalities",
    "max_output_tokens": "max_output_tokens",
    "voice": "voice",
}


def item_label(item: dict[str, Any]) -> str:
    """``item_ab12 · user · What's the weather…`` for the list of items to reference."""
    formatted = item.get("formatted") or {}
    text = str(formatted.get("transcript") or formatted.get("text") or "")
    if not text and formatted.get("tool"):
        text = str(formatted["tool"].get("name") or "")
    kind = item.get("role") or item.get("type") or "item"
    text = " ".join(text.split())
    text = text if len(text) <= 40 else text[:39] + "…"
    return " · ".join(part for part in (str(item["id"]), str(kind), text) if part)


class ResponseFormScreen(ModalScreen[None]):
    """The options of one ``response.create``, each with its error line; Send and Close."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True, id="response_form.send"),
        Binding("escape", "close", "Close", priority=True, id="response_form.close"),
    ]

    def __init__(self, client: RealtimeClient) -> None:
        super().__init__()
        self.client = client
        self._timer: Timer | None = None
        self.errors: dict[str, str] = {}
        """Each refused field's reason, as of the last check."""
        self.status_text = ""
        """The line above the buttons: what was sent, or why not."""
        self._status_kind: str | None = None
        self.sent: list[dict[str, Any]] = []
        """The ``response`` objects sent from this form, oldest first."""
        items = client.conversation.get_items()[-PICKABLE_ITEMS:]
        self._items = [(item_label(item), str(item["id"])) for item in items]

    def compose(self) -> ComposeResult:
        with Vertical(id="response-form"):
            yield Static("Create response (empty fields: the session's)", id="rf-title")
            with VerticalScroll(id="rf-fields"):
                yield from self._row("conversation", Select(CONVERSATIONS, allow_blank=False))
                yield from self._row("metadata", TextArea())
                yield from self._row(
                    "input",
                    TextArea.code_editor("", language="json", tab_behavior="focus"),
                    SelectionList[str](*self._items, id="rf-references"),
                )
                yield from self._row("instructions", TextArea())
                yield from self._row(
                    "tools", TextArea.code_editor("", language="json", tab_behavior="focus")
                )
                yield from self._row(
                    "tool_choice",
                    Input(
                        placeholder="auto, none, required or a function name",
                        suggester=ListSuggester(self._tool_choices),
                    ),
                )
                yield from self._row("output_modalities", Select(MODALITIES, allow_blank=False))
                yield from self._row("max_output_tokens", Input(placeholder="1 to 4096, or inf"))
                yield from self._row(
                    "voice",
                    Input(
                        placeholder='marin, cedar, alloy… or {"id": "voice_…"}',
                        suggester=ListSuggester(lambda: VOICES),
                    ),
                )
            yield Static("", id="rf-status", markup=False)
            with Horizontal(id="rf-buttons"):
                yield Button("Send", id="rf-send", variant="primary", compact=True)
                yield Button("Close", id="rf-close", compact=True)
        yield Footer(compact=True)

    @staticmethod
    def _row(field: str, editor: Widget, *extra: Widget) -> ComposeResult:
        """A field's label, its editor (``#rf-<field>``), more widgets, then its error line."""
        yield Label(LABELS[field], classes="rf-label")
        editor.id = f"rf-{field}"
        yield editor
        yield from extra
        yield Static("", id=f"rf-error-{field}", classes="rf-error", markup=False)

    def _session_tools(self) -> set[str]:
        """The names of the session's tools (those ``update_session`` set, and the handlers')."""
        tools = self.client.session_config.get("tools") or ()
        names = {str(tool.get("name")) for tool in tools if isinstance(tool, dict)}
        return names | set(self.client.tools)

    def _tool_choices(self) -> list[str]:
        return [*TOOL_CHOICE_MODES, *sorted(self._session_tools())]

    def on_mount(self) -> None:
        for area in self.query(TextArea):
            area.cursor_blink = False
        if not self._items:
            self.query_one("#rf-references").display = False
        self.query_one("#rf-conversation").focus()

    # -- reading and checking ----------------------------------------------------------------

    def fields(self) -> ResponseFields:
        """What the form holds now."""

        def text(name: str) -> str:
            return self.query_one(f"#rf-{name}", TextArea).text

        def line(name: str) -> str:
            return self.query_one(f"#rf-{name}", Input).value

        def choice(name: str) -> str:
            return str(self.query_one(f"#rf-{name}", Select).value)

        return ResponseFields(
            conversation=choice("conversation"),
            metadata=text("metadata"),
            input=text("input"),
            references=list(self.query_one("#rf-references", SelectionList).selected),
            instructions=text("instructions"),
            tools=text("tools"),
            tool_choice=line("tool_choice"),
            output_modalities=choice("output_modalities"),
            max_output_tokens=line("max_output_tokens"),
            voice=line("voice"),
        )

    def check(self) -> dict[str, Any] | None:
        """Check every field now: the ``response`` to send, or None (the reasons are shown)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        item_ids = {str(item["id"]) for item in self.client.conversation.get_items()}
        checked = build_response(self.fields(), item_ids, self._session_tools())
        self.errors = checked.errors
        for name in FIELDS:
            reason = checked.errors.get(name, "")
            error = self.query_one(f"#rf-error-{name}", Static)
            error.update(Content(f"✗ {reason}" if reason else ""))
            error.display = bool(reason)
        if not checked.ok:
            self._set_status(f"✗ not sendable: see {', '.join(checked.errors)}", "-error")
            return None
        if self._status_kind != "-sent":  # what was sent stays told until the next send
            self._set_status("✓ ready (ctrl+s sends)", None)
        return checked.response

    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.check)

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _edited(self, event: Any) -> None:
        event.stop()
        self._changed()

    # -- acting ------------------------------------------------------------------------------

    def action_send(self) -> None:
        """Send the response request if every field is valid; show the outcome either way."""
        response = self.check()
        if response is None:
            return
        try:
            if not self.client.is_connected():
                raise RealtimeNotConnectedError("not connected (F2 connects)")
            self.client.create_response(response or None)
        except Exception as error:  # shown to the user: sending must never crash the app
            self._set_status(f"✗ not sent: {error}", "-error")
            return
        self.sent.append(response)
        if response.get("conversation") == "none":
            self._set_status("✓ sent response.create (out-of-band)", "-sent")
        elif self.client.response_state.deferred:
            self._set_status("✓ queued: goes when the active response is done", "-sent")
        else:
            self._set_status("✓ sent response.create", "-sent")

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#rf-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#rf-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def _set_status(self, text: str, kind: str | None) -> None:
        self.status_text = text
        self._status_kind = kind
        status = self.query_one("#rf-status", Static)
        status.update(Content(text))
        for name in ("-error", "-sent"):
            status.set_class(name == kind, name)
