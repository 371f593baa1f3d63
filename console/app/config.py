"""``ConsoleConfig``: everything the app factory needs, built by the CLI, tests and scripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from console.inspector.connection import Target
from console.inspector.store import DEFAULT_EVENT_CAP
from console.inspector.tools import WEATHER_URL, Tool


@dataclass
class ConsoleConfig:
    """How to build one console. The key lives only in ``target`` (never shown or recorded)."""

    target: Target
    autoconnect: bool = True
    event_cap: int = DEFAULT_EVENT_CAP
    record_path: Path | None = None
    tools: list[Tool] = field(default_factory=list)
    """User tools (from ``--tools``), registered beside the demo tools."""
    demo_tools: bool = True
    weather_url: str = WEATHER_URL
    replay: Any = None
    """A ``Recording`` to open read-only instead of connecting."""
    replay_name: str = ""
    keymap: dict[str, str] = field(default_factory=dict)
    export_dir: Path | None = None
    """Where Ctrl+E writes its exports (``--export-dir``); None: the current directory."""
    clock: Callable[[], float] = time.time
    tz: tzinfo | None = None
    """Time zone of the times shown (None: local)."""
    tool_timeout: float = 30.0
    max_audio_seconds: float | None = 1800.0
    """Audio the conversation keeps in all (the oldest items' audio goes first)."""
    audio: bool = False
    """Open the microphone and the speaker (the CLI turns this on unless --no-audio)."""
    input_device: str | None = None
    output_device: str | None = None
    input_wav: Path | None = None
    """A WAV file streamed as the microphone, in real time (``--input-wav``)."""
    save_audio: Path | None = None
    """Write each completed item's audio here as WAV (``--save-audio``)."""
