"""Sending what the user types: a line from the prompt, or a raw event from the composer.

The app's ``Input.Submitted`` handler calls ``MessageSender.submit``. A transcription session
takes no messages: the line stays, and the user is told what to do instead. A line typed while a
connection is opening waits for it in a worker (``run_worker``, the app's) and comes back to the
prompt, with the reason, if the connection fails.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.widgets import Input

from console.audio.voice import VoiceSession
from console.inspector.controller import ConnectionController
from console.realtime import RealtimeClient, RealtimeNotConnectedError
from console.realtime.images import check_image_dialect

PLACEHOLDER = "Message — Enter sends (Ctrl+P: commands, F1: help)"
TRANSCRIPTION_PLACEHOLDER = (
    "Transcription session: speak (mic or --input-wav); typing sends nothing (F3: compose)"
)
NO_MESSAGES = (
    "A transcription session takes no messages: speak, or send a client event with the composer"
    " (F3)."
)


class MessageSender:
    """Sends user messages (and composer events) over the app's client; tells the user why not."""

    def __init__(
        self,
        client: RealtimeClient,
        controller: ConnectionController,
        voice: VoiceSession | None,
        notify: Callable[..., None],
        run_worker: Callable[..., Any],
        prompt: Callable[[], Input],
    ) -> None:
        self.client = client
        self.controller = controller
        self.voice = voice
        self.notify = notify
        self.run_worker = run_worker
        self.prompt = prompt

    @property
    def placeholder(self) -> str:
        """What the input line says it does (a transcription session sends no messages)."""
        return TRANSCRIPTION_PLACEHOLDER if self.client.transcription else PLACEHOLDER

    def submit(self, line: str) -> bool:
        """Send the line as a user message, cancelling a response in progress first.

        Typed while a connection is opening, the message waits for it (and comes back to the
        input line, with the reason, if the connection fails). True when the line was taken
        (sent or waiting): the prompt clears.
        """
        text = line.strip()
        if not text:
            return False
        if self.client.transcription:
            self.notify(NO_MESSAGES, severity="warning")
            return False
        if not self.client.is_connected():
            if not self.controller.busy:
                self.notify("Not connected (F2 connects).", severity="error")
                return False
            self.notify("Connecting: the message goes as soon as the session is open.")
            self.run_worker(
                partial(self._send_when_connected, text),
                name="_send_when_connected",
                group="messages",
                exit_on_error=False,
            )
        elif not self.send_text(text):
            return False
        return True

    def send_text(self, text: str) -> bool:
        """Send a user message now; False (and the user is told) if it could not go."""
        return self.send_content([{"type": "input_text", "text": text}])

    def send_content(self, parts: list[dict[str, Any]]) -> bool:
        """Send a user message of content ``parts`` (text, an image) now, as ``send_text``."""
        try:
            check_image_dialect(self.client.dialect, parts)  # refused before a reply is cut
            # A reply still playing is cut where the user stopped hearing it (truncate), and
            # one still generating is cancelled; the library sends the new message's
            # response.create once the cancelled response is done, so it gets its reply.
            if self.voice is not None:
                self.voice.interrupt_playback()
            self.client.cancel_response()
            self.client.send_user_message_content(parts)
        except Exception as exc:  # the socket closed under us
            self.notify(f"Not sent: {exc}", severity="error")
            return False
        return True

    async def _send_when_connected(self, text: str) -> None:
        """Send ``text`` once the connection action under way has finished."""
        await self.controller.idle()
        if self.client.is_connected():
            if self.send_text(text):
                return
        else:
            self.notify("Not sent: not connected (F2 connects).", severity="error")
        prompt = self.prompt()
        if not prompt.value:  # the message comes back to be sent again
            prompt.value = text

    def send_first(self, parts: list[dict[str, Any]]) -> None:
        """Send ``parts`` (``--image``'s message; none: nothing) once the first connection is
        open, in a worker."""
        if parts:
            self.run_worker(
                partial(self._send_content_when_connected, parts),
                name="_send_first",
                group="messages",
                exit_on_error=False,
            )

    async def _send_content_when_connected(self, parts: list[dict[str, Any]]) -> None:
        await self.controller.idle()
        if self.client.is_connected():
            self.send_content(parts)
        else:
            self.notify("Not sent: not connected (F2 connects).", severity="error")

    def send_raw(self, event: dict[str, Any]) -> None:
        """Send one client event typed in the composer (raises when not connected)."""
        if not self.client.is_connected():
            raise RealtimeNotConnectedError("not connected (F2 reconnects)")
        payload = {key: value for key, value in event.items() if key != "type"}
        self.client.realtime.send(str(event["type"]), payload)
