"""Fixtures for the command line's tests: the app is never opened, only how it would be."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import console.cli.console
from console.app.config import ConsoleConfig

OPENED = (console.cli.console, "open_console")
"""Where the CLI looks up the function that opens the app (replaced by a recorder)."""


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[ConsoleConfig]]:
    """The configs the CLI would open the app with; a terminal is assumed (FORCE_TUI), no key
    is set and the working directory is empty."""
    configs: list[ConsoleConfig] = []

    async def fake_open(config: ConsoleConfig, simulator_pace: str | None) -> int:
        configs.append(config)
        return 0

    monkeypatch.setattr(*OPENED, fake_open)
    monkeypatch.setenv("REALTIME_CONSOLE_FORCE_TUI", "1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    yield configs
