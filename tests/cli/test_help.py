"""What ``--help`` says agrees with what the console does, and every default it shows comes from
the one place that defines it (changing the constant changes the help)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import console.inspector.store
import console.realtime.retention
import console.relay.pump
import console.relay.urls
from console.cli import build_parser, main

CONSOLE = Path(__file__).resolve().parents[2] / "console"


def help_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*argv, "--help"]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_help_says_what_export_and_record_keep(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text([], capsys)
    assert "export and --record keep all" not in text
    assert "--record FILE.jsonl write every event to FILE as it happens" in text
    assert "--export-dir DIR where Ctrl+E writes the events kept in memory" in text
    assert "(default: the current directory)" in text


def test_the_help_formats_the_defaults_from_their_definitions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(console.inspector.store, "DEFAULT_EVENT_CAP", 4321)
    monkeypatch.setattr(console.realtime.retention, "DEFAULT_MAX_AUDIO_SECONDS", 987.0)
    monkeypatch.setattr(console.relay.pump, "DEFAULT_MAX_QUEUE_BYTES", 2**20)
    monkeypatch.setattr(console.relay.pump, "DEFAULT_MAX_QUEUE_FRAMES", 77)
    monkeypatch.setattr(console.relay.urls, "DEFAULT_UPSTREAM_URL", "wss://upstream.test/v1")
    text = help_text([], capsys)
    assert "events kept in memory (default 4321)" in text
    assert "(default 987 s)" in text
    relay = help_text(["relay"], capsys)
    assert "(default: 1048576, 1 MiB)" in relay
    assert "(default: 77)" in relay
    assert "(default: wss://upstream.test/v1)" in relay
    args = build_parser().parse_args([])
    assert (args.event_cap, args.max_audio_seconds) == (4321, 987.0)


def test_the_parsed_defaults_are_the_definitions() -> None:
    from console.realtime import DEFAULT_MAX_AUDIO_SECONDS

    args = build_parser().parse_args([])
    assert args.max_audio_seconds == DEFAULT_MAX_AUDIO_SECONDS
    assert args.event_cap == console.inspector.store.DEFAULT_EVENT_CAP
    assert args.export_dir is None


def test_the_audio_default_is_written_once() -> None:
    """1,800 s appears as a number only where retention defines it; the library, the app's
    config and the CLI use the name."""
    places = []
    for path in CONSOLE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in (1800, 1800.0):
                places.append(f"{path.relative_to(CONSOLE)}:{node.lineno}")
    assert len(places) == 1 and places[0].startswith("realtime/retention.py:"), places
