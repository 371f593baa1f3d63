"""The line-mode console against the embedded simulator, with scripted input."""

from __future__ import annotations

import io

from console.line_console import EventPrinter, run_line_console


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
