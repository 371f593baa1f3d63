"""The console's screen on a file descriptor of its own.

Textual writes every frame to ``sys.__stderr__``, which is fd 2, from its writer thread.
``sounddevice`` points fd 2 at /dev/null while PortAudio initialises (``_initialize``, run on
import and by each ``devices.rescan``, on the device thread) to silence ALSA's chatter. A frame
written in that window went to /dev/null, and a pane that changed no more kept its old picture:
over WebRTC the call's first events arrive just as the device thread starts PortAudio, and at
100x30 the events pane showed "0 shown / 0 kept" until the next event.

``own_terminal_output`` gives Textual a duplicate of fd 2 (the same terminal, another number)
for the app's run, so whatever is done to fd 2 meanwhile leaves the screen alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def own_terminal_output() -> Iterator[None]:
    """While inside, ``sys.__stderr__`` writes to a duplicate of fd 2 (Textual's output)."""
    original = sys.__stderr__
    try:
        fd = os.dup(original.fileno()) if original is not None else -1
    except (OSError, ValueError):  # no real fd 2 (an embedding host): nothing to protect
        fd = -1
    if original is None or fd < 0:
        yield
        return
    own = os.fdopen(fd, "w", encoding=original.encoding, errors=original.errors)
    # typeshed marks sys.__stderr__ final; Textual's driver reads it when the app starts.
    setattr(sys, "__stderr__", own)  # noqa: B010
    try:
        yield
    finally:
        setattr(sys, "__stderr__", original)  # noqa: B010
        with contextlib.suppress(OSError):
            own.close()
