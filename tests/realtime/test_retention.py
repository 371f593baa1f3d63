"""The conversation keeps at most ``max_audio_seconds`` of audio in all, the oldest let go first."""

from __future__ import annotations

import pytest

from console.realtime import RealtimeClient
from console.realtime.retention import AudioRetention
from console.simulator import SimulatorServer


def test_the_oldest_items_release_their_audio_first() -> None:
    retention = AudioRetention(max_seconds=1.0)  # 24,000 samples
    assert retention.note("a", 10_000) == []
    assert retention.note("b", 10_000) == []
    assert retention.note("c", 10_000) == ["a"]
    assert retention.kept_samples == 20_000 and retention.released_items == 1
    assert retention.note("c", 30_000) == ["b"]  # the growing item itself is never released
    assert retention.kept_samples == 30_000
    retention.forget("c")
    assert retention.kept_samples == 0


def test_none_keeps_everything_and_bad_limits_are_refused() -> None:
    retention = AudioRetention(None)
    assert retention.note("a", 10**9) == []
    with pytest.raises(ValueError, match="positive"):
        AudioRetention(0)


async def test_a_long_session_keeps_audio_within_its_limit() -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, max_audio_seconds=3.0)
        await client.connect()
        for turn in range(4):
            client.send_user_message_content(
                [{"type": "input_text", "text": f"Turn {turn}: say something for a while"}]
            )
            await client.wait_for_next_completed_item(timeout=10)
            assert await client.wait_for_next_completed_item(timeout=10)
        items = client.conversation.get_items()
        kept = sum(len(item["formatted"]["audio"]) for item in items)
        retention = client.conversation.retention
        assert kept == retention.kept_samples <= 3 * 24_000
        released = [item for item in items if item["formatted"].get("audio_released")]
        assert released and released[0] is next(i for i in items if i["role"] == "assistant")
        assert all(item["formatted"]["transcript"] for item in released)  # text stays
        await client.disconnect()


async def test_past_max_items_the_oldest_are_let_go_and_late_events_ignored() -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, max_items=10)
        errors: list[dict[str, object]] = []
        client.on("error", errors.append)
        await client.connect()
        first_ids: list[str] = []
        for turn in range(8):  # 16 items
            client.send_user_message_content([{"type": "input_text", "text": f"turn {turn}"}])
            user = await client.wait_for_next_completed_item(timeout=10)
            assert user and await client.wait_for_next_completed_item(timeout=10)
            first_ids.append(user["item"]["id"])
        conversation = client.conversation
        assert len(conversation.get_items()) <= 10 and conversation.forgotten.count >= 6
        assert conversation.get_item(first_ids[0]) is None
        client.realtime.send("conversation.item.delete", {"item_id": first_ids[0]})
        await client.realtime.wait_for_next("server.conversation.item.deleted", 10)
        assert errors == []  # a late event about a forgotten item is not an error
        await client.disconnect()


async def test_responses_are_bounded_like_items() -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url, max_items=10)
        await client.connect()
        for turn in range(14):
            client.send_user_message_content([{"type": "input_text", "text": f"turn {turn}"}])
            await client.wait_for_next_completed_item(timeout=10)
            assert await client.wait_for_next_completed_item(timeout=10)
        conversation = client.conversation
        assert len(conversation.responses) <= 10
        assert set(conversation.response_lookup) == {r["id"] for r in conversation.responses}
        await client.disconnect()
