"""The session pane: a live editor of the session, with what the server made of each change.

Fields are filled from ``client.session_config`` on mount and again whenever ``SessionState``
changes (the app polls ``refresh_from_state`` on its ~30 Hz timer; an unchanged ``version``
costs one comparison). A refresh never touches a field the user has changed but not applied, or
is typing in. Apply (button, Ctrl+S) sends only the changed fields through
``client.update_session``, which translates them to the wire dialect; while disconnected that
only changes the local configuration, which ``connect`` sends. Beside each field: ● edited (not
applied yet), ✓ acknowledged, ~ changed by the server (its value), ✗ refused (the server's code
and message), from ``SessionState``. Everything the server or the user wrote is shown as
``Content``, never markup. Fields sit in collapsible sections (Output, Turn detection, Audio
input, Tools, Context, Advanced); a beta session's pane leaves out the options its protocol
lacks, and a section unfolds when the server refuses one of its fields. A field's value is
checked as it is edited, with what is wrong said on its status line; Apply sends nothing while
any is invalid. The controls themselves are built in ``session_controls``.

"Changed" is measured against a baseline: what was last filled in, or what the server
acknowledged. A sent field's baseline moves only when ``session.updated`` settles its update, not
at Apply: a refused update leaves every field it carried as typed (the library rolls back its
``session_config``, and a refill would otherwise throw the user's other edits away), so the user
can fix the one the server blamed and apply again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Collapsible, Input, Label, Select, Static, TextArea

from console.inspector.session_state import FieldStatus, SessionState
from console.realtime import RealtimeClient

from .session_controls import SessionControls
from .session_field import SessionField
from .session_fields import (
    FormError,
    edited_content,
    outcome_text,
    status_content,
    summary_content,
)
from .session_form import FIELDS
from .session_transcription import TRANSCRIPTION_FIELDS
from .tools_editor import ToolsEditor, ToolsError, shows_secrets

_STATUS_CLASSES = ("-applied", "-changed", "-refused", "-pending", "-edited", "-invalid")
COLLAPSED = frozenset({"Context", "Advanced"})
"""Sections shown folded at first (the options reached for less often)."""


class SessionPane(SessionControls):
    """Edit the session of ``client``; statuses and the summary come from ``state``."""

    ALLOW_MAXIMIZE = True  # F6 zooms the whole pane, not the widget focused inside it

    BINDINGS = [
        Binding(
            "ctrl+s",
            "apply",
            "Apply session",
            id="session.apply",
            tooltip="Send the changed session fields (session.update)",
        )
    ]

    @dataclass
    class Applied(Message):
        """Apply went through: ``fields`` changed, ``sent`` False when only saved locally."""

        fields: tuple[str, ...]
        sent: bool

    def __init__(
        self, client: RealtimeClient, state: SessionState, *, id: str | None = None
    ) -> None:
        super().__init__(client, id=id)
        self.state = state
        ga = client.dialect == "ga"
        fields = TRANSCRIPTION_FIELDS if client.transcription else FIELDS
        self.fields: tuple[SessionField, ...] = tuple(f for f in fields if ga or not f.ga_only)
        """The fields shown: a transcription session has only its input's; beta lacks some."""
        self._seen_version = -1
        self._baseline: dict[str, Any] = {}
        self._sent: dict[str, tuple[str, Any]] = {}
        """Fields sent, not yet acknowledged: the ``session.update``'s event id, the form value."""
        self._awaiting: tuple[str, tuple[str, ...]] | None = None
        """The last Apply's event id and fields, until the server answers it."""
        self._refused: dict[str, Any] = {}
        """The fields of the refusal the Apply line tells, as they were sent (the line goes once
        none of them holds its refused value)."""
        self._status_widgets: dict[str, Static] = {}
        self._drawn: dict[str, tuple[str, str]] = {}
        self._by_name = {field.name: field for field in self.fields}
        self._sections: dict[str, Collapsible] = {}
        """Each field's section, unfolded when the server refuses the field."""
        self._folded: dict[Collapsible, list[Widget]] = {}
        """Folded sections not unfolded yet, and their rows (not mounted until then)."""

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.summary
        with VerticalScroll(id="session-form", can_focus=False):  # Tab lands on a field
            sections: dict[str | None, list[SessionField]] = {}
            for field in self.fields:
                sections.setdefault(field.section, []).append(field)
            for title, fields in sections.items():
                if title is None:
                    with Vertical(id="session-general"):
                        for field in fields:
                            yield from self._field(field)
                    continue
                slug = title.lower().replace(" ", "-")
                section = Collapsible(
                    title=title, collapsed=title in COLLAPSED, id=f"session-section-{slug}"
                )
                self._sections.update({field.name: section for field in fields})
                rows = [widget for field in fields for widget in self._field(field)]
                if section.collapsed:  # mounted when first unfolded: a faster start
                    self._folded[section] = rows
                    yield section
                    continue
                with section:
                    yield from rows
        with Horizontal(id="session-actions"):
            yield Button("Apply (ctrl+s)", id="session-apply", variant="primary", compact=True)
            yield self.result

    def _field(self, field: SessionField) -> ComposeResult:
        if field.heading:
            yield from self._heading(field.label, field.name)
            yield field.control(self)
        else:
            yield self._row(field.label, field.name, field.control(self))
        yield from field.below(self)

    def _status(self, name: str) -> Static:
        widget = Static("", id=f"session-status-{name.replace('_', '-')}", markup=False)
        widget.add_class("field-status")
        self._status_widgets[name] = widget
        return widget

    def _row(self, label: str, name: str, control: Widget) -> Vertical:
        """Label and control on one line; the status (when there is one) on the next."""
        return Vertical(
            Horizontal(Label(label, classes="field-label"), control, classes="field-row"),
            self._status(name),
            classes="field",
        )

    def _heading(self, label: str, name: str) -> ComposeResult:
        yield Horizontal(
            Label(label, classes="field-label"), self._status(name), classes="field-row heading"
        )

    def on_mount(self) -> None:
        self.refresh_from_state(force=True)

    @on(Collapsible.Expanded)
    async def _unfolded(self, event: Collapsible.Expanded) -> None:
        """Mount a folded section's rows the first time it is unfolded. Until then its widgets
        exist unmounted (the form reads, fills and checks them all the same): a folded section
        costs the start nothing (about 50 widgets for Context and Advanced)."""
        rows = self._folded.pop(event.collapsible, None)
        if rows:
            await event.collapsible.query_one(Collapsible.Contents).mount_all(rows)
            for select in event.collapsible.query(Select):
                # A Select mounted after its value was set still shows its prompt: redraw it.
                select.mutate_reactive(Select.value)  # type: ignore[misc]  # generic reactive

    # -- reading the form --------------------------------------------------------------------

    def _raw(self) -> dict[str, Any]:
        """The form as typed, per field (what "changed" is measured on)."""
        return {field.name: field.raw(self) for field in self.fields}

    def changed_fields(self) -> list[str]:
        """Fields whose form value differs from what was last filled in or acknowledged."""
        raw = self._raw()
        return [
            field.name for field in self.fields if raw[field.name] != self._baseline.get(field.name)
        ]

    # -- applying ----------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "session-apply":
            event.stop()
            self.action_apply()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select is self.turn.kind:
            self.turn.show_params()
        elif event.select is self.transcriber.model:
            self.transcriber.show_details()
        elif event.select is self.truncation.kind:
            self.truncation.show_params()
        elif event.select is self.tracing.kind:
            self.tracing.show_params()
        self._draw_statuses()

    def action_apply(self) -> None:
        """Send the changed fields (or save them locally while disconnected)."""
        names = self.changed_fields()
        if not names:
            self._say("Nothing changed.", "")
            return
        fields: dict[str, Any] = {}
        errors: list[str] = []
        for field in self.fields:  # every error at once, not one per Apply
            if field.name not in names:
                continue
            try:
                key, value = field.write(self)
            except ToolsError as exc:
                errors.append(f"tools: {exc}")
            except FormError as exc:
                errors.append(str(exc))
            else:
                fields[key] = value
        if errors:
            self._say("Not sent: " + "; ".join(errors), "-error")
            return
        connected = self.client.is_connected()
        before = self.state.last_request
        try:
            self.client.update_session(**fields)
        except ValueError as exc:  # SessionConfigError, or a tool name clash
            self._say(f"Not sent: {exc}", "-error")
            return
        raw = self._raw()
        request = self.state.last_request
        listed = self._listed(names)
        self._refused = {}
        if connected and request is not None and request is not before:
            event_id = str(request.get("event_id"))
            self._sent.update({name: (event_id, raw[name]) for name in names})
            self._awaiting = (event_id, tuple(names))
            self._say(f"Sent {listed}; awaiting the server.", "")
        else:  # nothing to wait for: saved locally (or a state that does not see the socket)
            self._baseline.update({name: raw[name] for name in names})
            local = f"Not connected: saved {listed} locally; sent when you connect."
            self._say(f"Sent {listed}." if connected else local, "" if connected else "-local")
        self.post_message(self.Applied(tuple(names), connected))
        self._draw_statuses()

    def _say(self, text: str, css_class: str) -> None:
        self.result.update(Content(text))
        self.result.set_class(css_class == "-error", "-error")
        self.result.set_class(css_class == "-local", "-local")

    # -- refreshing --------------------------------------------------------------------------

    def refresh_from_state(self, *, force: bool = False) -> None:
        """Redraw statuses and refill untouched fields if ``state`` changed since last time."""
        if not force and self.state.version == self._seen_version:
            return
        self._seen_version = self.state.version
        self.summary.update(
            summary_content(
                self.state,
                transcription=self.client.transcription,
                known=self.client.session_known,
            )
        )
        model = (self.state.acknowledged or {}).get("model")
        self.reasoning.show_model(model if isinstance(model, str) else None)
        statuses = self._statuses()
        self._settle(statuses)
        self._fill_from_config()
        self._draw_statuses(statuses)

    def _statuses(self) -> dict[str, FieldStatus]:
        """``state``'s statuses, where a field another sender updated (a raw ``session.update``
        from the composer) reads ``~`` changed by the server, with its value: the form did not
        ask for it, and the field now shows what the server has."""
        statuses = self.state.field_status()
        for name, status in statuses.items():
            if status.state == "applied" and self.client.is_foreign_update(status.event_id):
                statuses[name] = replace(status, state="changed")
        return statuses

    def _settle(self, statuses: dict[str, FieldStatus]) -> None:
        """Move the baseline of sent fields the server acknowledged; say how the last Apply went."""
        for name, (event_id, raw) in list(self._sent.items()):
            status = statuses.get(name)
            if status is None or status.event_id != event_id:  # sent again since, or reset
                del self._sent[name]
            elif status.state in ("applied", "changed"):
                self._baseline[name] = raw
                del self._sent[name]
            # refused: kept, so the field shows the refusal while it holds what was refused
        if self._awaiting is not None:
            event_id, names = self._awaiting
            settled = [
                status
                for name in names
                if (status := statuses.get(name)) is not None and status.event_id == event_id
            ]
            outcome = outcome_text(self._listed(names), settled)
            if outcome is not None:
                self._say(*outcome)
                self._awaiting = None
                refused = outcome[1] == "-error"
                self._refused = {name: self._raw()[name] for name in names} if refused else {}

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(ToolsEditor.Checked)
    def _form_changed(self) -> None:
        self._draw_statuses()

    def _draw_statuses(self, statuses: dict[str, FieldStatus] | None = None) -> None:
        """Each field's line: ● edited while it differs from the session, else its outcome."""
        if not self._baseline:  # not filled yet: nothing can be "edited"
            return
        statuses = self._statuses() if statuses is None else statuses
        raw = self._raw()
        if self._refused and all(raw[name] != value for name, value in self._refused.items()):
            self._refused = {}  # every refused value left the form: the refusal is history
            self._say("", "")
        for name, widget in self._status_widgets.items():
            status, sent = statuses.get(name), self._sent.get(name)
            awaited = sent is not None and sent[1] == raw[name]  # as sent: its outcome shows
            if raw[name] != self._baseline.get(name) and not awaited:
                content, css_class = self._edited(name)
            elif status is not None and status.state == "refused" and sent and not awaited:
                content, css_class = status_content(None)  # the refused value left the form
            else:
                content, css_class = status_content(status)
            if self._drawn.get(name) == (content.plain, css_class):
                continue
            self._drawn[name] = (content.plain, css_class)
            widget.update(content)
            widget.display = bool(css_class)  # no line for a field nobody changed
            if css_class == "-refused" and name in self._sections:
                self._sections[name].collapsed = False  # the server's reason must be seen
            for each in _STATUS_CLASSES:
                widget.set_class(each == css_class, each)

    def _edited(self, name: str) -> tuple[Content, str]:
        """The status of a field the user changed: what is wrong with it, if anything (the
        check Apply makes, so nothing invalid is sent; tools have their own debounced one)."""
        if name == "tools":
            return edited_content(self.tools.error)
        try:
            self._by_name[name].write(self)
        except FormError as exc:
            return Content(f"✗ {exc} — not applied"), "-invalid"
        return edited_content()

    def _secret_shown(self, name: str) -> bool:
        """The tools, applied, still show an MCP secret as typed: mask it though focused."""
        return name == "tools" and shows_secrets(self.tools.text)

    def _listed(self, names: Iterable[str]) -> str:
        """Fields as the pane shows them ("speed, noise reduction"), not their wire names."""
        return ", ".join(self._by_name[n].words if n in self._by_name else n for n in names)

    def _fill_from_config(self) -> None:
        """Show ``client.session_config`` in every field the user is not changing."""
        config = self.client.session_config
        dirty = set(self.changed_fields()) if self._baseline else set()
        for field in self.fields:
            if field.name in dirty or (field.editing(self) and not self._secret_shown(field.name)):
                continue
            field.read(self, config)
            self._baseline[field.name] = field.raw(self)
        names = ", ".join(self.client.tools) or "none"
        servers = ", ".join(self.client.mcp_tools)
        mcp = f" · MCP servers: {servers}" if servers else ""
        self.registered.update(Content(f"Tools with handlers (sent automatically): {names}{mcp}"))
