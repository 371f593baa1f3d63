"""Audio for the console, without Textual.

- ``devices``: sounddevice imported lazily; ``AudioUnavailable`` (one line) for no PortAudio, no
  device, a busy one; ``list_devices``/``format_devices`` for ``realtime-console devices``.
- ``capture``: ``Microphone`` (a device at its own rate and channels) and ``WavMicrophone`` (a
  file paced in real time), both giving 24 kHz mono int16 chunks of 20 to 40 ms on the loop.
- ``playback``: ``Speaker``, a jitter buffer per item played through a device, counting the
  samples played per item (``jitter.PlaybackTracker``) for truncation; ``interrupt()``.
- ``resample``: soxr streams between device formats and 24 kHz mono; G.711 at the edges
  (the library's ``console.realtime.g711``); ``wav``: WAV files in and out; ``levels``: the
  meter's maths.

Samples are ``numpy.int16`` at 24 kHz mono, as everywhere in the library.
"""
