"""The command palette's entries: every action of the console, by title.

Textual's own "Keys" and "Maximize" are left out: Help (F1) lists every binding with its id,
and Zoom (F6) toggles.
"""

from __future__ import annotations

REPLACED_SYSTEM_COMMANDS = frozenset({"Keys", "Maximize"})

PALETTE: list[tuple[str, str, str]] = [
    ("Connect", "Connect (or reconnect) to the target", "connect"),
    ("Disconnect", "Close the connection", "disconnect"),
    ("Reset", "Disconnect and forget conversation and session", "reset"),
    ("Help", "Keys and what each pane shows", "help"),
    ("Turn detection", "Cycle none / server_vad / semantic_vad", "cycle_turn_detection"),
    ("Zoom pane", "Fill the screen with the focused pane", "zoom"),
    ("Clear events", "Forget the events kept in memory", "clear_events"),
    ("Export events", "Write the kept events to a JSONL file", "export_events"),
    ("Compose event", "Send any client event typed as JSON", "composer"),
    ("Toggle conversation pane", "Show or hide the conversation", "toggle_pane('conversation')"),
    ("Toggle events pane", "Show or hide the events", "toggle_pane('events')"),
    ("Toggle session pane", "Show or hide the session editor", "toggle_pane('session')"),
    ("Toggle audio meter", "Show or hide the audio meter", "toggle_pane('meter')"),
]
"""(title, help, action) — the action as a binding would name it."""
