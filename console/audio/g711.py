"""G.711 μ-law and A-law: the library's codec (``console.realtime.g711``), re-exported here.

One copy for the library and the console; the simulator keeps its own on purpose.
"""

from __future__ import annotations

from console.realtime.g711 import G711_RATE, alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

__all__ = ["G711_RATE", "alaw_decode", "alaw_encode", "ulaw_decode", "ulaw_encode"]
