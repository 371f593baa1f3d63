"""The app's key bindings and the command palette's entries: every action of the console.

Textual's own "Keys" and "Maximize" are left out: Help (F1) lists every binding with its id,
and Zoom (F6) toggles.
"""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS = [
    Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    Binding("f1", "help", "Help", id="app.help"),
    Binding("f2", "toggle_connection", "Connect", id="app.connect"),
    Binding("f3", "composer", "Compose", id="app.composer"),
    Binding("f4", "cycle_turn_detection", "Turns", id="app.turns"),
    Binding("f5", "toggle_pane('session')", "Session", id="app.toggle_session"),
    Binding("f6", "zoom", "Zoom", id="app.zoom"),
    Binding("ctrl+l", "clear_events", "Clear events", id="app.clear_events", show=False),
    Binding("ctrl+e", "export_events", "Export", id="app.export", show=False),
    Binding("escape", "focus_input", "Input", id="app.focus_input", show=False),
    Binding("space", "talk", "Talk", id="app.talk", tooltip="Push-to-talk (manual turns)"),
    Binding("f8", "mute", "Mute", id="app.mute"),
]
"""Every binding has an id, so ``--keymap`` can remap it."""

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
    ("Clear events", "Forget the events kept in memory", "clear_events"),
    ("Export events", "Write the kept events to a JSONL file", "export_events"),
    ("Compose event", "Send any client event typed as JSON", "composer"),
    ("Answer tool call", "Send the output of a call no handler answered", "answer_tool_call"),
    ("Push to talk", "Start or stop talking (manual turns)", "talk"),
    ("Mute microphone", "Mute or unmute the microphone", "mute"),
    ("Play item audio", "Play the selected conversation item's audio", "play_item"),
    ("Retry audio devices", "Look for sound devices again and reopen them", "retry_audio"),
    ("Toggle conversation pane", "Show or hide the conversation", "toggle_pane('conversation')"),
    ("Toggle events pane", "Show or hide the events", "toggle_pane('events')"),
    ("Toggle session pane", "Show or hide the session editor", "toggle_pane('session')"),
    ("Toggle audio meter", "Show or hide the audio meter", "toggle_pane('meter')"),
]
"""(title, help, action) — the action as a binding would name it."""
