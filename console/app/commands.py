"""The console's key bindings and the command palette's entries: every action of the console.

Input and TextArea bind keys the console uses too (Ctrl+E is "end of line" in both, F6 selects a
line in a TextArea), and the focused widget's bindings come first. So the console's function and
control keys are priority bindings of the main screen (``MainScreen``): they win wherever the
focus is, and only there (a modal screen keeps its own keys). Keys a widget must keep are not
priority: Space types a space in a text field (elsewhere it talks), Escape closes an open Select
menu (elsewhere it goes back to the input line), and Ctrl+L, which no widget binds, is also the
events pane's own "Clear". ``tests/app/test_keys.py`` presses each key from each focus.

Textual's own "Keys" and "Maximize" are left out: Help (F1) lists every binding with its id,
and Zoom (F6) toggles.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.dom import DOMNode

APP_BINDINGS = [
    Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
]
"""The app's own: Ctrl+Q quits from every screen, the modal ones included."""

CONSOLE_BINDINGS = [
    Binding("f1", "app.help", "Help", id="app.help", priority=True),
    Binding("f2", "app.toggle_connection", "Connect", id="app.connect", priority=True),
    Binding("f3", "app.composer", "Compose", id="app.composer", priority=True),
    Binding("f4", "app.cycle_turn_detection", "Turns", id="app.turns", priority=True),
    Binding("f5", "app.toggle_pane('session')", "Session", id="app.toggle_session", priority=True),
    Binding("f6", "app.zoom", "Zoom", id="app.zoom", priority=True),
    Binding("f7", "app.timeline", "Timeline", id="app.timeline", priority=True),
    Binding("ctrl+l", "app.clear_events", "Clear events", id="app.clear_events", show=False),
    Binding("ctrl+e", "app.export_events", "Export", id="app.export", show=False, priority=True),
    Binding("escape", "app.focus_input", "Input", id="app.focus_input", show=False),
    Binding("space", "app.talk", "Talk", id="app.talk", tooltip="Push-to-talk (manual turns)"),
    Binding("f8", "app.mute", "Mute", id="app.mute", priority=True),
    Binding("y", "app.approve_mcp", "Approve MCP", id="mcp.approve"),
    Binding("n", "app.deny_mcp", "Deny MCP", id="mcp.deny"),
]
"""The main screen's; every binding has an id, so ``--keymap`` can remap it."""


def all_bindings(panes: Iterable[DOMNode]) -> list[Binding]:
    """The app's bindings, the main screen's, then the panes' own (F1 lists them, --keymap)."""
    bindings = [b for b in (*APP_BINDINGS, *CONSOLE_BINDINGS) if isinstance(b, Binding)]
    for pane in panes:
        bindings += [b for b in pane.BINDINGS if isinstance(b, Binding)]
    return bindings


REPLACED_SYSTEM_COMMANDS = frozenset({"Keys", "Maximize"})

PALETTE: list[tuple[str, str, str]] = [
    ("Connect", "Connect (or reconnect) to the target", "connect"),
    (
        "Reconnect with history",
        "Reconnect and give the new session the conversation's text",
        "reconnect_with_history",
    ),
    ("Disconnect", "Close the connection", "disconnect"),
    ("Reset", "Disconnect and forget conversation and session", "reset"),
    ("Help", "Keys and what each pane shows", "help"),
    ("Turn detection", "Cycle none / server_vad / semantic_vad", "cycle_turn_detection"),
    ("Zoom pane", "Fill the screen with the focused pane", "zoom"),
    ("Timeline", "Turns on one time axis, their latency and cost, the session summary", "timeline"),
    ("Clear events", "Forget the events kept in memory", "clear_events"),
    (
        "Event times",
        "Events pane times: clock, since the previous row, since the turn's trigger (t)",
        "cycle_event_times",
    ),
    (
        "Go to the sent event",
        "From the selected error, the client event its event_id names (g)",
        "go_to_sent_event",
    ),
    ("Export events", "Write the kept events to a JSONL file", "export_events"),
    (
        "Copy call id",
        "Put the WebRTC call's id on the clipboard (a sideband attaches with --call-id)",
        "copy_call_id",
    ),
    ("Compose event", "Send any client event typed as JSON", "composer"),
    (
        "Create response…",
        "A response.create with options: out-of-band, metadata, input, instructions, tools…",
        "response_form",
    ),
    (
        "Send image…",
        "Send a PNG or JPEG file as a user message (asks for its path)",
        "screen.send_image",
    ),
    ("Answer tool call", "Send the output of a call no handler answered", "answer_tool_call"),
    ("Add MCP server", "Let the session use a remote MCP server's tools", "add_mcp_server"),
    ("Approve MCP call", "Approve the oldest MCP call waiting for approval (y)", "approve_mcp"),
    ("Deny MCP call", "Deny the oldest MCP call waiting for approval (n)", "deny_mcp"),
    ("Push to talk", "Start or stop talking (manual turns)", "talk"),
    ("Mute microphone", "Mute or unmute the microphone", "mute"),
    ("Play item audio", "Play the selected conversation item's audio", "play_item"),
    (
        "Retrieve what the server heard",
        "Ask the server for the selected user audio item as it kept it; Enter compares (r)",
        "retrieve_item",
    ),
    (
        "Play what the server heard",
        "Play the retrieved audio of the selected item (h)",
        "play_heard",
    ),
    ("Retry audio devices", "Look for sound devices again and reopen them", "retry_audio"),
    ("Toggle conversation pane", "Show or hide the conversation", "toggle_pane('conversation')"),
    ("Toggle events pane", "Show or hide the events", "toggle_pane('events')"),
    ("Toggle session pane", "Show or hide the session editor", "toggle_pane('session')"),
    ("Toggle audio meter", "Show or hide the audio meter", "toggle_pane('meter')"),
]
"""(title, help, action) — the action as a binding would name it."""

REPLAY_HIDES = frozenset(
    {
        "toggle_connection",
        "connect",
        "reconnect_with_history",
        "disconnect",
        "reset",
        "composer",
        "response_form",
        "cycle_turn_detection",
        "talk",
        "mute",
        "answer_tool_call",
        "copy_call_id",
        "retrieve_item",
        "screen.send_image",
        "approve_mcp",
        "deny_mcp",
        "add_mcp_server",
    }
)
"""Actions a replay hides: each would send something, and a replay sends nothing."""

TRANSCRIPTION_HIDES = frozenset(
    {
        "answer_tool_call",
        "reconnect_with_history",
        "response_form",
        "screen.send_image",
        "approve_mcp",
        "deny_mcp",
        "add_mcp_server",
    }
)
"""Actions a transcription session hides: it never creates a response (so no tool call waits,
no response form, no MCP) and takes no ``conversation.item.create`` (so no history is carried)."""
