"""``Formatted``: an item's ``formatted`` dict, whose streamed audio is joined when it is read.

The reference rebuilt ``formatted.audio`` on every audio delta (quadratic); growing one array on
every delta instead still copied and zeroed it at each doubling, as costly as decoding the
base64. Here a delta is a list append (``stream_audio``), and reading ``audio`` joins what came
since the last read, cached until the next delta (``audio_buffer.Pcm16Buffer``). Every way of
reading the dict sees the current audio: ``formatted["audio"]``, ``get``, iteration, ``items``,
``values``, ``dict(formatted)``, ``{**formatted}``, ``json.dumps``, ``repr``, copies and
pickles (which are plain dicts). Assigning ``audio`` (any way) replaces the stream.
"""

from __future__ import annotations

from _collections_abc import dict_items, dict_values
from collections.abc import Iterator
from typing import Any

from .audio_buffer import Pcm16Buffer
from .utils import Int16Array


class Formatted(dict[str, Any]):
    """``{"audio", "text", "transcript", ...}`` with ``audio`` appended to in chunks."""

    __slots__ = ("_joined", "_stream")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stream: Pcm16Buffer | None = None
        self._joined: Int16Array | None = None  # what the stream last stored under "audio"

    def stream_audio(self, chunk: Int16Array) -> int:
        """Append ``chunk`` to ``audio`` without joining; returns the samples in all."""
        stream = self._live_stream()
        if stream is None:
            stream = self._stream = Pcm16Buffer()
            self._joined = dict.get(self, "audio")
            if self._joined is not None:
                stream.append(self._joined)
        stream.append(chunk)
        return len(stream)

    def audio_samples(self) -> int:
        """``len(self["audio"])`` without joining the chunks."""
        stream = self._live_stream()
        if stream is not None:
            return len(stream)
        audio = dict.get(self, "audio")
        return 0 if audio is None else len(audio)

    def finish_audio(self) -> None:
        """The stream ended. Read while it streamed, its storage has room to grow: keep one
        array of exactly its size instead. Never read, it stays in chunks until the first read,
        which joins them into an array of exactly that size anyway."""
        stream = self._live_stream()
        if stream is not None and len(stream) > stream.unjoined:
            dict.__setitem__(self, "audio", stream.compact())
            self._stream = self._joined = None

    def _live_stream(self) -> Pcm16Buffer | None:
        """The stream, unless ``audio`` was assigned since it last stored it (then dropped)."""
        if self._stream is not None and dict.get(self, "audio") is not self._joined:
            self._stream = self._joined = None
        return self._stream

    def _sync(self) -> None:
        stream = self._live_stream()
        if stream is not None and stream.unjoined:
            self._joined = stream.view()
            dict.__setitem__(self, "audio", self._joined)

    # Every read path goes through _sync (overriding __iter__ also sends dict(...) and {**...}
    # through keys() and __getitem__).

    def __getitem__(self, key: str) -> Any:
        if key == "audio":
            self._sync()
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key == "audio":
            self._sync()
        return super().get(key, default)

    def __iter__(self) -> Iterator[str]:
        self._sync()
        return super().__iter__()

    def items(self) -> dict_items[str, Any]:
        self._sync()
        return super().items()

    def values(self) -> dict_values[str, Any]:
        self._sync()
        return super().values()

    def copy(self) -> dict[str, Any]:
        self._sync()
        return dict(super().items())

    def __repr__(self) -> str:
        self._sync()
        return super().__repr__()

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (self.copy(),))

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return self.__reduce__()
