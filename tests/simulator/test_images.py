"""Images in user messages over a real socket: the reply about the image, image tokens by
detail (cached on later turns), retrieval, and the refusals (format, URL, size, header, beta)."""

# ruff: noqa: RUF001 (the replies name sizes with the multiplication sign)
from __future__ import annotations

from typing import Any

import pytest

from console.simulator import SimulatorServer, images
from tests.images import GIF, data_url, jpeg, png

from .helpers import Client


def message(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": list(parts)}


def image_part(url: str, detail: str | None = None) -> dict[str, Any]:
    part = {"type": "input_image", "image_url": url}
    if detail is not None:
        part["detail"] = detail
    return part


async def ga_client(server: SimulatorServer) -> Client:
    client = await Client.connect(server.url, "ga")
    await client.recv_until("session.created")
    await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"]})
    await client.recv_until("session.updated")
    return client


async def turn(client: Client, item: dict[str, Any]) -> dict[str, Any]:
    """Add ``item``, ask for a response; the ``response.done`` response."""
    await client.send("conversation.item.create", item=item)
    await client.recv_until("conversation.item.done")
    await client.send("response.create")
    return (await client.recv_until("response.done"))["response"]


def reply(response: dict[str, Any]) -> str:
    return str(response["output"][0]["content"][0]["text"])


async def test_png_with_text_is_described_and_billed(server: SimulatorServer) -> None:
    client = await ga_client(server)
    url = data_url(png(640, 480), "image/png")
    done = await turn(
        client, message({"type": "input_text", "text": "what is this?"}, image_part(url))
    )
    assert done["status"] == "completed"
    assert reply(done) == "I see a 640×480 PNG image. You said: what is this?"
    details = done["usage"]["input_token_details"]
    assert details["image_tokens"] == 85 + 2 * 170  # auto is high: 2 tiles of 512
    assert details["cached_tokens_details"]["image_tokens"] == 0
    assert done["usage"]["input_tokens"] == (
        details["text_tokens"] + details["audio_tokens"] + details["image_tokens"]
    )
    # A later turn reads the image again, from the cache.
    later = await turn(client, message({"type": "input_text", "text": "and now?"}))
    assert reply(later) == "You said: and now?"
    details = later["usage"]["input_token_details"]
    assert details["image_tokens"] == 425
    assert details["cached_tokens_details"]["image_tokens"] == 425
    # The earlier turn's text is cached too (the simulator's prompt cache): the total breaks out.
    assert details["cached_tokens"] == sum(details["cached_tokens_details"].values())
    assert details["cached_tokens_details"]["text_tokens"] > 0
    await client.close()


@pytest.mark.parametrize(
    ("picture", "mime", "detail", "tokens", "said"),
    [
        (png(640, 480), "image/png", "low", 85, "a 640×480 PNG"),
        (png(640, 480), "image/png", "high", 425, "a 640×480 PNG"),
        (png(4096, 2048, rows=1), "image/png", "high", 85 + 6 * 170, "a 4096×2048 PNG"),
        (jpeg(1024, 1024), "image/jpeg", "auto", 85 + 4 * 170, "a 1024×1024 JPEG"),
        (jpeg(300, 200, padding=5000), "image/jpeg", None, 85 + 170, "a 300×200 JPEG"),
    ],
)
async def test_image_tokens_by_detail(
    server: SimulatorServer,
    picture: bytes,
    mime: str,
    detail: str | None,
    tokens: int,
    said: str,
) -> None:
    client = await ga_client(server)
    done = await turn(client, message(image_part(data_url(picture, mime), detail)))
    assert reply(done) == f"I see {said} image."
    assert done["usage"]["input_token_details"]["image_tokens"] == tokens
    await client.close()


async def test_out_of_band_input_images_are_billed_uncached(server: SimulatorServer) -> None:
    client = await ga_client(server)
    item = message(image_part(data_url(png(100, 100), "image/png"), "low"))
    await client.send("response.create", response={"conversation": "none", "input": [item]})
    done = (await client.recv_until("response.done"))["response"]
    assert reply(done) == "I see a 100×100 PNG image."
    details = done["usage"]["input_token_details"]
    assert (details["image_tokens"], details["cached_tokens_details"]["image_tokens"]) == (85, 0)
    await client.close()


async def test_retrieve_returns_the_image(server: SimulatorServer) -> None:
    client = await ga_client(server)
    url = data_url(jpeg(64, 48), "image/jpeg")
    await client.send("conversation.item.create", item={"id": "img1", **message(image_part(url))})
    await client.recv_until("conversation.item.done")
    await client.send("conversation.item.retrieve", item_id="img1")
    got = (await client.recv_until("conversation.item.retrieved"))["item"]
    assert got["content"] == [{"type": "input_image", "image_url": url}]
    await client.close()


TOO_BIG = png(10, 10) + b"\x00" * images.MAX_IMAGE_BYTES


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (data_url(GIF, "image/gif"), "but got unsupported MIME type 'image/gif'"),
        (data_url(GIF, "image/png"), "not a valid PNG or JPEG image"),
        ("https://example.com/cat.png", "but got a value without the 'data:' prefix"),
        ("data:image/png;base64,", "but got empty base64-encoded bytes"),
        ("data:image/png;base64,%%%", "but got invalid base64-encoded bytes"),
        ("data:image/png,rawbytes", "but got a data URL that is not base64-encoded"),
        (data_url(TOO_BIG, "image/png"), "the limit is 10.5 MB"),
        (data_url(png(8, 8)[:30], "image/png"), "the PNG header is cut short"),
        (data_url(png(8, 8)[:20] + b"\xff" + png(8, 8)[21:], "image/png"), "fails its CRC"),
        (data_url(b"\xff\xd8\xff\xda\x00\x02", "image/jpeg"), "no frame header before"),
    ],
)
async def test_refusals_say_why_and_keep_nothing(
    server: SimulatorServer, url: str, words: str
) -> None:
    client = await ga_client(server)
    part = image_part(url)
    await client.send("conversation.item.create", item=message(part), event_id="evt_img")
    error = await client.error()
    assert error["code"] == "invalid_value"
    assert error["param"] == "item.content[0].image_url"
    assert words in error["message"]
    assert error["event_id"] == "evt_img"
    done = await turn(client, message({"type": "input_text", "text": "still here"}))
    assert reply(done) == "You said: still here"  # the session goes on; no image was kept
    assert done["usage"]["input_token_details"]["image_tokens"] == 0
    await client.close()


