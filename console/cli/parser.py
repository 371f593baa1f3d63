"""The argument parser: the console's options, then one subparser per command.

Each command and option group has its own small function, so adding an option touches one
place. Every default shown in the help comes from ``console.defaults``, where the parts read
them too; it imports nothing, so ``--help`` loads neither the library (numpy, websockets) nor the
simulator, the relay or Textual, and stays quick.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import urlsplit

from console import __version__, defaults
from console.cli.argtypes import port, positive_int, realtime_url, seconds

PROG = "realtime-console"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: the console's options and the ``devices``, ``replay``, ``report``,
    ``serve``, ``relay`` and ``token`` subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Inspector console for the OpenAI Realtime API, with an embedded simulator "
            "that needs no network and no key."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _target_options(parser)
    _kept_options(parser)
    _audio_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _devices_command(commands)
    _replay_command(commands)
    _report_command(commands)
    _serve_command(commands)
    _relay_command(commands)
    _token_command(commands)
    return parser


if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def _target_options(parser: argparse.ArgumentParser) -> None:
    """Where the console connects, as whom, and what it loads."""

    target = parser.add_argument_group("console target (without a COMMAND)")
    where = target.add_mutually_exclusive_group()
    where.add_argument(
        "--url",
        type=realtime_url,
        help="a Realtime server or relay URL (default: OpenAI when OPENAI_API_KEY is set, "
        "else the embedded simulator); OPENAI_API_KEY is sent only to "
        f"{urlsplit(defaults.OPENAI_REALTIME_URL).hostname}",
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
    target.add_argument(
        "--call-id",
        metavar="ID",
        help="attach to a live WebRTC or SIP call (OpenAI's sideband connection, ?call_id=): "
        "see its events, edit its session, answer its tool calls by hand; sends nothing on "
        "connect; needs the key (OPENAI_API_KEY for OpenAI, --token for --url)",
    )
    target.add_argument("--dialect", choices=("ga", "beta"), default="ga", help="wire protocol")
    target.add_argument(
        "--transport",
        choices=("websocket", "webrtc"),
        default="websocket",
        help="websocket, or webrtc: a WebRTC call (SDP offer to the HTTP routes derived from "
        "the URL, events on the oai-events data channel, audio as Opus); with a standard key "
        "the console first mints an ephemeral ek_ secret, an ek_ --token is used as given",
    )
    target.add_argument(
        "--transcription",
        action="store_true",
        help="open a transcription session (?intent=transcription): your speech and its "
        "transcripts, with logprobs; no responses",
    )
    target.add_argument("--model", help="model to ask for (default: gpt-realtime)")
    target.add_argument(
        "--pace",
        choices=("realtime", "fast"),
        default=None,
        help="embedded simulator pacing (default: realtime); not with --url",
    )
    target.add_argument(
        "--tools",
        metavar="FILE.py",
        help="load tools from a Python file defining TOOLS = [(definition, handler), ...]",
    )
    target.add_argument(
        "--keymap", metavar="FILE.toml", help='remap keys: binding_id = "key" lines (see F1)'
    )
    target.add_argument(
        "--image",
        metavar="PATH",
        help="send this PNG or JPEG file (at most 10 MiB; GA dialect only) as the first user "
        "message once connected; later images: the palette's Send image…",
    )
    target.add_argument(
        "--image-text", metavar="TEXT", help="words sent with --image, in the same message"
    )
    _prices_option(target, default=None)


def _prices_option(group: argparse._ActionsContainer, default: object) -> None:
    """``--prices``: the console's (default None) and ``report``'s (SUPPRESS, so that one given
    before the command is not reset by the subcommand's default)."""
    group.add_argument(
        "--prices",
        metavar="FILE.toml",
        type=Path,
        default=default,
        help="override or extend the price table per model (the shipped table's shape; see the "
        "README's Turns, latency and cost)",
    )


def _kept_options(parser: argparse.ArgumentParser) -> None:
    """What the console keeps in memory and what it writes: every event to ``--record``, the
    events kept in memory to an export (Ctrl+E)."""

    kept = parser.add_argument_group("events kept and written")
    kept.add_argument(
        "--record",
        metavar="FILE.jsonl",
        help="write every event to FILE as it happens (all of them, whatever --event-cap keeps)",
    )
    kept.add_argument(
        "--event-cap",
        metavar="N",
        type=positive_int,
        default=defaults.EVENT_CAP,
        help="events kept in memory (default %(default)s); the oldest go first and are counted",
    )
    kept.add_argument(
        "--export-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="where Ctrl+E writes the events kept in memory, as JSONL (default: the current "
        "directory)",
    )


def _audio_options(parser: argparse.ArgumentParser) -> None:
    """Sound devices, a WAV as the microphone, saved audio and how much audio is kept."""

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
        type=seconds,
        default=defaults.MAX_AUDIO_SECONDS,
        help="audio the conversation keeps in memory, oldest items' first to go "
        f"(default {defaults.MAX_AUDIO_SECONDS:g} s)",
    )


def _devices_command(commands: Commands) -> None:
    commands.add_parser(
        "devices",
        help="list the sound devices the console can use",
        description="List input and output sound devices (for --input-device/--output-device).",
    )


def _replay_command(commands: Commands) -> None:
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


def _report_command(commands: Commands) -> None:
    report = commands.add_parser(
        "report",
        help="print a recording's turns, latencies and cost, and exit",
        description=(
            "Print the turn table and the session summary of a recording (ours, or one event "
            "per line from another tool; a log without times gives counts, usage and cost "
            "only). --json is a documented contract, for CI."
        ),
    )
    report.add_argument("file", metavar="FILE.jsonl")
    shape = report.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="the turns and the summary as JSON")
    shape.add_argument("--csv", action="store_true", help="one CSV row per turn")
    _prices_option(report, default=argparse.SUPPRESS)


