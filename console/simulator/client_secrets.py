"""Ephemeral client secrets (``ek_…``): minting, validating the request, and looking them up.

``POST /v1/realtime/client_secrets`` follows the openai SDK (``client.realtime.client_secrets
.create``, ``openai/types/realtime/client_secret_create_params.py`` and ``_response.py``):

- ``expires_after``: ``{anchor: "created_at", seconds}``; "Select a value between ``10`` and
  ``7200`` (2 hours). This default to 600 seconds (10 minutes) if not specified."
- ``session``: "Choose either a realtime session or a transcription session." A realtime config
  is validated by the same code as ``session.update``; a transcription config by its fields
  (``type``, ``audio.input``, ``include``).
- The answer is ``{value, expires_at, session}``, the session rendered as the SDK's
  ``RealtimeSessionCreateResponse`` / ``RealtimeTranscriptionSessionCreateResponse``.
- "A secret can be used to create multiple sessions until it expires. [...] The session itself
  may continue after that time once started."

What the real API answers for an expired ephemeral key is not in OpenAI's guides, the API
reference or the SDK; the simulator refuses it exactly as an unknown key (``invalid_api_key``,
HTTP 401, on a WebSocket the error event then close 3000), with the value masked.

The registry is bounded (:data:`DEFAULT_LIMIT` live secrets; expired ones are pruned on every
mint and lookup) and its clock is injectable, so that tests move time instead of sleeping. A
secret's value is a credential: nothing here logs it or puts it in an error message unmasked.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import errors
from . import validation as v
from .dialect import GA
from .prompts import PromptLibrary
from .session import SessionState

PREFIX = "ek_"
DEFAULT_TTL_S = 600
MIN_TTL_S = 10
MAX_TTL_S = 7200
DEFAULT_LIMIT = 10_000
"""Live secrets one server holds at most; past it, minting answers 429 until some expire."""


class SecretLimitReached(errors.RealtimeError):
    """Too many live secrets: answered with HTTP 429."""


@dataclass
class ClientSecret:
    """One minted secret: its value, when it expires, and the session it opens.

    ``kind`` is ``"realtime"`` or ``"transcription"``; ``patch`` is the validated configuration
    as a canonical session patch (what a new session applies over its defaults); ``session`` is
    the config as the response rendered it.
    """

    value: str
    expires_at: int
    kind: str
    patch: dict[str, Any] = field(repr=False)
    session: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:  # the value is a credential
        return f"ClientSecret(kind={self.kind!r}, expires_at={self.expires_at})"

    def response(self) -> dict[str, Any]:
        """The body ``POST /v1/realtime/client_secrets`` answers."""
        return {"value": self.value, "expires_at": self.expires_at, "session": self.session}


def _expiry(raw: Any) -> int:
    """Seconds from ``expires_after`` (validated), 600 when absent."""
    if raw is None:
        return DEFAULT_TTL_S
    p = "expires_after"
    obj = v.require_object(raw, p)
    v.check_keys(obj, ["anchor", "seconds"], p)
    if "anchor" in obj:
        v.enum(obj["anchor"], f"{p}.anchor", ("created_at",))
    if "seconds" not in obj:
        return DEFAULT_TTL_S
    return v.integer(obj["seconds"], f"{p}.seconds", MIN_TTL_S, MAX_TTL_S)


def _realtime(
    raw: dict[str, Any], prompts: PromptLibrary | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A realtime config: (canonical patch, rendered session); ``prompts`` resolves a prompt."""
    state = SessionState(GA.default_model, GA.default_voice, None, prompts=prompts)
    patch = GA.parse_session_update(raw, state)
    state.update(patch)
    return patch, GA.render_session(state)


def _transcription(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A transcription config, validated as a transcription session's update: (patch,
    rendered session)."""
    state = SessionState(GA.default_model, GA.default_voice, None, "transcription")
    patch = GA.parse_transcription_update(raw, state)
    state.update(patch)
    return patch, GA.render_any_session(state)


def parse_session(
    raw: Any, prompts: PromptLibrary | None = None
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """``session`` of the request: (kind, canonical patch, rendered session)."""
    if raw is None:
        raw = {"type": "realtime"}
    obj = v.require_object(raw, "session")
    kinds = ("realtime", "transcription")
    kind = v.enum(v.require_key(obj, "type", "session"), "session.type", kinds)
    patch, rendered = _realtime(obj, prompts) if kind == "realtime" else _transcription(obj)
    return kind, patch, rendered


class ClientSecretRegistry:
    """The live secrets of one server: mint, look up, prune (see the module docstring)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        limit: int = DEFAULT_LIMIT,
        prompts: PromptLibrary | None = None,
    ) -> None:
        """``prompts``: what a secret's ``prompt`` reference resolves from (the server's)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit!r}")
        self.clock = clock
        self.limit = limit
        self.prompts = prompts
        self._live: dict[str, ClientSecret] = {}

    def __len__(self) -> int:
        self._prune()
        return len(self._live)

    def mint(self, request: Any) -> ClientSecret:
        """Validate a request body (parsed JSON) and mint a secret; :class:`RealtimeError`
        (HTTP 400) for a bad request, :class:`SecretLimitReached` (429) past the limit."""
        if not isinstance(request, dict):
            raise errors.RealtimeError(
                "The request body must be a JSON object, not "
                f"{errors.describe_json_type(request)}.",
                code="invalid_type",
            )
        body = request
        v.check_keys(body, ["expires_after", "session"], "")
        ttl = _expiry(body.get("expires_after"))
        kind, patch, rendered = parse_session(body.get("session"), self.prompts)
        self._prune()
        if len(self._live) >= self.limit:
            raise SecretLimitReached(
                f"Too many live client secrets (limit {self.limit}); wait for some to expire.",
                code="rate_limit_exceeded",
                type="requests",
            )
        value = PREFIX + secrets.token_hex(16)
        secret = ClientSecret(value, int(self.clock()) + ttl, kind, patch, rendered)
        self._live[value] = secret
        return secret

    def lookup(self, value: str) -> ClientSecret | None:
        """The live secret with this value; None when unknown, expired or malformed."""
        self._prune()
        return self._live.get(value)

    def _prune(self) -> None:
        now = self.clock()
        for value in [k for k, s in self._live.items() if s.expires_at <= now]:
            del self._live[value]

    @staticmethod
    def is_secret(key: str | None) -> bool:
        """Whether a presented key is meant as an ephemeral secret (``ek_…``)."""
        return key is not None and key.startswith(PREFIX)


__all__ = [
    "DEFAULT_LIMIT",
    "ClientSecret",
    "ClientSecretRegistry",
    "SecretLimitReached",
    "parse_session",
]
