"""The line-mode console against the embedded simulator, with scripted input."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
import time
import types
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from console import line_console
from console.line_console import HELP, EventPrinter, run_line_console
from console.realtime import RealtimeClient
from console.realtime.api import RealtimeNotConnectedError
from console.simulator import SimulatorServer


async def test_a_typed_message_gets_an_answer_and_the_log_shows_both_sides() -> None:
    out = io.StringIO()
    stdin = io.StringIO("/instructions Be brief.\nHello there\n/nonsense\n/quit\n")
    assert await run_line_console(stdin=stdin, out=out, pace="fast") == 0
    text = out.getvalue()
    assert "embedded simulator at ws://127.0.0.1:" in text
    assert "↑ client  session.update" in text and "↓ server  session.created" in text
    assert "    user: Hello there" in text
    assert "    assistant: " in text and "Hello there" in text.split("    assistant: ")[1]
    assert "response.output_audio.delta x" in text  # a burst of deltas is one line
    assert "unknown command /nonsense" in text
    # Item lines follow the event that completed them.
    lines = text.splitlines()
    assert lines[lines.index("    user: Hello there") - 1].endswith("conversation.item.added")


async def test_an_unreachable_url_is_one_clear_line() -> None:
    out = io.StringIO()
    code = await run_line_console("ws://127.0.0.1:9/v1/realtime", stdin=io.StringIO(""), out=out)
    assert code == 1 and "Could not connect" in out.getvalue()


def test_delta_bursts_are_counted_per_type() -> None:
    out = io.StringIO()
    printer = EventPrinter(out)
    for event_type in ["a.delta", "b.delta", "a.delta", "x.done"]:
        printer.event({"source": "server", "event": {"type": event_type}})
    lines = [line.split("  ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines == ["a.delta x2", "b.delta", "x.done"]


# -- helpers for interactive scenarios --------------------------------------------------------

TIMEOUT = 20.0
"""Upper bound for any wait here; an answer at real-time pace takes a few seconds."""

STAMP = re.compile(r"^(\d\d):(\d\d\.\d\d) [↑↓]")


class WatchedOutput(io.StringIO):
    """A text buffer the test can wait on: ``await out.shows("text")``."""

    def __init__(self) -> None:
        super().__init__()
        self._written = asyncio.Event()

    def write(self, text: str) -> int:
        self._written.set()
        return super().write(text)

    async def shows(self, text: str, timeout: float = TIMEOUT) -> None:
        """Return once ``text`` has been printed; fail after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while text not in self.getvalue():
                self._written.clear()
                await self._written.wait()


