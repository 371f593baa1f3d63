"""Truncation: past its limit the conversation loses its oldest items from what the model
reads (not from the conversation), the usage shows it, and the cache resets; ``disabled``
fails a response that would overflow the model's context."""

from __future__ import annotations

from typing import Any

import pytest

from console.simulator import SimulatorServer
from console.simulator.conversation import count_tokens
from console.simulator.session import DEFAULT_INSTRUCTIONS
from console.simulator.truncation import AUTO_RETENTION, MAX_OUTPUT_TOKENS, context_window

from .helpers import Client, pcm_b64, tone

LIMIT = 200
RATIO = 0.5
HEAD = count_tokens(DEFAULT_INSTRUCTIONS)


async def turn(client: Client, text: str) -> dict[str, Any]:
    """One user message and a text reply; returns the reply's usage."""
    await client.send(
        "conversation.item.create",
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]},
    )
    await client.send("response.create")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed", done["status_details"]
    return done["usage"]  # type: ignore[no-any-return]


async def session(server: SimulatorServer, truncation: Any) -> Client:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send(
        "session.update",
        session={"type": "realtime", "output_modalities": ["text"], "truncation": truncation},
    )
    echoed = (await client.recv_until("session.updated"))["session"]["truncation"]
    assert echoed == truncation
    return client


async def test_retention_ratio_drops_the_oldest_items(server: SimulatorServer) -> None:
    truncation = {
        "type": "retention_ratio",
        "retention_ratio": RATIO,
        "token_limits": {"post_instructions": LIMIT},
    }
    client = await session(server, truncation)
    usages = []
    for index in range(12):
        usages.append(await turn(client, f"turn {index}: " + "lorem ipsum dolor sit " * 4))
    conversation = [u["input_tokens"] - HEAD for u in usages]
    assert max(conversation) <= LIMIT  # bounded: never more than the limit after instructions
    drops = [i for i in range(1, len(usages)) if conversation[i] < conversation[i - 1]]
    assert drops, conversation  # it fell at a truncation ...
    for i in drops:
        assert conversation[i] <= RATIO * LIMIT  # ... to the retention ratio of the limit
        assert usages[i]["input_token_details"]["cached_tokens"] == 0  # the cache was busted
    growing = [i for i in range(1, len(usages)) if i not in drops]
    for i in growing:  # otherwise the previous response's input is cached
        details = usages[i]["input_token_details"]
        assert details["cached_tokens"] == usages[i - 1]["input_tokens"]
        assert details["cached_tokens_details"]["text_tokens"] == details["cached_tokens"]
    assert usages[0]["input_token_details"]["cached_tokens"] == 0
    # Dropped items are still in the conversation: no delete events, and retrieve finds them.
    assert not [e for e in client.received if e["type"] == "conversation.item.deleted"]
    first = next(e for e in client.received if e["type"] == "conversation.item.done")
    await client.send("conversation.item.retrieve", item_id=first["item"]["id"])
    retrieved = await client.recv_until("conversation.item.retrieved")
    assert retrieved["item"]["content"][0]["text"].startswith("turn 0")
    await client.close()


async def test_auto_and_disabled_against_the_context_window(server: SimulatorServer) -> None:
    """A conversation past the model's window: ``auto`` drops to its retention, ``disabled``
    fails the response and keeps everything."""
    window = context_window("gpt-realtime") - MAX_OUTPUT_TOKENS - HEAD
    chunk = "word " * 6000  # about 7,500 tokens a message
    for truncation in ("auto", "disabled"):
        client = await session(server, truncation)
        for _ in range(3):
            assert (await turn(client, chunk))["input_tokens"] - HEAD <= window
        await client.send(
            "conversation.item.create",
            item={"type": "message", "role": "user",
                  "content": [{"type": "input_text", "text": chunk}]},
        )  # fmt: skip
        await client.send("response.create")
        done = (await client.recv_until("response.done"))["response"]
        if truncation == "auto":
            assert done["status"] == "completed"
            assert done["usage"]["input_tokens"] - HEAD <= AUTO_RETENTION * window
        else:
            assert done["status"] == "failed" and done["output"] == []
            assert done["status_details"]["error"]["code"] == "context_length_exceeded"
            assert done["usage"]["input_tokens"] == 0
        await client.close()


@pytest.mark.parametrize(
    ("truncation", "param"),
    [
        ({"type": "retention_ratio", "retention_ratio": 1.5}, "session.truncation.retention_ratio"),
        ({"type": "retention_ratio"}, "session.truncation.retention_ratio"),
        ({"type": "ratio", "retention_ratio": 0.5}, "session.truncation.type"),
        ({"type": "retention_ratio", "retention_ratio": 0.5, "token_limits": {"post": 1}},
         "session.truncation.token_limits.post"),
        ({"type": "retention_ratio", "retention_ratio": 0.5,
          "token_limits": {"post_instructions": 0}},
         "session.truncation.token_limits.post_instructions"),
        ({"type": "retention_ratio", "retention_ratio": 0.5,
          "token_limits": {"post_instructions": 32_000}},
         "session.truncation.token_limits.post_instructions"),
        ("sometimes", "session.truncation"),
    ],
)  # fmt: skip
async def test_bad_truncation_is_refused(
    server: SimulatorServer, truncation: Any, param: str
) -> None:
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    await client.send("session.update", session={"type": "realtime", "truncation": truncation})
    assert (await client.error())["param"] == param
    await client.close()


async def test_audio_turns_truncate_their_audio_tokens(server: SimulatorServer) -> None:
    """Audio input counts too: the audio token details fall at a truncation."""
    truncation = {
        "type": "retention_ratio",
        "retention_ratio": 0.6,
        "token_limits": {"post_instructions": 100},
    }
    client = await Client.connect(server.url)
    await client.recv_until("session.created")
    audio = {"input": {"turn_detection": None}}
    session = {
        "type": "realtime",
        "output_modalities": ["text"],
        "truncation": truncation,
        "audio": audio,
    }
    await client.send("session.update", session=session)
    await client.recv_until("session.updated")
    details = []
    for _ in range(8):
        await client.send("input_audio_buffer.append", audio=pcm_b64(tone(1.0)))
        await client.send("input_audio_buffer.commit")
        await client.send("response.create")
        done = (await client.recv_until("response.done"))["response"]
        details.append(done["usage"]["input_token_details"])
    audio_tokens = [d["audio_tokens"] for d in details]
    assert audio_tokens[:3] == [20, 40, 60]  # 1 s of audio is 20 tokens
    assert max(audio_tokens) <= 100
    fell = [i for i in range(1, 8) if audio_tokens[i] < audio_tokens[i - 1]]
    assert fell and all(details[i]["cached_tokens"] == 0 for i in fell)
    assert details[1]["cached_tokens_details"]["audio_tokens"] == 20
    await client.close()
