"""Growable PCM16 stores: assistant audio accumulation and the client's input audio buffer.

The reference client concatenated a new ``Int16Array`` on every audio delta, so a long response
copied all earlier audio per delta (quadratic), and its input buffer grew for the whole session
in VAD mode (its defect 8, issue #87). These stores append in amortised O(chunk) time and the
input buffer keeps a bounded window addressed by absolute sample positions, so VAD offsets stay
aligned after manual commits and trimming.
"""

from __future__ import annotations

import numpy as np

from .utils import SAMPLE_RATE, Int16Array, ms_to_samples


class Pcm16Buffer:
    """Int16 samples: an append is a list append; a read joins what arrived since the last one.

    Appends keep the chunks (by reference: do not change them afterwards) and reads (``view``)
    copy them once into storage with room to grow, cached until the next append: a stream read
    only when it ends costs one exactly sized join, and one read after every append stays
    amortised O(chunk). Growing storage on every append instead (zeroing and copying at each
    doubling) cost as much as decoding the base64 in a long response.
    """

    def __init__(self) -> None:
        self._storage: Int16Array = np.zeros(0, dtype=np.int16)
        self._start = 0
        self._end = 0
        self._pending: list[Int16Array] = []
        self._pending_samples = 0

    def __len__(self) -> int:
        return self._end - self._start + self._pending_samples

    @property
    def unjoined(self) -> int:
        """Samples appended since the last read (the next ``view`` joins them)."""
        return self._pending_samples

    def append(self, chunk: Int16Array) -> None:
        """Append samples (kept by reference until the next read)."""
        if len(chunk):
            self._pending.append(chunk)
            self._pending_samples += len(chunk)

    def view(self) -> Int16Array:
        """A read view of every sample (stable until the next truncate/clear; later appends
        and drops do not change it)."""
        if self._pending:
            self._join()
        return self._storage[self._start : self._end]

    def compact(self) -> Int16Array:
        """Every sample in an array of exactly that size (the stream ended: no spare room)."""
        samples = self.view()
        if len(samples) != len(self._storage):
            samples = samples.copy()
            self._storage, self._start, self._end = samples, 0, len(samples)
        return samples

    def drop_front(self, count: int) -> None:
        """Forget the oldest ``count`` samples."""
        if self._pending:
            self._join()
        self._start = min(self._end, self._start + max(0, count))
        if self._start == self._end:
            self._start = self._end = 0

    def truncate(self, length: int) -> None:
        """Keep only the first ``length`` samples, in fresh storage so old views stay intact."""
        kept = self.view()[: max(0, length)].copy()
        self._storage, self._start, self._end = kept, 0, len(kept)

    def clear(self) -> None:
        """Forget everything (old views stay intact)."""
        self._storage = np.zeros(0, dtype=np.int16)
        self._start = self._end = 0
        self._pending.clear()
        self._pending_samples = 0

    def _join(self) -> None:
        kept = self._end - self._start
        if self._end + self._pending_samples > len(self._storage):
            # Sized from the live samples, not the old storage, so dropping at the front keeps
            # the footprint bounded. Nothing joined yet (a stream read once, at its end): exactly
            # what is needed; otherwise room to double, so reads after appends stay amortised.
            needed = kept + self._pending_samples
            capacity = needed if not kept else max(2 * needed, 4096)
            storage = np.empty(capacity, dtype=np.int16)
            storage[:kept] = self._storage[self._start : self._end]
            self._storage, self._start, self._end = storage, 0, kept
        end = self._end + self._pending_samples
        if len(self._pending) == 1:
            self._storage[self._end : end] = self._pending[0]
        else:
            np.concatenate(self._pending, out=self._storage[self._end : end])
        self._end = end
        self._pending.clear()
        self._pending_samples = 0


class InputAudioBuffer:
    """The audio the client appended this session, addressed by absolute sample position.

    Positions count every sample appended since the session began (what the server's
    ``audio_start_ms``/``audio_end_ms`` measure). Only a window is retained: audio before the
    last manual commit or the last VAD turn is dropped, and at most ``max_seconds`` are kept.
    """

    def __init__(self, max_seconds: float = 300.0, sample_rate: int = SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate
        self.max_samples = int(max_seconds * sample_rate)
        self._samples = Pcm16Buffer()
        self._first_position = 0
        self._pending_from = 0

    @property
    def total_samples(self) -> int:
        """Samples appended since the session began (never decreases until ``reset``)."""
        return self._first_position + len(self._samples)

    @property
    def pending_samples(self) -> int:
        """Samples appended since the last commit (what a manual commit would send)."""
        return self.total_samples - max(self._pending_from, self._first_position)

    def __len__(self) -> int:
        """Samples currently retained."""
        return len(self._samples)

    def append(self, samples: Int16Array) -> None:
        """Append samples, dropping the oldest beyond ``max_samples``."""
        self._samples.append(samples)
        overflow = len(self._samples) - self.max_samples
        if overflow > 0:
            self.discard_before(self._first_position + overflow)

    def slice_ms(self, start_ms: float, end_ms: float) -> Int16Array:
        """A copy of the retained samples between two session offsets in milliseconds."""
        start = ms_to_samples(start_ms, self.sample_rate) - self._first_position
        end = ms_to_samples(end_ms, self.sample_rate) - self._first_position
        view = self._samples.view()
        return view[max(0, start) : max(0, min(end, len(view)))].copy()

    def take_pending(self) -> Int16Array:
        """Return the samples since the last commit and mark them committed (manual mode)."""
        start = max(self._pending_from, self._first_position) - self._first_position
        pending = self._samples.view()[start:].copy()
        self._pending_from = self.total_samples
        self.discard_before(self.total_samples)
        return pending

    def discard_before(self, position: int) -> None:
        """Forget samples before an absolute position (VAD turns that were already sliced)."""
        drop = min(position, self.total_samples) - self._first_position
        if drop > 0:
            self._samples.drop_front(drop)
            self._first_position += drop

    def reset(self) -> None:
        """Start a new session: positions count from zero again."""
        self._samples.clear()
        self._first_position = 0
        self._pending_from = 0
