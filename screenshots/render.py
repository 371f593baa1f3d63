"""Render the console's main screens to SVG and PNG for the README.

Run ``python3 screenshots/render.py`` from the repository (the package installed).

The screens are built by the app factory from the committed recordings the snapshot tests use
(``conversation.jsonl``; ``timeline.jsonl`` for the timeline), so they show real protocol
traffic with stable ids and times. PNGs need ``rsvg-convert``
(Debian: librsvg2-bin); without it only the SVGs are written.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path

from textual.pilot import Pilot

from console.app.app import RealtimeConsoleApp, make_app
from console.app.config import ConsoleConfig
from console.app.screens.timeline import TimelineScreen
from console.app.widgets.event_list import EventList
from console.inspector.connection import Target
from console.inspector.recording import load_recording

HERE = Path(__file__).parent
ROOT = HERE.parent
RECORDING = ROOT / "tests" / "app" / "fixtures" / "conversation.jsonl"
TIMELINE = ROOT / "tests" / "app" / "fixtures" / "timeline.jsonl"
Step = Callable[[Pilot[int]], Awaitable[None]]


def replay_app(recording: Path = RECORDING) -> RealtimeConsoleApp:
    target = Target(None, None, "ga", None, f"replay — {recording.name}")
    config = ConsoleConfig(
        target=target,
        autoconnect=False,
        replay=load_recording(recording),
        replay_name=recording.name,
        tz=UTC,
    )
    return make_app(config)


async def steady(pilot: Pilot[int]) -> None:
    """Steady cursors and one rendered frame."""
    app = pilot.app
    assert isinstance(app, RealtimeConsoleApp)
    app.hold_still()
    await pilot.pause()


async def event_detail(pilot: Pilot[int]) -> None:
    await steady(pilot)
    events = pilot.app.query_one("#events-list", EventList)
    events.focus()
    audio_row = next(i for i, row in enumerate(events.rows) if row.type.endswith("audio.delta"))
    await pilot.press("home", *["down"] * audio_row, "enter")
    await steady(pilot)


async def timeline(pilot: Pilot[int]) -> None:
    """F7 on the recording with turns of every kind."""
    await steady(pilot)
    await pilot.press("f7")
    while not isinstance(pilot.app.screen, TimelineScreen):
        await pilot.pause()
    pilot.app.screen.tick()
    await pilot.pause()


async def render(name: str, size: tuple[int, int], step: Step, recording: Path = RECORDING) -> Path:
    app = replay_app(recording)
    async with app.run_test(size=size) as pilot:
        await step(pilot)
        svg = HERE / f"{name}.svg"
        app.save_screenshot(svg.name, str(HERE))
    return svg


SCREENS: list[tuple[str, tuple[int, int], Step, Path]] = [
    ("console", (160, 48), steady, RECORDING),
    ("event-detail", (160, 48), event_detail, RECORDING),
    ("console-100x30", (100, 30), steady, RECORDING),
    ("timeline", (100, 30), timeline, TIMELINE),
]


async def render_all() -> list[tuple[Path, int]]:
    return [
        (await render(name, size, step, recording), size[0])
        for name, size, step, recording in SCREENS
    ]


def main() -> None:
    converter = shutil.which("rsvg-convert")
    for svg, columns in asyncio.run(render_all()):
        if converter is None:
            print(f"wrote {svg.name} (install librsvg2-bin for the PNG)")
            continue
        png = svg.with_suffix(".png")
        subprocess.run([converter, "-w", str(columns * 10), str(svg), "-o", str(png)], check=True)
        print(f"wrote {svg.name} and {png.name}")


if __name__ == "__main__":
    main()
