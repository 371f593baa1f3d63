"""The timeline (F7): rows per turn against the simulator, its figures, and the turn filter.

Live tests run the real app on the simulator in both dialects; the others replay committed
recordings. What the screen shows is read from its SVG export, the model from the inspector.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from console.app.app import RealtimeConsoleApp
from console.app.screens.timeline import TimelineScreen
from console.app.widgets.events import EventsPane
from console.app.widgets.timeline_draw import model_cells
from console.inspector.connection import Target
from console.inspector.recording import load_recording
from console.inspector.store import PlainEvent, names_any
from console.inspector.timeline import Scale, Span, TurnLanes, turn_ids
from console.inspector.turn_summary import format_cost, format_ms, sparkline, summarize
from console.inspector.turns import Turn
from console.simulator import SimulatorServer

from .conftest import connected, console_app, expect, server_event, until

FIXTURES = Path(__file__).parent / "fixtures"
WIDE = (160, 48)
CELL = 12.2
OFFLINE_URL = "ws://127.0.0.1:9/v1/realtime"


@pytest.fixture(params=["ga", "beta"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def live_app(server: SimulatorServer, dialect: str) -> RealtimeConsoleApp:
    target = Target(server.url, None, dialect, None, f"simulator — {dialect}")
    return console_app(server.url, target=target)


def replay_app(path: Path) -> RealtimeConsoleApp:
    return console_app(None, replay=load_recording(path), replay_name=path.name, autoconnect=False)


async def open_timeline(app: RealtimeConsoleApp, pilot: Any) -> TimelineScreen:
    await pilot.press("f7")
    await until(pilot, lambda: isinstance(app.screen, TimelineScreen), "the timeline screen")
    screen = app.screen
    assert isinstance(screen, TimelineScreen)
    screen.tick()
    await pilot.pause()
    return screen


def grid(app: RealtimeConsoleApp) -> list[str]:
    """The screen as text, one string per row, every cell in its column (the SVG export leaves
    blank runs out, so text is placed by its x position: 12.2 units a cell)."""
    rows: dict[float, dict[int, str]] = {}
    pattern = r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>'
    for match in re.finditer(pattern, app.export_screenshot(), flags=re.S):
        text = html.unescape(re.sub(r"<[^>]+>", "", match.group(3))).replace("\xa0", " ")
        row = rows.setdefault(float(match.group(2)), {})
        column = round(float(match.group(1)) / CELL)
        for offset, char in enumerate(text.rstrip("\n")):
            row[column + offset] = char
    out = []
    for _, cells in sorted(rows.items()):
        width = max(cells, default=-1) + 1
        out.append("".join(cells.get(column, " ") for column in range(width)))
    return out


def grid_text(app: RealtimeConsoleApp) -> str:
    return "\n".join(grid(app))


def row_of(app: RealtimeConsoleApp, turn: Turn) -> tuple[str, str]:
    """The two screen lines of ``turn``'s row (found by its index and trigger)."""
    lines = grid(app)
    for number, line in enumerate(lines):
        label = line[1:].lstrip("│ ▌")
        if label.startswith(f"{turn.index} {turn.trigger}"):
            return line, lines[number + 1]
    raise AssertionError(f"no row for turn {turn.index}:\n" + "\n".join(lines))


def assert_row_matches_model(app: RealtimeConsoleApp, turn: Turn) -> None:
    first, second = row_of(app, turn)
    figures = [turn.created_ms, turn.first_audio_ms, turn.first_heard_ms, turn.done_ms]
    expected = "".join(format_ms(value).rjust(8) for value in figures)
    assert first.rstrip(" │").endswith(expected), (first, expected)
    assert second.rstrip(" │").endswith(format_cost(turn.cost_usd)), second


def shown_events(app: RealtimeConsoleApp) -> list[Any]:
    return app.query_one(EventsPane).event_list.rows


