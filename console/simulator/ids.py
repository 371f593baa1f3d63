"""Identifier generation in the real API's shapes (`event_…`, `item_…`, `resp_…`, `call_…`)."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_letters + string.digits
_rng = random.SystemRandom()


def _random(length: int) -> str:
    """Return ``length`` random base62 characters (ids need uniqueness, not secrecy)."""
    return "".join(_rng.choices(_ALPHABET, k=length))


def event_id() -> str:
    """A server event id: ``event_`` followed by 21 base62 characters, as the real API sends."""
    return "event_" + _random(21)


def new_id(prefix: str) -> str:
    """An object id such as ``item_…``, ``resp_…``, ``sess_…``, ``conv_…`` (21 characters)."""
    return f"{prefix}_{_random(21)}"


def padding(length: int) -> str:
    """Random base62 filler (GA deltas' ``obfuscation`` field)."""
    return _random(length)


def call_id() -> str:
    """A function-call id: ``call_`` followed by 16 base62 characters."""
    return "call_" + _random(16)
