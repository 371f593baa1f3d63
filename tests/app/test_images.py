"""Images in the console: ``--image`` sends one once connected, the palette's "Send image…" asks
for a path (and tells why a file cannot be sent, sending nothing), and the conversation pane
shows an image part as ``[image 640 by 480 PNG, 52 KB]`` (with the multiplication sign) above
the message's text."""

# ruff: noqa: RUF001 (the pane and the replies name sizes with the multiplication sign)
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from console.app.screens.image_input import ImageInputScreen, message_parts
from console.app.widgets.conversation_text import image_label, item_body, item_detail
from console.cli import build_parser
from console.cli.console import console_config as cli_console_config
from console.inspector.connection import Target
from console.realtime import ImageFacts, image_content
from console.realtime.images import MAX_IMAGE_BYTES
from console.simulator import SimulatorServer
from tests.images import GIF, data_url, jpeg, png

from .conftest import (
    client_event,
    connected,
    console_app,
    expect,
    screen_text,
    server_event,
    settled,
    until,
)

PICTURE = png(640, 480)


def label(data: bytes, fmt: str, width: int, height: int) -> str:
    size = f"{len(data)} B" if len(data) < 1000 else f"{round(len(data) / 1000)} KB"
    return f"[image {width}×{height} {fmt}, {size}]"


@pytest.mark.parametrize(
    ("size", "shown"),
    [(812, "812 B"), (53_248, "53 KB"), (999_499, "999 KB"), (999_500, "1.0 MB")],
)
def test_image_label(size: int, shown: str) -> None:
    assert image_label(ImageFacts("PNG", 640, 480, size)) == f"[image 640×480 PNG, {shown}]"
    assert image_label(None) == "[image]"


def test_body_shows_the_images_then_the_text_and_detail_hides_the_base64() -> None:
    url = data_url(PICTURE, "image/png")
    item: dict[str, Any] = {
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_text", "text": "what?"},
            {"type": "input_image", "image_url": url},
        ],
        "formatted": {"text": "what?", "images": [ImageFacts("PNG", 640, 480, 52_000)]},
    }
    assert item_body(item) == "[image 640×480 PNG, 52 KB]\nwhat?"
    detail = item_detail(item)
    assert url[30:90] not in detail
    assert f"<data:image/png;base64, {len(PICTURE):,} bytes>" in detail


async def test_image_option_sends_the_first_message(simulator: SimulatorServer) -> None:
    parts = [{"type": "input_text", "text": "what is it?"}, image_content(PICTURE)]
    app = console_app(simulator.url, first_message=parts)
    async with app.run_test(size=(160, 48)) as pilot:
        await connected(app)
        reply = "I see a 640×480 PNG image. You said: what is it?"
        await until(pilot, lambda: reply in screen_text(app), "the reply")
        text = screen_text(app)
        assert label(PICTURE, "PNG", 640, 480) in text
        assert text.index(label(PICTURE, "PNG", 640, 480)) < text.index("what is it?")


async def test_palette_send_image_tells_why_and_sends_nothing_then_sends(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    gif = tmp_path / "cat.png"  # named .png, but a GIF: the bytes decide
    gif.write_bytes(GIF)
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg(10, 10) + b"\x00" * MAX_IMAGE_BYTES)
    good = tmp_path / "photo.jpg"
    good.write_bytes(jpeg(800, 600))
    app = console_app(simulator.url)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await connected(app)
        sent: list[dict[str, Any]] = []
        app.client.on("client.conversation.item.create", sent.append)
        await pilot.press("ctrl+p")
        await pilot.press(*"Send image")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ImageInputScreen), "the form")
        form = app.screen
        assert isinstance(form, ImageInputScreen)
        for path, words in [
            (gif, "not a PNG or JPEG image"),
            (tmp_path / "missing.png", "No such file"),
            (big, "too large"),
        ]:
            form.path.value = str(path)
            form.path.focus()
            await pilot.press("enter")
            await until(pilot, lambda w=words: w in str(form.status.render()), words)
            await settled(app)
            assert any(words in str(n.message) for n in app._notifications)
            assert isinstance(app.screen, ImageInputScreen) and sent == []
        done = expect(app, server_event("response.done"))
        created = expect(app, client_event("conversation.item.create"))
        form.query_one("#image-input-text", Input).value = "and this?"
        # The refused path stays, selected: what is typed next replaces it (the trial's typing
        # had appended to it).
        await pilot.press(*str(good))
        assert form.path.value == str(good)
        await pilot.press("enter")
        event = (await created)["event"]
        await done
        await until(pilot, lambda: not isinstance(app.screen, ImageInputScreen), "form closed")
        parts = event["item"]["content"]
        assert [p["type"] for p in parts] == ["input_text", "input_image"]
        assert parts[1]["image_url"].startswith("data:image/jpeg;base64,")
        reply = "I see a 800×600 JPEG image. You said: and this?"
        await until(pilot, lambda: reply in screen_text(app), "the reply")
        assert label(jpeg(800, 600), "JPEG", 800, 600) in screen_text(app)


