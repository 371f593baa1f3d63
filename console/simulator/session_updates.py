"""Session handlers: ``session.update``, beta's ``transcription_session.update``, the session
announcements, and what a session of each kind accepts.

A session's kind (realtime or transcription) is fixed when it opens; an update meant for the
other kind is refused (see :mod:`.dialect_transcription` for the messages and their sources).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from . import errors
from . import validation as v
from .conversation import Conversation
from .dialect import Dialect
from .dialect_transcription import kind_mismatch
from .mcp_listing import McpListings
from .session import SessionState

INTENTS = ("transcription",)


def handshake_refusal(intent: str | None, model_in_url: bool) -> errors.RealtimeError | None:
    """Why a connection's ``?intent=`` (with or without ``?model=``) cannot open a session.

    A model beside ``intent=transcription`` gets the real error: ``invalid_model``, "You must not
    provide a model parameter for transcription sessions." (openai/openai-python#2652). An
    unknown intent is refused as any bad enum value is (our choice: the sources are silent).
    """
    if intent is None:
        return None
    if intent not in INTENTS:
        return errors.invalid_enum("intent", intent, INTENTS)
    if model_in_url:
        return errors.RealtimeError(
            "You must not provide a model parameter for transcription sessions.",
            code="invalid_model",
        )
    return None


class SessionUpdates:
    """Mixin for :class:`.connection.Connection`: the session's updates and announcements."""

    dialect: Dialect
    session: SessionState
    conversation: Conversation
    mcp: McpListings
    mcp_timeout_s: float

    async def emit(self, event_type: str, **fields: Any) -> None:
        """Send a server event (the connection's)."""
        raise NotImplementedError

    def _configure_vad(self) -> None:
        raise NotImplementedError

    def _spawn(self, coro: Awaitable[Any]) -> None:
        raise NotImplementedError

    @property
    def client_events(self) -> tuple[str, ...]:
        """The client event types this session takes (a transcription session takes fewer)."""
        if self.session.kind == "transcription":
            return self.dialect.transcription_client_events
        return self.dialect.client_events

    async def _announce_session(self, verb: str) -> None:
        """``session.created``/``.updated`` (beta transcription: ``transcription_session.*``),
        then the listing of any MCP server the session gained (:mod:`.mcp_listing`)."""
        await self.emit(
            self.dialect.session_event(self.session, verb),
            session=self.dialect.render_any_session(self.session),
        )
        self.mcp.sync(self, self.session.config.get("tools") or [])

    def _check_kind(self, sent: str) -> None:
        """An update for the other kind of session is refused."""
        if sent != self.session.kind:
            raise kind_mismatch(sent, self.session.kind, self.dialect.kind_param)

    async def _session_update(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "session"], "")
        raw = v.require_key(event, "session", "")
        sent = self.dialect.update_kind(raw)
        if sent is not None:
            self._check_kind(sent)
        if self.session.kind == "transcription":
            patch = self.dialect.parse_transcription_update(raw, self.session)
        else:
            patch = self.dialect.parse_session_update(raw, self.session)
            self._check_voice_change(patch)
        self._apply(patch)
        await self._announce_session("updated")

    async def _transcription_session_update(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "session"], "")
        raw = v.require_key(event, "session", "")
        self._check_kind("transcription")
        self._apply(self.dialect.parse_transcription_update(raw, self.session))
        await self._announce_session("updated")

    def _check_voice_change(self, patch: dict[str, Any]) -> None:
        voice = self.dialect.patched_voice(patch)
        current = self.session.config["audio"]["output"]["voice"]
        if voice is not None and voice != current and self.conversation.has_assistant_audio():
            raise errors.RealtimeError(
                "Cannot update a conversation's voice if assistant audio is present.",
                code="cannot_update_voice",
                param="session.voice"
                if self.dialect.name == "beta"
                else "session.audio.output.voice",
            )

    def _apply(self, patch: dict[str, Any]) -> None:
        before = self.session.turn_detection
        self.session.update(patch)
        if self.session.turn_detection != before:
            self._configure_vad()