async def test_conversation_image_limit(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = data_url(png(32, 32), "image/png")
    monkeypatch.setattr(images, "MAX_CONVERSATION_IMAGE_BYTES", 2 * len(url) + 10)
    client = await ga_client(server)
    for index in range(2):
        item = {"id": f"img{index}", **message(image_part(url))}
        await client.send("conversation.item.create", item=item)
        await client.recv_until("conversation.item.done")
    await client.send("conversation.item.create", item=message(image_part(url)))
    error = await client.error()
    assert "Delete image items first" in error["message"]
    await client.send("conversation.item.delete", item_id="img0")
    await client.recv_until("conversation.item.deleted")
    await client.send("conversation.item.create", item=message(image_part(url)))
    await client.recv_until("conversation.item.done")  # room again once one was deleted
    await client.close()


async def test_beta_has_no_image_input(server: SimulatorServer) -> None:
    client = await Client.connect(server.url, "beta")
    await client.recv_until("session.created")
    url = data_url(png(4, 4), "image/png")
    await client.send("conversation.item.create", item=message(image_part(url)))
    error = await client.error()
    assert error["code"] == "invalid_value"
    assert error["param"] == "item.content[0].type"
    assert "'input_image'" in error["message"]
    await client.close()


async def test_deleted_images_leave_the_bill_and_the_cache(server: SimulatorServer) -> None:
    client = await ga_client(server)
    big = {"id": "img0", **message(image_part(data_url(png(640, 480), "image/png")))}
    first = await turn(client, big)
    assert first["usage"]["input_token_details"]["image_tokens"] == 425
    await client.send("conversation.item.delete", item_id="img0")
    await client.recv_until("conversation.item.deleted")
    small = message(image_part(data_url(png(64, 64), "image/png"), "low"))
    second = (await turn(client, small))["usage"]["input_token_details"]
    assert (second["image_tokens"], second["cached_tokens_details"]["image_tokens"]) == (85, 0)
    await client.send("response.create")
    third = (await client.recv_until("response.done"))["response"]["usage"]["input_token_details"]
    assert (third["image_tokens"], third["cached_tokens_details"]["image_tokens"]) == (85, 85)
    await client.close()
