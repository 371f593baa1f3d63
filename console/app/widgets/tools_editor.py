"""The session's tool definitions as a syntax-highlighted JSON array, validated as you type.

Validation waits for a pause in typing (``DEBOUNCE_S``) so a half-typed brace does not flash
an error on every key; ``validate_now`` checks at once, for Apply. Invalid text is never sent:
the pane asks ``validate_now`` first and refuses to apply on an error.

Only *manual* tools live here (those without a handler). Tools registered with
``client.add_tool`` are sent by the library with every tool list, so naming one here is an error
(the library would raise "already been defined"); the pane lists them beside the editor.

MCP tools (``{"type": "mcp", ...}``) are checked as the library checks them (``mcp_tools``:
label pattern, URL scheme, the SDK's shapes) before anything is sent. Their header values and
``authorization`` are secrets: once entered they never show here again. The editor shows them
as ``••••••`` and, on Apply, puts back the value the session has for that server and header;
a new value typed over the mask replaces it. Once the server has acknowledged tools typed
with a secret, the editor shows them masked at once, even while it has the focus.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from console.realtime import SessionConfigError
from console.realtime.mcp_tools import check_mcp_tool, is_mcp_tool, masked_tool, unmask_tool

DEBOUNCE_S = 0.3


class ToolsError(ValueError):
    """Tools JSON the console will not send; the message says where and why."""


def parse_tools(
    text: str,
    registered: Collection[str] = (),
    known: Sequence[dict[str, Any]] = (),
    servers: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The tool list in ``text``, or ``ToolsError`` ("line L, column C: message" for bad JSON).

    Each tool must be an object with ``"type": "function"`` and a string ``name``, names unique
    and not among ``registered`` (tools with a handler, sent automatically), or a valid MCP tool
    (``"type": "mcp"``), labels unique and not among ``servers`` (added with ``add_mcp_tool``);
    its masked secrets are restored from ``known`` (the session's tools).
    """
    if not text.strip():
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolsError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(value, list):
        raise ToolsError('tools must be a JSON array of tool objects: [{"type": "function", ...}]')
    names: set[str] = set()
    labels: set[str] = set()
    for index, tool in enumerate(value):
        where = f"tool {index + 1}"
        if not isinstance(tool, dict):
            raise ToolsError(f"{where}: must be an object, not {type(tool).__name__}")
        if is_mcp_tool(tool):
            value[index] = _mcp_tool(tool, where, known, labels | set(servers))
            labels.add(tool["server_label"])
            continue
        if tool.get("type") != "function":
            raise ToolsError(
                f'{where}: "type" must be "function" or "mcp", not {tool.get("type")!r}'
            )
        name = tool.get("name")
        if not isinstance(name, str) or not name:
            raise ToolsError(f'{where}: "name" must be a non-empty string')
        if name in names:
            raise ToolsError(f'{where}: the name "{name}" is used twice')
        if name in registered:
            raise ToolsError(
                f'{where}: "{name}" is registered with a handler (add_tool) and is sent '
                "automatically; remove it here"
            )
        names.add(name)
    return value


def _mcp_tool(
    tool: dict[str, Any], where: str, known: Sequence[dict[str, Any]], taken: set[str]
) -> dict[str, Any]:
    """An MCP tool of the editor, its secrets restored and checked; else ``ToolsError``."""
    try:
        checked = check_mcp_tool(unmask_tool(tool, list(known)))
    except SessionConfigError as exc:
        raise ToolsError(f"{where}: {exc}") from None
    if checked["server_label"] in taken:
        raise ToolsError(f'{where}: the MCP server "{checked["server_label"]}" is listed twice')
    return checked


def shows_secrets(text: str) -> bool:
    """Whether editor ``text`` holds an MCP secret in clear (typed, not yet masked)."""
    try:
        value = json.loads(text)
    except ValueError:
        return False
    tools = value if isinstance(value, list) else []
    return any(masked_tool(tool) != tool for tool in tools if is_mcp_tool(tool))


def tools_json(tools: list[dict[str, Any]]) -> str:
    """The editor text for a tool list (``type`` first, as the API documents it; MCP tools'
    secrets masked)."""
    if not tools:
        return "[]"
    shown = [
        masked_tool(tool) if is_mcp_tool(tool) else {"type": "function", **tool} for tool in tools
    ]
    return json.dumps(shown, indent=2, ensure_ascii=False)


class ToolsEditor(Vertical):
    """A JSON code editor plus an inline error line; ``-invalid`` while the JSON is unusable.

    Tab moves focus on (``tab_behavior="focus"``) rather than indenting, so the editor is no
    trap for the keyboard and Escape reaches the app (an indenting ``TextArea`` takes Escape
    to move focus itself); JSON needs no indentation to be typed.
    """

    class Checked(Message):
        """The text was validated (``error`` may have changed)."""

    def __init__(
        self,
        registered: Callable[[], Collection[str]],
        *,
        known: Callable[[], Sequence[dict[str, Any]]] = lambda: (),
        servers: Callable[[], Collection[str]] = lambda: (),
        id: str | None = None,
    ) -> None:
        """``registered``: names of tools with handlers; ``known``: the session's tools (where
        masked secrets come back from); ``servers``: labels of ``add_mcp_tool`` servers."""
        super().__init__(id=id)
        self._registered = registered
        self._known = known
        self._servers = servers
        self._timer: Timer | None = None
        self.error: str | None = None
        """The last validation error, or ``None`` when the text is usable."""
        self.text_area = TextArea.code_editor(
            "[]", language="json", id="session-tools", tab_behavior="focus"
        )
        self._error_line = Static("", id="session-tools-error", markup=False)

    def compose(self) -> ComposeResult:
        yield self.text_area
        yield self._error_line

    @property
    def text(self) -> str:
        """The editor's text as typed."""
        return self.text_area.text

    def load(self, text: str) -> None:
        """Replace the text (from the session config) and validate it now."""
        if text != self.text_area.text:
            self.text_area.load_text(text)
        self._validate()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Restart the debounce: validate once typing pauses (the event goes on to the pane)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self._validate)

    def validate_now(self) -> list[dict[str, Any]]:
        """Validate at once (cancelling the debounce); the tools, or ``ToolsError``."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._validate()
        if self.error is not None:
            raise ToolsError(self.error)
        return self._parse()

    def _parse(self) -> list[dict[str, Any]]:
        return parse_tools(self.text, self._registered(), self._known(), self._servers())

    def tool_names(self) -> list[str]:
        """Names of the function tools in the editor when it is valid (``tool_choice``)."""
        try:
            return [tool["name"] for tool in self._parse() if not is_mcp_tool(tool)]
        except ToolsError:
            return []

    def _validate(self) -> None:
        self._timer = None
        try:
            self._parse()
        except ToolsError as exc:
            self.error = str(exc)
        else:
            self.error = None
        invalid = self.error is not None
        self.text_area.set_class(invalid, "-invalid")
        self._error_line.set_class(invalid, "-invalid")
        self._error_line.display = invalid
        self._error_line.update(Content(self.error or ""))
        self.post_message(self.Checked())
