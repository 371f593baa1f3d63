"""argparse types: each turns one option's text into a value or says in one line what is wrong."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit


def port(text: str) -> int:
    """A TCP port (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {value}")
    return value


def realtime_url(text: str) -> str:
    """A websocket URL (``http(s)://`` is taken as ``ws(s)://``)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a URL: {text!r}") from None
    if parts.scheme not in ("ws", "wss", "http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"not a websocket URL: {text!r} (expected ws://host:port/v1/realtime or wss://...)"
        )
    return text


def positive_int(text: str) -> int:
    """A count of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def seconds(text: str) -> float:
    """A positive duration in seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return value
