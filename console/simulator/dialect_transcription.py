"""Transcription sessions on the wire, in each dialect: what they accept and how they show.

A transcription session (``/v1/realtime?intent=transcription``) carries input audio, VAD and
input transcription, and never a response. What the simulator relies on:

- GA (the openai SDK's ``RealtimeTranscriptionSessionCreateRequest``, the union member of
  ``session.update``/``session.created``/``session.updated``): the session is
  ``{type: "transcription", audio: {input: {format, transcription, noise_reduction,
  turn_detection}}, include}``. Real servers add ``id``, ``object`` and ``expires_at``; for
  ``object`` the SDK's ``RealtimeTranscriptionSessionCreateResponse`` says
  ``realtime.transcription_session`` (OpenAI's guide shows ``realtime.session``; we follow the
  SDK). The update is ``session.update`` with ``type: "transcription"``.
- Beta (``openai.types.beta.realtime``): ``transcription_session.update`` with the flat
  ``input_audio_format``, ``input_audio_transcription``, ``turn_detection``,
  ``input_audio_noise_reduction``, ``include``, ``modalities`` and ``client_secret``; the server
  answers ``transcription_session.updated`` with a ``TranscriptionSession``, whose
  ``client_secret`` is "not present when a session is updated via the WebSocket API" (the SDK's
  docstring; its model marks it required). The first event is ``transcription_session.created``:
  the SDK's union lacks it, but the real server sends it (richiejp/VoxInput#22, which
  mudler/LocalAI#6445 then matched).
- Either kind refuses the other's update with the real message "Passing a transcription session
  update event to a realtime session is not allowed." (reported on OpenAI's forum, 2025) and its
  mirror image; the code and param are our choice (``invalid_value``; ``session.type``/``type``).
- Client events a transcription session does not take (``response.create``,
  ``response.cancel``, ``conversation.item.create``/``truncate``, ``output_audio_buffer.clear``)
  get the error any unknown event type gets: ``invalid_value`` on ``type``, listing the events
  it does take. The sources do not say what OpenAI answers; that is the closest real error.
- Turn detection shows only what a transcription session has: server_vad's threshold, padding
  and silence, semantic_vad's eagerness (``create_response`` and ``interrupt_response`` are
  accepted, as the SDK's types allow, and have no effect: "Not available for transcription
  sessions").
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import errors, fields
from . import validation as v
from .session import SessionState

if TYPE_CHECKING:
    from .dialect import Dialect

TRANSCRIPTION_CLIENT_EVENTS = (
    "session.update",
    "transcription_session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.retrieve",
    "conversation.item.delete",
)
OBJECT = "realtime.transcription_session"
_BETA_KEYS = (
    "input_audio_format", "input_audio_transcription", "turn_detection",
    "input_audio_noise_reduction", "include", "modalities", "client_secret",
)  # fmt: skip


def client_events(all_events: tuple[str, ...]) -> tuple[str, ...]:
    """The events of ``all_events`` (a dialect's) that a transcription session takes."""
    return tuple(e for e in all_events if e in TRANSCRIPTION_CLIENT_EVENTS)


def kind_mismatch(sent: str, session: str, param: str) -> errors.RealtimeError:
    """An update for one kind of session sent to the other kind."""
    return errors.RealtimeError(
        f"Passing a {sent} session update event to a {session} session is not allowed.",
        code="invalid_value",
        param=param,
    )


def _turn_detection(td: dict[str, Any] | None) -> dict[str, Any] | None:
    if td is None:
        return None
    keep = (
        ("type", "threshold", "prefix_padding_ms", "silence_duration_ms")
        if td["type"] == "server_vad"
        else ("type", "eagerness")
    )
    return {k: td[k] for k in keep if k in td}


def _transcription(settings: dict[str, Any] | None) -> dict[str, Any] | None:
    if settings is None:
        return None
    out = {"model": settings.get("model"), "language": settings.get("language")}
    out["prompt"] = settings.get("prompt", "")
    out.update({k: copy.deepcopy(x) for k, x in settings.items() if k not in out})
    return out


def render_ga(state: SessionState) -> dict[str, Any]:
    """The GA transcription session object."""
    c = state.config
    audio_in = c["audio"]["input"]
    return {
        "type": "transcription",
        "object": OBJECT,
        "id": state.id,
        "expires_at": state.expires_at,
        "audio": {
            "input": {
                "format": copy.deepcopy(audio_in["format"]),
                "transcription": _transcription(audio_in["transcription"]),
                "noise_reduction": copy.deepcopy(audio_in["noise_reduction"]),
                "turn_detection": _turn_detection(audio_in["turn_detection"]),
            }
        },
        "include": copy.deepcopy(c["include"]),
    }


def render_beta(state: SessionState, full: dict[str, Any]) -> dict[str, Any]:
    """The beta ``TranscriptionSession`` from the beta realtime session object ``full``."""
    audio_in = state.config["audio"]["input"]
    transcription = _transcription(audio_in["transcription"])
    if transcription is not None:
        transcription = {k: transcription[k] for k in ("model", "language", "prompt")}
    return {
        "id": state.id,
        "object": OBJECT,
        "expires_at": state.expires_at,
        "modalities": full["modalities"],
        "input_audio_format": full["input_audio_format"],
        "input_audio_transcription": transcription,
        "turn_detection": _turn_detection(audio_in["turn_detection"]),
        "input_audio_noise_reduction": full["input_audio_noise_reduction"],
        "include": full["include"],
    }


def parse_ga(raw: Any, dialect: Dialect) -> dict[str, Any]:
    """A GA ``session.update`` payload of ``type: "transcription"`` as a canonical patch."""
    p = "session"
    obj = v.require_object(raw, p)
    v.check_keys(obj, ["type", "audio", "include"], p)
    kind = v.require_key(obj, "type", p)
    if kind != "transcription":
        raise errors.invalid_enum(f"{p}.type", kind, ("realtime", "transcription"))
    patch: dict[str, Any] = {}
    if "audio" in obj:
        v.check_keys(v.require_object(obj["audio"], f"{p}.audio"), ["input"], f"{p}.audio")
        patch["audio"] = dialect.parse_audio(obj["audio"], f"{p}.audio")
    if "include" in obj:
        patch["include"] = fields.include(obj["include"], f"{p}.include")
    return patch


def check_beta_keys(raw: Any) -> dict[str, Any]:
    """A beta ``transcription_session.update`` payload takes only the transcription keys
    (the rest is validated as a beta ``session.update``'s)."""
    obj = v.require_object(raw, "session")
    v.check_keys(obj, _BETA_KEYS, "session")
    if obj.get("client_secret") is not None:
        v.opaque_object(obj["client_secret"], "session.client_secret")
    return obj
