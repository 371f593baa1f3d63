"""Bounded memory: the input audio buffer has a cap (the error says so, the connection keeps
working), and a closed connection is freed at once by reference counting (no reference cycles
waiting for the cycle collector)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from console.simulator import SimulatorServer, input_audio
from console.simulator import server as server_module

from .helpers import Client, pcm_b64, silence, tone


async def _connected(srv: SimulatorServer, dialect: str = "ga") -> Client:
    client = await Client.connect(srv.url, dialect)
    await client.recv_until("session.created")
    return client


async def _text_exchange(client: Client) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")
    assert (await client.recv_until("response.done"))["response"]["status"] == "completed"


async def test_manual_buffer_is_capped(server: SimulatorServer) -> None:
    client = await _connected(server)
    update = {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    await client.send("session.update", session=update)
    await client.recv_until("session.updated")
    minute = pcm_b64(silence(60.0))
    limit_minutes = input_audio.MAX_BUFFER_MS // 60_000
    for _ in range(limit_minutes):
        await client.send("input_audio_buffer.append", audio=minute)
    await client.send("input_audio_buffer.append", audio=minute, event_id="over")
    error = await client.error()
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "input_audio_buffer_too_large"
    assert error["event_id"] == "over"
    assert "15 minutes" in error["message"]
    await client.send("input_audio_buffer.clear")
    await client.recv_until("input_audio_buffer.cleared")
    await client.send("input_audio_buffer.append", audio=pcm_b64(tone(0.5)))
    await client.send("input_audio_buffer.commit")
    await client.recv_until("input_audio_buffer.committed")
    await _text_exchange(client)
    await client.close()


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_closed_connection_freed_without_gc(
    server: SimulatorServer, dialect: str, monkeypatch: pytest.MonkeyPatch, no_gc: None
) -> None:
    freed = asyncio.Event()
    made: list[weakref.finalize[Any, Any]] = []

    class Tracked(server_module.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(weakref.finalize(self, freed.set))

    monkeypatch.setattr(server_module, "Connection", Tracked)
    client = await _connected(server, dialect)
    await client.send("input_audio_buffer.append", audio=pcm_b64(tone(2.0)))
    await client.send("input_audio_buffer.append", audio=pcm_b64(silence(1.0)))
    await client.recv_until("response.done")  # a server-VAD turn, its response
    await _text_exchange(client)
    await client.send("conversation.item.delete", item_id="missing")  # an error path too
    await client.error()
    await client.close()
    assert len(made) == 1
    await asyncio.wait_for(freed.wait(), 5.0)
