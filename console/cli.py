"""The ``realtime-console`` command line.

``realtime-console`` opens the console; ``realtime-console serve`` runs the embedded Realtime
simulator on its own, for any client; ``realtime-console relay`` runs the key-holding relay in
front of OpenAI (or another Realtime server). Heavy parts are imported inside their commands so
``--help`` stays fast and works even when an optional part is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from console import __version__

if TYPE_CHECKING:
    from console.app.config import ConsoleConfig
    from console.inspector.connection import Target

DEFAULT_EVENT_CAP = 10_000

PROG = "realtime-console"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
OPENAI_API_HOST = "api.openai.com"
OPENAI_URL = f"wss://{OPENAI_API_HOST}/v1/realtime"


class _Serving(Protocol):
    """What the commands need from a server (the simulator and the relay both provide it)."""

    @property
    def url(self) -> str: ...

    async def start(self) -> None: ...

    async def serve_forever(self) -> None: ...

    async def stop(self) -> None: ...


def _port(text: str) -> int:
    """argparse type for a TCP port (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {value}")
    return value


def _realtime_url(text: str) -> str:
    """argparse type for a websocket URL (``http(s)://`` is taken as ``ws(s)://``)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a URL: {text!r}") from None
    if parts.scheme not in ("ws", "wss", "http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"not a websocket URL: {text!r} (expected ws://host:port/v1/realtime or wss://...)"
        )
    return text


def _positive_int(text: str) -> int:
    """argparse type for a count of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _seconds(text: str) -> float:
    """argparse type for a positive duration in seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with the ``serve`` and ``relay`` subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Inspector console for the OpenAI Realtime API, with an embedded simulator "
            "that needs no network and no key."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    target = parser.add_argument_group("console target (without a COMMAND)")
    where = target.add_mutually_exclusive_group()
    where.add_argument(
        "--url",
        type=_realtime_url,
        help="a Realtime server or relay URL (default: OpenAI when OPENAI_API_KEY is set, "
        "else the embedded simulator); OPENAI_API_KEY is sent only to api.openai.com",
    )
    where.add_argument(
        "--simulator", action="store_true", help="use the embedded simulator even with a key"
    )
    target.add_argument(
        "--token",
        metavar="TOKEN",
        help="key to present to the --url server (as the API key, Authorization: Bearer): "
        "a relay's --token, or that server's own key",
    )
    target.add_argument("--dialect", choices=("ga", "beta"), default="ga", help="wire protocol")
    target.add_argument("--model", help="model to ask for (default: gpt-realtime)")
    target.add_argument(
        "--pace",
        choices=("realtime", "fast"),
        default=None,
        help="embedded simulator pacing (default: realtime); not with --url",
    )
    target.add_argument(
        "--record", metavar="FILE.jsonl", help="write every event to FILE as it happens"
    )
    target.add_argument(
        "--tools",
        metavar="FILE.py",
        help="load tools from a Python file defining TOOLS = [(definition, handler), ...]",
    )
    target.add_argument(
        "--event-cap",
        metavar="N",
        type=_positive_int,
        default=None,
        help=f"events kept in memory (default {DEFAULT_EVENT_CAP}; export and --record keep all)",
    )
    target.add_argument(
        "--keymap", metavar="FILE.toml", help='remap keys: binding_id = "key" lines (see F1)'
    )
    audio = parser.add_argument_group("audio (see `realtime-console devices`)")
    audio.add_argument("--no-audio", action="store_true", help="text only: open no sound device")
    audio.add_argument("--input-device", metavar="DEVICE", help="microphone: index or name")
    audio.add_argument("--output-device", metavar="DEVICE", help="speaker: index or name")
    audio.add_argument(
        "--input-wav", metavar="FILE.wav", help="stream a WAV file as the microphone, in real time"
    )
    audio.add_argument(
        "--save-audio", metavar="DIR", help="write each completed item's audio as a WAV file"
    )
    audio.add_argument(
        "--max-audio-seconds",
        metavar="S",
        type=_seconds,
        default=1800.0,
        help="audio the conversation keeps in memory, oldest items' first to go (default 1800)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser(
        "devices",
        help="list the sound devices the console can use",
        description="List input and output sound devices (for --input-device/--output-device).",
    )

    replay = commands.add_parser(
        "replay",
        help="open the console read-only on a JSONL recording",
        description=(
            "Open the console read-only on a recording: ours (--record, export) or one server "
            "event per line from another tool. Events and the conversation are rebuilt."
        ),
    )
    replay.add_argument("file", metavar="FILE.jsonl")
    replay.add_argument(
        "--dialect", choices=("ga", "beta"), default=None, help="default: guessed from the events"
    )

    serve = commands.add_parser(
        "serve",
        help="run the Realtime simulator alone, for any client (no key needed)",
        description=(
            "Run the embedded Realtime simulator as a websocket server that speaks the GA and "
            "beta protocols, for the console, the openai SDK, browser apps or any other client."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument(
        "--port", type=_port, default=8765, help="port to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--pace",
        choices=("realtime", "fast"),
        default="realtime",
        help="stream audio in real time, or as fast as possible (default: %(default)s)",
    )
    serve.add_argument(
        "--require-key",
        metavar="KEY",
        default=None,
        help="only accept clients that present this API key (others get invalid_api_key)",
    )
    serve.add_argument(
        "--session-expiry",
        metavar="SECONDS",
        type=_seconds,
        default=None,
        help="close each session after this many seconds, as the real API does (fault tests)",
    )
    serve.add_argument(
        "--generation-speed",
        metavar="X",
        type=_seconds,
        default=3.0,
        help="with --pace realtime, generate audio this many times faster than it plays, as the "
        "real server runs ahead of playback (default: %(default)s)",
    )
    serve.add_argument(
        "--transcription-delay",
        metavar="SECONDS",
        type=_seconds,
        default=0.3,
        help="input audio transcription arrives this long after a commit, beside the response "
        "(default: %(default)s)",
    )

    relay = commands.add_parser(
        "relay",
        help="run a relay that keeps the API key on this machine",
        description=(
            "Relay Realtime websocket connections to an upstream server, adding the API key "
            "from OPENAI_API_KEY or .env; frames are forwarded verbatim both ways."
        ),
    )
    relay.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    relay.add_argument(
        "--port", type=_port, default=8081, help="port to listen on (default: %(default)s)"
    )
    relay.add_argument(
        "--upstream",
        metavar="URL",
        default=None,
        help="Realtime server to relay to (default: wss://api.openai.com/v1/realtime)",
    )
    relay.add_argument(
        "--token",
        default=None,
        help="clients must present this token (Bearer header, subprotocol or ?token=)",
    )
    relay.add_argument(
        "--max-queue-bytes",
        metavar="BYTES",
        type=_positive_int,
        default=None,
        help="most a client may send before its upstream is open; past it the client is "
        "closed with 1008 (default: 16777216, 16 MiB)",
    )
    relay.add_argument(
        "--max-queue-frames",
        metavar="N",
        type=_positive_int,
        default=None,
        help="most frames a client may send before its upstream is open (default: 1000)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``realtime-console``; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
        if args.command is None and args.url is not None and args.pace is not None:
            parser.error(
                "--pace sets the embedded simulator's pacing; it cannot be used with --url"
            )
    except SystemExit as exit_:  # --help, --version and usage errors
        return _exit_code(exit_.code)
    commands: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: run_console,
        "serve": run_serve,
        "relay": run_relay,
        "replay": run_replay,
        "devices": run_devices,
    }
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:  # Ctrl-C where no signal handler could be installed
        return 0


def _exit_code(code: object) -> int:
    """Normalise a ``SystemExit`` code to an int."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


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


def is_openai_api_host(url: str) -> bool:
    """True when ``url``'s host is OpenAI's API host, the only one given ``OPENAI_API_KEY``."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host == OPENAI_API_HOST


def run_serve(args: argparse.Namespace) -> int:
    """``realtime-console serve``: run the simulator until Ctrl-C."""
    from console.simulator import SimulatorServer

    server = SimulatorServer(
        host=args.host,
        port=args.port,
        pace=args.pace,
        require_key=args.require_key,
        session_expiry_s=args.session_expiry,
        generation_speed=args.generation_speed,
        transcription_delay_s=args.transcription_delay,
    )

    def banner() -> str:
        key = "a key is required" if args.require_key else "no key needed"
        return f"Realtime simulator listening on {server.url} ({key}); press Ctrl-C to stop"

    return _run(server, banner, args.host, args.port)


def run_relay(args: argparse.Namespace) -> int:
    """``realtime-console relay``: run the key-holding relay until Ctrl-C."""
    from console.relay import DEFAULT_UPSTREAM_URL, RelayServer, is_openai_upstream, resolve_api_key

    upstream = args.upstream or DEFAULT_UPSTREAM_URL
    key = resolve_api_key()
    if key is None and is_openai_upstream(upstream):
        print(
            f"{PROG} relay: no API key for {upstream}: set OPENAI_API_KEY or put it in .env",
            file=sys.stderr,
        )
        return 2
    try:
        caps = {
            name: value
            for name in ("max_queue_bytes", "max_queue_frames")
            if (value := getattr(args, name)) is not None
        }
        relay = RelayServer(
            upstream_url=upstream,
            api_key=key,
            host=args.host,
            port=args.port,
            token=args.token,
            **caps,
        )
    except ValueError as exc:
        print(f"{PROG} relay: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("console.relay.websockets").setLevel(logging.WARNING)
    if args.host not in LOOPBACK_HOSTS and not args.token:
        print(
            f"warning: listening on {args.host} without --token: anyone who can reach this "
            "port spends your API key",
            file=sys.stderr,
        )

    def banner() -> str:
        auth = "clients must present the token" if args.token else "no client token"
        return (
            f"Relay listening on {relay.url} -> {upstream} "
            f"(API key {'set' if key else 'not set'}, {auth}); press Ctrl-C to stop"
        )

    return _run(relay, banner, args.host, args.port)


def _run(server: _Serving, banner: Callable[[], str], host: str, port: int) -> int:
    """Run ``server`` until SIGINT/SIGTERM; print the banner once it listens."""
    try:
        asyncio.run(_serve_until_signalled(server, banner))
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        print(f"{PROG}: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


async def _serve_until_signalled(server: _Serving, banner: Callable[[], str]) -> None:
    """Start ``server``, announce it, and cancel it cleanly on SIGINT or SIGTERM."""
    await server.start()  # bind first, so the printed URL is already reachable
    serving = asyncio.create_task(server.serve_forever())
    print(banner(), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    stopping = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if serving in done:
            serving.result()  # the server ended by itself; surface its error, if any
    finally:
        for task in (serving, stopping):
            task.cancel()
        for task in (serving, stopping):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await server.stop()
    print("stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
