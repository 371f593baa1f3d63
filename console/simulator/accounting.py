"""What responses cost: the usage object of ``response.done`` and the rate limits of
``rate_limits.updated``.

Rate limits are token buckets per connection, as OpenAI's per-minute limits behave: each response
takes one request and its ``usage.total_tokens`` from the buckets, which refill linearly over a
minute. ``remaining`` is what is left now; ``reset_seconds`` is how long until the bucket is full
again, so it grows with use and counts down as time passes (one request of 20,000 a minute is
0.003 s, as recorded sessions show). A response cancelled before any output costs nothing and
reports no rate limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

LIMITS = {"requests": 20000, "tokens": 40000}  # per minute, as recorded sessions report
WINDOW_S = 60.0


def usage(
    input_text: int,
    input_audio: int,
    out_text: int,
    out_audio: int,
    cached_text: int = 0,
    cached_audio: int = 0,
    images: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    """A usage object with the real field set; ``images`` is (image tokens, of which cached).

    As OpenAI reports it, ``input_tokens`` and each kind's count include the cached tokens,
    which ``cached_tokens`` and ``cached_tokens_details`` break out.
    """
    input_image, cached_image = images
    inputs = input_text + input_audio + input_image
    return {
        "total_tokens": inputs + out_text + out_audio,
        "input_tokens": inputs,
        "output_tokens": out_text + out_audio,
        "input_token_details": {
            "text_tokens": input_text,
            "audio_tokens": input_audio,
            "image_tokens": input_image,
            "cached_tokens": cached_text + cached_audio + cached_image,
            "cached_tokens_details": {
                "text_tokens": cached_text,
                "audio_tokens": cached_audio,
                "image_tokens": cached_image,
            },
        },
        "output_token_details": {"text_tokens": out_text, "audio_tokens": out_audio},
    }


class RateLimits:
    """Token buckets for ``requests`` and ``tokens``; ``names`` are those reported."""

    def __init__(self, names: tuple[str, ...], clock: Callable[[], float] = time.monotonic) -> None:
        self.names = names
        self._clock = clock
        self._used = dict.fromkeys(LIMITS, 0.0)  # taken and not yet refilled
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed, self._at = now - self._at, now
        for name, limit in LIMITS.items():
            self._used[name] = max(0.0, self._used[name] - limit / WINDOW_S * elapsed)

    def take(self, requests: int = 0, tokens: int = 0) -> None:
        """Charge a request and/or tokens."""
        self._refill()
        self._used["requests"] += requests
        self._used["tokens"] += tokens

    def report(self) -> list[dict[str, Any]]:
        """The ``rate_limits`` list of ``rate_limits.updated``, as of now."""
        self._refill()
        return [
            {
                "name": name,
                "limit": LIMITS[name],
                "remaining": max(0, int(LIMITS[name] - self._used[name])),
                "reset_seconds": round(self._used[name] * WINDOW_S / LIMITS[name], 3),
            }
            for name in self.names
        ]
