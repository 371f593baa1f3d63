"""A hostile server feeds bad frames to the headless console (``make_app`` + ``run_test``).

The app stays running and keeps drawing, every bad frame becomes an ``error`` the inspector
records, and tracemalloc's peak stays bounded. Textual re-raises an app's unhandled exception
when ``run_test`` exits, so a crash fails the test.
"""

from __future__ import annotations

import json
import random
import tracemalloc

from console.inspector.connection import Target
from tests.app.conftest import connected, console_app, expect

from .conftest import HostileServer
from .hostile import bad_server_frames
from .test_client_fuzz import feed

RAW_FRAMES = 300
PEAK_BOUND = 48 * 2**20
"""tracemalloc peak for 300 bad frames, app and server in one process (measured: ~10 MB)."""


async def test_the_console_survives_bad_frames(hostile: HostileServer) -> None:
    rng = random.Random(20260804)
    kinds_frames = list(bad_server_frames(rng, RAW_FRAMES))
    target = Target(hostile.url, None, "ga", None, "hostile — test")
    app = console_app(None, target=target)
    async with app.run_test(size=(140, 40)) as pilot:
        await connected(app)
        tracemalloc.start()
        try:
            for start in range(0, len(kinds_frames), 50):
                batch = [frame for _, frame in kinds_frames[start : start + 50]]
                tally = await feed(hostile, app.client, batch)
                assert all(n >= 1 for n in tally.per_frame), tally.per_frame
                app.render_frame()
                await pilot.pause()
                assert app.is_running
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # Still usable: a good event after the storm is recorded and drawn.
        after = expect(app, lambda payload: payload["event"]["type"] == "fuzz.after")
        await hostile.outbox.put(json.dumps({"type": "fuzz.after", "event_id": "evt_after"}))
        await after
        app.render_frame()
        await pilot.pause()
        assert app.is_running and app.client.is_connected()
        assert app.inspector.store.records[-1].type == "fuzz.after"
    print(f"console: {len(kinds_frames)} raw frames, peak {peak} B")
    assert peak < PEAK_BOUND
