"""Tiny PNG, JPEG and GIF files built byte by byte (no image library): what image tests send."""

from __future__ import annotations

import base64
import struct
import zlib


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A valid greyscale PNG of ``width`` by ``height`` (only ``rows`` rows of pixel data when set,
    which keeps huge sizes small: the header is all a size reader needs)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    count = height if rows is None else rows
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(count)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int, *, padding: int = 0) -> bytes:
    """A JPEG's headers up to its frame: SOI, an APP0 (JFIF) segment, a comment of ``padding``
    bytes, a quantisation table, then SOF0 with the size, and EOI (no scan: size readers stop
    at the frame header)."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    segments = [(0xE0, app0)]
    if padding:
        segments.append((0xFE, b"x" * padding))
    segments.append((0xDB, b"\x00" + bytes(range(1, 65))))
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    segments.append((0xC0, sof))
    out = b"\xff\xd8"
    for marker, body in segments:
        out += bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body
    return out + b"\xff\xd9"


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"


def data_url(data: bytes, mime: str) -> str:
    """``data:<mime>;base64,…``."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
