"""Full garbage collections wait for a pause in typing (console/app/collector.py)."""

from __future__ import annotations

import gc

from console.app.collector import AUTOMATIC_FULL_OFF, QuietCollector
from console.simulator import SimulatorServer
from tests.app.conftest import connected, console_app


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_full_collection_waits_for_a_pause_and_never_too_long() -> None:
    clock, runs = Clock(), []
    collector = QuietCollector(
        quiet_s=1.0, every_s=10.0, longest_s=60.0, clock=clock, collect=lambda: runs.append(clock())
    )
    assert not collector.tick()  # just started: not yet due
    clock.now += 10
    collector.key_pressed()
    clock.now += 0.5
    assert not collector.tick()  # due, but the user is typing
    clock.now += 1.0
    assert collector.tick() and runs == [111.5]  # a pause of a second: now
    for _ in range(250):  # typing without a pause for over two minutes
        clock.now += 0.5
        collector.key_pressed()
        collector.tick()
    assert runs[1:] == [171.5, 231.5]  # once a minute all the same


async def test_the_console_freezes_its_start_and_gives_the_collector_back(
    simulator: SimulatorServer,
) -> None:
    before = gc.get_threshold()
    try:
        app = console_app(simulator.url)
        async with app.run_test(size=(160, 48)) as pilot:
            await connected(app)
            await pilot.pause()
            assert gc.get_freeze_count() > 50_000  # Textual and the widgets, out of sight
            assert gc.get_threshold()[2] == AUTOMATIC_FULL_OFF
            await pilot.press("x")
            assert not app.collector.tick()  # just typed
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()  # the other tests' objects must be collectable again
        gc.set_threshold(*before)
