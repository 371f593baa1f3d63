"""The palette's "Send image…": a small form for an image file's path and an optional text.

Enter reads the file in a worker thread (up to 10 MiB and a base64 pass: milliseconds the UI
should not wait for), builds the ``input_image`` part with the library's ``image_content`` (PNG
or JPEG sniffed from the bytes) and hands the message's parts to ``send``. A path that cannot be
read, a file that is not PNG or JPEG, or one too large is told in a toast and on the form, and
nothing is sent: the form stays open to correct the path. Escape closes it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from console.realtime import image_content

SendParts = Callable[[list[dict[str, Any]]], bool]
"""``send(parts)``: sends a user message of these content parts; False if it could not go."""


def message_parts(path: str, text: str) -> list[dict[str, Any]]:
    """The user message's parts: ``text`` (if any), then the image at ``path`` (``~`` expanded);
    ``ValueError`` naming why the image cannot be sent."""
    if not path.strip():
        raise ValueError("type the path of a PNG or JPEG file")
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": text}] if text.strip() else []
    parts.append(image_content(os.path.expanduser(path.strip())))
    return parts


class ImageInputScreen(ModalScreen[None]):
    """Path, optional text, and a status line; Enter sends, Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", priority=True, id="image_input.close"),
    ]

    def __init__(self, send: SendParts) -> None:
        super().__init__()
        self._send = send
        self.path = Input(placeholder="Path to a PNG or JPEG image", id="image-input-path")
        self.text = Input(placeholder="Text sent with it (optional)", id="image-input-text")
        self.status = Static("Enter sends; Escape closes.", id="image-input-status", markup=False)

    def compose(self) -> ComposeResult:
        with Vertical(id="image-input"):
            yield Label("Send image", id="image-input-title")
            yield self.path
            yield self.text
            yield self.status

    def on_mount(self) -> None:
        self.path.focus()

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.status.update("Reading the image…")
        self._read_and_send(self.path.value, self.text.value)

    @work(exclusive=True, group="image_input", exit_on_error=False, description="read image")
    async def _read_and_send(self, path: str, text: str) -> None:
        try:
            parts = await asyncio.to_thread(message_parts, path, text)
        except ValueError as exc:
            self.status.update(f"Not sent: {exc}")
            self.notify(f"Image not sent: {exc}", severity="error", timeout=10)
            self.path.focus()
            self.path.select_all()  # kept to correct, and replaced by what is typed next
            return
        if self._send(parts):
            self.dismiss(None)
        else:
            self.status.update("Not sent (see the message above).")

    def action_close(self) -> None:
        self.dismiss(None)
