"""``token``: mint an ephemeral client secret and print the answer as JSON.

From OpenAI (the key from ``OPENAI_API_KEY`` or ``.env``, as the console finds it) or from
``--url``'s server with ``--token`` as the key; the HTTP address is derived from the WebSocket
URL. Any failure is one line on stderr and exit code 2; the key is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from console.cli.console import is_openai_api_host
from console.cli.parser import PROG

MAX_SESSION_FILE_BYTES = 1024 * 1024


class _Refused(Exception):
    """A problem reported in one line, exit code 2."""


def _session(path: Path | None) -> dict[str, Any] | None:
    """The ``--session`` file's JSON object, or None without the option."""
    if path is None:
        return None
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SESSION_FILE_BYTES + 1)
    except OSError as exc:
        raise _Refused(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_SESSION_FILE_BYTES:
        raise _Refused(f"{path} is larger than {MAX_SESSION_FILE_BYTES} bytes")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        detail = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else exc
        raise _Refused(f"{path} is not JSON: {detail}") from None
    if not isinstance(value, dict):
        raise _Refused(
            f"{path} must be a JSON object (a session config), not {type(value).__name__}"
        )
    return value


def _key(args: argparse.Namespace, url: str) -> str | None:
    """``--token``, else the OpenAI key for OpenAI's host (never sent anywhere else)."""
    from console.env import resolve_api_key

    token: str | None = getattr(args, "token", None)
    if token:
        return token
    if not is_openai_api_host(url):
        return None
    key = resolve_api_key()
    if key is None:
        raise _Refused(f"no API key for {url}: set OPENAI_API_KEY or put it in .env")
    return key


def run_token(args: argparse.Namespace) -> int:
    """``realtime-console token``: print a minted secret as JSON; one-line errors, exit 2."""
    from console import defaults
    from console.realtime.secrets import ClientSecretError, create_client_secret, http_base

    url: str = getattr(args, "url", None) or defaults.OPENAI_REALTIME_URL
    try:
        session = _session(args.session)
        key = _key(args, url)
        answer = asyncio.run(create_client_secret(http_base(url), key, args.expires, session))
    except (_Refused, ClientSecretError) as exc:
        print(f"{PROG} token: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(answer, indent=2))
    return 0