async def test_a_text_turn_and_a_tool_call_then_the_events_of_one_turn(
    simulator: SimulatorServer, dialect: str
) -> None:
    app = live_app(simulator, dialect)
    async with app.run_test(size=WIDE) as pilot:
        await connected(app)
        answered = expect(app, server_event("response.done"), nth=2)
        app.client.send_user_message_content(
            [{"type": "input_text", "text": "Please set_memory: my name is Ada"}]
        )
        await answered
        text, tool = app.inspector.turns.all()
        assert (text.trigger, tool.trigger) == ("text", "tool")
        screen = await open_timeline(app, pilot)
        assert [turn.response_id for turn in screen.timeline.rows] == [
            text.response_id,
            tool.response_id,
        ]
        assert screen.timeline.cursor_turn is tool and screen.timeline.following
        for turn in (text, tool):
            assert_row_matches_model(app, turn)
        assert "⚙ set_memory" in row_of(app, text)[1]
        lanes = screen.timeline.lanes_of(text)
        assert lanes is not None and len(lanes.tools) == 1 and lanes.generation is not None

        await pilot.press("up", "enter")
        await until(pilot, lambda: not isinstance(app.screen, TimelineScreen), "back to main")
        app.render_frame()
        await pilot.pause()
        pane = app.query_one(EventsPane)
        ids = turn_ids(text)
        assert pane.event_list.event_filter.turn_ids == ids
        rows = shown_events(app)
        assert rows and all(names_any(row.first, ids) for row in rows)
        types = [(row.source, row.type) for row in rows]
        # The trigger (the message and the request for it), the response, the call and its output.
        assert ("client", "conversation.item.create") in types
        assert ("client", "response.create") in types
        assert sum(1 for row in rows if row.type == "response.done") == 1
        assert not any(names_any(row.first, {tool.response_id}) for row in rows)
        expected = [r for r in app.inspector.store.rows if names_any(r.first, ids)]
        assert [row.row_id for row in rows] == [row.row_id for row in expected]
        assert pane.border_subtitle == "turn 1 only · x: all turns"
        assert app.focused is pane.event_list

        await pilot.press("x")
        app.render_frame()
        await pilot.pause()
        assert pane.event_list.event_filter.turn_ids == frozenset()
        assert len(shown_events(app)) == len(app.inspector.store.rows)
        assert not pane.border_subtitle


async def test_the_timeline_follows_new_turns_unless_the_selection_moved(
    simulator: SimulatorServer,
) -> None:
    app = live_app(simulator, "ga")
    async with app.run_test(size=WIDE) as pilot:
        await connected(app)
        app.client.update_session(output_modalities=["text"])
        for number in (1, 2):
            done = expect(app, server_event("response.done"))
            app.client.send_user_message_content([{"type": "input_text", "text": f"hi {number}"}])
            await done
        screen = await open_timeline(app, pilot)
        timeline = screen.timeline
        await pilot.press("up")
        first = app.inspector.turns.all()[0]
        assert timeline.cursor_turn is first and not timeline.following

        done = expect(app, server_event("response.done"))
        app.client.send_user_message_content([{"type": "input_text", "text": "hi 3"}])
        await done
        await until(pilot, lambda: len(timeline.rows) == 3, "the third turn's row")
        assert timeline.cursor_turn is first  # the user's selection stays
        await pilot.press("end")
        assert timeline.following and timeline.cursor_turn is app.inspector.turns.all()[-1]
        await pilot.press("down")  # already the newest: still following
        assert timeline.following


async def test_a_running_turn_grows_with_the_clock(slow_simulator: SimulatorServer) -> None:
    app = live_app(slow_simulator, "ga")
    async with app.run_test(size=WIDE) as pilot:
        await connected(app)
        screen = await open_timeline(app, pilot)
        timeline = screen.timeline
        app.client.send_user_message_content([{"type": "input_text", "text": "Tell me a story"}])
        await until(pilot, lambda: len(timeline.rows) == 1, "the running turn's row")
        (turn,) = timeline.rows

        def generation_end() -> float:
            lanes = timeline.lanes_of(turn)
            assert lanes is not None and lanes.generation is not None
            return lanes.generation.end

        assert not turn.is_done and "running…" in row_of(app, turn)[1]
        start = generation_end()
        await until(pilot, lambda: generation_end() > start + 100, "the running row growing")
        await until(pilot, lambda: turn.is_done, "the response done")
        await until(pilot, lambda: "running…" not in grid_text(app), "the row done")
        assert row_of(app, turn)[1].rstrip(" │").endswith(format_cost(turn.cost_usd))


