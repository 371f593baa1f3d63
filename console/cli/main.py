"""The entry point: parse the arguments, then run the command they name."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from console.cli.console import run_console, run_devices, run_replay
from console.cli.parser import build_parser
from console.cli.report import run_report
from console.cli.serving import run_relay, run_serve
from console.cli.token import run_token


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``realtime-console``; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
        if args.command is None and args.url is not None and args.pace is not None:
            parser.error(
                "--pace sets the embedded simulator's pacing; it cannot be used with --url"
            )
        if args.command is None and args.transport == "webrtc" and args.dialect != "ga":
            parser.error("--transport webrtc speaks the GA dialect only (not --dialect beta)")
    except SystemExit as exit_:  # --help, --version and usage errors
        return _exit_code(exit_.code)
    commands: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: run_console,
        "serve": run_serve,
        "relay": run_relay,
        "replay": run_replay,
        "report": run_report,
        "devices": run_devices,
        "token": run_token,
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
