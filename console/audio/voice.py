"""``VoiceSession``: turn taking between a microphone, a speaker and a ``RealtimeClient``.

No Textual here; the console drives it with keys and shows its state.

- While connected (between ``await start()`` and ``await stop()``) both devices stay open, in every
  turn mode: opening or closing a stream can take seconds, so push-to-talk never does either.
- Manual turns (turn detection ``none``): push-to-talk is a toggle that only gates what is sent;
  the meters show the input all along. Starting stops playback and truncates the reply where the
  listener stopped hearing it (``cancel_response(item_id, samples_played)``); stopping calls
  ``create_response()``, which commits the audio (a transcription session, which never creates a
  response, only commits: ``commit_input_audio()``). A ``--input-wav`` file is the exception: it
  has no device, so Space starts and pauses the file itself.
- server_vad / semantic_vad: the microphone is sent all the time. On ``conversation.interrupted``
  playback stops at once and the reply is truncated at the samples played.
- ``interrupt_playback()`` does the same before a typed message: a reply that finished generating
  may still be playing, and the server must learn what was heard (no ``response.cancel`` then).
- Assistant audio deltas play as they arrive; each completed item with audio can be written to
  ``save_dir`` as a WAV file. ``mute`` silences the microphone without closing it.

Device calls (open, close, rescan) run on the one device thread (``devices.in_device_thread``);
``start``, ``stop``, ``retry`` and ``play_item`` are coroutines that wait for it while the loop
goes on, and post the result (the ``notice`` text, ``streaming``) back on the loop. ``close()``
queues the closing without waiting, for the app's exit. ``client.reset()`` drops every handler:
``attach()`` registers this session's again.

The meters are fed from the real streams: input before it is sent, output as it is played.
The speaker's playback marks (an item heard from, heard to) go to ``on_playback``, except those
of the pane's replays (``<item id>#replay``), which are not the turn's audio.
Devices that are missing or fail become ``notice`` text; text mode goes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from console.realtime import RealtimeClient
from console.realtime.utils import Int16Array

from .devices import AudioUnavailable, Kind, device_call, find_device, in_device_thread, rescan
from .levels import LevelMeter
from .playback import MarkCallback, PlaybackMark, Speaker
from .wav import write_wav

REPLAY_SUFFIX = "#replay"
"""The speaker's item id for a replay of an item's audio: ``<item id>#replay``."""


