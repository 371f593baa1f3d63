"""The library's image helper (``image_content``), its header reader against hostile bytes, and
an image sent with ``send_user_message_content`` to the simulator: the reply and
``formatted["images"]``."""

# ruff: noqa: RUF001 (the simulator's replies name sizes with the multiplication sign)
from __future__ import annotations

import base64
import contextlib
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.realtime import RealtimeClient, image_content
from console.realtime.images import MAX_IMAGE_BYTES, ImageFacts, image_facts, probe
from console.simulator import SimulatorServer
from tests.images import GIF, jpeg, png
from tests.realtime.test_conformance import check_client_event


def test_png_from_a_path_named_jpg_is_sent_as_png(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"  # the name lies: the bytes decide
    path.write_bytes(png(640, 480))
    part = image_content(path)
    assert part["type"] == "input_image" and "detail" not in part
    head, payload = part["image_url"].split(",", 1)
    assert head == "data:image/png;base64"
    assert base64.b64decode(payload) == png(640, 480)
    assert image_facts(part) == ImageFacts("PNG", 640, 480, len(png(640, 480)))


def test_jpeg_bytes_with_detail() -> None:
    part = image_content(jpeg(1024, 768), detail="low")
    assert part["image_url"].startswith("data:image/jpeg;base64,")
    assert part["detail"] == "low"
    assert image_facts(part) == ImageFacts("JPEG", 1024, 768, len(jpeg(1024, 768)))


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (GIF, "not a PNG or JPEG image"),
        (b"", "it is empty"),
        (png(8, 8)[:20], "PNG header is missing or cut short"),
        (b"\xff\xd8\xff\xda\x00\x02", "no readable frame size"),
        (png(8, 8) + b"\x00" * MAX_IMAGE_BYTES, "too large: over 10.5 MB"),
    ],
)
def test_refusals_name_the_reason(source: bytes, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        image_content(source)


def test_unreadable_path_and_bad_detail(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot read .*missing\.png: No such file"):
        image_content(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="cannot read"):
        image_content(tmp_path)  # a directory
    with pytest.raises(ValueError, match="detail must be one of auto, low, high"):
        image_content(png(1, 1), detail="medium")


def test_image_facts_of_other_parts_is_none() -> None:
    assert image_facts({"type": "input_text", "text": "hi"}) is None
    assert image_facts({"type": "input_image", "image_url": "https://x/y.png"}) is None
    assert image_facts({"type": "input_image", "image_url": "data:image/png;base64,!!"}) is None


@settings(max_examples=400, deadline=200)
@given(
    prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"\xff\xd8\xff"]),
    body=st.binary(max_size=300),
)
def test_probe_answers_or_raises_value_error(prefix: bytes, body: bytes) -> None:
    try:
        facts = probe(prefix + body)
    except ValueError as exc:
        assert str(exc)
    else:
        assert facts.width > 0 and facts.height > 0


def test_probe_of_hostile_jpeg_is_bounded() -> None:
    hostile = (b"\xff\xd8" + b"\xff" * 2_000_000, b"\xff\xd8" + b"\xff\xfe\x00\x02" * 500_000)
    for data in hostile:
        start = time.perf_counter()
        with contextlib.suppress(ValueError):
            probe(data)
        assert time.perf_counter() - start < 0.05


@pytest.mark.parametrize("detail", ["auto", "low", "high"])
def test_the_part_is_a_valid_ga_client_event(detail: str) -> None:
    """What ``send_user_message_content`` sends validates against the SDK's GA client events,
    with no field the SDK does not know."""
    item = {"type": "message", "role": "user", "content": [image_content(png(2, 2), detail)]}
    check_client_event({"type": "conversation.item.create", "item": item}, "ga")


async def test_send_image_to_the_simulator() -> None:
    async with SimulatorServer(pace="fast") as server:
        client = RealtimeClient(url=server.url)
        client.update_session(output_modalities=["text"])
        await client.connect()
        assert await client.wait_for_session_created(5)
        client.send_user_message_content(
            [{"type": "input_text", "text": "what is it?"}, image_content(png(640, 480))]
        )
        user = await client.wait_for_next_completed_item(5)
        assert user is not None
        formatted = user["item"]["formatted"]
        assert formatted["images"] == [ImageFacts("PNG", 640, 480, len(png(640, 480)))]
        assert formatted["text"] == "what is it?"
        reply = await client.wait_for_next_completed_item(5)
        assert reply is not None
        assert reply["item"]["formatted"]["text"] == (
            "I see a 640×480 PNG image. You said: what is it?"
        )
        await client.disconnect()
