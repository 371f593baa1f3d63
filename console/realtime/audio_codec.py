"""Session audio formats at the edges: the library speaks 24 kHz PCM16, the wire may be G.711.

Audio handed to the library (``append_input_audio``, ``input_audio`` content) and by it
(``formatted.audio``, ``conversation.updated`` deltas) is always ``numpy.int16`` at 24 kHz
mono. A session whose ``input_audio_format`` or ``output_audio_format`` is G.711 (μ-law or
A-law, 8 kHz, one byte a sample) is converted here, on the way out and on the way in:

- ``SessionAudio`` is the client's collaborator: it reads the session's formats when it is
  called, encodes appended audio as one stream (the resampler's state carries across appends,
  so chunk edges are seamless) and decodes each assistant item's audio deltas as one stream.
- ``FirResampler`` is the default 3:1 rate converter, numpy only: a 159-tap Kaiser-windowed
  sinc low-pass (flat to 3 kHz within 0.03 dB, at least 50 dB down from 3.5 kHz, the telephone
  band G.711 carries), run as a polyphase filter in both directions. It is causal: output lags
  input by 79 samples at 24 kHz (3.3 ms) and keeps every sample count exact (8 kHz → 24 kHz
  gives three samples per input sample; 24 kHz → 8 kHz one per three, the remainder carried).
- ``Resampler`` is what an application may inject instead (``RealtimeClient(resampler=...)``,
  a factory such as a class: one instance per stream), e.g. one built on soxr.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .dialects import AudioEncoding, audio_encoding
from .g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from .utils import (
    AudioLike,
    Int16Array,
    array_buffer_to_base64,
    base64_to_array_buffer,
    pcm16_from_bytes,
    to_pcm16,
)

Float64Array = npt.NDArray[np.float64]
RATIO = 3
"""24 kHz / 8 kHz."""


class Resampler(Protocol):
    """A stateful 8 kHz ↔ 24 kHz converter for one stream (int16 mono in and out).

    Each call continues the stream of earlier calls in the same direction; ``to_24k`` should
    return about three samples per input sample and ``from_24k`` about one per three.
    """

    def to_24k(self, samples_8k: Int16Array) -> Int16Array: ...

    def from_24k(self, samples_24k: Int16Array) -> Int16Array: ...


ResamplerFactory = Callable[[], Resampler]
"""Makes a fresh ``Resampler`` for a new stream (a class works)."""


def _design_low_pass(taps: int, cutoff_hz: float, beta: float, rate: int = 24_000) -> Float64Array:
    """A Kaiser-windowed sinc low-pass with unit gain at DC."""
    n = np.arange(taps) - (taps - 1) / 2
    cutoff = 2 * cutoff_hz / rate
    h: Float64Array = cutoff * np.sinc(cutoff * n) * np.kaiser(taps, beta)
    normalised: Float64Array = h / h.sum()
    return normalised


LOW_PASS = _design_low_pass(159, 3250.0, 5.3)
"""The prototype filter at 24 kHz; its length is a multiple of 3 so each phase has 53 taps."""
DELAY_24K = (len(LOW_PASS) - 1) // 2
"""The filter's delay in 24 kHz samples, each way."""


def _to_int16(values: Float64Array) -> Int16Array:
    result: Int16Array = np.clip(np.rint(values), -32768, 32767).astype(np.int16)
    return result


class FirResampler:
    """The default ``Resampler``: a polyphase windowed-sinc filter for the fixed 3:1 ratio.

    One instance holds one stream's state per direction; processing a signal in chunks gives
    exactly what processing it whole gives.
    """

    def __init__(self, taps: Float64Array = LOW_PASS) -> None:
        if len(taps) % RATIO:
            raise ValueError("the filter length must be a multiple of 3")
        self._phase_taps = len(taps) // RATIO
        # Interpolation: output phase p of each input sample uses taps p, p+3, ... (gain 3).
        self._up_phases = [RATIO * taps[p::RATIO] for p in range(RATIO)]
        # Decimation: output m is the filter at input 3m + 2 (the last of its three), computed
        # as three correlations of every third input with every third reversed tap.
        reversed_taps = taps[::-1]
        self._down_phases = [reversed_taps[q::RATIO] for q in range(RATIO)]
        self._up_history: Float64Array = np.zeros(self._phase_taps - 1)
        self._down_history: Float64Array = np.zeros(len(taps) - 1)

    def to_24k(self, samples_8k: Int16Array) -> Int16Array:
        """Three 24 kHz samples per 8 kHz sample, continuing the stream."""
        data = np.concatenate([self._up_history, np.asarray(samples_8k, dtype=np.float64)])
        self._up_history = data[len(data) - (self._phase_taps - 1) :]
        if len(data) < self._phase_taps:
            return np.zeros(0, dtype=np.int16)
        phases = [np.convolve(data, taps, mode="valid") for taps in self._up_phases]
        return _to_int16(np.stack(phases, axis=1).reshape(-1))

    def from_24k(self, samples_24k: Int16Array) -> Int16Array:
        """One 8 kHz sample per three 24 kHz samples; a remainder waits for the next call."""
        data = np.concatenate([self._down_history, np.asarray(samples_24k, dtype=np.float64)])
        count = (len(data) - (RATIO * self._phase_taps - 1)) // RATIO
        if count <= 0:
            self._down_history = data
            return np.zeros(0, dtype=np.int16)
        result = np.zeros(count)
        for offset, taps in enumerate(self._down_phases):
            stream = data[RATIO - 1 + offset :: RATIO]
            result += np.correlate(stream, taps, mode="valid")[:count]
        self._down_history = data[RATIO * count :]
        return _to_int16(result)


