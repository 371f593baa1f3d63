"""``ConsoleConfig``: everything the app factory needs, built by the CLI, tests and scripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from console.inspector.connection import Target
from console.inspector.prices import PriceTable
from console.inspector.store import DEFAULT_EVENT_CAP
from console.inspector.tools import WEATHER_URL, Tool, demo_tools
from console.realtime import DEFAULT_MAX_AUDIO_SECONDS, RealtimeClient


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
    max_audio_seconds: float | None = DEFAULT_MAX_AUDIO_SECONDS
    """Audio the conversation keeps in all (the oldest items' audio goes first)."""
    audio: bool = False
    """Open the microphone and the speaker (the CLI turns this on unless --no-audio)."""
    input_device: str | None = None
    output_device: str | None = None
    input_wav: Path | None = None
    """A WAV file streamed as the microphone, in real time (``--input-wav``)."""
    save_audio: Path | None = None
    """Write each completed item's audio here as WAV (``--save-audio``)."""
    transcription: bool = False
    """Open a transcription session (``--transcription``): input audio, VAD and transcripts,
    never a response."""
    prices: Path | None = None
    """A TOML file overriding or extending the price table (``--prices``; the CLI checks it)."""
    first_message: list[dict[str, Any]] = field(default_factory=list)
    """Content parts sent as the first user message once connected (``--image``)."""

    def price_table(self) -> PriceTable:
        """The shipped price table with ``prices`` over it (``PriceTableError`` if unusable)."""
        table = PriceTable.default()
        return table if self.prices is None else table.with_file(self.prices)

    def make_client(self) -> RealtimeClient:
        """The console's one client, as the target and the options ask.

        No ``resampler=``: G.711 sessions keep the library's polyphase FIR (3.3 ms of delay,
        nothing held back); soxr's streams hold back 25-40 ms at 3:1 and, with no flush in the
        resampler protocol, would cut the end of every reply and push-to-talk turn.
        """
        target = self.target
        return RealtimeClient(
            url=target.url,
            api_key=target.api_key,
            model=target.model,
            dialect=target.dialect,
            tool_timeout=self.tool_timeout,
            max_audio_seconds=self.max_audio_seconds,
            transport=target.transport,
            attach_call_id=target.call_id,
            intent="transcription" if self.transcription else None,
        )

    def session_tools(self, memory: dict[str, Any]) -> list[Tool]:
        """The user's tools, then the demo tools whose names the user's do not take; none in a
        replay (it runs nothing) or a transcription session (it never calls one)."""
        if self.replay is not None or self.transcription:
            return []
        tools = list(self.tools)
        taken = {definition.get("name") for definition, _ in tools}
        if self.demo_tools:
            demos = demo_tools(memory, self.weather_url)
            tools += [(d, handler) for d, handler in demos if d.get("name") not in taken]
        return tools
