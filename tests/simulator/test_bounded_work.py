"""Bounded work: no client can make the simulator block other connections or generate without
limit. Huge messages get bounded replies (text-only replies synthesise no audio, audio is made a
word at a time between yields), hostile tool schemas are refused at ``session.update`` with
``invalid_value``, and every hostile case leaves the connection working."""

from __future__ import annotations

import time

import pytest

from console.simulator import SimulatorServer, responder, voice

from .helpers import Client


async def _connected(srv: SimulatorServer, dialect: str = "ga") -> Client:
    client = await Client.connect(srv.url, dialect)
    await client.recv_until("session.created")
    return client


async def _say(client: Client, text: str) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await client.send("conversation.item.create", item=item)
    await client.send("response.create")


async def _ping(client: Client) -> float:
    """A short text exchange; returns how long it took."""
    started = time.monotonic()
    await _say(client, "ping")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    return time.monotonic() - started


def _distinct_words(size: int) -> str:
    words, n = [], 0
    while sum(len(w) + 1 for w in words) < size:
        words.append("w" + "".join("aeiou"[int(d) % 5] + "bcdfg"[int(d) // 2] for d in str(n)))
        n += 1
    return " ".join(words)


async def test_text_only_reply_synthesises_no_audio(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_synthesis(*args: object, **kwargs: object) -> None:
        raise AssertionError("text-only replies must not synthesise audio")

    monkeypatch.setattr(voice, "_word_audio", no_synthesis)
    client = await _connected(server)
    await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"]})
    await client.recv_until("session.updated")
    await _say(client, "hello there")
    done = (await client.recv_until("response.done"))["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0]["text"] == "You said: hello there"
    await client.close()


@pytest.mark.parametrize("modality", ["text", "audio"])
async def test_huge_message_bounded_and_others_not_blocked(
    server: SimulatorServer, modality: str
) -> None:
    big = _distinct_words(35_000)
    hostile = await _connected(server)
    other = await _connected(server)
    await hostile.send(
        "session.update", session={"type": "realtime", "output_modalities": [modality]}
    )
    await hostile.recv_until("session.updated")
    await _say(hostile, big)
    await hostile.recv_until("response.created")
    assert await _ping(other) < 1.0  # not stalled behind the hostile reply
    done = (await hostile.recv_until("response.done", timeout=10))["response"]
    part = done["output"][0]["content"][0]
    said = part.get("text") or part.get("transcript") or ""
    assert said.startswith("You said: w")
    assert len(said) <= responder.MAX_REPLY_CHARS + 2
    await _ping(hostile)
    await hostile.close()
    await other.close()
