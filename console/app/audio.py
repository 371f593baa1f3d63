"""The console's audio: a ``VoiceSession`` built from the options, or none (text only)."""

from __future__ import annotations

from collections.abc import Callable

from console.app.config import ConsoleConfig
from console.audio.capture import Microphone, WavMicrophone
from console.audio.devices import AudioUnavailable
from console.audio.playback import PlaybackMark, Speaker
from console.audio.voice import AudioSource, VoiceSession
from console.inspector.model import Inspector
from console.realtime import RealtimeClient


def make_voice_session(
    config: ConsoleConfig, client: RealtimeClient, inspector: Inspector
) -> VoiceSession | None:
    """The microphone (or ``--input-wav``) and the speaker, wired to the client and meters.

    Nothing is opened yet (``await VoiceSession.start()`` does, once connected). A WAV that
    cannot be read, or no PortAudio, still gives a session whose ``notice`` says why, so the
    status bar tells the user and text mode goes on.
    """
    if not config.audio and config.input_wav is None and config.save_audio is None:
        return None
    notice: str | None = None
    microphone: AudioSource | None = None
    try:
        if config.input_wav is not None:
            microphone = WavMicrophone(_discard, config.input_wav)
        elif config.audio:
            microphone = Microphone(_discard, device=_device(config.input_device))
    except AudioUnavailable as exc:
        notice = exc.reason
    speaker = Speaker(device=_device(config.output_device)) if config.audio else None
    voice = VoiceSession(
        client,
        microphone,
        speaker,
        input_levels=inspector.input_levels,
        output_levels=inspector.output_levels,
        save_dir=config.save_audio,
        on_playback=lambda mark: record_playback(inspector, mark),
    )
    voice.notice = notice
    if microphone is not None or speaker is not None:
        inspector.meter_from_events = False  # the real streams feed the meters now
    return voice


def record_playback(inspector: Inspector, mark: PlaybackMark) -> None:
    """A playback mark as the console's own event (in the events pane and in recordings); the
    turn model reads it as the first and last audio heard."""
    if mark.kind == "started":
        inspector.note_local("playback.started", at=mark.at, item_id=mark.item_id)
    else:
        inspector.note_local(
            "playback.stopped",
            at=mark.at,
            item_id=mark.item_id,
            played_ms=mark.played_ms,
            interrupted=mark.interrupted,
        )


def _device(spec: str | None) -> int | str | None:
    """A device index when the option is a number, else its name (or None: the default)."""
    if spec is None:
        return None
    return int(spec) if spec.isdigit() else spec


def _discard(_chunk: object) -> None:
    """Placeholder until ``VoiceSession`` installs its own chunk handler."""


class VoiceKeys:
    """What the audio keys do, and what the user is told (the app's actions call these).

    ``retry`` and ``play`` wait for the device thread: the app runs them as workers.
    """

    def __init__(
        self,
        voice: VoiceSession | None,
        notify: Callable[..., None],
        changed: Callable[[], None],
    ) -> None:
        self.voice = voice
        self.notify = notify
        self.changed = changed

    def talk(self) -> None:
        """Push-to-talk toggle (manual turns); with voice activity the microphone is live."""
        if self.voice is None:
            self.notify("Audio is off (started with --no-audio, or a replay).", severity="warning")
            return
        if not self.voice.manual:
            self.notify("Turn detection is on: just speak (F4 switches to push-to-talk).")
            return
        self.voice.toggle_talk()
        self.changed()

    def mute(self) -> None:
        if self.voice is not None:
            muted = self.voice.toggle_mute()
            self.notify("Microphone muted." if muted else "Microphone live.")
            self.changed()

    async def retry(self) -> None:
        """Reopen the devices after one came back (no restart needed)."""
        if self.voice is None:
            self.notify("Audio is off (started with --no-audio, or a replay).", severity="warning")
            return
        self.notify("Looking for audio devices…")
        await self.voice.retry()
        self.notify(self.voice.describe())
        self.changed()

    async def play(self, item_id: str | None) -> None:
        """Play an item's audio through the speaker (opening it first if it is closed)."""
        voice = self.voice
        nothing = "Nothing to play (select an item with audio; audio must be on)."
        if voice is None or item_id is None:
            self.notify(nothing)
        else:
            before = voice.notice
            if not await voice.play_item(item_id):  # a new notice: the speaker would not open
                changed = voice.notice is not None and voice.notice != before
                self.notify(f"Not played: {voice.notice}" if changed else nothing)
        self.changed()
