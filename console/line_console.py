"""A line-mode console: the event log and the conversation, as plain text on a terminal.

What ``realtime-console`` opens until the Textual console lands. It connects the library to the
embedded simulator (or a URL, or OpenAI with a key), prints every event in both directions with
its time since connecting (runs of the same delta collapsed into one line with a count), prints
each finished conversation item, and sends what you type as a user message.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any, Final, TextIO

from console.realtime import RealtimeClient

HELP = """\
Type a message and press Enter. Commands:
  /instructions TEXT   set the session instructions
  /voice NAME          set the voice (alloy, ash, ballad, coral, echo, sage, shimmer, verse, ...)
  /text, /audio        answer in text only, or in audio with a transcript
  /help                this help
  /quit                leave (so does end of input)"""


class EventPrinter:
    """Prints events as ``MM:SS.hh ↑ client type`` lines.

    Consecutive delta events (audio and transcript deltas interleave) are counted per type and
    printed as one line each when the burst ends. Conversation lines queued with ``note`` are
    printed after the line of the event that caused them.
    """

    def __init__(self, out: TextIO) -> None:
        """Times are counted from now: create the printer just before connecting."""
        self.out = out
        self.start = time.monotonic()
        self._deltas: dict[tuple[str, str], list[float]] = {}
        self._notes: list[str] = []

    def stamp(self, at: float) -> str:
        elapsed = max(0.0, at - self.start)
        minutes, seconds = divmod(elapsed, 60)
        return f"{int(minutes):02d}:{seconds:05.2f}"

    def event(self, record: dict[str, Any]) -> None:
        source, event_type = record["source"], str(record["event"].get("type"))
        now = time.monotonic()
        if event_type.endswith(".delta"):
            first_and_count = self._deltas.setdefault((source, event_type), [now, 0])
            first_and_count[1] += 1
        else:
            self.flush()
            self._print_event(source, event_type, now, 1)
        self.release_notes()

    def release_notes(self) -> None:
        """Print the queued conversation lines."""
        for note in self._notes:
            self.line("    " + note)
        self._notes.clear()

    def note(self, text: str) -> None:
        """Queue a conversation line for after the current event's line."""
        self._notes.append(text)

    def flush(self) -> None:
        """Print the pending delta counts."""
        for (source, event_type), (first, count) in self._deltas.items():
            self._print_event(source, event_type, first, int(count))
        self._deltas.clear()

    def _print_event(self, source: str, event_type: str, at: float, count: int) -> None:
        arrow = "↑ client" if source == "client" else "↓ server"
        times = f" x{count}" if count > 1 else ""
        self.line(f"{self.stamp(at)} {arrow}  {event_type}{times}")

    def line(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def describe_item(item: dict[str, Any]) -> str:
    """One line for a finished conversation item, as the reference console shows it."""
    formatted = item.get("formatted", {})
    if item.get("type") == "function_call":
        tool = formatted.get("tool", {})
        return f"function call: {tool.get('name')}({tool.get('arguments', '')})"
    if item.get("type") == "function_call_output":
        return f"function output: {formatted.get('output')}"
    seconds = len(formatted.get("audio", ())) / 24000
    audio = f"  [{seconds:.1f} s audio]" if seconds else ""
    words = formatted.get("transcript", "").strip() or formatted.get("text", "") or "(no text)"
    return f"{item.get('role', item.get('type'))}: {words}{audio}"


@contextlib.asynccontextmanager
async def _embedded_simulator(pace: str) -> AsyncIterator[str]:
    from console.simulator import SimulatorServer

    async with SimulatorServer(pace=pace) as server:
        yield server.url


_CLOSED: Final = object()
"""Put on the input queue when the connection closes, to wake the input loop."""

ANSWER_WAIT_S = 30.0
"""How long a message waits for the answer in progress before it is sent anyway."""


def _read_lines(stream: TextIO, queue: asyncio.Queue[object]) -> threading.Thread:
    """Feed ``stream``'s lines (then ``None`` at end of input) to ``queue`` from a daemon thread.

    A daemon thread, not an executor: a blocking ``readline`` on a terminal must not keep the
    interpreter (or ``asyncio.run``'s executor shutdown) from exiting on Ctrl-C.
    """
    loop = asyncio.get_running_loop()

    def post(item: str | None) -> bool:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is reading any more
            return False
        return True

    def pump() -> None:
        try:
            for line in iter(stream.readline, ""):
                if not post(line.rstrip("\n")):
                    return
        except (OSError, ValueError):  # the stream was closed under us
            pass
        post(None)

    thread = threading.Thread(target=pump, name="line-console-stdin", daemon=True)
    thread.start()
    return thread


class AnswerGate:
    """One answer at a time: busy from a message's ``response.create`` until its response ends.

    The response ends with its ``response.done``, with a server ``error`` whose ``event_id`` is
    that ``response.create``'s (the request was refused), or with the connection's close. Errors
    caused by other events (a bad ``/voice`` while an answer streams) leave the gate busy.
    """

    def __init__(self) -> None:
        self.request_id: str | None = None
        self.response_id: str | None = None
        self._free = asyncio.Event()
        self._free.set()

    @property
    def busy(self) -> bool:
        """Whether a response is requested or active."""
        return not self._free.is_set()

    def requested(self, event: dict[str, Any]) -> None:
        """``client.response.create``: a response is requested."""
        self.request_id, self.response_id = event.get("event_id"), None
        self._free.clear()

    def created(self, event: dict[str, Any]) -> None:
        """``server.response.created``: the first one after the request is its response."""
        if self.busy and self.response_id is None:
            self.response_id = (event.get("response") or {}).get("id")

    def done(self, event: dict[str, Any]) -> None:
        """``server.response.done``: the requested response is over."""
        response_id = (event.get("response") or {}).get("id")
        if self.busy and self.response_id is not None and response_id == self.response_id:
            self.release()

    def error(self, event: dict[str, Any]) -> None:
        """``server.error``: the request itself was refused (matched by its event_id)."""
        error = event.get("error")
        event_id = error.get("event_id") if isinstance(error, dict) else None
        if self.busy and event_id is not None and event_id == self.request_id:
            self.release()

    def release(self, _event: object = None) -> None:
        """Nothing is requested or active any more."""
        self.request_id = self.response_id = None
        self._free.set()

    async def wait(self, timeout: float) -> bool:
        """Wait until free; False after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._free.wait(), timeout)
        except TimeoutError:
            return False
        return True


async def run_line_console(
    url: str | None = None,
    api_key: str | None = None,
    *,
    dialect: str = "ga",
    model: str | None = None,
    pace: str = "realtime",
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> int:
    """Run the console until ``/quit`` or end of input (0), or until the server closes (1).

    Cancelling it (Ctrl-C under ``asyncio.run``) disconnects the client before the embedded
    simulator stops, so the quit is quiet.
    """
    async with contextlib.AsyncExitStack() as stack:
        if url is None:
            url = await stack.enter_async_context(_embedded_simulator(pace))
            out.write(f"embedded simulator at {url} (no network, no key)\n")
        client = RealtimeClient(url=url, api_key=api_key, model=model, dialect=dialect)
        printer = EventPrinter(out)  # times count from here, just before connecting (once)
        gate = AnswerGate()
        inputs: asyncio.Queue[object] = asyncio.Queue()
        leaving = False
        closed_by_server = asyncio.Event()

        def on_close(event: dict[str, Any]) -> None:
            gate.release()
            printer.flush()
            printer.release_notes()
            if not leaving:
                closed_by_server.set()
                printer.line(f"session ended by the server (code {event.get('code')})")
                inputs.put_nowait(_CLOSED)

        client.on(
            "error",
            lambda e: printer.note(f"error! {e['error'].get('code')}: {e['error'].get('message')}"),
        )
        client.on("conversation.item.completed", lambda e: printer.note(describe_item(e["item"])))
        client.realtime.on("client.response.create", gate.requested)
        client.realtime.on("server.response.created", gate.created)
        client.realtime.on("server.response.done", gate.done)
        client.realtime.on("server.error", gate.error)
        client.on("close", on_close)
        client.on("realtime.event", printer.event)
        try:
            try:
                await client.connect()
            except ConnectionError as exc:
                out.write(f"{exc}\n")
                return 1
            printer.line(HELP)
            _read_lines(stdin, inputs)
            while not closed_by_server.is_set():
                line = await inputs.get()
                if not isinstance(line, str) or not await _handle(
                    line.strip(), client, printer, gate
                ):
                    break
            if not closed_by_server.is_set():
                await gate.wait(ANSWER_WAIT_S)  # let an answer in progress finish
        finally:
            leaving = True
            await client.disconnect()  # before the embedded simulator stops
    return 1 if closed_by_server.is_set() else 0


async def _handle(
    line: str, client: RealtimeClient, printer: EventPrinter, gate: AnswerGate
) -> bool:
    """Act on one input line; False means quit."""
    if not line:
        return True
    command, _, rest = line.partition(" ")
    try:
        if command == "/quit":
            return False
        if command == "/help":
            printer.line(HELP)
        elif command == "/instructions":
            client.update_session(instructions=rest)
        elif command == "/voice":
            client.update_session(voice=rest.strip())
        elif command in ("/text", "/audio"):
            client.update_session(modalities=["text"] if command == "/text" else ["text", "audio"])
        elif command.startswith("/"):
            printer.line(f"unknown command {command}; /help lists them")
        else:
            if gate.busy:
                printer.flush()
                printer.line("(waiting for the answer in progress…)")
                if not await gate.wait(ANSWER_WAIT_S):
                    printer.line(f"(no end of that answer after {ANSWER_WAIT_S:.0f} s; sending)")
            if not client.is_connected():
                return False  # closed while waiting; the close has been reported
            client.send_user_message_content([{"type": "input_text", "text": line}])
    except ConnectionError as exc:  # the socket closed between reading the line and now
        printer.flush()
        printer.line(f"not sent: {exc}")
    except ValueError as exc:
        printer.line(f"error! {exc}")
    return True
