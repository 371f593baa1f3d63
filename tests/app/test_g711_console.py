"""The console's own client (built by the app factory) shows G.711 replies as 24 kHz audio."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from console.simulator import SimulatorServer
from tests.app.conftest import TIMEOUT, console_app


async def test_the_console_client_decodes_g711_replies_with_nothing_lost(
    simulator: SimulatorServer,
) -> None:
    client = console_app(simulator.url).client
    client.update_session(audio={"output": {"format": {"type": "audio/pcmu"}}})
    received: list[bytes] = []
    client.realtime.on(
        "server.response.output_audio.delta",
        lambda event: received.append(base64.b64decode(event["delta"])),
    )
    await client.connect()
    client.send_user_message_content([{"type": "input_text", "text": "hello"}])
    reply: dict[str, Any] | None = None
    while reply is None or reply.get("role") != "assistant":
        event = await client.wait_for_next_completed_item(TIMEOUT)
        assert event is not None
        reply = event["item"]
    await client.disconnect()
    audio = reply["formatted"]["audio"]
    assert len(audio) == 3 * len(b"".join(received))  # three 24 kHz samples per G.711 byte
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 500
