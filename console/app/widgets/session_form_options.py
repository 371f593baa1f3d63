"""The session pane's fields beyond the basics: speed, noise reduction, logprobs, truncation,
prompt, tracing and reasoning (``SessionField`` descriptors; their editors are in
``session_options``).

A key missing from the library's configuration shows the server's default (speed empty,
noise reduction off, truncation auto, no prompt, tracing off, no reasoning): what a fresh session
has, and a field left so is never sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from console.inspector.transcripts import LOGPROBS

from .session_field import Config, SessionField
from .session_fields import NOISE_REDUCTION, FormError, number_value

if TYPE_CHECKING:
    from .session import SessionPane

SPEED = (0.25, 1.5)
"""The output speed's range (the SDK's ``audio.output.speed``)."""


def _read_speed(pane: SessionPane, config: Config) -> None:
    value = config.get("speed")
    pane.speed.value = "" if value is None else str(value)


def _write_speed(pane: SessionPane) -> tuple[str, Any]:
    if not pane.speed.value.strip():
        raise FormError(f"speed: enter a number from {SPEED[0]:g} to {SPEED[1]:g}")
    return "speed", number_value(pane.speed.value, "speed", float, *SPEED)


def _read_noise(pane: SessionPane, config: Config) -> None:
    value = config.get("input_audio_noise_reduction")
    kind = value.get("type") if isinstance(value, dict) else None
    pane.noise.value = kind if kind in NOISE_REDUCTION else "off"


def _write_noise(pane: SessionPane) -> tuple[str, Any]:
    kind = pane.noise.value
    return "input_audio_noise_reduction", None if kind == "off" else {"type": kind}


def _read_logprobs(pane: SessionPane, config: Config) -> None:
    pane.logprobs.value = LOGPROBS in (config.get("include") or ())


SPEED_FIELD = SessionField(
    "speed",
    "Speed",
    control=lambda pane: pane.speed,
    raw=lambda pane: pane.speed.value,
    read=_read_speed,
    write=_write_speed,
    section="Output",
)
NOISE = SessionField(
    "input_audio_noise_reduction",
    "Noise reduction",
    control=lambda pane: pane.noise,
    raw=lambda pane: pane.noise.value,
    read=_read_noise,
    write=_write_noise,
    section="Audio input",
)
INCLUDE = SessionField(
    "include",
    "Logprobs",
    control=lambda pane: pane.logprobs,
    raw=lambda pane: pane.logprobs.value,
    read=_read_logprobs,
    write=lambda pane: ("include", [LOGPROBS] if pane.logprobs.value else []),
    section="Audio input",
    ga_only=True,
)
TRUNCATION = SessionField(
    "truncation",
    "Truncation",
    control=lambda pane: pane.truncation.kind,
    raw=lambda pane: pane.truncation.raw(),
    read=lambda pane, config: pane.truncation.fill(config.get("truncation", "auto")),
    write=lambda pane: ("truncation", pane.truncation.parse()),
    below=lambda pane: (pane.truncation,),
    section="Context",
    ga_only=True,
)
PROMPT = SessionField(
    "prompt",
    "Prompt id",
    spoken="prompt",
    control=lambda pane: pane.prompt.prompt_id,
    raw=lambda pane: pane.prompt.raw(),
    read=lambda pane, config: pane.prompt.fill(config.get("prompt")),
    write=lambda pane: ("prompt", pane.prompt.parse()),
    below=lambda pane: (pane.prompt,),
    section="Context",
    ga_only=True,
)
TRACING = SessionField(
    "tracing",
    "Tracing",
    control=lambda pane: pane.tracing.kind,
    raw=lambda pane: pane.tracing.raw(),
    read=lambda pane, config: pane.tracing.fill(config.get("tracing")),
    write=lambda pane: ("tracing", pane.tracing.parse()),
    below=lambda pane: (pane.tracing,),
    section="Advanced",
)
REASONING = SessionField(
    "reasoning",
    "Reasoning",
    control=lambda pane: pane.reasoning.effort,
    raw=lambda pane: pane.reasoning.effort.value,
    read=lambda pane, config: pane.reasoning.fill(config.get("reasoning")),
    write=lambda pane: ("reasoning", pane.reasoning.parse()),
    below=lambda pane: (pane.reasoning,),
    section="Advanced",
    ga_only=True,
)