class TypedInput:
    """A real pipe standing in for a terminal: lines arrive when the test types them."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self.stdin = open(read_fd, encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._writer = open(write_fd, "w", encoding="utf-8")  # noqa: SIM115

    def type(self, *lines: str) -> None:
        self._writer.write("".join(line + "\n" for line in lines))
        self._writer.flush()

    def end(self) -> None:
        """End of input (Ctrl-D)."""
        if not self._writer.closed:
            self._writer.close()


@pytest.fixture
async def typed() -> AsyncIterator[TypedInput]:
    """Async, so it ends (and the console's reader thread with it) before the loop closes."""
    typed = TypedInput()
    yield typed
    typed.end()


# -- finding: the answer gate -----------------------------------------------------------------


async def test_a_failed_command_during_an_answer_does_not_start_a_second_response(
    typed: TypedInput,
) -> None:
    """An error caused by something else (a bad voice) must not open the one-answer gate."""
    out = WatchedOutput()
    console = asyncio.create_task(run_line_console(stdin=typed.stdin, out=out, pace="realtime"))
    await out.shows("session.created")
    typed.type("First question")
    await out.shows("response.created")  # the answer streams (in real time) from here on
    typed.type("/voice bad", "Second question")
    await out.shows("error! ")  # the bad voice is refused while the first answer streams
    typed.end()  # end of input while the answers are pending: both must still finish
    assert await asyncio.wait_for(console, TIMEOUT) == 0
    text = out.getvalue()
    assert "conversation_already_has_active_response" not in text
    assert "(waiting for the answer in progress…)" in text
    answers = [line for line in text.splitlines() if line.startswith("    assistant: ")]
    assert len(answers) == 2, text
    assert "First question" in answers[0] and "Second question" in answers[1]
    assert text.count("response.done") == 2


async def test_an_error_for_the_request_itself_opens_the_gate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused response.create (matched by its event_id) must not leave the console waiting."""

    class RefusedResponses(RealtimeClient):
        def create_response(self, response: Mapping[str, Any] | None = None) -> bool:
            # An invalid ``conversation`` value: the server refuses the response.create.
            return super().create_response({"conversation": "bogus"})

    monkeypatch.setattr(line_console, "RealtimeClient", RefusedResponses)
    out = WatchedOutput()
    stdin = io.StringIO("one\ntwo\n")
    assert await asyncio.wait_for(run_line_console(stdin=stdin, out=out, pace="fast"), 10) == 0
    text = out.getvalue()
    assert text.count("↑ client  response.create") == 2
    assert text.count("error! ") == 2, text


# -- finding: the server closes the session ---------------------------------------------------


async def test_the_console_ends_when_the_server_closes_the_session(typed: TypedInput) -> None:
    """A wrong key: the server says why and closes; the console ends with 1, no traceback."""
    async with SimulatorServer(pace="fast", require_key="sekrit-0123456789") as server:
        out = WatchedOutput()
        code = await asyncio.wait_for(
            run_line_console(server.url, "wrong-key", stdin=typed.stdin, out=out), TIMEOUT
        )
    assert code == 1
    text = out.getvalue()
    assert "invalid_api_key" in text
    assert text.rstrip().splitlines()[-1] == "session ended by the server (code 3000)"
    assert "Traceback" not in text and "wrong-key" not in text


async def test_a_send_that_finds_the_socket_closed_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The socket can close between reading a line and sending it: no traceback."""

    class ClosesUnderfoot(RealtimeClient):
        def send_user_message_content(self, content: Any = ()) -> bool:
            raise RealtimeNotConnectedError("RealtimeAPI is not connected")

    monkeypatch.setattr(line_console, "RealtimeClient", ClosesUnderfoot)
    out = io.StringIO()
    stdin = io.StringIO("hello\n/quit\n")
    assert await run_line_console(stdin=stdin, out=out, pace="fast") == 0
    assert "not sent: RealtimeAPI is not connected" in out.getvalue().splitlines()


# -- finding: times and help ------------------------------------------------------------------


async def test_times_never_go_backwards_even_after_a_slow_handshake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """session.update is printed during connect; later events must not get earlier times."""
    offset = [0.0]
    clock = types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0])

    class SlowHandshake(RealtimeClient):
        async def connect(self, model: str | None = None, *, timeout: float = 10.0) -> bool:
            offset[0] += 3.0  # the handshake "takes" three seconds
            return await super().connect(model, timeout=timeout)

    monkeypatch.setattr(line_console, "time", clock)
    monkeypatch.setattr(line_console, "RealtimeClient", SlowHandshake)
    out = io.StringIO()
    assert await run_line_console(stdin=io.StringIO("Hi\n"), out=out, pace="fast") == 0
    stamps = [
        int(m[1]) * 60 + float(m[2]) for m in map(STAMP.match, out.getvalue().splitlines()) if m
    ]
    assert len(stamps) > 10 and stamps[0] >= 3.0
    assert stamps == sorted(stamps), out.getvalue()


async def test_help_comes_after_connecting_and_not_on_failure() -> None:
    out = io.StringIO()
    assert await run_line_console(stdin=io.StringIO(""), out=out, pace="fast") == 0
    text = out.getvalue()
    assert text.index(HELP) > text.index("↑ client  session.update")
    failed = io.StringIO()
    await run_line_console("ws://127.0.0.1:9/v1/realtime", stdin=io.StringIO(""), out=failed)
    assert HELP.splitlines()[0] not in failed.getvalue()


# -- finding: Ctrl-C -------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("moment", ["idle", "mid-answer"])
async def test_ctrl_c_quits_promptly_and_quietly(moment: str) -> None:
    """Ctrl-C while the console waits for a line (or streams an answer) ends it at once."""
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    pace = "fast" if moment == "idle" else "realtime"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "console.cli",
        "--pace",
        pace,
        stdin=asyncio.subprocess.PIPE,  # kept open: a terminal nobody types in
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdout = proc.stdout
    seen: list[str] = []

    async def read_until(marker: str) -> None:
        async with asyncio.timeout(TIMEOUT):
            while marker not in (line := (await stdout.readline()).decode()):
                assert line, f"exited before {marker!r}: {''.join(seen)}"
                seen.append(line)
        seen.append(line)

    try:
        await read_until("session.created")
        proc.stdin.write(b"hello\n")
        await proc.stdin.drain()
        await read_until("response.created" if moment == "mid-answer" else "response.done")
        proc.send_signal(signal.SIGINT)
        rest, err = await asyncio.wait_for(proc.communicate(), 5)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    output = "".join(seen) + rest.decode() + err.decode()
    assert proc.returncode == 0, output
    assert "connection_lost" not in output and "Traceback" not in output, output
