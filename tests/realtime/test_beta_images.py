"""The beta dialect has no image input: ``send_user_message_content`` with an ``input_image``
part raises a ``ValueError`` that says so, before anything is sent (no message, no
``response.create``), against the simulator speaking beta over a real socket."""

from __future__ import annotations

from typing import Any

import pytest

from console.realtime import RealtimeClient, image_content
from console.simulator import SimulatorServer
from tests.images import png


async def test_beta_refuses_an_image_before_sending() -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, dialect="beta")
        client.update_session(modalities=["text"])
        await client.connect()
        assert await client.wait_for_session_created(5)
        sent: list[dict[str, Any]] = []
        client.realtime.on("client.conversation.item.create", sent.append)
        client.realtime.on("client.response.create", sent.append)
        parts = [{"type": "input_text", "text": "what is it?"}, image_content(png(64, 48))]
        with pytest.raises(ValueError, match="beta has no image input"):
            client.send_user_message_content(parts)
        assert sent == []
        client.send_user_message_content([{"type": "input_text", "text": "hello"}])
        user = await client.wait_for_next_completed_item(5)
        assert user is not None and user["item"]["formatted"]["text"] == "hello"
        assert [e["type"] for e in sent] == ["conversation.item.create", "response.create"]
        await client.disconnect()
