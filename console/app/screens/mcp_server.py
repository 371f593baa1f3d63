"""The form that adds an MCP server to the session (``RealtimeClient.add_mcp_tool``), or
removes one.

Label, URL, the tools allowed (comma-separated names; empty: all), whether calls need approval
(``always`` or ``never``) and one optional header, typically ``Authorization: Bearer …``. The
header's value is a password field: it is never shown, and once added it is never rendered
again (the session pane lists the server by label; recordings and the events pane mask it,
``redaction.mask_tool_secrets``). Ctrl+S checks everything as the library does (label pattern,
URL scheme, header name) and says what is wrong before anything is sent; a server added while
connected goes to the server at once, otherwise with the session when the console connects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from console.realtime import RealtimeClient

APPROVAL_CHOICES = [("always ask (require_approval: always)", "always"), ("never ask", "never")]


def _names(text: str) -> list[str] | None:
    """``"a, b"`` as ``["a", "b"]``; ``None`` (all tools) for nothing."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    return names or None


class McpServerScreen(ModalScreen[None]):
    """Label, URL, allowed tools, approval, one header; Add, and Remove for added servers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "add", "Add server", priority=True, id="mcp_server.add"),
        Binding("escape", "close", "Close", priority=True, id="mcp_server.close"),
    ]

    def __init__(self, client: RealtimeClient, added: Callable[[], None]) -> None:
        """``added`` runs after a server was added or removed (the session pane redraws)."""
        super().__init__()
        self.client = client
        self._added = added
        self.label = Input(placeholder="weather", id="mcp-server-label", compact=True)
        self.url = Input(placeholder="https://example.com/mcp", id="mcp-server-url", compact=True)
        self.allowed = Input(placeholder="all", id="mcp-server-allowed", compact=True)
        self.approval: Select[str] = Select(
            APPROVAL_CHOICES,
            value="always",
            allow_blank=False,
            id="mcp-server-approval",
            compact=True,
        )
        self.header_name = Input(placeholder="Authorization", id="mcp-server-header", compact=True)
        self.header_value = Input(
            placeholder="Bearer …", password=True, id="mcp-server-header-value", compact=True
        )
        self.servers: Select[str] = Select(
            self._server_options(), prompt="added servers", id="mcp-server-added", compact=True
        )
        self.remove_button = Button("Remove", id="mcp-server-remove", compact=True)
        self.status_text = ""
        self._status = Static("", id="mcp-server-status", markup=False)
        self._show_servers()  # the widgets are ours: no query before they are mounted

    def compose(self) -> ComposeResult:
        with Vertical(id="mcp-server"):
            yield Label("Add MCP server", id="mcp-server-title")
            for text, control in (
                ("label", self.label),
                ("URL", self.url),
                ("allowed tools", self.allowed),
                ("approval", self.approval),
                ("header name", self.header_name),
                ("header value", self.header_value),
            ):
                yield Horizontal(Label(text, classes="mcp-server-label"), control, classes="row")
            yield self._status
            with Horizontal(id="mcp-server-buttons"):
                yield self.servers
                yield self.remove_button
                yield Button("Add", id="mcp-server-add-button", variant="primary", compact=True)
                yield Button("Close", id="mcp-server-close", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False
        self._say("Ctrl+S adds the server; Escape closes.", error=False)
        self.label.focus()

    def _server_options(self) -> list[tuple[Content, str]]:
        return [(Content(label), label) for label in self.client.mcp_tools]

    def _show_servers(self) -> None:
        """The added servers' list and Remove, only when there are some."""
        self.servers.display = bool(self.client.mcp_tools)
        self.remove_button.display = bool(self.client.mcp_tools)

    def definition(self) -> dict[str, Any]:
        """The keyword arguments of ``add_mcp_tool`` the form holds (not checked yet)."""
        fields: dict[str, Any] = {
            "server_label": self.label.value.strip(),
            "server_url": self.url.value.strip(),
            "require_approval": self.approval.value,
        }
        allowed = _names(self.allowed.value)
        if allowed is not None:
            fields["allowed_tools"] = allowed
        name, value = self.header_name.value.strip(), self.header_value.value
        if name or value:
            fields["headers"] = {name: value}
        return fields

    def action_add(self) -> None:
        """Check and add the server; or say what is wrong and keep the form as typed."""
        fields = self.definition()
        if "headers" in fields and not next(iter(fields["headers"])):
            self._say("✗ the header needs a name (e.g. Authorization)", error=True)
            return
        try:
            self.client.add_mcp_tool(**fields)
        except Exception as error:  # SessionConfigError, a label in use, a closed socket
            self._say(f"✗ not added: {error}", error=True)
            return
        sent = "sent" if self.client.is_connected() else "sent when you connect"
        self.notify(f"MCP server {fields['server_label']} added ({sent}).")
        self._added()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#mcp-server-add-button")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_add()

    @on(Button.Pressed, "#mcp-server-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    @on(Button.Pressed, "#mcp-server-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        label = self.servers.value
        if not isinstance(label, str):
            self._say("✗ choose the server to remove first", error=True)
            return
        try:
            self.client.remove_mcp_tool(label)
        except Exception as error:
            self._say(f"✗ not removed: {error}", error=True)
            return
        self._added()
        self.servers.set_options(self._server_options())
        self._show_servers()
        self._say(f"Removed MCP server {label}.", error=False)

    def _say(self, text: str, *, error: bool) -> None:
        self.status_text = text
        self._status.update(Content(text))
        self._status.set_class(error, "-error")