async def test_the_summary_and_the_rows_of_a_recording() -> None:
    app = replay_app(FIXTURES / "timeline.jsonl")
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_timeline(app, pilot)
        turns = app.inspector.turns
        summary = summarize(turns)
        assert screen.summary.summary == summary
        text = grid_text(app)
        first_audio = summary.latencies["first_audio_ms"]
        done = summary.latencies["done_ms"]
        assert f"{'first audio':<16}{format_ms(first_audio.p50):>8}" in text
        for spread in (first_audio, done):
            figures = "".join(format_ms(v).rjust(8) for v in (spread.p50, spread.p95, spread.max))
            assert figures in text
        assert sparkline(summary.first_audio_trend, 8).strip() in text
        assert f"cost        {format_cost(summary.cost_usd)}" in text
        tokens = summary.tokens
        assert f"tokens in   {tokens['input']:,}: {tokens['input_text']:,} text" in text
        limit = summary.rate_limits[0]
        assert f"{limit['name']} {limit['remaining']:,}/{limit['limit']:,}" in text
        assert "7: 5 completed · 2 cancelled" in text
        for turn in turns.all():
            assert_row_matches_model(app, turn)
        cancelled = turns.all()[3]
        assert "cancelled (turn_detecte" in row_of(app, cancelled)[1]
        lanes = screen.timeline.lanes_of(cancelled)
        assert lanes is not None and lanes.audio_cut_ms is not None and lanes.speech is not None


def write_log(path: Path, events: list[tuple[str, dict[str, Any], float | None]]) -> Path:
    lines = []
    for source, event, t in events:
        line: dict[str, Any] = {"source": source, "event": event}
        if t is not None:
            line["t"] = t
        lines.append(json.dumps(line))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


USAGE = {
    "total_tokens": 30,
    "input_tokens": 20,
    "output_tokens": 10,
    "input_token_details": {"cached_tokens": 0, "text_tokens": 20, "audio_tokens": 0},
    "output_token_details": {"text_tokens": 10, "audio_tokens": 0},
}


async def test_a_model_without_a_price_says_cost_unknown_never_zero(tmp_path: Path) -> None:
    session = {"id": "sess_1", "model": "my-own-model"}
    log = write_log(
        tmp_path / "unpriced.jsonl",
        [
            ("server", {"type": "session.created", "session": session}, 10.0),
            ("client", {"type": "response.create", "event_id": "evt_1"}, 10.5),
            ("server", {"type": "response.created", "response": {"id": "resp_1"}}, 10.75),
            (
                "server",
                {
                    "type": "response.done",
                    "response": {"id": "resp_1", "status": "completed", "usage": USAGE},
                },
                11.5,
            ),
        ],
    )
    app = replay_app(log)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot)
        (turn,) = app.inspector.turns.all()
        assert turn.cost_usd is None
        assert row_of(app, turn)[1].rstrip(" │").endswith("cost unknown")
        text = grid_text(app)
        assert "cost        cost unknown (1 without a price)" in text and "$0.0000" not in text


async def test_turns_without_times_show_rows_and_timings_unavailable() -> None:
    """As a bare log gives them (``report`` feeds the model so): no lanes, every latency —."""
    app = console_app(OFFLINE_URL, autoconnect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        done = {"id": "resp_1", "status": "completed", "usage": USAGE, "output": []}
        for kind, event in (
            ("session.created", {"session": {"model": "gpt-realtime"}}),
            ("response.created", {"response": {"id": "resp_1"}}),
            ("response.done", {"response": done}),
        ):
            app.inspector.turns.observe(PlainEvent("server", kind, {"type": kind, **event}, None))
        screen = await open_timeline(app, pilot)
        (turn,) = screen.timeline.rows
        assert turn.trigger_at is None and screen.timeline.lanes_of(turn) is None
        assert_row_matches_model(app, turn)  # every latency "—", the cost known
        assert turn.cost_usd is not None
        assert "timings unavailable" in grid_text(app)


async def test_escape_goes_back_without_a_filter_and_the_palette_opens_it() -> None:
    app = replay_app(FIXTURES / "timeline.jsonl")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, TimelineScreen), "back to main")
        assert app.query_one(EventsPane).event_list.event_filter.turn_ids == frozenset()
        app.action_command_palette()
        await pilot.pause()
        await pilot.press(*"Timeline", "enter")
        await until(pilot, lambda: isinstance(app.screen, TimelineScreen), "from the palette")


def test_a_cut_at_the_end_of_the_audio_is_drawn() -> None:
    """WebRTC's cleared buffer cuts where the audio lane ends: the cut still shows."""
    scale = Scale(100.0, 0, 20)
    cut = TurnLanes(audio=Span(200.0, 900.0), audio_cut_ms=900.0)
    _, lower, _ = model_cells(cut, scale)
    assert lower[2:8] == ["audio"] * 6 and lower[9] == "cut"
    whole = TurnLanes(audio=Span(200.0, 900.0))
    assert "cut" not in model_cells(whole, scale)[1]