async def test_send_image_not_connected_is_told(tmp_path: Path) -> None:
    good = tmp_path / "photo.png"
    good.write_bytes(PICTURE)
    app = console_app(None, autoconnect=False)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.run_action("screen.send_image")  # as the palette names it
        await until(pilot, lambda: isinstance(app.screen, ImageInputScreen), "the form")
        form = app.screen
        assert isinstance(form, ImageInputScreen)
        form.path.value = str(good)
        await pilot.press("enter")
        await until(pilot, lambda: "Not sent" in str(form.status.render()), "not sent")
        assert isinstance(app.screen, ImageInputScreen)


def test_cli_image_options(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(PICTURE)
    assert message_parts(str(path), " ") == [image_content(PICTURE)]  # blank text: image only
    target = Target("ws://127.0.0.1:9/v1/realtime")
    args = build_parser().parse_args(["--image", str(path), "--image-text", "hi", "--no-audio"])
    parts = cli_console_config(args, target).first_message
    assert parts[0] == {"type": "input_text", "text": "hi"}
    assert parts[1]["image_url"] == data_url(PICTURE, "image/png")
    for argv, words in [
        (["--image", str(tmp_path / "none.png")], "--image: cannot read"),
        (["--image-text", "hi"], "give --image PATH"),
        (["--image", str(path), "--transcription"], "--transcription never does"),
    ]:
        with pytest.raises(ValueError, match=words):
            cli_console_config(build_parser().parse_args([*argv, "--no-audio"]), target)
    assert "--image PATH" in build_parser().format_help()


async def test_a_transcription_session_offers_no_send_image() -> None:
    for options in ({"transcription": True}, {}):
        app = console_app(None, autoconnect=False, **options)
        async with app.run_test(size=(160, 48)):
            offered = app.check_action("screen.send_image", ())
            assert offered is (not options)


async def test_send_image_in_beta_is_refused_in_words(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    good = tmp_path / "photo.png"
    good.write_bytes(PICTURE)
    target = Target(simulator.url, None, "beta", None, "simulator — test")
    app = console_app(None, target=target)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await connected(app)
        sent: list[dict[str, Any]] = []
        app.client.realtime.on("client.*", sent.append)
        await app.run_action("screen.send_image")
        await until(pilot, lambda: isinstance(app.screen, ImageInputScreen), "the form")
        form = app.screen
        assert isinstance(form, ImageInputScreen)
        form.path.value = str(good)
        await pilot.press("enter")
        await until(pilot, lambda: "Not sent" in str(form.status.render()), "not sent")
        await settled(app)
        words = "beta has no image input"
        assert any(words in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, ImageInputScreen) and sent == []  # not even a cancel


async def test_a_refused_image_leaves_the_reply_under_way(slow_simulator: SimulatorServer) -> None:
    target = Target(slow_simulator.url, None, "beta", None, "simulator — test")
    app = console_app(None, target=target)
    async with app.run_test(size=(160, 48), notifications=True):
        await connected(app)
        created = expect(app, server_event("response.created"))
        done = expect(app, server_event("response.done"))
        assert app.send_content([{"type": "input_text", "text": "tell me about the long ships"}])
        await created
        sent: list[dict[str, Any]] = []
        app.client.realtime.on("client.*", sent.append)
        assert not app.send_content([image_content(PICTURE)])
        assert sent == []  # no response.cancel: the reply under way goes on
        assert (await done)["event"]["response"]["status"] == "completed"
