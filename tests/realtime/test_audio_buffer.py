"""Streamed audio is appended without copying and joined when read, cached until the next chunk.

``Pcm16Buffer`` keeps chunks and joins them on ``view``; ``Formatted`` (an item's ``formatted``)
does that for an assistant item's audio, and every way of reading the dict sees all of it.
"""

from __future__ import annotations

import base64
import copy
import json
import pickle

import numpy as np
import pytest

from console.realtime import Pcm16Buffer, RealtimeConversation
from console.realtime.formatted import Formatted


def chunk(value: int, samples: int = 240) -> np.ndarray:
    return np.full(samples, value, dtype=np.int16)


def test_appends_are_not_joined_until_read_and_reads_are_cached() -> None:
    buffer = Pcm16Buffer()
    for value in range(1, 101):
        buffer.append(chunk(value))
    assert len(buffer) == 24_000 and buffer.unjoined == 24_000  # nothing copied yet
    first = buffer.view()
    assert buffer.unjoined == 0 and len(first) == 24_000
    assert first[::240].tolist() == list(range(1, 101))
    again = buffer.view()
    assert again.__array_interface__["data"] == first.__array_interface__["data"]  # cached
    buffer.append(chunk(101))
    assert buffer.unjoined == 240 and len(buffer) == 24_240
    grown = buffer.view()
    assert grown[-1] == 101 and first[-1] == 100  # the earlier view is intact


def test_a_stream_read_once_is_joined_into_an_exact_array() -> None:
    buffer = Pcm16Buffer()
    for value in range(10):
        buffer.append(chunk(value))
    joined = buffer.view()
    assert joined.base is not None and len(joined.base) == 2400  # no spare room
    buffer.append(chunk(10))
    assert len(buffer.compact()) == 2640
    compact = buffer.compact()
    assert compact.base is None or len(compact.base) == 2640


def test_drops_truncates_and_clears_see_unjoined_chunks() -> None:
    buffer = Pcm16Buffer()
    for value in range(5):
        buffer.append(chunk(value, 100))
    buffer.drop_front(150)
    assert len(buffer) == 350 and buffer.view()[0] == 1
    buffer.append(chunk(9, 100))
    view = buffer.view()
    buffer.truncate(120)
    assert buffer.view().tolist() == [1] * 50 + [2] * 70
    assert len(view) == 450  # old views stay intact
    buffer.append(chunk(7, 10))
    buffer.clear()
    assert len(buffer) == 0 and buffer.unjoined == 0 and len(buffer.view()) == 0


def streaming_item(deltas: int = 50) -> tuple[RealtimeConversation, dict]:
    """A conversation with one assistant item that received ``deltas`` chunks of 240 samples."""
    conversation = RealtimeConversation()
    conversation.process_event(
        {"type": "response.created", "response": {"id": "resp_1", "output": []}}
    )
    item = {"id": "item_1", "type": "message", "role": "assistant", "content": []}
    conversation.process_event(
        {"type": "response.output_item.added", "response_id": "resp_1", "item": item}
    )
    conversation.process_event({"type": "conversation.item.added", "item": item})
    for value in range(deltas):
        data = chunk(value).astype("<i2").tobytes()
        conversation.process_event(
            {
                "type": "response.output_audio.delta",
                "item_id": "item_1",
                "delta": base64.b64encode(data).decode(),
            }
        )
    stored = conversation.get_item("item_1")
    assert stored is not None
    return conversation, stored


def test_deltas_are_not_joined_until_the_audio_is_read() -> None:
    _, item = streaming_item()
    formatted = item["formatted"]
    assert isinstance(formatted, Formatted)
    assert formatted.audio_samples() == 12_000
    stream = formatted._stream
    assert stream is not None and stream.unjoined == 12_000  # 50 deltas, no join yet
    assert len(formatted["audio"]) == 12_000 and stream.unjoined == 0


READS = {
    "getitem": lambda f: f["audio"],
    "get": lambda f: f.get("audio"),
    "dict": lambda f: dict(f)["audio"],
    "unpack": lambda f: {**f}["audio"],
    "items": lambda f: dict(f.items())["audio"],
    "values": lambda f: next(v for v in f.values() if isinstance(v, np.ndarray)),
    "iteration": lambda f: {key: f[key] for key in f}["audio"],
    "copy": lambda f: f.copy()["audio"],
    "copy.copy": lambda f: copy.copy(f)["audio"],
    "deepcopy": lambda f: copy.deepcopy(f)["audio"],
    "pickle": lambda f: pickle.loads(pickle.dumps(f))["audio"],
    "json": lambda f: json.loads(json.dumps(f, default=lambda a: a.tolist()))["audio"],
}


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_every_way_of_reading_formatted_sees_all_the_audio(read) -> None:
    _, item = streaming_item(20)
    audio = read(item["formatted"])
    assert len(audio) == 4800 and list(audio[::240]) == list(range(20))
    assert "4800" in repr(len(item["formatted"]["audio"]))


def test_assigning_audio_replaces_the_stream_whichever_way() -> None:
    _, item = streaming_item(4)
    formatted = item["formatted"]
    formatted["audio"] = chunk(1, 10)
    formatted.stream_audio(chunk(2, 10))
    assert formatted["audio"].tolist() == [1] * 10 + [2] * 10
    formatted.stream_audio(chunk(3, 10))
    formatted.update(audio=chunk(4, 5))  # dict.update bypasses __setitem__
    assert formatted["audio"].tolist() == [4] * 5 and formatted.audio_samples() == 5


def finish(conversation: RealtimeConversation, item: dict) -> None:
    done = {key: value for key, value in item.items() if key != "formatted"}
    done["status"] = "completed"
    conversation.process_event({"type": "response.output_item.done", "item": done})


def exact(audio: np.ndarray) -> bool:
    return audio.base is None or len(audio.base) == len(audio)


def test_a_finished_item_read_while_streaming_keeps_one_exact_array() -> None:
    conversation, item = streaming_item(30)
    assert len(item["formatted"]["audio"]) == 7200  # read mid-stream: storage with room
    conversation.process_event(
        {
            "type": "response.output_audio.delta",
            "item_id": "item_1",
            "delta": base64.b64encode(chunk(30).astype("<i2").tobytes()).decode(),
        }
    )
    finish(conversation, item)
    audio = item["formatted"]["audio"]
    assert len(audio) == 7440 and exact(audio) and item["formatted"]._stream is None


def test_a_finished_item_never_read_is_joined_exactly_on_its_first_read() -> None:
    conversation, item = streaming_item(30)
    finish(conversation, item)
    assert item["formatted"]._stream.unjoined == 7200  # no copy at the end of the stream
    audio = item["formatted"]["audio"]
    assert len(audio) == 7200 and exact(audio)
