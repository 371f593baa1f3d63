"""The embedded Realtime simulator: a websocket server speaking OpenAI's Realtime protocol.

It answers like OpenAI's server in both dialects (GA by default; the retired beta when the client
sends ``OpenAI-Beta: realtime=v1`` or the ``openai-beta.realtime-v1`` subprotocol), with no
network and no key::

    async with SimulatorServer(pace="fast") as server:
        ...  # connect any client to server.url (ws://127.0.0.1:PORT/v1/realtime)

What it does, module by module:

- :mod:`.server` — handshake (paths, ``?model=``, key from ``Authorization: Bearer`` or the
  ``openai-insecure-api-key.`` subprotocol, ``realtime`` subprotocol selection, dialect choice,
  ``require_key``), 16 MiB frame limit (bigger frames: close 1009).
- :mod:`.connection` — one session: client-event dispatch, validation errors as ``error`` events
  (never a closed socket, except session expiry: error then close 1001).
- :mod:`.dialect` — the only place GA and beta differ (event names, session/item/response shapes,
  what clients may send); :mod:`.fields` and :mod:`.validation` hold shared validators.
- :mod:`.session` — defaults and deep merging; :mod:`.conversation` — items, insert after
  ``previous_item_id``/``root``, retrieve, delete, truncate.
- :mod:`.input_audio` + :mod:`.vad` — the input buffer and an energy VAD (threshold,
  prefix_padding_ms, silence_duration_ms, idle_timeout_ms counted in input audio; semantic_vad
  eagerness → silence length).
- :mod:`.responder`, :mod:`.tool_choice`, :mod:`.tool_args`, :mod:`.streaming`, :mod:`.voice` —
  deterministic replies (echo, instructions, tools, function-call outputs), tools picked from the
  user's words with a spoken preamble, schema-valid tool arguments, the event sequence of a
  response (generated ahead of playback, closed properly when cancelled), and speech-like
  synthetic audio aligned with transcript deltas.
- :mod:`.transcription` — asynchronous input transcription (whisper-1 or token-billed models);
  :mod:`.accounting` — usage and token-bucket rate limits.
- :mod:`.g711` — μ-law/A-law for ``audio/pcmu``/``audio/pcma`` (beta ``g711_ulaw``/``g711_alaw``).
- :mod:`.webrtc`, :mod:`.rtc_media`, :mod:`.playout` — WebRTC calls through aiortc: a session on
  the ``oai-events`` data channel, Opus audio converted at the edges to the 24 kHz engine, and
  the output buffer with ``output_audio_buffer.*`` and the server's truncation on interruption.

Not simulated: speech recognition (transcripts are placeholders such as ``[speech 1.4 s]``),
language understanding (tools are picked by word matching), transcription-only sessions, MCP
tools (accepted, never called), SIP.

Depends only on the standard library, numpy, websockets and aiortc (with PyAV); it never imports
the client library (``console.realtime``), so the two sides of the protocol check each other.
"""

from __future__ import annotations

from .server import SimulatorServer

__all__ = ["SimulatorServer"]
