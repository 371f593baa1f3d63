"""The retrieve audit's actions: ask the server for what it kept of a user's audio, play it.

"Retrieve what the server heard" (``r`` on a conversation item or in its detail, and the
palette) sends ``conversation.item.retrieve``; the inspector's ``RetrieveAudits`` holds the
answer and the comparison with what was sent, which the item detail shows. "Play what the
server heard" (``h``) plays the retrieved audio through the speaker, as the pane's replays play.
Every case where the action does not apply is told in words, never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.app.config import ConsoleConfig
from console.audio.voice import VoiceSession
from console.inspector.model import Inspector
from console.realtime import RealtimeClient

HEARD_SUFFIX = ".heard"
"""The speaker's key for retrieved audio (``<item id>.heard``, played as a replay)."""


def is_user_audio(item: dict[str, Any]) -> bool:
    """A user message with an ``input_audio`` part (what a retrieve applies to)."""
    content = item.get("content")
    return (
        item.get("role") == "user"
        and isinstance(content, list)
        and any(isinstance(part, dict) and part.get("type") == "input_audio" for part in content)
    )


class RetrieveKeys:
    """What the retrieve keys do, and what the user is told (the app's actions call these)."""

    def __init__(
        self,
        config: ConsoleConfig,
        client: RealtimeClient,
        inspector: Inspector,
        voice: VoiceSession | None,
        notify: Callable[..., None],
    ) -> None:
        self.config = config
        self.client = client
        self.inspector = inspector
        self.voice = voice
        self.notify = notify

    def _refusal(self, item_id: str | None) -> str | None:
        """Why the retrieve does not apply to ``item_id`` now, or None."""
        if self.config.replay is not None:
            return "A replay is read-only: retrieving needs a live session."
        if self.config.transcription:
            return "Retrieve does not apply to a transcription session: it keeps no conversation."
        if self.inspector.call_id is not None:
            return (
                "Retrieve does not apply over WebRTC: the microphone's audio goes on the call's "
                "media track, so the console has no copy of what was sent to compare."
            )
        if item_id is None:
            return "Select a user audio item first (up/down in the conversation)."
        item = self.client.conversation.get_item(item_id)
        if item is None:
            return f"{item_id} is no longer in the conversation."
        if not is_user_audio(item):
            kind = item.get("role") or str(item.get("type") or "item")
            return f"Retrieve applies to a user's audio item, not to {item_id} ({kind})."
        if not self.client.is_connected():
            return "Not connected (F2 connects): the server holds the audio."
        return None

    def retrieve(self, item_id: str | None) -> bool:
        """Send ``conversation.item.retrieve`` for the item; True if it was sent."""
        refusal = self._refusal(item_id)
        if refusal is not None or item_id is None:
            self.notify(refusal or "", severity="warning")
            return False
        try:
            self.client.realtime.send("conversation.item.retrieve", {"item_id": item_id})
        except Exception as exc:  # the link dropped, or the send queue is full
            self.notify(f"Retrieve not sent: {exc}", severity="error")
            return False
        self.notify(f"Retrieving what the server heard of {item_id} (Enter shows it).")
        return True

    async def play(self, item_id: str | None) -> None:
        """Play what the server kept of the item (retrieved first)."""
        audit = self.inspector.retrieves.get(item_id or "", self.inspector.clock())
        if item_id is None or audit is None:
            self.notify("Nothing retrieved for this item yet (r retrieves it).")
            return
        if audit.state != "done":
            self.notify(audit.lines()[0])
            return
        if audit.heard is None:
            self.notify("The retrieved audio was let go (memory limit): r retrieves it again.")
            return
        voice = self.voice
        if voice is None or voice.speaker is None:
            self.notify("No speaker: start with audio on (not --no-audio) to play it.")
            return
        before = voice.notice
        if not await voice.play_audio(item_id + HEARD_SUFFIX, audit.heard):
            changed = voice.notice is not None and voice.notice != before
            self.notify(f"Not played: {voice.notice}" if changed else "Nothing to play.")
