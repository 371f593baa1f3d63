"""Editors for the session options beyond the basics: truncation, prompt, tracing, reasoning.

Each shows the library's flat ``session_config`` value (``fill``), gives the form state that
"edited" is measured on (``raw``) and builds the ``update_session`` value (``parse``), raising
``FormError`` with a message naming the field before anything is sent. The shapes are the SDK's
(``openai.types.realtime``: ``RealtimeTruncation``, ``ResponsePrompt``, ``RealtimeTracingConfig``,
``RealtimeReasoning``); all four are GA only except tracing, which beta sessions take too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Select, Static, TextArea

from .session_fields import FormError, number_value

TRUNCATION = ("auto", "disabled", "retention_ratio")
TRACING = ("off", "auto", "custom")
EFFORTS = ("off", "minimal", "low", "medium", "high", "xhigh")
"""``reasoning.effort`` (the SDK's ``RealtimeReasoningEffort``); "off" sends no reasoning."""
REASONING_MODELS = ("gpt-realtime-2", "gpt-realtime-2.1", "gpt-realtime-2.1-mini")
"""The models that take ``reasoning``; the server refuses it for the others."""
PROMPT_ID = re.compile(r"pmpt_[A-Za-z0-9_-]+")


def _row(label: str, *widgets: Any) -> Horizontal:
    return Horizontal(Label(label, classes="param-label"), *widgets, classes="field-row")


def _select(choices: tuple[str, ...], id: str) -> Select[str]:
    return Select(
        [(c, c) for c in choices], value=choices[0], allow_blank=False, id=id, compact=True
    )


def json_object(text: str, label: str) -> dict[str, Any]:
    """``text`` as a JSON object; ``FormError`` naming ``label`` and where the JSON breaks."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormError(f"{label}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(value, dict):
        raise FormError(f"{label}: must be a JSON object ({{...}})")
    return value


class TruncationEditor(Vertical):
    """``auto``, ``disabled``, or ``retention_ratio`` with its ratio and optional token limit."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = _select(TRUNCATION, "session-truncation")
        self.ratio = Input(placeholder="0-1, e.g. 0.8", id="session-truncation-ratio", compact=True)
        self.limit = Input(
            placeholder="optional", type="integer", id="session-truncation-limit", compact=True
        )
        self.params = Vertical(
            _row("retention ratio", self.ratio),
            _row("token limit", self.limit),
            classes="option-params",
            id="session-truncation-params",
        )

    def compose(self) -> ComposeResult:
        yield self.params

    def on_mount(self) -> None:
        self.show_params()

    def show_params(self) -> None:
        self.params.display = self.kind.value == "retention_ratio"

    def raw(self) -> tuple[Any, ...]:
        if self.kind.value == "retention_ratio":
            return ("retention_ratio", self.ratio.value, self.limit.value)
        return (self.kind.value,)

    def fill(self, value: Any) -> None:
        if isinstance(value, dict) and value.get("type") == "retention_ratio":
            self.kind.value = "retention_ratio"
            self.ratio.value = str(value.get("retention_ratio", ""))
            limits = value.get("token_limits")
            limit = limits.get("post_instructions") if isinstance(limits, dict) else None
            self.limit.value = "" if limit is None else str(limit)
        else:
            self.kind.value = value if value in TRUNCATION else "auto"
            self.ratio.value = self.limit.value = ""
        self.show_params()

    def parse(self) -> Any:
        if self.kind.value != "retention_ratio":
            return self.kind.value
        if not self.ratio.value.strip():
            raise FormError("truncation: retention_ratio needs a ratio from 0 to 1")
        ratio = number_value(self.ratio.value, "truncation: retention ratio", float, 0.0, 1.0)
        value: dict[str, Any] = {"type": "retention_ratio", "retention_ratio": ratio}
        if self.limit.value.strip():
            limit = number_value(self.limit.value, "truncation: post-instructions tokens", int, 1)
            value["token_limits"] = {"post_instructions": limit}
        return value


class PromptEditor(Vertical):
    """A prompt reference: its id (``pmpt_…``), version, and variables as ``key=value`` lines
    or a JSON object of strings. An empty id (and nothing else) is no prompt."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.prompt_id = Input(
            placeholder="pmpt_... (empty: none)", id="session-prompt-id", compact=True
        )
        self.version = Input(placeholder="optional", id="session-prompt-version", compact=True)
        self.variables = TextArea(
            id="session-prompt-variables", soft_wrap=True, tab_behavior="focus"
        )
        self.variables.placeholder = "key=value, one a line (or a JSON object)"

    def compose(self) -> ComposeResult:
        yield _row("version", self.version)
        yield Label("variables", classes="param-label option-heading")
        yield self.variables

    def raw(self) -> tuple[str, str, str]:
        return (self.prompt_id.value, self.version.value, self.variables.text)

    def fill(self, value: Any) -> None:
        prompt = value if isinstance(value, dict) else {}
        self.prompt_id.value = str(prompt.get("id") or "")
        self.version.value = str(prompt.get("version") or "")
        variables = prompt.get("variables")
        text = ""
        if isinstance(variables, dict) and variables:
            if all(isinstance(v, str) and "\n" not in v for v in variables.values()):
                text = "\n".join(f"{k}={v}" for k, v in variables.items())
            else:
                text = json.dumps(variables)
        if text != self.variables.text:
            self.variables.load_text(text)

    def parse(self) -> dict[str, Any] | None:
        prompt_id = self.prompt_id.value.strip()
        version = self.version.value.strip()
        variables = self.parse_variables(self.variables.text)
        if not prompt_id:
            if version or variables:
                raise FormError("prompt: enter the prompt's id (pmpt_…), or clear the fields")
            return None
        if not PROMPT_ID.fullmatch(prompt_id):
            raise FormError(f"prompt: id {prompt_id!r} is not a prompt id (pmpt_…)")
        value: dict[str, Any] = {"id": prompt_id}
        if version:
            value["version"] = version
        if variables:
            value["variables"] = variables
        return value

    @staticmethod
    def parse_variables(text: str) -> dict[str, str]:
        """``key=value`` lines, or a JSON object whose values are all strings."""
        text = text.strip()
        if not text:
            return {}
        if text.startswith("{"):
            value = json_object(text, "prompt variables")
            wrong = [key for key, item in value.items() if not isinstance(item, str)]
            if wrong:
                raise FormError(f"prompt variables: {wrong[0]!r} must be a string")
            return value
        variables: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            key, equals, item = line.partition("=")
            key = key.strip()
            if not equals or not key:
                raise FormError(f"prompt variables: line {number}: write key=value")
            if key in variables:
                raise FormError(f"prompt variables: {key!r} is given twice")
            variables[key] = item.strip()
        return variables


class TracingEditor(Vertical):
    """Tracing off, ``auto``, or a configuration (workflow name, group id, metadata)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = _select(TRACING, "session-tracing")
        self.workflow = Input(placeholder="optional", id="session-tracing-workflow", compact=True)
        self.group = Input(placeholder="optional", id="session-tracing-group", compact=True)
        self.metadata = Input(
            placeholder='JSON object, e.g. {"env": "dev"}',
            id="session-tracing-metadata",
            compact=True,
        )
        self.params = Vertical(
            _row("workflow name", self.workflow),
            _row("group id", self.group),
            _row("metadata", self.metadata),
            classes="option-params",
            id="session-tracing-params",
        )

    def compose(self) -> ComposeResult:
        yield self.params

    def on_mount(self) -> None:
        self.show_params()

    def show_params(self) -> None:
        self.params.display = self.kind.value == "custom"

    def raw(self) -> tuple[Any, ...]:
        if self.kind.value == "custom":
            return ("custom", self.workflow.value, self.group.value, self.metadata.value)
        return (self.kind.value,)

    def fill(self, value: Any) -> None:
        config = value if isinstance(value, dict) else {}
        self.kind.value = "custom" if isinstance(value, dict) else "auto" if value else "off"
        self.workflow.value = str(config.get("workflow_name") or "")
        self.group.value = str(config.get("group_id") or "")
        metadata = config.get("metadata")
        self.metadata.value = json.dumps(metadata) if metadata else ""
        self.show_params()

    def parse(self) -> Any:
        if self.kind.value == "off":
            return None
        if self.kind.value == "auto":
            return "auto"
        value: dict[str, Any] = {}
        if self.workflow.value.strip():
            value["workflow_name"] = self.workflow.value.strip()
        if self.group.value.strip():
            value["group_id"] = self.group.value.strip()
        if self.metadata.value.strip():
            value["metadata"] = json_object(self.metadata.value, "tracing metadata")
        return value


def reasoning_note(model: str | None) -> tuple[Content, bool]:
    """The line under the effort: which models take it, and a warning (True) when the
    session's ``model`` is not one of them."""
    taken = ", ".join(REASONING_MODELS)
    if model is None or model in REASONING_MODELS:
        return Content(f"taken by {taken}"), False
    warning = f"⚠ {model} does not take reasoning (only {taken}): the server may refuse it"
    return Content(warning), True


class ReasoningEditor(Vertical):
    """``reasoning.effort``, with a note on which models take it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.effort = _select(EFFORTS, "session-reasoning")
        self.note = Static("", id="session-reasoning-note", markup=False)
        self._model: str | None = ""
        """The model the note was written for ("": none written yet; None: not known)."""

    def compose(self) -> ComposeResult:
        yield self.note

    def show_model(self, model: str | None) -> None:
        """Say whether the session's ``model`` (None: not known yet) takes reasoning; nothing
        to do unless it changed."""
        if model == self._model:
            return
        self._model = model
        content, warn = reasoning_note(model)
        self.note.update(content)
        self.note.set_class(warn, "-warning")

    def fill(self, value: Any) -> None:
        effort = value.get("effort") if isinstance(value, dict) else None
        self.effort.value = effort if effort in EFFORTS else "off"

    def parse(self) -> dict[str, Any] | None:
        return None if self.effort.value == "off" else {"effort": self.effort.value}
