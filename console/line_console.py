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
import time
from collections.abc import AsyncIterator
from typing import Any, TextIO

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


async def _lines(stream: TextIO) -> AsyncIterator[str]:
    """Lines of a (blocking) text stream, read in a worker thread."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stream.readline)
        if not line:
            return
        yield line.rstrip("\n")


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
    """Run the console until ``/quit`` or end of input; returns the exit code."""
    async with contextlib.AsyncExitStack() as stack:
        out.write(HELP + "\n")
        if url is None:
            url = await stack.enter_async_context(_embedded_simulator(pace))
            out.write(f"embedded simulator at {url} (no network, no key)\n")
        client = RealtimeClient(url=url, api_key=api_key, model=model, dialect=dialect)
        printer = EventPrinter(out)
        idle = asyncio.Event()
        idle.set()
        client.on("realtime.event", printer.event)
        client.on(
            "error",
            lambda e: printer.note(f"error! {e['error'].get('code')}: {e['error'].get('message')}"),
        )
        client.on("conversation.item.completed", lambda e: printer.note(describe_item(e["item"])))
        client.realtime.on("server.response.created", lambda e: idle.clear())
        client.realtime.on("server.response.done", lambda e: idle.set())
        client.realtime.on("server.error", lambda e: idle.set())
        client.on("close", lambda e: (idle.set(), printer.flush(), printer.release_notes()))
        try:
            await client.connect()
        except ConnectionError as exc:
            out.write(f"{exc}\n")
            return 1
        printer.start = time.monotonic()
        async for line in _lines(stdin):
            if not await _handle(line.strip(), client, printer, idle):
                break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(idle.wait(), 30)  # let an answer in progress finish
        await client.disconnect()
    return 0


async def _handle(
    line: str, client: RealtimeClient, printer: EventPrinter, idle: asyncio.Event
) -> bool:
    """Act on one input line; False means quit."""
    if not line:
        return True
    if not client.is_connected():
        printer.line("not connected")
        return False
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(idle.wait(), 30)  # one response at a time
            client.send_user_message_content([{"type": "input_text", "text": line}])
            idle.clear()  # until response.done (or an error, or the close)
    except ValueError as exc:
        printer.line(f"error! {exc}")
    return True
