"""Sideband connections: a server attached to a live call's session.

OpenAI lets an application's server join a WebRTC or SIP call with a WebSocket to
``/v1/realtime?call_id=…`` and the standard key ("server-side controls" in the guides). Through
it the server sees the session's events from then on, and its client events act on the same
session: ``session.update``, ``response.create``, a tool's ``function_call_output``. When the
call ends the sideband is closed (1000, "call ended").

``Sidebands`` is the set a session fans its events out to; ``serve_sideband`` runs one joined
peer until it or the call ends. A sideband that fails to take an event is dropped (it closed);
at most ``MAX_SIDEBANDS`` may join one call.
"""

from __future__ import annotations

import contextlib
from typing import Protocol

from .peers import Peer, PeerClosed

MAX_SIDEBANDS = 8
"""Sideband connections one call takes at a time (a further one is refused)."""
CALL_ENDED_CLOSE = 1000
CALL_ENDED_REASON = "call ended"


class Sidebands:
    """The peers attached to one session, in the order they joined."""

    def __init__(self) -> None:
        self._peers: list[Peer] = []

    def __bool__(self) -> bool:
        return bool(self._peers)

    def __len__(self) -> int:
        return len(self._peers)

    def add(self, peer: Peer) -> bool:
        """Attach ``peer``; False when the call has as many as it takes."""
        if len(self._peers) >= MAX_SIDEBANDS:
            return False
        self._peers.append(peer)
        return True

    def remove(self, peer: Peer) -> None:
        with contextlib.suppress(ValueError):
            self._peers.remove(peer)

    async def send(self, text: str) -> None:
        """One event's JSON to every attached peer; one that has closed is dropped."""
        for peer in list(self._peers):
            try:
                await peer.send(text)
            except PeerClosed:
                self.remove(peer)

    async def close_all(self) -> None:
        """The call ended: close every sideband with 1000 "call ended"."""
        peers, self._peers = self._peers, []
        for peer in peers:
            with contextlib.suppress(PeerClosed, OSError):
                await peer.close(CALL_ENDED_CLOSE, CALL_ENDED_REASON)


class Joinable(Protocol):
    """What a sideband needs of a session (``Connection``)."""

    sidebands: Sidebands
    ended: bool

    async def handle(self, message: str | bytes) -> None:
        """Handle one client frame as the session's own."""
        ...


async def serve_sideband(session: Joinable, peer: Peer) -> bool:
    """Attach ``peer`` to ``session`` and handle its client events there until either ends.

    Returns False, having attached nothing, when the session has ended or takes no more
    sidebands (the caller refuses the connection).
    """
    if session.ended or not session.sidebands.add(peer):
        return False
    try:
        async for message in peer:
            if session.ended:
                break
            await session.handle(message)
    except PeerClosed:
        pass
    finally:
        session.sidebands.remove(peer)
    return True
