"""``VoiceSession``: turn taking between a microphone, a speaker and a ``RealtimeClient``.

No Textual here; the console drives it with keys and shows its state.

- Manual turns (turn detection ``none``): push-to-talk is a toggle. Starting stops playback and
  cancels the response where the listener stopped hearing it
  (``cancel_response(item_id, samples_played)``), then captures; stopping calls
  ``create_response()``, which commits the audio.
- server_vad / semantic_vad: the microphone streams all the time. On
  ``conversation.interrupted`` playback stops at once and the response is cancelled with the
  samples played, so the server truncates the item where the listener stopped hearing it.
- Assistant audio deltas play as they arrive; each completed item with audio can be written to
  ``save_dir`` as a WAV file. ``mute`` silences the microphone without closing it.

The meters are fed from the real streams: input before it is sent, output as it is played.
Devices that are missing or fail become ``notice`` text; text mode goes on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from console.realtime import RealtimeClient
from console.realtime.utils import Int16Array

from .devices import AudioUnavailable, rescan
from .levels import LevelMeter
from .playback import Speaker
from .wav import write_wav


class AudioSource(Protocol):
    """What ``VoiceSession`` needs of a microphone (``Microphone`` or ``WavMicrophone``)."""

    mute: bool
    notice: str | None
    on_chunk: Callable[[Int16Array], object]

    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class VoiceSession:
    """Wires a microphone and a speaker to a client; every failure becomes ``notice``."""

    def __init__(
        self,
        client: RealtimeClient,
        microphone: AudioSource | None,
        speaker: Speaker | None,
        *,
        input_levels: LevelMeter | None = None,
        output_levels: LevelMeter | None = None,
        save_dir: Path | None = None,
    ) -> None:
        self.client = client
        self.microphone = microphone
        self.speaker = speaker
        self.input_levels = input_levels
        self.output_levels = output_levels
        self.save_dir = save_dir
        self.talking = False
        """Push-to-talk is on (manual turns only)."""
        self.notice: str | None = None
        self.saved: list[Path] = []
        self.truncations = 0
        if microphone is not None:
            microphone.on_chunk = self._on_chunk
        if speaker is not None:
            speaker.on_output = self._on_output
        client.on("conversation.updated", self._on_updated)
        client.on("conversation.item.completed", self._on_completed)
        client.on("conversation.interrupted", self._on_interrupted)

    # -- state ----------------------------------------------------------------------------

    @property
    def manual(self) -> bool:
        """True when the session has no turn detection (push-to-talk)."""
        return self.client.get_turn_detection_type() is None

    @property
    def capturing(self) -> bool:
        """Whether microphone audio is being sent now."""
        mic = self.microphone
        return bool(mic and mic.running and not mic.mute and (self.talking or not self.manual))

    @property
    def dropped_blocks(self) -> int:
        """Microphone blocks dropped because the loop fell behind."""
        return int(getattr(self.microphone, "dropped_blocks", 0) or 0)

    @property
    def streaming(self) -> bool:
        """Whether a real device is open (then it, not the events, feeds the meters)."""
        return any(device is not None and device.running for device in self.devices)

    @property
    def devices(self) -> tuple[AudioSource | Speaker | None, ...]:
        return (self.microphone, self.speaker)

    def describe(self) -> str:
        """``mic live`` / ``mic muted`` / ``talk ●`` / the notice, for the status bar."""
        if self.notice:
            return self.notice if self.notice.startswith("no audio") else f"audio: {self.notice}"
        if self.microphone is None and self.speaker is None:
            return "audio off"
        parts = []
        mic = self.microphone
        if mic is not None:
            if mic.mute:
                parts.append("mic muted")
            elif self.manual:
                parts.append("talk ●" if self.talking else "space to talk")
            else:
                parts.append("mic live")
            if self.dropped_blocks:
                parts.append(f"{self.dropped_blocks} blocks dropped")
        return " · ".join(parts) or "speaker only"

    # -- starting -------------------------------------------------------------------------

    def start(self) -> None:
        """Open the devices (a failing one is a notice); in VAD modes start capturing."""
        self.notice = None
        if self.speaker is not None:
            self._guard(self.speaker.start)
        if self.microphone is not None and not self.manual:
            self._guard(self.microphone.start)

    def retry(self) -> None:
        """Look for devices again (one plugged in or a sound server started) and reopen them."""
        self.stop()
        with contextlib.suppress(AudioUnavailable):  # start() says what is still missing
            rescan()
        self.start()

    def stop(self) -> None:
        """Close both devices."""
        self.talking = False
        for device in self.devices:
            if device is not None:
                with contextlib.suppress(Exception):
                    device.stop()

    def turn_detection_changed(self) -> None:
        """Follow the session: VAD streams continuously, manual waits for push-to-talk."""
        mic = self.microphone
        if mic is None:
            return
        if self.manual and not self.talking and mic.running:
            mic.stop()
        elif not self.manual and not mic.running:
            self._guard(mic.start)

    def _guard(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except AudioUnavailable as exc:
            self.notice = exc.reason
            return False
        except Exception as exc:  # PortAudio raises plain errors for busy devices
            self.notice = f"{type(exc).__name__}: {exc}"
            return False
        return True

    # -- turn taking ----------------------------------------------------------------------

    def toggle_talk(self) -> bool:
        """Push-to-talk (manual turns): start, or stop and ask for a response. True if talking."""
        if self.talking:
            self.talking = False
            if self.microphone is not None:
                self.microphone.stop()
            if self.client.is_connected():
                self.client.create_response()
            else:
                self.notice = "not connected: the turn was not sent (F2 reconnects)"
            return False
        if self.microphone is None:
            self.notice = "no microphone"
            return False
        self._cut_playback()
        if not self.microphone.running and not self._guard(self.microphone.start):
            return False
        self.talking = True
        return True

    def toggle_mute(self) -> bool:
        """Mute or unmute the microphone (it stays open). True if now muted."""
        if self.microphone is None:
            return False
        self.microphone.mute = not self.microphone.mute
        return self.microphone.mute

    def _cut_playback(self) -> None:
        """Stop playback at once and cut the item where the listener stopped hearing it."""
        if self.speaker is None:
            return
        cut = self.speaker.interrupt()
        if cut is None or not self.client.is_connected():
            return
        item_id, played = cut
        try:
            self.client.cancel_response(item_id, played)
            self.truncations += 1
        except ValueError:  # not an assistant audio item any more (deleted, say)
            pass

    def play_item(self, item_id: str) -> bool:
        """Play a conversation item's audio through the speaker (the pane's replay)."""
        item = self.client.conversation.get_item(item_id)
        audio = (item or {}).get("formatted", {}).get("audio")
        if self.speaker is None or audio is None or not len(audio):
            return False
        self._guard(self.speaker.start)
        return self.speaker.play(f"{item_id}#replay", audio)

    # -- client events --------------------------------------------------------------------

    def _on_chunk(self, chunk: Int16Array) -> None:
        if self.input_levels is not None:
            self.input_levels.push(chunk)
        if self.capturing and self.client.is_connected():
            self.client.append_input_audio(chunk)

    def _on_output(self, samples: Int16Array) -> None:
        if self.output_levels is not None:
            self.output_levels.push(samples)

    def _on_updated(self, payload: dict[str, Any]) -> None:
        item, delta = payload.get("item") or {}, payload.get("delta") or {}
        audio = delta.get("audio") if isinstance(delta, dict) else None
        if self.speaker is not None and audio is not None and item.get("role") == "assistant":
            self.speaker.append(str(item.get("id")), audio)

    def _on_completed(self, payload: dict[str, Any]) -> None:
        item = payload.get("item") or {}
        item_id = str(item.get("id"))
        audio = (item.get("formatted") or {}).get("audio")
        if self.speaker is not None and item.get("role") == "assistant":
            self.speaker.end_item(item_id)
        if self.save_dir is not None and audio is not None and len(audio):
            try:
                self.save_dir.mkdir(parents=True, exist_ok=True)
                self.saved.append(write_wav(self.save_dir / f"{item_id}.wav", audio))
            except OSError as exc:
                self.notice = f"cannot save audio: {exc.strerror or exc}"

    def _on_interrupted(self, payload: dict[str, Any] | None = None) -> None:
        self._cut_playback()
