"""Input audio transcription, asynchronous as the real server's.

Transcription runs beside the response, on a separate model: ``conversation.item.input_audio_
transcription.delta``/``.completed`` start arriving ``delay_s`` after the commit (the
connection's ``transcription_delay_s``, 0.3 s by default), so they usually come after
``response.created`` — while the response streams, or after its ``response.done`` when it is
short. Clients must not expect the user's transcript before the reply.

What each model sends, as recorded: ``whisper-1`` one delta with the whole transcript, which ends
with ``"\\n"``, and ``usage`` by duration; the other (gpt-4o-…, gpt-realtime-…) models stream
several word deltas and report ``usage`` in tokens. The simulator does not recognise speech:
the transcript is a placeholder such as ``[speech 1.4 s]``.

With ``include: ["item.input_audio_transcription.logprobs"]`` the deltas and the completed
event carry ``logprobs`` in the SDK's ``LogProbProperties`` shape (``token``, ``bytes``,
``logprob``): one token per delta, so the completed event's tokens join into its transcript.
whisper-1 gets none (OpenAI's transcription API offers logprobs only with the gpt-4o models).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

import numpy as np

from .conversation import Conversation, Item, placeholder_transcript
from .input_audio import ms

DELTA_GAP_S = 0.05  # realtime pace: between two word deltas of a streaming model
LOGPROBS = "item.input_audio_transcription.logprobs"


class Host(Protocol):
    """What a transcription needs from its connection."""

    conversation: Conversation
    pace: str

    async def emit(self, event_type: str, **fields: Any) -> None: ...


def transcribe(audio: np.ndarray, model: str) -> tuple[list[str], str, dict[str, Any]]:
    """The deltas, the final transcript and the usage that ``model`` reports for ``audio``."""
    text = placeholder_transcript(audio)
    if model == "whisper-1":
        text += "\n"
        return [text], text, {"type": "duration", "seconds": round(len(audio) / 24000, 3)}
    deltas = re.findall(r"\s*\S+", text)
    audio_tokens = max(1, ms(len(audio)) // 50)
    text_tokens = max(1, (len(text) + 3) // 4)
    usage = {
        "type": "tokens",
        "total_tokens": audio_tokens + text_tokens,
        "input_tokens": audio_tokens,
        "input_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens},
        "output_tokens": text_tokens,
    }
    return deltas, text, usage


def logprob(token: str) -> dict[str, Any]:
    """A made-up but plausible log probability for ``token`` (longer words a little less sure)."""
    return {
        "token": token,
        "bytes": list(token.encode("utf-8")),
        "logprob": -round(0.002 + 0.004 * len(token.strip()), 4),
    }


async def run(
    host: Host, item: Item, model: str, delay_s: float, *, logprobs: bool = False
) -> None:
    """Transcribe the user audio ``item`` after ``delay_s``; nothing if it is deleted by then.
    ``logprobs``: the session includes them (see the module docstring)."""
    await asyncio.sleep(delay_s)
    part = item.content[0]
    audio = part.audio if part.audio is not None else np.zeros(0, np.int16)
    deltas, transcript, usage = transcribe(audio, model)
    with_logprobs = logprobs and model != "whisper-1"
    for index, delta in enumerate(deltas):
        if index and host.pace == "realtime":
            await asyncio.sleep(DELTA_GAP_S)
        if item not in host.conversation:
            return
        extra = {"logprobs": [logprob(delta)]} if with_logprobs else {}
        await host.emit(
            "conversation.item.input_audio_transcription.delta",
            item_id=item.id,
            content_index=0,
            delta=delta,
            **extra,
        )
    if item not in host.conversation:
        return
    part.transcript = transcript
    host.conversation.recount(item)
    extra = {"logprobs": [logprob(delta) for delta in deltas]} if with_logprobs else {}
    await host.emit(
        "conversation.item.input_audio_transcription.completed",
        item_id=item.id,
        content_index=0,
        transcript=transcript,
        usage=usage,
        **extra,
    )
