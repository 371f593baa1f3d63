"""Images for user messages: ``image_content`` builds an ``input_image`` part from a file or
bytes, ``image_facts`` reads a part's format and size back for display, and
``check_image_dialect`` refuses images in the beta dialect (its server has no image input: it
answers ``invalid_value`` for the part and the response still goes out).

OpenAI's realtime models take PNG and JPEG images as base64 data URLs (the SDK's
``RealtimeConversationItemUserMessage``: "Supported formats are PNG and JPEG"). The format is
sniffed from the bytes, never the file name, and the size read from the header (PNG's IHDR,
JPEG's first SOFn) without decoding the picture; the reader is bounded whatever the bytes say.
OpenAI documents no size limit for realtime images; events are limited to about 15 MB, so
``MAX_IMAGE_BYTES`` (10 MiB, 14 MB as base64) is the largest image sent, with room for the rest
of the event. The simulator has its own reader (``console.simulator.image_header``): the two
sides of the protocol share no code. No Textual here.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from dataclasses import dataclass
from typing import Any

MAX_IMAGE_BYTES = 10 * 1024 * 1024
DETAILS = ("auto", "low", "high")
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_PNG = b"\x89PNG\r\n\x1a\n"
_MAX_SEGMENTS = 1024
_MAX_FILL = 64
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_NO_LENGTH = frozenset(range(0xD0, 0xD8)) | {0x01}


@dataclass(frozen=True)
class ImageFacts:
    """An image's ``format`` ("PNG" or "JPEG"), ``width`` and ``height`` in pixels and ``size``
    in bytes."""

    format: str
    width: int
    height: int
    size: int


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ValueError("its PNG header is missing or cut short")
    width, height = struct.unpack(">II", data[16:24])
    if not (width and height) or max(width, height) >= 2**31:
        raise ValueError(f"its PNG header gives an impossible size ({width} by {height})")
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    for _ in range(_MAX_SEGMENTS):
        fill = 0
        while pos < len(data) and data[pos] == 0xFF and fill <= _MAX_FILL:
            pos, fill = pos + 1, fill + 1
        if not fill or fill > _MAX_FILL or pos + 3 > len(data):
            break
        marker = data[pos]
        if marker in _NO_LENGTH:
            pos += 1
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA):
            break  # image data (or its end) before any frame header
        (length,) = struct.unpack(">H", data[pos + 1 : pos + 3])
        if marker in _SOF and length >= 8 and pos + 8 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 4 : pos + 8])
            if width and height:
                return width, height
            break
        if length < 2:
            break
        pos += 1 + length
    raise ValueError("its JPEG header has no readable frame size")


def probe(data: bytes) -> ImageFacts:
    """Format and size of PNG or JPEG bytes; ``ValueError`` naming why for anything else."""
    if data.startswith(_PNG):
        return ImageFacts("PNG", *_png_size(data), len(data))
    if data.startswith(b"\xff\xd8"):
        return ImageFacts("JPEG", *_jpeg_size(data), len(data))
    if not data:
        raise ValueError("it is empty")
    raise ValueError("it is not a PNG or JPEG image (the realtime API takes only those)")


def _size_words(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def image_content(source: str | os.PathLike[str] | bytes, detail: str = "auto") -> dict[str, str]:
    """An ``input_image`` content part (a data URL) from a file path or the image's bytes.

    Raises ``ValueError`` naming the reason: a file that cannot be read, an image larger than
    ``MAX_IMAGE_BYTES``, bytes that are not PNG or JPEG or whose header is unreadable, or a
    ``detail`` other than auto, low or high.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    if isinstance(source, bytes | bytearray | memoryview):
        data, name = bytes(source), "the image"
    else:
        name = os.fspath(source)
        try:
            with open(name, "rb") as file:
                data = file.read(MAX_IMAGE_BYTES + 1)  # bounded, whatever the file's size
        except OSError as exc:
            raise ValueError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(
            f"{name} is too large: over {_size_words(MAX_IMAGE_BYTES)} "
            f"(the most a realtime event carries is about 15 MB as base64)"
        )
    try:
        facts = probe(data)
    except ValueError as exc:
        raise ValueError(f"{name} cannot be sent: {exc}") from None
    encoded = base64.b64encode(data).decode("ascii")
    part = {"type": "input_image", "image_url": f"data:{MIME_TYPES[facts.format]};base64,{encoded}"}
    if detail != "auto":
        part["detail"] = detail
    return part


def image_facts(part: Any) -> ImageFacts | None:
    """What an ``input_image`` part holds, read from its data URL (None when it is not one, or
    does not hold a PNG or JPEG this can read)."""
    if not isinstance(part, dict) or part.get("type") != "input_image":
        return None
    url = part.get("image_url")
    if not isinstance(url, str) or not url.startswith("data:"):
        return None
    head, _, payload = url.partition(",")
    if ";base64" not in head:
        return None
    try:
        return probe(binascii.a2b_base64(payload))
    except (ValueError, binascii.Error):
        return None


def check_image_dialect(dialect: str, parts: list[dict[str, Any]]) -> None:
    """``ValueError`` if ``parts`` hold an ``input_image`` and ``dialect`` is beta."""
    if dialect == "beta" and any(part.get("type") == "input_image" for part in parts):
        raise ValueError("images are part of the GA protocol; beta has no image input")
