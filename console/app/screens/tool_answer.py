"""The form that answers a tool call nobody answered: a ``function_call_output`` for its call id.

It opens on one pending call (the selected conversation item's, else the newest) and offers the
others in a list. The output is JSON (checked, sent compact) or plain text (sent as typed);
``response.create`` follows unless its checkbox is cleared. Ctrl+S checks and sends through the
``send`` callable the app passes in; the call must still be pending in the ``ToolCalls`` model
when it is sent (a handler, or another answer, may have come first). Whatever ``send`` raises
(not connected, say) is shown, never raised; a sent answer closes the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Label, Select, Static, TextArea

from console.inspector.tool_calls import (
    OutputKind,
    ToolCall,
    ToolCalls,
    ToolOutputError,
    parse_tool_output,
)

SendAnswer = Callable[[str, str, bool], None]
"""``send(call_id, output, respond)``: sends the output item, then ``response.create`` if asked."""

ARGUMENTS_SHOWN = 400
"""Characters of the call's arguments shown above the editor (Enter on the item shows all)."""


def call_label(call: ToolCall) -> str:
    """``lookup_order · call_8Y70fOv4`` for the list of pending calls."""
    return f"{call.name} · {call.call_id}"


class AnswerToolCallScreen(ModalScreen[None]):
    """Call, arguments, the output editor, its kind, the response checkbox, Send and Close."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send answer", priority=True, id="tool_answer.send"),
        Binding("escape", "close", "Close", priority=True, id="tool_answer.close"),
    ]

    def __init__(self, calls: ToolCalls, call_id: str, send: SendAnswer) -> None:
        super().__init__()
        self._calls = calls
        self._send = send
        self.call_id = call_id
        """The call this form answers."""
        self.status_text = ""
        """The line under the editor: why the answer is not sendable, or why sending failed."""
        pending = calls.pending()
        choices = [(Content(call_label(call)), call.call_id) for call in pending]
        if call_id not in {call.call_id for call in pending}:
            choices.insert(0, (Content(call_id), call_id))
        self.chooser = Select(
            choices, value=call_id, allow_blank=False, id="tool-answer-call", compact=True
        )
        self.chooser.display = len(choices) > 1
        self.arguments = Static("", id="tool-answer-arguments", markup=False)
        self.kind = Select(
            [("JSON", "json"), ("plain text", "text")],
            value="json",
            allow_blank=False,
            id="tool-answer-kind",
            compact=True,
        )
        self.editor = TextArea.code_editor(
            "",
            language="json",
            id="tool-answer-output",
            placeholder='What the tool returns, e.g. {"status": "shipped"}',
        )
        self.respond = Checkbox(
            "then ask for a response (response.create)",
            True,
            id="tool-answer-respond",
            compact=True,
        )
        self._status = Static("", id="tool-answer-status", markup=False)

    def compose(self) -> ComposeResult:
        with Vertical(id="tool-answer"):
            yield Label("Answer tool call", id="tool-answer-title")
            yield self.chooser
            yield self.arguments
            with Horizontal(id="tool-answer-options"):
                yield Label("output", classes="tool-answer-label")
                yield self.kind
                yield self.respond
            yield self.editor
            yield self._status
            with Horizontal(id="tool-answer-buttons"):
                yield Button("Send", id="tool-answer-send", variant="primary", compact=True)
                yield Button("Close", id="tool-answer-close", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.editor.cursor_blink = False
        self._show_call()
        self._set_status("Ctrl+S sends the output; Escape closes without sending.", None)
        self.editor.focus()

    def _show_call(self) -> None:
        call = self._calls.get(self.call_id)
        if call is None:
            self.arguments.update(Content(f"{self.call_id} (no longer known)"))
            return
        arguments = call.arguments or "{}"
        if len(arguments) > ARGUMENTS_SHOWN:
            arguments = arguments[:ARGUMENTS_SHOWN] + " …"
        self.arguments.update(Content(f"{call.name}({arguments})  ·  {call.call_id}"))

    @on(Select.Changed, "#tool-answer-call")
    def _call_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.call_id = event.value
            self._show_call()

    @on(Select.Changed, "#tool-answer-kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        event.stop()
        self.editor.language = "json" if event.value == "json" else None
        self._set_status("", None)

    def action_send(self) -> None:
        """Check the output and the call, send, and close; or say why not."""
        kind: OutputKind = "text" if self.kind.value == "text" else "json"
        try:
            output = parse_tool_output(self.editor.text, kind)
        except ToolOutputError as error:
            self._set_status(f"✗ {error}", "-error", invalid=True)
            return
        call = self._calls.get(self.call_id)
        if call is None or not call.pending:
            reason = (
                "is already answered"
                if call is not None and call.output_sent
                else ("waits for no answer (incomplete, deleted or unknown)")
            )
            self._set_status(f"✗ not sent: {self.call_id} {reason}", "-error")
            return
        try:
            self._send(self.call_id, output, self.respond.value)
        except Exception as error:  # shown to the user: answering must never crash the app
            self._set_status(f"✗ not sent: {type(error).__name__}: {error}", "-error")
            return
        self.notify(f"Answered {call_label(call)}.")
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#tool-answer-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#tool-answer-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def _set_status(self, text: str, kind: str | None, *, invalid: bool = False) -> None:
        self.status_text = text
        self._status.update(Content(text))
        self._status.set_class(kind == "-error", "-error")
        self.editor.set_class(invalid, "-invalid")
