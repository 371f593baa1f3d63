"""The console's screen survives PortAudio's start-up: ``sounddevice`` points fd 2 at /dev/null
while PortAudio initialises (on import and at each rescan, on the device thread), and Textual
writes every frame to ``sys.__stderr__`` (fd 2) from its writer thread. A frame written in that
window was lost: at 100x30 over WebRTC the events pane kept "0 shown / 0 kept" on screen until
the next change, though the pane had its rows."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from console.cli.terminal import own_terminal_output


@contextlib.contextmanager
def fd2_pipe() -> Iterator[int]:
    """fd 2 is the write end of a pipe meanwhile (not a fixture: pytest's capture takes fd 2
    back between set-up and the test); yields the read end."""
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    os.close(write)
    try:
        yield read
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _frame_during_portaudio_init(text: str) -> None:
    """What sounddevice's ``_initialize`` does around ``Pa_Initialize``, with a frame written
    by Textual (to ``sys.__stderr__``) in the middle."""
    old = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        assert sys.__stderr__ is not None
        sys.__stderr__.write(text)
        sys.__stderr__.flush()
    finally:
        os.dup2(old, 2)
        os.close(old)


def _drain(read: int) -> bytes:
    os.close(2)  # the last write end: the read below ends
    chunks = []
    while chunk := os.read(read, 4096):
        chunks.append(chunk)
    os.close(read)
    return b"".join(chunks)


def test_a_frame_written_while_portaudio_starts_is_lost_on_fd_2() -> None:
    """The cause, shown: without the console's own output fd the frame goes to /dev/null."""
    with fd2_pipe() as read:
        _frame_during_portaudio_init("frame one")
        sys.__stderr__.write("after")  # type: ignore[union-attr]
        sys.__stderr__.flush()  # type: ignore[union-attr]
        assert _drain(read) == b"after"


def test_the_console_writes_its_screen_to_its_own_fd() -> None:
    before = sys.__stderr__
    with fd2_pipe() as read:
        with own_terminal_output():
            assert sys.__stderr__ is not before and sys.__stderr__.fileno() != 2
            _frame_during_portaudio_init("frame two")
        assert sys.__stderr__ is before
        assert _drain(read) == b"frame two"