def _serve_command(commands: Commands) -> None:

    serve = commands.add_parser(
        "serve",
        help="run the Realtime simulator alone, for any client (no key needed)",
        description=(
            "Run the embedded Realtime simulator (WebSocket, WebRTC calls and the HTTP API on one "
            "port) that speaks the GA and beta protocols, for the console, the openai SDK, "
            "browser apps or any other client."
        ),
        epilog=(
            "Routes, all on one port: GET /v1/realtime (also /v1/realtime/ and /): the Realtime "
            "WebSocket (?model=; key by Authorization: Bearer or the openai-insecure-api-key. "
            "subprotocol). POST /v1/realtime/client_secrets: mint an ephemeral secret (ek_...) "
            "that opens sessions with its session config until it expires (expires_after "
            "10-7200 s, default 600); the openai SDK's base_url is http://HOST:PORT/v1. "
            "POST /v1/realtime/calls: place a WebRTC call (an SDP offer as application/sdp with "
            "an ek_ secret or the key, or a multipart form with sdp and session); 201 with the "
            "SDP answer and Location: /v1/realtime/calls/ID; events on the oai-events data "
            "channel, audio as Opus. POST /v1/realtime/calls/ID/hangup: end a call. "
            "GET /v1/realtime?call_id=ID: the sideband WebSocket (the key) joins that call's "
            "session. Errors "
            "are OpenAI's JSON error body (400 bad request, 401 bad key, 413 body over 1 MiB); "
            "any other path is 404."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument(
        "--port", type=port, default=8765, help="port to listen on (default: %(default)s)"
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
        type=seconds,
        default=None,
        help="close each session after this many seconds, as the real API does (fault tests)",
    )
    serve.add_argument(
        "--generation-speed",
        metavar="X",
        type=seconds,
        default=defaults.SIMULATOR_GENERATION_SPEED,
        help="with --pace realtime, generate audio this many times faster than it plays, as the "
        "real server runs ahead of playback (default: %(default)s)",
    )
    serve.add_argument(
        "--transcription-delay",
        metavar="SECONDS",
        type=seconds,
        default=defaults.SIMULATOR_TRANSCRIPTION_DELAY_S,
        help="input audio transcription arrives this long after a commit, beside the response "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--prompts",
        metavar="FILE.json",
        default=None,
        help="prompt templates that sessions' prompt: {id, version, variables} resolve from: "
        '{"ID": {"instructions": "... {{name}} ...", "version": "2", "versions": {"1": "..."}}} '
        "(instructions: the newest version, numbered by version, default 1; versions: older "
        "ones). {{name}} takes the variable name; an unknown id or version, or a missing "
        "variable, is refused. At most 1 MiB and 1,000 prompts (default: none, every id is "
        "unknown)",
    )


def _relay_command(commands: Commands) -> None:

    relay = commands.add_parser(
        "relay",
        help="run a relay that keeps the API key on this machine",
        description=(
            "Relay Realtime websocket connections to an upstream server, adding the API key "
            "from OPENAI_API_KEY or .env; frames are forwarded verbatim both ways. On the same "
            "port, the HTTP routes a browser app needs are forwarded to the upstream's HTTP "
            "address (ws://host:port/v1/realtime -> http://host:port/v1) with the key in place "
            "of the caller's Authorization: POST /v1/realtime/client_secrets, "
            "POST /v1/realtime/calls (an SDP offer, or the SDK's form of sdp and session) and "
            "POST /v1/realtime/calls/{call_id}/hangup. A call posted with 'Authorization: "
            "Bearer ek_...' (a client secret, e.g. minted through the relay) goes upstream with "
            "that secret as is, so it keeps the secret's session; the upstream checks it. "
            "Bodies are capped at 1 MiB; an upstream "
            "that cannot be reached is answered 502 (504 after 30 s without an answer)."
        ),
    )
    relay.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    relay.add_argument(
        "--port",
        type=port,
        default=defaults.RELAY_PORT,
        help="port to listen on (default: %(default)s)",
    )
    relay.add_argument(
        "--upstream",
        metavar="URL",
        default=None,
        help=f"Realtime server to relay to (default: {defaults.OPENAI_REALTIME_URL})",
    )
    relay.add_argument(
        "--token",
        default=None,
        help="clients must present this token (Bearer header, subprotocol or ?token=); "
        "the HTTP routes take it the same way (the openai SDK's api_key is its Bearer), "
        "except POST /v1/realtime/calls with an ek_ client secret, which the upstream checks",
    )
    relay.add_argument(
        "--max-queue-bytes",
        metavar="BYTES",
        type=positive_int,
        default=None,
        help="most a client may send before its upstream is open; past it the client is "
        f"closed with 1008 (default: {defaults.RELAY_MAX_QUEUE_BYTES}, "
        f"{defaults.RELAY_MAX_QUEUE_BYTES / 2**20:g} MiB)",
    )
    relay.add_argument(
        "--max-queue-frames",
        metavar="N",
        type=positive_int,
        default=None,
        help="most frames a client may send before its upstream is open "
        f"(default: {defaults.RELAY_MAX_QUEUE_FRAMES})",
    )


def _token_command(commands: Commands) -> None:
    token = commands.add_parser(
        "token",
        help="mint an ephemeral client secret (ek_...) and print it as JSON",
        description=(
            "Mint an ephemeral client secret (POST /v1/realtime/client_secrets) for a browser "
            "or mobile app under development, and print the answer (value, expires_at, session) "
            "as JSON. From OpenAI with OPENAI_API_KEY (environment or .env), or from --url's "
            "server (the simulator, a relay) with --token as the key; its HTTP address is "
            "derived from the ws(s):// URL."
        ),
    )
    # The console's --url and --token work before the command too; SUPPRESS keeps them.
    token.add_argument(
        "--url", type=realtime_url, default=argparse.SUPPRESS, help="the Realtime server's URL"
    )
    token.add_argument("--token", metavar="TOKEN", default=argparse.SUPPRESS, help="its key")
    token.add_argument(
        "--expires",
        metavar="S",
        type=int,
        default=None,
        help="seconds the secret opens sessions for, 10-7200 (default: the server's, 600)",
    )
    token.add_argument(
        "--session",
        metavar="FILE.json",
        type=Path,
        default=None,
        help='the session config the secret carries, e.g. {"type": "realtime", ...}',
    )
