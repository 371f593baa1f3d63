"""Input audio handlers: append, commit and clear, server VAD turns and ``idle_timeout_ms``.

A detected boundary is recorded at once (buffer positions, the turn's audio) and its events are
queued on :class:`.turns.TurnQueue`, so they come out in order after an interrupted response has
finished. A manual commit or clear during speech first ends the open turn with
``speech_stopped``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import numpy as np

from . import ids, transcription
from . import validation as v
from .conversation import Conversation, Item, Part
from .input_audio import IDLE_KEEP_S, InputAudioBuffer, ms
from .noise import NoiseReducer
from .session import SessionState
from .streaming import ResponseRun
from .turns import Action, TurnQueue
from .vad import EnergyVad, VadEvent, VadSettings


class InputAudioHandlers:
    """Mixin for :class:`.connection.Connection`: the ``input_audio_buffer.*`` handlers."""

    session: SessionState
    conversation: Conversation
    buffer: InputAudioBuffer
    noise: NoiseReducer
    vad: EnergyVad | None
    active: ResponseRun | None
    turns: TurnQueue
    _vad_item_id: str | None
    _vad_start: int
    _idle_from: int | None
    _owed_response: bool
    pace: str
    transcription_delay_s: float

    async def emit(self, event_type: str, **fields: Any) -> None:
        """Send a server event (the connection's)."""
        raise NotImplementedError

    async def _start_response(self, params: dict[str, Any], context: list[Item]) -> None:
        raise NotImplementedError

    async def _announce_item(self, item: Item, previous: str | None) -> None:
        raise NotImplementedError

    def _spawn(self, coro: Awaitable[Any]) -> None:
        raise NotImplementedError

    async def interrupt_output(self, reason: str) -> None:
        raise NotImplementedError

    def _configure_vad(self) -> None:
        """(Re)build the detector from the session; positions continue from the buffer's end."""
        td = self.session.turn_detection
        self.vad = (
            None
            if td is None
            else EnergyVad(VadSettings.from_turn_detection(td), self.buffer.total)
        )
        self._vad_item_id = None

    async def _append(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id", "audio"], "")
        payload = v.string(v.require_key(event, "audio", ""), "audio")
        await self.feed_input_audio(self.buffer.decode_append(payload, self.session.input_format))

    async def feed_input_audio(self, pcm: np.ndarray) -> None:
        """24 kHz input audio into the buffer, VAD and the idle timeout: an append's, or a
        WebRTC call's track (which sends no append events). Refused past the buffer's bound.
        Noise reduction comes first: the buffer and VAD get the cleaned audio (:mod:`.noise`)."""
        pcm = self.noise.process(pcm, self.session.config["audio"]["input"]["noise_reduction"])
        self.buffer.append(pcm)
        if self.vad is not None:
            for boundary in self.vad.feed(pcm):
                self._on_vad(boundary)
            await self.turns.flush()
            if not self.vad.speaking and self.buffer.duration_ms() > 2 * IDLE_KEEP_S * 1000:
                self.buffer.trim(IDLE_KEEP_S * 24000)
            await self._check_idle_timeout()

    async def _check_idle_timeout(self) -> None:
        """server_vad ``idle_timeout_ms``: after a response, that much silent input audio (counted
        from the end of the response's audio) commits the silence and asks for a new response."""
        td = self.session.turn_detection or {}
        timeout_ms = td.get("idle_timeout_ms")
        if (
            not timeout_ms
            or td.get("type") != "server_vad"
            or self._idle_from is None
            or self.active is not None
            or (self.vad is not None and self.vad.speaking)
        ):
            return
        start = max(self._idle_from, self.buffer.start)
        if self.buffer.total - start < int(timeout_ms) * 24:
            return
        end = self.buffer.total
        self._idle_from = None
        item_id = ids.new_id("item")
        await self.emit(
            "input_audio_buffer.timeout_triggered",
            audio_start_ms=ms(start),
            audio_end_ms=ms(end),
            item_id=item_id,
        )
        await self._commit_audio(self.buffer.take_range(start, end), item_id)
        if self.session.creates_responses():
            await self._start_response({}, list(self.conversation.items))

    def _on_vad(self, boundary: VadEvent) -> None:
        """Record a detected boundary now (buffer positions); queue its events in order."""
        assert self.vad is not None
        if boundary.kind == "started":
            padding = self.vad.settings.prefix_padding_ms * 24
            self._vad_start = max(boundary.sample - padding, self.buffer.start)
            self._vad_item_id = ids.new_id("item")
            self._idle_from = None
            self.turns.add(self._speech_started(ms(self._vad_start), self._vad_item_id))
            return
        item_id = self._vad_item_id or ids.new_id("item")
        self._vad_item_id = None
        audio = self.buffer.take_range(self._vad_start, boundary.sample)
        self.turns.add(self._speech_stopped(ms(boundary.sample), item_id, audio))

    def _speech_started(self, start_ms: int, item_id: str) -> Action:
        async def action() -> None:
            td = self.session.turn_detection or {}
            await self.emit(
                "input_audio_buffer.speech_started", audio_start_ms=start_ms, item_id=item_id
            )
            if td.get("interrupt_response", True):
                if self.active is not None:
                    self.active.cancel("turn_detected")
                await self.interrupt_output("turn_detected")  # WebRTC: the playing audio too

        return action

    def _speech_stopped(self, end_ms: int, item_id: str, audio: np.ndarray) -> Action:
        """``speech_stopped``, the commit, and (``create_response``) a response for the turn:
        now, or when the running response ends (``interrupt_response`` off)."""

        async def action() -> None:
            await self.emit(
                "input_audio_buffer.speech_stopped", audio_end_ms=end_ms, item_id=item_id
            )
            await self._commit_audio(audio, item_id)
            if self.session.creates_responses():
                if self.active is None:
                    await self._start_response({}, list(self.conversation.items))
                else:
                    self._owed_response = True

        return action

    def _cut_open_turn(self) -> str | None:
        """A manual commit or clear ends an open VAD turn: queue its ``speech_stopped`` and
        reset the detector. Returns the open turn's item id (None without one)."""
        item_id = self._vad_item_id if self.vad is not None and self.vad.speaking else None
        if item_id is not None:
            end_ms = ms(self.buffer.total)

            async def stopped() -> None:
                await self.emit(
                    "input_audio_buffer.speech_stopped", audio_end_ms=end_ms, item_id=item_id
                )

            self.turns.add(stopped)
        self._configure_vad()
        return item_id

    async def _commit(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id"], "")
        audio = self.buffer.take_all()
        item_id = self._cut_open_turn() or ids.new_id("item")

        async def commit() -> None:
            await self._commit_audio(audio, item_id)

        self.turns.add(commit)
        await self.turns.flush()

    async def _commit_audio(self, audio: np.ndarray, item_id: str) -> None:
        """Turn committed audio into a user item: committed, item events, transcription."""
        item = Item("message", id=item_id, role="user", content=[Part("input_audio", audio=audio)])
        previous = self.conversation.insert(item, None, at_end=True)
        await self.emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        await self._announce_item(item, previous)
        settings = self.session.transcription
        if settings is not None:  # asynchronous, as the real server's (see .transcription)
            model = str(settings.get("model") or "whisper-1")
            logprobs = transcription.LOGPROBS in (self.session.config["include"] or [])
            delay = self.transcription_delay_s
            self._spawn(transcription.run(self, item, model, delay, logprobs=logprobs))

    async def _clear(self, event: dict[str, Any]) -> None:
        v.check_keys(event, ["type", "event_id"], "")
        self.buffer.clear()
        self._cut_open_turn()

        async def cleared() -> None:
            await self.emit("input_audio_buffer.cleared")

        self.turns.add(cleared)
        await self.turns.flush()