class AudioDecoder(Protocol):
    """What ``RealtimeConversation`` needs to turn wire audio into 24 kHz PCM16."""

    def decode_output(self, item_id: str, encoded: str) -> Int16Array:
        """One audio delta (base64) of an assistant item, continuing that item's stream."""
        ...

    def decode_input(self, encoded: str) -> Int16Array:
        """A whole ``input_audio`` clip (base64) of a user item."""
        ...


class Pcm16Decoder:
    """The decoder of a conversation that knows no session: every payload is 24 kHz PCM16."""

    def decode_output(self, item_id: str, encoded: str) -> Int16Array:
        return pcm16_from_bytes(base64_to_array_buffer(encoded))

    def decode_input(self, encoded: str) -> Int16Array:
        return pcm16_from_bytes(base64_to_array_buffer(encoded))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _g711_encode(encoding: AudioEncoding, samples_8k: Int16Array) -> bytes:
    return ulaw_encode(samples_8k) if encoding == "ulaw" else alaw_encode(samples_8k)


def _g711_decode(encoding: AudioEncoding, data: bytes) -> Int16Array:
    return ulaw_decode(data) if encoding == "ulaw" else alaw_decode(data)


class SessionAudio:
    """Converts between 24 kHz PCM16 and a session's wire formats (PCM16, μ-law, A-law).

    ``setting(key)`` returns the session's current ``input_audio_format`` or
    ``output_audio_format`` (either dialect's spelling; ``None`` is PCM16). Assistant streams
    are kept per item, the ``max_output_streams`` most recent ones.
    """

    def __init__(
        self,
        setting: Callable[[str], Any],
        resampler: ResamplerFactory | None = None,
        max_output_streams: int = 16,
    ) -> None:
        self._setting = setting
        self._make_resampler: ResamplerFactory = resampler or FirResampler
        self._max_output_streams = max(1, max_output_streams)
        self._input: tuple[AudioEncoding, Resampler] | None = None
        self._outputs: OrderedDict[str, tuple[AudioEncoding, Resampler]] = OrderedDict()

    def _encoding(self, key: str) -> AudioEncoding:
        return audio_encoding(self._setting(key))

    def encode_input(self, samples: Int16Array) -> str:
        """Base64 of appended 24 kHz samples in the input format, continuing the input stream."""
        encoding = self._encoding("input_audio_format")
        if encoding == "pcm16":
            self._input = None
            return array_buffer_to_base64(samples)
        if self._input is None or self._input[0] != encoding:
            self._input = (encoding, self._make_resampler())
        return _b64(_g711_encode(encoding, self._input[1].from_24k(samples)))

    def encode_clip(self, audio: AudioLike) -> str:
        """Base64 of a whole clip (``input_audio`` content: 24 kHz PCM16 in any accepted form)."""
        encoding = self._encoding("input_audio_format")
        if encoding == "pcm16":
            return array_buffer_to_base64(audio)
        return _b64(_g711_encode(encoding, self._make_resampler().from_24k(to_pcm16(audio))))

    def decode_output(self, item_id: str, encoded: str) -> Int16Array:
        """An assistant audio delta as 24 kHz PCM16, continuing the item's stream."""
        raw = base64_to_array_buffer(encoded)
        encoding = self._encoding("output_audio_format")
        if encoding == "pcm16":
            return pcm16_from_bytes(raw)
        stream = self._outputs.get(item_id)
        if stream is None or stream[0] != encoding:
            stream = self._outputs[item_id] = (encoding, self._make_resampler())
            while len(self._outputs) > self._max_output_streams:
                self._outputs.popitem(last=False)
        self._outputs.move_to_end(item_id)
        return stream[1].to_24k(_g711_decode(encoding, raw))

    def decode_input(self, encoded: str) -> Int16Array:
        """A user item's ``input_audio`` clip (in the input format) as 24 kHz PCM16."""
        raw = base64_to_array_buffer(encoded)
        encoding = self._encoding("input_audio_format")
        if encoding == "pcm16":
            return pcm16_from_bytes(raw)
        return self._make_resampler().to_24k(_g711_decode(encoding, raw))

    def reset(self) -> None:
        """Forget every stream's state (a new session)."""
        self._input = None
        self._outputs.clear()
