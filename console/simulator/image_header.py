"""Width and height of a PNG or JPEG from its header, without decoding the image, and what the
image costs in tokens.

The readers are bounded whatever the bytes say: PNG reads the fixed 33-byte signature and IHDR
chunk (its CRC checked); JPEG walks segment markers by their lengths (never byte by byte through
a segment) to the first start-of-frame (SOFn), giving up after :data:`MAX_SEGMENTS` segments or
:data:`MAX_FILL_BYTES` padding bytes in a row. A hostile header costs a few thousand steps at
most. This is the simulator's own reader: the client library has another (``console.realtime``
and the simulator never share code, so each side catches the other's mistakes).

Image tokens follow OpenAI's vision guide for the GPT-4o-class models, which the realtime models
are (their pages list image input and its price, not a formula of their own): ``low`` detail is
85 tokens; ``high`` (and ``auto``, which "defaults to high" in the SDK's docstring) scales the
image to fit a 2048-pixel square, then its shortest side down to 768, and counts 170 per
512-pixel tile plus 85.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8"
MAX_SEGMENTS = 1024
MAX_FILL_BYTES = 64
MAX_SIDE = 2**31 - 1  # PNG's own limit; JPEG's is 65535
TIMES = "\u00d7"  # the multiplication sign of sizes ("640 by 480" written the short way)
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # DHT, JPG and DAC are not SOFn
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM carry no length

BASE_TOKENS = 85
TILE_TOKENS = 170
TILE = 512
FIT = 2048
SHORT_SIDE = 768


class HeaderError(ValueError):
    """The bytes are not a PNG or JPEG whose size can be read; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    """What the simulator knows of an image: ``format`` ("PNG"/"JPEG"), size in pixels, its
    byte count, the detail asked for and the tokens it costs as input."""

    format: str
    width: int
    height: int
    size: int
    detail: str = "auto"
    tokens: int = 0


def sniff(data: bytes) -> str | None:
    """The format, "PNG" or "JPEG", from the first bytes (None for anything else)."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(JPEG_SOI):
        return "JPEG"
    return None


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, which must come first."""
    if len(data) < 33:
        raise HeaderError("the PNG header is cut short")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise HeaderError("the PNG does not start with an IHDR chunk")
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) != crc:
        raise HeaderError("the PNG's IHDR chunk fails its CRC check")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise HeaderError(f"the PNG says it is {width}{TIMES}{height} pixels")
    return width, height


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's first start-of-frame segment."""
    if not data.startswith(JPEG_SOI):
        raise HeaderError("the JPEG does not start with a start-of-image marker")
    pos = 2
    for _ in range(MAX_SEGMENTS):
        if pos >= len(data) or data[pos] != 0xFF:
            raise HeaderError("the JPEG's segments end before a frame header")
        fill = 0
        while pos < len(data) and data[pos] == 0xFF:
            pos, fill = pos + 1, fill + 1
            if fill > MAX_FILL_BYTES:
                raise HeaderError("the JPEG has a run of padding bytes where a marker should be")
        if pos >= len(data):
            raise HeaderError("the JPEG's segments end before a frame header")
        marker = data[pos]
        pos += 1
        if marker in _STANDALONE:
            continue
        if marker in (0xD9, 0xDA, 0xD8, 0x00):  # EOI, SOS, SOI again, stuffed byte
            raise HeaderError("the JPEG has no frame header before its image data")
        if pos + 2 > len(data):
            raise HeaderError("the JPEG's segments end before a frame header")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2:
            raise HeaderError("the JPEG has a segment of impossible length")
        if marker in _SOF_MARKERS:
            if length < 8 or pos + 7 > len(data):
                raise HeaderError("the JPEG's frame header is cut short")
            height, width = struct.unpack(">HH", data[pos + 3 : pos + 7])
            if width == 0 or height == 0:
                raise HeaderError(f"the JPEG's frame header says {width}{TIMES}{height} pixels")
            return width, height
        pos += length
    raise HeaderError(f"the JPEG has no frame header in its first {MAX_SEGMENTS} segments")


def read_size(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) of PNG or JPEG bytes; :class:`HeaderError` says why not."""
    kind = sniff(data)
    if kind == "PNG":
        return (kind, *png_size(data))
    if kind == "JPEG":
        return (kind, *jpeg_size(data))
    raise HeaderError("the bytes are neither a PNG nor a JPEG image")


def image_tokens(width: int, height: int, detail: str) -> int:
    """Input tokens of a ``width`` by ``height`` image at ``detail`` (module docstring)."""
    if detail == "low":
        return BASE_TOKENS
    w, h = width, height
    if max(w, h) > FIT:
        scale = FIT / max(w, h)
        w, h = round(w * scale), round(h * scale)
    if min(w, h) > SHORT_SIDE:
        scale = SHORT_SIDE / min(w, h)
        w, h = round(w * scale), round(h * scale)
    tiles = math.ceil(w / TILE) * math.ceil(h / TILE)
    return BASE_TOKENS + TILE_TOKENS * tiles
