"""PCM16/base64 helpers: exact values, views with offsets, clear errors."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from console.realtime import AudioFormatError, RealtimeUtils
from console.realtime.utils import (
    ID_ALPHABET,
    array_buffer_to_base64,
    base64_to_pcm16,
    float_to_16bit_pcm,
    generate_id,
    merge_int16_arrays,
    to_pcm16,
)


def test_float_to_pcm16_matches_the_reference_scaling() -> None:
    samples = np.array([-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, np.nan], dtype=np.float32)
    assert float_to_16bit_pcm(samples).tolist() == [
        -32768,
        -32768,
        -16384,
        0,
        16383,
        32767,
        32767,
        0,
    ]


def test_base64_round_trip_is_little_endian() -> None:
    samples = np.array([1, -2, 32767, -32768], dtype=np.int16)
    encoded = array_buffer_to_base64(samples)
    assert base64.b64decode(encoded) == b"\x01\x00\xfe\xff\xff\x7f\x00\x80"
    assert base64_to_pcm16(encoded).tolist() == samples.tolist()


def test_views_with_offsets_encode_only_their_samples() -> None:
    whole = np.arange(10, dtype=np.int16)
    view = whole[3:6]
    assert base64_to_pcm16(array_buffer_to_base64(view)).tolist() == [3, 4, 5]
    strided = whole[::3]
    assert to_pcm16(strided).tolist() == [0, 3, 6, 9]
    memory = memoryview(whole.tobytes())[4:8]
    assert to_pcm16(memory).tolist() == [2, 3]


def test_odd_byte_counts_give_a_clear_error() -> None:
    with pytest.raises(AudioFormatError, match="even number of bytes"):
        to_pcm16(b"\x00\x01\x02")
    with pytest.raises(AudioFormatError, match="even number of bytes"):
        base64_to_pcm16(base64.b64encode(b"abc").decode())
    with pytest.raises(AudioFormatError, match="invalid base64"):
        base64_to_pcm16("not base64!")


def test_other_inputs() -> None:
    assert to_pcm16(np.array([0.5, -0.5], dtype=np.float64)).tolist() == [16383, -16384]
    assert to_pcm16(np.array([[1, 2], [3, 4]], dtype=np.int32)).tolist() == [1, 2, 3, 4]
    with pytest.raises(AudioFormatError, match="out of int16 range"):
        to_pcm16(np.array([70000], dtype=np.int32))
    with pytest.raises(AudioFormatError, match="not list"):
        to_pcm16([1, 2])  # type: ignore[arg-type]


def test_merge_and_ids() -> None:
    merged = merge_int16_arrays(np.array([1], dtype=np.int16), b"\x02\x00")
    assert merged.dtype == np.int16 and merged.tolist() == [1, 2]
    event_id = generate_id("evt_")
    assert len(event_id) == 21 and event_id.startswith("evt_")
    assert set(event_id[4:]) <= set(ID_ALPHABET)
    assert len(generate_id("x", 5)) == 5
    with pytest.raises(ValueError, match="longer than"):
        generate_id("toolong", 3)
    assert RealtimeUtils.generate_id("evt_").startswith("evt_")
