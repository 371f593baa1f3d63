"""The installed ``realtime-console`` on a real terminal: tmux runs it, we type and read the screen.

Polling ``capture-pane`` is how a person reads a terminal; each wait has a deadline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
COMMAND = shutil.which("realtime-console")
pytestmark = pytest.mark.skipif(
    TMUX is None or COMMAND is None,
    reason="needs tmux and the installed realtime-console (bash .ci/run installs both)",
)


def tmux(*args: str) -> str:
    assert TMUX is not None
    result = subprocess.run([TMUX, *args], capture_output=True, text=True, timeout=10)
    return result.stdout


def wait_for_screen(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)  # the terminal has no event to wait on: read it again shortly
    raise AssertionError(f"{text!r} not on screen within {timeout} s:\n{screen}")


@pytest.fixture(params=["websocket", "webrtc"])
def console_session(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """``realtime-console --pace fast`` in a 160x48 tmux window, with no key in reach, over a
    WebSocket and over a WebRTC call (``--transport``)."""
    session = f"rc-test-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["TERM"] = "xterm-256color"
    assert COMMAND is not None and TMUX is not None
    subprocess.run(
        [
            TMUX,
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "160",
            "-y",
            "48",
            "-c",
            str(tmp_path),
            f"{COMMAND} --pace fast --transport {request.param}; echo EXITED $?; sleep 30",
        ],
        env=env,
        check=True,
        timeout=10,
    )
    try:
        yield session
    finally:
        tmux("kill-session", "-t", session)


def test_type_a_message_and_read_the_reply_off_the_screen(console_session: str) -> None:
    # The status bar's state, which begins its line (the session pane says "not connected").
    screen = wait_for_screen(console_session, "\n connected ")
    assert "simulator — no API key set" in screen
    tmux("send-keys", "-t", console_session, "-l", "Hello from tmux")
    tmux("send-keys", "-t", console_session, "Enter")
    wait_for_screen(console_session, "You said: Hello from tmux")
    screen = wait_for_screen(console_session, "response.done")
    assert "first audio" in wait_for_screen(console_session, " out · $")
    tmux("send-keys", "-t", console_session, "C-q")
    screen = wait_for_screen(console_session, "EXITED 0")
    assert "Traceback" not in screen
