"""``reasoning: {effort}``: which models take it, and the error for those that do not.

The openai SDK's ``RealtimeReasoning`` docstring says "Configuration for reasoning-capable
Realtime models such as ``gpt-realtime-2``", and its model list has three such models:
``gpt-realtime-2``, ``gpt-realtime-2.1`` and ``gpt-realtime-2.1-mini`` (dated snapshots of them
too). The effort is one of ``RealtimeReasoningEffort``: minimal, low, medium, high, xhigh.

Any other model refuses a ``reasoning`` object with ``unsupported_parameter`` on
``<prefix>.reasoning.effort``, worded as OpenAI's own refusal of a reasoning parameter on a model
without reasoning ("Unsupported parameter: '…' is not supported with this model."), plus the
model's name so the developer sees which one. A session that has reasoning set and switches to
such a model is refused the same way. ``null`` clears the setting. The simulator does not reason:
the effort is echoed in ``session.updated`` and changes nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from . import errors
from . import validation as v

EFFORTS = ("minimal", "low", "medium", "high", "xhigh")
_REASONING_MODEL = re.compile(r"gpt-realtime-(2|2\.1|2\.1-mini)(-\d{4}-\d{2}-\d{2})?")


def takes_reasoning(model: str) -> bool:
    """Whether ``model`` is a reasoning Realtime model."""
    return _REASONING_MODEL.fullmatch(model) is not None


def unsupported(param: str, model: str) -> errors.RealtimeError:
    """The refusal of ``reasoning`` for a model without it."""
    return errors.RealtimeError(
        f"Unsupported parameter: '{param}' is not supported with this model ('{model}').",
        code="unsupported_parameter",
        param=param,
    )


def parse(value: Any, param: str) -> dict[str, Any] | None:
    """A validated ``reasoning`` object (canonical ``{"effort": …}``) or None for ``null``;
    :func:`check_model` then checks it against the session's model."""
    if value is None:
        return None
    obj = v.require_object(value, param)
    v.check_keys(obj, ["effort"], param)
    out: dict[str, Any] = {}
    if "effort" in obj and obj["effort"] is not None:
        out["effort"] = v.enum(obj["effort"], f"{param}.effort", EFFORTS)
    return out


def check_model(reasoning: dict[str, Any] | None, param: str, model: str) -> None:
    """Refuse a (non-null) reasoning setting for a model that has no reasoning."""
    if reasoning is not None and not takes_reasoning(model):
        raise unsupported(f"{param}.effort", model)
