"""Hostile numbers and audio: NaN and infinities are refused with ``invalid_value`` (never echoed
as non-standard JSON), over-long integers give ``invalid_json`` with no traceback, and PCM16
appends with odd byte counts lose nothing (the odd byte completes a sample with the next
append). Each case leaves the connection working."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from console.simulator import SimulatorServer

from .helpers import Client


async def _connected(server: SimulatorServer, dialect: str = "ga") -> Client:
    client = await Client.connect(server.url, dialect)
    await client.recv_until("session.created")
    return client


async def _still_works(client: Client) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")
    assert (await client.recv_until("response.done"))["response"]["status"] == "completed"


GA_CASES = [
    ({"audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": "NaN"}}}}),
    ({"audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 1e999}}}}),
    ({"audio": {"output": {"speed": "Infinity"}}}),
    ({"audio": {"output": {"speed": "-Infinity"}}}),
    ({"audio": {"input": {"noise_reduction": {"type": "near_field", "strength": "NaN"}}}}),
    ({"tools": [{"type": "function", "name": "f", "parameters": {"default": "NaN"}}]}),
]


@pytest.mark.parametrize("session", GA_CASES)
async def test_non_finite_numbers_refused(
    server: SimulatorServer, session: dict[str, object]
) -> None:
    client = await _connected(server)
    # "NaN" / "Infinity" strings become the bare JSON-ish constants Python would accept.
    raw = json.dumps({"type": "session.update", "session": {"type": "realtime", **session}})
    for constant in ("NaN", "-Infinity", "Infinity"):
        raw = raw.replace(f'"{constant}"', constant)
    await client.send_raw(raw)
    error = await client.error()
    assert error["code"] == "invalid_value", error
    await _still_works(client)
    updated = [e for e in client.received if e["type"] == "session.updated"]
    assert updated == []
    await client.close()


async def test_non_finite_range_check_in_validator() -> None:
    from console.simulator import errors
    from console.simulator import validation as v

    for value in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(errors.RealtimeError) as caught:
            v.number(value, "session.audio.output.speed", 0.25, 1.5)
        assert caught.value.code == "invalid_value"


async def test_huge_integer_is_invalid_json(
    server: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = await _connected(server)
    await client.send_raw('{"type": "response.cancel", "event_id": "e1", "x": ' + "9" * 5000 + "}")
    error = await client.error()
    assert error["code"] == "invalid_json" and error["type"] == "invalid_request_error"
    assert not [r for r in caplog.records if r.exc_info]
    await client.send_raw("[" * 100_000 + "]" * 100_000)
    assert (await client.error())["code"] == "invalid_json"
    await _still_works(client)
    await client.close()


async def test_odd_byte_appends_lose_nothing(server: SimulatorServer) -> None:
    client = await _connected(server)
    await client.send(
        "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
    )
    await client.recv_until("session.updated")
    samples = (np.arange(4801, dtype=np.int64) * 37 % 20000 - 10000).astype("<i2")
    data = samples.tobytes()  # 9602 bytes, sent in odd-sized pieces
    for start in range(0, len(data), 999):
        await client.send(
            "input_audio_buffer.append", audio=base64.b64encode(data[start : start + 999]).decode()
        )
    await client.send("input_audio_buffer.commit")
    committed = await client.recv_until("input_audio_buffer.committed")
    await client.send("conversation.item.retrieve", item_id=committed["item_id"])
    item = (await client.recv_until("conversation.item.retrieved"))["item"]
    got = np.frombuffer(base64.b64decode(item["content"][0]["audio"]), "<i2")
    assert np.array_equal(got, samples)
    await _still_works(client)
    await client.close()


async def test_odd_byte_item_audio_refused(server: SimulatorServer) -> None:
    client = await _connected(server)
    part = {"type": "input_audio", "audio": base64.b64encode(b"\x01\x02\x03").decode()}
    item = {"type": "message", "role": "user", "content": [part]}
    await client.send("conversation.item.create", item=item)
    error = await client.error()
    assert error["code"] == "invalid_value" and error["param"] == "item.content[0].audio"
    await _still_works(client)
    await client.close()
