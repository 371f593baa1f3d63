"""Smaller looks: audio items without transcription, the selection in 256 colours, pane titles,
the help screen's scrollbar.

Colours are checked as a 256-colour terminal shows them (no COLORTERM: Rich downgrades each
colour to the nearest of the xterm palette), with WCAG's contrast ratio: 3:1 is its minimum for
the parts of a user interface one must see.
"""

from __future__ import annotations

import numpy as np
from rich.color import ColorSystem
from rich.style import Style
from textual.color import Color
from textual.containers import VerticalScroll

from console.app.screens.help import HelpScreen
from console.app.widgets.conversation import ConversationPane
from console.app.widgets.conversation_text import item_text
from console.simulator import SimulatorServer

from .conftest import connected, console_app, expect, screen_lines, screen_text, server_event
from .test_replay import replay_app

OFFLINE_URL = "ws://127.0.0.1:9/v1/realtime"


def in_256(color: Color) -> tuple[int, int, int]:
    """What a 256-colour terminal shows for ``color`` (opaque)."""
    triplet = color.rich_color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    return triplet.red, triplet.green, triplet.blue


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        def linear(channel: int) -> float:
            value = channel / 255
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = (linear(channel) for channel in rgb)
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rich_256(color: object) -> tuple[int, int, int]:
    assert color is not None
    return in_256(Color.from_rich_color(color))  # type: ignore[arg-type]


# -- audio items without transcription -------------------------------------------------------


def user_audio_item() -> dict:
    return {
        "id": "item_1",
        "type": "message",
        "role": "user",
        "status": "completed",
        "formatted": {"audio": np.zeros(2400, np.int16), "text": "", "transcript": ""},
    }


def test_a_user_audio_item_says_whether_a_transcript_will_come() -> None:
    item = user_audio_item()
    assert "(no transcription)" in item_text(item, None, "", transcribing=False).plain
    assert "(awaiting transcript)" in item_text(item, None, "", transcribing=True).plain


async def test_with_transcription_off_a_spoken_turn_reads_no_transcription(
    simulator: SimulatorServer,
) -> None:
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        assert not app.inspector.transcribing()
        done = expect(app, server_event("response.done"))
        app.client.append_input_audio(np.zeros(12_000, np.int16))
        app.client.create_response()
        await done
        app.render_frame()
        await pilot.pause()
        text = screen_text(app)
        assert "(no transcription)" in text and "(awaiting transcript)" not in text


# -- the selected item in 256 colours --------------------------------------------------------


async def test_the_selected_item_stands_out_in_256_colours() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 48)) as pilot:
        app.render_frame()
        pane = app.query_one(ConversationPane)
        pane.focus()
        await pilot.press("up", "up")  # the function call output, between two items
        await pilot.pause()
        selected = pane.selected_id
        assert selected is not None
        lines = [pane.render_line(y) for y in range(pane.scrollable_content_region.height)]
        rows = [index for index, line in enumerate(lines) if line.text.startswith("▌")]
        assert rows, "the selected item has no marker"
        assert rows == list(range(rows[0], rows[-1] + 1)), "the marker spans one item"
        assert len(rows) < len([line for line in lines if line.text.strip()])
        marked = [lines[index] for index in rows]
        background = rich_256(pane.rich_style.bgcolor)
        marker = next(iter(marked[0])).style or Style()
        assert contrast(rich_256(marker.color), rich_256(marker.bgcolor)) >= 3
        row_background = rich_256(list(marked[0])[-1].style.bgcolor)
        assert contrast(row_background, background) >= 1.5, (row_background, background)


# -- titles and the help screen -------------------------------------------------------------


async def test_every_pane_has_a_title() -> None:
    app = console_app(OFFLINE_URL, autoconnect=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for selector, title in (
            ("#conversation", "Conversation"),
            ("#events", "Events"),
            ("#session", "Session"),
        ):
            pane = app.query_one(selector)
            assert pane.border_title == title
            assert title in screen_lines(app)[pane.region.y], title


async def test_the_help_screen_scrolls_with_a_visible_scrollbar() -> None:
    app = console_app(OFFLINE_URL, autoconnect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.run_action("help")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0 and body.show_vertical_scrollbar
        styles = body.styles
        track = styles.scrollbar_background
        if track.a < 1:
            track = body.background_colors[0] + track
        thumb = track + styles.scrollbar_color
        assert contrast(in_256(thumb), in_256(track)) >= 3, (thumb, track)
        await pilot.press("end")
        assert body.scroll_y == body.max_scroll_y, "the keys do not scroll the help"
