"""The console (``realtime-console`` without a command), its read-only ``replay`` and
``devices``: where the console connects and with which key, and the app's configuration."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from console.cli.parser import DEFAULT_EVENT_CAP, PROG

if TYPE_CHECKING:
    from console.app.config import ConsoleConfig
    from console.inspector.connection import Target

OPENAI_API_HOST = "api.openai.com"
OPENAI_URL = f"wss://{OPENAI_API_HOST}/v1/realtime"


def console_target(args: argparse.Namespace, env_key: str | None) -> tuple[Target, bool]:
    """Where the console connects, and whether the embedded simulator must be started.

    Target: ``--url`` if given; else OpenAI when a key is set (environment or ``.env``) unless
    ``--simulator``; else the embedded simulator. The key sent is ``--token`` if given, else
    the OpenAI key when the target's host is ``api.openai.com``, else none: a relay or another
    server never receives the user's OpenAI key unasked.
    """
    from console.inspector.connection import Target

    if args.url is None and (args.simulator or not env_key):
        why = "--simulator" if args.simulator else "no API key set"
        label = f"simulator — {why}"
        return Target(None, None, args.dialect, args.model, label), True
    url = args.url or OPENAI_URL
    api_key = args.token or (env_key if is_openai_api_host(url) else None)
    label = "OpenAI" if is_openai_api_host(url) else Target(url).endpoint
    target = Target(url, api_key, args.dialect, args.model, label, bool(args.token))
    return target, False


def is_openai_api_host(url: str) -> bool:
    """True when ``url``'s host is OpenAI's API host, the only one given ``OPENAI_API_KEY``."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host == OPENAI_API_HOST


def run_console(args: argparse.Namespace) -> int:
    """Open the Textual console on the target ``console_target`` picks."""
    from console.env import resolve_api_key

    target, simulator = console_target(args, resolve_api_key())
    try:
        config = console_config(args, target)
    except ValueError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    if not sys.stdout.isatty() and not os.environ.get("REALTIME_CONSOLE_FORCE_TUI"):
        print(f"{PROG}: the console needs a terminal (stdout is not one)", file=sys.stderr)
        return 2
    return asyncio.run(open_console(config, (args.pace or "realtime") if simulator else None))


def console_config(args: argparse.Namespace, target: Target) -> ConsoleConfig:
    """The app's configuration from the options; ``ValueError`` for a bad file."""
    from console.app.config import ConsoleConfig
    from console.inspector.tools import ToolsFileError, load_tools_file

    tools = []
    if getattr(args, "tools", None):
        try:
            tools = load_tools_file(args.tools)
        except ToolsFileError as exc:
            raise ValueError(str(exc)) from None
    return ConsoleConfig(
        target=target,
        event_cap=getattr(args, "event_cap", None) or DEFAULT_EVENT_CAP,
        record_path=Path(args.record) if getattr(args, "record", None) else None,
        tools=tools,
        keymap=load_keymap(args.keymap) if getattr(args, "keymap", None) else {},
        audio=not getattr(args, "no_audio", False),
        max_audio_seconds=getattr(args, "max_audio_seconds", 1800.0),
        input_device=getattr(args, "input_device", None),
        output_device=getattr(args, "output_device", None),
        input_wav=_existing_file(args.input_wav) if getattr(args, "input_wav", None) else None,
        save_audio=_directory(args.save_audio) if getattr(args, "save_audio", None) else None,
    )


def _existing_file(path: str) -> Path:
    if not Path(path).is_file():
        raise ValueError(f"{path}: no such file")
    return Path(path)


def _directory(path: str) -> Path:
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot write audio to {path}: {exc.strerror or exc}") from None
    return directory


def load_keymap(path: str) -> dict[str, str]:
    """``binding id = "keys"`` pairs from a TOML file (see the help screen for the ids)."""
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"keymap {path}: {exc}") from None
    keymap = {str(key): value for key, value in data.items() if isinstance(value, str)}
    if len(keymap) != len(data):
        raise ValueError(f'keymap {path}: every entry must be id = "keys"')
    return keymap


async def open_console(config: ConsoleConfig, simulator_pace: str | None) -> int:
    """Run the app (with the embedded simulator in this loop when ``simulator_pace`` is set)."""
    from console.app.app import make_app

    async with contextlib.AsyncExitStack() as stack:
        if simulator_pace is not None:
            from console.simulator import SimulatorServer

            server = await stack.enter_async_context(SimulatorServer(pace=simulator_pace))
            config.target = dataclasses.replace(config.target, url=server.url)
        app = make_app(config)
        await app.run_async()
        return app.return_code or 0
    return 0


def run_replay(args: argparse.Namespace) -> int:
    """``realtime-console replay FILE``: the console, read-only, on a recording."""
    from console.app.config import ConsoleConfig
    from console.inspector.connection import Target
    from console.inspector.recording import RecordingError, load_recording

    try:
        recording = load_recording(args.file)
    except RecordingError as exc:
        print(f"{PROG} replay: {exc}", file=sys.stderr)
        return 2
    dialect = args.dialect or recording.dialect_guess
    label = f"replay — {Path(args.file).name}"
    config = ConsoleConfig(
        target=Target(None, None, dialect, None, label),
        autoconnect=False,
        replay=recording,
        replay_name=str(args.file),
    )
    if not sys.stdout.isatty() and not os.environ.get("REALTIME_CONSOLE_FORCE_TUI"):
        print(f"{PROG}: the console needs a terminal (stdout is not one)", file=sys.stderr)
        return 2
    return asyncio.run(open_console(config, None))


def run_devices(args: argparse.Namespace) -> int:
    """``realtime-console devices``: the sound devices, or why there are none."""
    from console.audio.devices import AudioUnavailable, format_devices, list_devices

    try:
        devices = list_devices()
    except AudioUnavailable as exc:
        print(f"{PROG} devices: {exc.reason}", file=sys.stderr)
        return 1
    print(format_devices(devices) if devices else "no sound devices")
    return 0
