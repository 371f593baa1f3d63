"""The console (``realtime-console`` without a command), its read-only ``replay`` and
``devices``: where the console connects and with which key, and the app's configuration."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from console.cli.checks import (
    existing_file,
    load_keymap,
    terminal_problem,
    writable_directory,
    writable_file,
)
from console.cli.parser import PROG

if TYPE_CHECKING:
    from console.app.config import ConsoleConfig
    from console.inspector.connection import Target


def console_target(args: argparse.Namespace, env_key: str | None) -> tuple[Target, bool]:
    """Where the console connects, and whether the embedded simulator must be started.

    Target: ``--url`` if given; else OpenAI when a key is set (environment or ``.env``) unless
    ``--simulator``; else the embedded simulator. The key sent is ``--token`` if given, else
    the OpenAI key when the target's host is ``api.openai.com``, else none: a relay or another
    server never receives the user's OpenAI key unasked.
    """
    from console.inspector.connection import Target
    from console.relay.urls import DEFAULT_UPSTREAM_URL

    if args.url is None and (args.simulator or not env_key):
        why = "--simulator" if args.simulator else "no API key set"
        label = f"simulator — {why}"
        transport = args.transport
        target = Target(None, None, args.dialect, args.model, label, transport=transport)
        return dataclasses.replace(target, call_id=args.call_id), True
    url = args.url or DEFAULT_UPSTREAM_URL
    api_key = args.token or (env_key if is_openai_api_host(url) else None)
    label = "OpenAI" if is_openai_api_host(url) else Target(url).endpoint
    target = Target(url, api_key, args.dialect, args.model, label, bool(args.token), args.transport)
    target = dataclasses.replace(target, call_id=args.call_id)
    return target, False


def is_openai_api_host(url: str) -> bool:
    """True when ``url``'s host is OpenAI's API host (the host of the relay's default upstream,
    OpenAI's Realtime URL), the only one given ``OPENAI_API_KEY``. Stricter than the relay's
    "is this OpenAI?" (any ``*.openai.com`` needs a key): the user's key goes to one host."""
    from console.relay.urls import DEFAULT_UPSTREAM_URL

    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host == urlsplit(DEFAULT_UPSTREAM_URL).hostname


def transcription_problem(args: argparse.Namespace) -> str | None:
    """Why ``--transcription`` cannot be used with the other options given, or None.

    A transcription session is opened over WebSocket with ``?intent=transcription``; over
    WebRTC, or attached to a call someone else placed, the console has no way to ask for one.
    """
    if not getattr(args, "transcription", False):
        return None
    if args.transport == "webrtc":
        return (
            "--transcription opens a WebSocket session; it cannot be used with --transport webrtc"
        )
    if args.call_id:
        return "--transcription opens a session of its own; it cannot be used with --call-id"
    return None


def run_console(args: argparse.Namespace) -> int:
    """Open the Textual console on the target ``console_target`` picks."""
    from console.env import resolve_api_key

    refused = transcription_problem(args)
    if refused is not None:
        print(f"{PROG}: {refused}", file=sys.stderr)
        return 2
    problem = terminal_problem()
    if problem is not None:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    target, simulator = console_target(args, resolve_api_key())
    try:
        config = console_config(args, target)
    except ValueError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(open_console(config, (args.pace or "realtime") if simulator else None))


def console_config(args: argparse.Namespace, target: Target) -> ConsoleConfig:
    """The app's configuration from the options, every file and directory checked;
    ``ValueError`` with the line to print for the first that cannot be used."""
    from console.app.config import ConsoleConfig
    from console.inspector.tools import ToolsFileError, load_tools_file

    prices = checked_prices(args.prices)
    attached = check_attach(args, target)
    first_message = image_message(args, target.dialect)
    tools = []
    if args.tools:
        try:
            tools = load_tools_file(args.tools)
        except ToolsFileError as exc:
            raise ValueError(str(exc)) from None
    return ConsoleConfig(
        target=target,
        event_cap=args.event_cap,
        record_path=writable_file(args.record, "record to") if args.record else None,
        export_dir=_export_dir(args),
        tools=tools,
        demo_tools=not attached,
        keymap=load_keymap(args.keymap) if args.keymap else {},
        audio=not args.no_audio and not attached,
        max_audio_seconds=args.max_audio_seconds,
        input_device=args.input_device,
        output_device=args.output_device,
        input_wav=existing_file(args.input_wav) if args.input_wav else None,
        save_audio=(
            writable_directory(args.save_audio, "write audio to") if args.save_audio else None
        ),
        prices=prices,
        transcription=args.transcription,
        first_message=first_message,
    )


def image_message(args: argparse.Namespace, dialect: str = "ga") -> list[dict[str, Any]]:
    """``--image``'s message (``--image-text`` first), the file read and checked now;
    ``ValueError`` with the line to print when it cannot be sent (the beta dialect has no image
    input: its server refuses the part and answers the message's response regardless)."""
    if args.image is None:
        if args.image_text is not None:
            raise ValueError("--image-text is the text sent with --image: give --image PATH")
        return []
    if args.transcription or args.call_id:
        option = "--transcription" if args.transcription else "--call-id"
        raise ValueError(f"--image sends a user message, which {option} never does: drop one")
    if dialect == "beta":
        raise ValueError("--image with --dialect beta: the beta protocol has no image input")
    from console.app.screens.image_input import message_parts

    try:
        return message_parts(args.image, args.image_text or "")
    except ValueError as exc:
        raise ValueError(f"--image: {exc}") from None


def check_attach(args: argparse.Namespace, target: Target) -> bool:
    """Whether ``--call-id`` attaches to a call; ``ValueError`` when it cannot work.

    Attached, the console registers no tools (the call's session has its own; its calls are
    answered by hand) and opens no audio: the call's audio travels on the call, and a microphone
    sent through the sideband connection would speak into someone else's call.
    """
    if target.call_id is None:
        return False
    if target.url is None:
        raise ValueError(
            "--call-id attaches to a call on OpenAI (OPENAI_API_KEY) or on --url's server; "
            "the embedded simulator has no calls"
        )
    if target.transport != "websocket":
        raise ValueError(
            "--call-id attaches over WebSocket (the sideband): drop --transport webrtc"
        )
    if not target.api_key:
        raise ValueError("--call-id needs the key: OPENAI_API_KEY for OpenAI, --token for --url")
    if target.api_key.startswith("ek_"):  # the server would refuse the join (3000)
        raise ValueError(
            "--call-id cannot use an ek_ client secret: the sideband needs the API key "
            "(OPENAI_API_KEY for OpenAI, --token with the key for --url)"
        )
    if target.dialect != "ga":
        raise ValueError("--call-id with --dialect beta: the sideband speaks GA only; drop it")
    if args.tools:
        raise ValueError(
            "--tools does not go with --call-id: the call's session has its tools; "
            "answer its calls by hand (Answer tool call)"
        )
    return True


def checked_prices(path: Path | None) -> Path | None:
    """``--prices``, read once to check it (the app reads it again); ``ValueError`` (a
    ``PriceTableError``) with the line to print if it cannot be used."""
    if path is not None:
        from console.inspector.prices import PriceTable

        PriceTable.default().with_file(path)
    return path


def _export_dir(args: argparse.Namespace) -> Path | None:
    """``--export-dir``, made if missing and checked; None (the current directory) if not given."""
    if args.export_dir is None:
        return None
    return writable_directory(args.export_dir, "export to")


async def open_console(config: ConsoleConfig, simulator_pace: str | None) -> int:
    """Run the app (with the embedded simulator in this loop when ``simulator_pace`` is set)."""
    from console.app.app import make_app
    from console.cli.terminal import own_terminal_output

    async with contextlib.AsyncExitStack() as stack:
        stack.enter_context(own_terminal_output())  # PortAudio's start-up cannot eat a frame
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

    problem = terminal_problem()
    if problem is not None:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    try:
        recording = load_recording(args.file)
        export_dir = _export_dir(args)
        prices = checked_prices(args.prices)
    except (RecordingError, ValueError) as exc:
        print(f"{PROG} replay: {exc}", file=sys.stderr)
        return 2
    dialect = args.dialect or recording.dialect_guess
    label = f"replay — {Path(args.file).name}"
    config = ConsoleConfig(
        target=Target(None, None, dialect, None, label),
        autoconnect=False,
        replay=recording,
        replay_name=str(args.file),
        export_dir=export_dir,
        prices=prices,
    )
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