class AudioSource(Protocol):
    """What ``VoiceSession`` needs of a microphone (``Microphone`` or ``WavMicrophone``)."""

    mute: bool
    notice: str | None
    on_chunk: Callable[[Int16Array], object]
    on_notice: Callable[[str], object] | None

    @property
    def opens_device(self) -> bool:
        """True when ``start``/``stop`` are device calls (the device thread runs them)."""
        ...

    @property
    def running(self) -> bool: ...

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None: ...

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
        on_playback: MarkCallback | None = None,
    ) -> None:
        self.client = client
        self.microphone = microphone
        self.speaker = speaker
        self.input_levels = input_levels
        self.output_levels = output_levels
        self.save_dir = save_dir
        self.on_playback = on_playback
        self.talking = False
        """Push-to-talk is on (manual turns only)."""
        self.notice: str | None = None
        self.saved: list[Path] = []
        self.truncations = 0
        self.active = False
        """Between ``start()`` and ``stop()``: the devices are meant to be open."""
        if microphone is not None:
            microphone.on_chunk = self._on_chunk
            microphone.on_notice = self._on_device_notice
        if speaker is not None:
            speaker.on_output = self._on_output
            speaker.on_notice = self._on_device_notice
            speaker.on_mark = self._on_mark
        # Bound once: ``off`` finds a handler by identity, and each ``self._x`` is a new object.
        self._handlers: tuple[tuple[str, Callable[[Any], None]], ...] = (
            ("conversation.updated", self._on_updated),
            ("conversation.item.completed", self._on_completed),
            ("conversation.interrupted", self._on_interrupted),
        )
        self.attach()

    def attach(self) -> None:
        """(Re)register the client handlers: after ``client.reset()``, which drops them all.

        Idempotent: a handler already registered is registered once, not twice.
        """
        for event, handler in self._handlers:
            with contextlib.suppress(ValueError):  # not registered (any more)
                self.client.off(event, handler)
            self.client.on(event, handler)

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
        """What the microphone does (``space to talk``, ``talk ●``, ``space sends x.wav``...),
        then the notice: the status bar's audio part."""
        if self.microphone is None and self.speaker is None:
            return self.notice or "audio off"
        parts = [self._describe_microphone()]
        if self.dropped_blocks:
            parts.append(f"{self.dropped_blocks} blocks dropped")
        if self.notice:
            notice = self.notice
            parts.append(notice if notice.startswith("no audio") else f"audio: {notice}")
        text = " · ".join(part for part in parts if part)
        return text or "speaker only"

    def _describe_microphone(self) -> str:
        mic = self.microphone
        if mic is None:
            return ""
        if mic.mute:
            return "mic muted"
        if not mic.opens_device:
            return self._describe_file(mic)
        if not mic.running and self.notice:
            return ""  # the notice says why
        if self.manual:
            return "talk ●" if self.talking else "space to talk"
        return "mic live"

    def _describe_file(self, mic: AudioSource) -> str:
        """A ``--input-wav`` file: Space sends it in manual turns (there is no device to show)."""
        name = Path(str(getattr(mic, "path", "input.wav"))).name
        if mic.running:
            return f"talk ● sending {name}" if self.talking else f"sending {name}"
        if getattr(mic, "finished", False):
            return f"talk ● {name} sent" if self.talking else f"{name} sent"
        return f"space sends {name}" if self.manual else f"{name} waits for the connection"

    # -- devices (on the device thread) ---------------------------------------------------

    async def start(self) -> None:
        """Open the speaker and the microphone (once connected), in manual turns too.

        The device thread opens them while the loop goes on; failures become ``notice``.
        """
        self.active = True
        self.notice = None
        notices = await in_device_thread(partial(self._open, asyncio.get_running_loop()))
        self._report(notices)
        self.turn_detection_changed()

    async def stop(self) -> None:
        """Close both devices (on disconnecting); push-to-talk ends without a response."""
        self._deactivate()
        await in_device_thread(self._close)

    async def retry(self) -> None:
        """Look for devices again (one plugged in, a sound server started) and reopen them.

        Before ``start()`` nothing opens; the notice then says what is still missing.
        """
        self.talking = False
        loop = asyncio.get_running_loop()
        self._report(await in_device_thread(partial(self._reopen, loop, self.active)))
        self.turn_detection_changed()

    def close(self) -> concurrent.futures.Future[None]:
        """Queue the closing of both devices and return at once: safe at the app's exit (the
        device thread finishes it before the process ends)."""
        self._deactivate()
        return device_call(self._close)

    def _deactivate(self) -> None:
        self.active = False
        self.talking = False
        mic = self.microphone
        if mic is not None and not mic.opens_device:
            mic.stop()  # a WAV's task, on the loop

    def _report(self, notices: list[str]) -> None:
        """The outcome of a device call, back on the loop: every distinct reason, or none."""
        prefix = "no audio: "
        reasons = list(dict.fromkeys(notices))
        if len(reasons) > 1 and all(reason.startswith(prefix) for reason in reasons):
            reasons = [prefix + "; ".join(reason.removeprefix(prefix) for reason in reasons)]
        self.notice = "; ".join(reasons) or None

    def _open(self, loop: asyncio.AbstractEventLoop) -> list[str]:
        """Device thread: open what is not open; the reasons of those that would not."""
        notices: list[str] = []
        for device in self.devices:
            if device is not None and device.opens_device and not device.running:
                reason = _attempt(partial(device.start, loop))
                if reason is not None:
                    notices.append(reason)
        return notices

    def _close(self) -> None:
        """Device thread: close both devices."""
        for device in self.devices:
            if device is not None and device.opens_device:
                with contextlib.suppress(Exception):
                    device.stop()

    def _reopen(self, loop: asyncio.AbstractEventLoop, active: bool) -> list[str]:
        """Device thread: close, rescan, and open again (or only check, before ``start``)."""
        self._close()
        reason = _attempt(rescan)
        if reason is not None:
            return [reason]
        if active:
            return self._open(loop)
        pairs: tuple[tuple[Kind, object], ...] = (
            ("input", self.microphone),
            ("output", self.speaker),
        )
        notices = [
            _attempt(partial(find_device, kind, getattr(device, "device", None)))
            for kind, device in pairs
            if device is not None and getattr(device, "opens_device", False)
        ]
        return [notice for notice in notices if notice is not None]

    def turn_detection_changed(self) -> None:
        """Follow the session; only a ``--input-wav`` file changes: VAD streams it while
        connected, manual turns pause it until Space. A real microphone stays as it is."""
        mic = self.microphone
        if mic is None or mic.opens_device:
            return
        if self.manual and not self.talking and mic.running:
            mic.stop()
        elif not self.manual and self.active and not mic.running:
            mic.start()

    # -- turn taking ----------------------------------------------------------------------

    def toggle_talk(self) -> bool:
        """Push-to-talk (manual turns): start, or stop and ask for a response. True if talking.

        No device is opened or closed: the microphone is open while connected, and this only
        gates what is sent (a ``--input-wav`` file is started or paused, on the loop).
        """
        mic = self.microphone
        if self.talking:
            self.talking = False
            if mic is not None and not mic.opens_device:
                mic.stop()
            if self.client.is_connected() and self.client.transcription:
                self.client.commit_input_audio()  # such a session never creates a response
            elif self.client.is_connected():
                self.client.create_response()
            else:
                self.notice = "not connected: the turn was not sent (F2 reconnects)"
            return False
        if mic is None:
            self.notice = "no microphone"
            return False
        if mic.opens_device and not mic.running:
            if not self.active:
                self.notice = "not connected: push-to-talk needs a connection (F2)"
            elif self.notice is None:  # else the notice already says why it did not open
                self.notice = "the microphone is not open (palette: Retry audio devices)"
            return False
        self._cut_playback()
        if not mic.opens_device:
            mic.start()
        self.talking = True
        return True

    def toggle_mute(self) -> bool:
        """Mute or unmute the microphone (it stays open). True if now muted."""
        if self.microphone is None:
            return False
        self.microphone.mute = not self.microphone.mute
        return self.microphone.mute

    def interrupt_playback(self) -> bool:
        """Stop what plays and truncate it at the samples played (call before sending a typed
        message). True if an item was cut and its truncation sent."""
        return self._cut_playback()

    def _cut_playback(self) -> bool:
        """Stop playback at once and cut the item where the listener stopped hearing it."""
        if self.speaker is None:
            return False
        cut = self.speaker.interrupt()
        if cut is None or not self.client.is_connected():
            return False
        item_id, played = cut
        try:
            self.client.cancel_response(item_id, played)  # cancels only a response still active
        except ValueError:  # not an assistant audio item any more (deleted, say)
            return False
        self.truncations += 1
        return True

    async def play_item(self, item_id: str) -> bool:
        """Play a conversation item's audio (the pane's replay), opening the speaker first if
        it is closed (on the device thread). False if there is nothing to play or no speaker."""
        item = self.client.conversation.get_item(item_id)
        audio = (item or {}).get("formatted", {}).get("audio")
        return await self.play_audio(item_id, audio)

    async def play_audio(self, item_id: str, audio: Int16Array | None) -> bool:
        """Play 24 kHz audio of ``item_id`` as a replay (not the turn's audio): an item's, or
        what the server kept of it (a retrieve). False if there is none or no speaker."""
        speaker = self.speaker
        if speaker is None or audio is None or not len(audio):
            return False
        if not speaker.running:
            loop = asyncio.get_running_loop()
            reason = await in_device_thread(partial(_attempt, partial(speaker.start, loop)))
            if reason is not None:
                self.notice = reason
                return False
        return speaker.play(f"{item_id}{REPLAY_SUFFIX}", audio)

    # -- client and device events ---------------------------------------------------------

    def _on_chunk(self, chunk: Int16Array) -> None:
        if self.input_levels is not None:
            self.input_levels.push(chunk)
        if self.capturing and self.client.is_connected():
            self.client.append_input_audio(chunk)

    def _on_output(self, samples: Int16Array) -> None:
        if self.output_levels is not None:
            self.output_levels.push(samples)

    def _on_mark(self, mark: PlaybackMark) -> None:
        if self.on_playback is not None and not mark.item_id.endswith(REPLAY_SUFFIX):
            self.on_playback(mark)  # the speaker turns a failure into its notice

    def _on_device_notice(self, text: str) -> None:
        self.notice = text

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


def _attempt(call: Callable[[], object]) -> str | None:
    """Run a device call; ``None`` if it worked, else the one-line reason it did not."""
    try:
        call()
    except AudioUnavailable as exc:
        return exc.reason
    except Exception as exc:  # PortAudio raises plain errors for busy devices
        return f"{type(exc).__name__}: {exc}"
    return None
