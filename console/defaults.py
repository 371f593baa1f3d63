"""The product's defaults, defined once and importable with nothing else loaded.

Each part uses its own names for these (re-exported where it always defined them); the CLI's
``--help`` formats them from here without importing the library, numpy, the simulator or the
relay, so it stays fast. This module imports nothing.
"""

OPENAI_REALTIME_URL = "wss://api.openai.com/v1/realtime"
"""OpenAI's Realtime endpoint: the library's default URL and the relay's default upstream."""

MAX_AUDIO_SECONDS = 1800.0
"""Audio a client's conversation keeps in all (the oldest items' audio goes first)."""

EVENT_CAP = 10_000
"""Events the console keeps in memory (``--record`` writes every event)."""

RELAY_PORT = 8081
RELAY_MAX_QUEUE_BYTES = 16 * 2**20
"""Client bytes the relay holds while its upstream opens."""
RELAY_MAX_QUEUE_FRAMES = 1000

SIMULATOR_GENERATION_SPEED = 3.0
"""With real-time pacing, the simulator generates audio this many times faster than it plays."""
SIMULATOR_TRANSCRIPTION_DELAY_S = 0.3
"""Input transcription starts this long after a commit, beside the response."""
