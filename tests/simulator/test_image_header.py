"""The simulator's PNG/JPEG header reader against hostile bytes: it answers or raises
``HeaderError``, never anything else, and a header built to make it work hard costs nothing."""

from __future__ import annotations

import contextlib
import struct
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from console.simulator.image_header import HeaderError, image_tokens, read_size
from tests.images import jpeg, png

PREFIXES = st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"\xff\xd8\xff"])


@settings(max_examples=400, deadline=200)
@given(prefix=PREFIXES, body=st.binary(max_size=300))
def test_any_bytes_answer_or_refuse(prefix: bytes, body: bytes) -> None:
    try:
        kind, width, height = read_size(prefix + body)
    except HeaderError as exc:
        assert str(exc)
    else:
        assert kind in ("PNG", "JPEG")
        assert width > 0 and height > 0


@settings(max_examples=200, deadline=200)
@given(width=st.integers(1, 65535), height=st.integers(1, 65535), padding=st.integers(0, 3000))
def test_sizes_read_back(width: int, height: int, padding: int) -> None:
    assert read_size(jpeg(width, height, padding=padding)) == ("JPEG", width, height)
    assert read_size(png(width, height, rows=0)) == ("PNG", width, height)


@settings(max_examples=100, deadline=200)
@given(segments=st.lists(st.tuples(st.integers(0xE0, 0xEF), st.integers(2, 40)), max_size=200))
def test_jpeg_segment_walk_refuses_or_reads(segments: list[tuple[int, int]]) -> None:
    data = b"\xff\xd8" + b"".join(
        bytes([0xFF, marker]) + struct.pack(">H", length) + b"\x00" * (length - 2)
        for marker, length in segments
    )
    try:
        read_size(data)
    except HeaderError as exc:
        assert "frame header" in str(exc)


def test_hostile_jpeg_costs_nothing() -> None:
    """A megabyte of padding bytes, or of empty segments: refused in milliseconds."""
    hostile = [
        b"\xff\xd8" + b"\xff" * 1_000_000,
        b"\xff\xd8" + b"\xff\xfe\x00\x02" * 250_000,
        b"\xff\xd8" + b"\xff\x01" * 500_000,  # standalone markers only
    ]
    for data in hostile:
        start = time.perf_counter()
        with contextlib.suppress(HeaderError):
            read_size(data)
        assert time.perf_counter() - start < 0.05


def test_image_tokens_formula() -> None:
    assert image_tokens(4096, 8192, "low") == 85
    assert image_tokens(1024, 1024, "high") == 765  # the vision guide's examples
    assert image_tokens(2048, 4096, "high") == 1105
    assert image_tokens(1, 1, "auto") == 255
