"""``serve`` and ``relay``: a server that runs until Ctrl-C (SIGINT) or SIGTERM, announced by
one line once it listens, so the printed URL is already reachable."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Protocol

from console.cli.parser import PROG

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class _Serving(Protocol):
    """What the commands need from a server (the simulator and the relay both provide it)."""

    @property
    def url(self) -> str: ...

    async def start(self) -> None: ...

    async def serve_forever(self) -> None: ...

    async def stop(self) -> None: ...


def run_serve(args: argparse.Namespace) -> int:
    """``realtime-console serve``: run the simulator until Ctrl-C."""
    from console.simulator import SimulatorServer
    from console.simulator.prompts import PromptLibrary

    prompts = None
    if args.prompts is not None:
        try:
            prompts = PromptLibrary.from_file(args.prompts)
        except ValueError as exc:
            print(f"{PROG} serve: --prompts: {exc}", file=sys.stderr)
            return 2
    server = SimulatorServer(
        host=args.host,
        port=args.port,
        pace=args.pace,
        require_key=args.require_key,
        session_expiry_s=args.session_expiry,
        generation_speed=args.generation_speed,
        transcription_delay_s=args.transcription_delay,
        prompts=prompts,
    )

    # What happens on the server side, one line each (sessions, secrets, calls, sidebands; no
    # key or secret is ever in them), on stderr beside the banner on stdout.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("console.simulator").setLevel(logging.INFO)

    def banner() -> str:
        key = "a key is required" if args.require_key else "no key needed"
        return (
            f"Realtime simulator listening on {server.url} and {server.http_url} ({key}); "
            "press Ctrl-C to stop"
        )

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
            f"Relay listening on {relay.url} (HTTP routes at {relay.http_url}) -> {upstream} "
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
