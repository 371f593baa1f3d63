"""A short soak (bench/soak.py, 2 simulated minutes, a few seconds of wall time): voice turns
with server_vad and audio replies, tool calls and interruptions through the headless console.
No asyncio task or file descriptor outlives the app, and the recording holds every event."""

from __future__ import annotations

from pathlib import Path

from bench.soak import run_soak


async def test_a_short_soak_leaks_nothing_and_records_every_event(tmp_path: Path) -> None:
    figures = await run_soak(120, tmp_path, warmup_s=20)
    assert figures["tasks_after"] <= figures["tasks_before"], figures
    assert figures["fds_after"] <= figures["fds_before"], figures
    assert figures["tasks_end"] <= figures["tasks_after_warmup"] + 5, figures
    assert figures["recorded_events"] == figures["store_total"] > 1000, figures
    assert figures["response.done"] >= 30 and figures["item.function_call"] >= 3, figures
    assert figures["status.cancelled"] >= 1, figures  # the interruptions landed
