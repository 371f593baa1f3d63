"""Prompt references (``prompt: {id, version, variables}``) resolved from a prompt file.

OpenAI keeps prompt templates on its side; the simulator reads them from a JSON file
(``realtime-console serve --prompts FILE.json``, or ``SimulatorServer(prompts=...)``)::

    {
      "pmpt_support": {
        "instructions": "You help {{customer}} with their {{product}}.",
        "version": "3",
        "versions": {"1": "You help customers.", "2": "You help {{customer}}."}
      }
    }

Each id maps to its newest ``instructions`` (a template), optionally the ``version`` string that
newest one is (default ``"1"``) and older ``versions`` by version string. A session (or a
response) whose ``prompt`` names a known id reads that template with every ``{{name}}``
replaced by its variable: what the model reads is the prompt's text, then the session's own
``instructions`` unless they are the server's defaults (the prompt replaces those). The
``prompt`` object itself is echoed as sent.

Refusals (the sources give no wording for them; ours follow the real API's ``invalid_value``
errors, with the param path of the field at fault): an id the file lacks ("Prompt with id 'x'
not found.", on ``prompt.id``), a version it lacks (on ``prompt.version``), a template variable
the client did not give (on ``prompt.variables``). Variables the template does not use are
ignored. A variable is a string or an ``input_text`` part; ``input_image`` and ``input_file``
parts are accepted (the SDK's ``ResponsePrompt`` allows them) and read as ``[image]`` and
``[file NAME]``, since the simulator reads no images or files here.

Limits: the file at most 1 MiB, 1,000 prompts, 64 KiB of text per template; at most 100
variables of at most 16 KiB each, so a resolved prompt stays bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors
from . import validation as v
from .session import DEFAULT_INSTRUCTIONS

MAX_FILE_BYTES = 1024 * 1024
MAX_PROMPTS = 1000
MAX_TEMPLATE_CHARS = 64 * 1024
MAX_VARIABLES = 100
MAX_VARIABLE_CHARS = 16 * 1024
DEFAULT_VERSION = "1"
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Template:
    """One prompt id: its newest text and version, and older versions."""

    instructions: str
    version: str = DEFAULT_VERSION
    versions: dict[str, str] = field(default_factory=dict)

    def text(self, version: str | None) -> str | None:
        """The template of ``version`` (None: the newest), or None if there is no such one."""
        if version is None or version == self.version:
            return self.instructions
        return self.versions.get(version)


class PromptLibrary:
    """The prompts a simulator knows, by id (empty: every id is unknown)."""

    def __init__(self, prompts: Mapping[str, Any] | None = None) -> None:
        """``prompts``: the file's JSON object; :class:`ValueError` says what is wrong in it."""
        self._templates: dict[str, Template] = {}
        if prompts is None:
            return
        if not isinstance(prompts, Mapping):
            raise ValueError("the prompts must be a JSON object mapping ids to prompts")
        if len(prompts) > MAX_PROMPTS:
            raise ValueError(f"{len(prompts)} prompts: at most {MAX_PROMPTS} are allowed")
        for prompt_id, entry in prompts.items():
            self._templates[str(prompt_id)] = _template(str(prompt_id), entry)

    @classmethod
    def from_file(cls, path: str | Path) -> PromptLibrary:
        """Read a prompt file; :class:`ValueError` with the reason when it cannot be used."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"{path}: {size} bytes, larger than {MAX_FILE_BYTES} bytes")
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"{path}: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not valid JSON ({exc})") from exc
        try:
            return cls(data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def __len__(self) -> int:
        return len(self._templates)

    def resolve(self, prompt: dict[str, Any], param: str) -> str:
        """The instructions a validated ``prompt`` reference stands for, variables filled in."""
        prompt_id = prompt["id"]
        template = self._templates.get(prompt_id)
        if template is None:
            raise errors.invalid_value(f"{param}.id", f"Prompt with id '{prompt_id}' not found.")
        version = prompt.get("version")
        text = template.text(version)
        if text is None:
            raise errors.invalid_value(
                f"{param}.version", f"Prompt '{prompt_id}' has no version '{version}'."
            )
        variables = prompt.get("variables") or {}
        missing = sorted({m for m in _VARIABLE.findall(text) if m not in variables})
        if missing:
            raise errors.invalid_value(
                f"{param}.variables",
                f"Missing prompt variables for prompt '{prompt_id}': {', '.join(missing)}.",
            )
        return _VARIABLE.sub(lambda m: _variable_text(variables[m.group(1)]), text)


def _template(prompt_id: str, entry: Any) -> Template:
    if not isinstance(entry, Mapping):
        raise ValueError(f"prompt {prompt_id!r} must be an object with 'instructions'")
    unknown = set(entry) - {"instructions", "version", "versions"}
    if unknown:
        raise ValueError(f"prompt {prompt_id!r}: unknown keys {sorted(unknown)}")
    instructions = _text(entry.get("instructions"), f"prompt {prompt_id!r} instructions")
    version = entry.get("version", DEFAULT_VERSION)
    if not isinstance(version, str) or not version:
        raise ValueError(f"prompt {prompt_id!r}: 'version' must be a non-empty string")
    older = entry.get("versions", {})
    if not isinstance(older, Mapping):
        raise ValueError(f"prompt {prompt_id!r}: 'versions' must map version strings to text")
    versions = {
        str(name): _text(text, f"prompt {prompt_id!r} version {name!r}")
        for name, text in older.items()
    }
    return Template(instructions, version, versions)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    if len(value) > MAX_TEMPLATE_CHARS:
        raise ValueError(f"{what}: {len(value)} characters, more than {MAX_TEMPLATE_CHARS}")
    return value


def _variable_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    kind = value.get("type")
    if kind == "input_text":
        return str(value.get("text", ""))
    if kind == "input_file":
        name = value.get("filename") or value.get("file_id")
        return f"[file {name}]" if name else "[file]"
    return "[image]"


def _variable(value: Any, param: str) -> Any:
    """A string or an ``input_text`` part (at most :data:`MAX_VARIABLE_CHARS`), or an
    ``input_image``/``input_file`` part (read as a placeholder, so not counted)."""
    if isinstance(value, str):
        text = value
    else:
        obj = v.require_object(value, param)
        kind = v.enum(obj.get("type"), f"{param}.type", ("input_text", "input_image", "input_file"))
        if kind != "input_text":
            keys = ["type", "detail", "file_id", "image_url"]
            if kind == "input_file":
                keys = ["type", "file_data", "file_id", "file_url", "filename"]
            v.check_keys(obj, keys, param)
            for key, item in obj.items():
                if item is not None:
                    v.string(item, f"{param}.{key}")
            return value
        v.check_keys(obj, ["type", "text"], param)
        text = v.string(v.require_key(obj, "text", param), f"{param}.text")
    if len(text) > MAX_VARIABLE_CHARS:
        raise errors.invalid_value(
            param, f"Invalid '{param}': at most {MAX_VARIABLE_CHARS} characters are allowed."
        )
    return value


def parse(value: Any, param: str, library: PromptLibrary | None) -> dict[str, Any]:
    """Validate a ``prompt`` reference and resolve it: ``{"prompt": …, "prompt_text": …}``
    (both None for ``null``, which removes the prompt)."""
    if value is None:
        return {"prompt": None, "prompt_text": None}
    obj = v.require_object(value, param)
    v.check_keys(obj, ["id", "version", "variables"], param)
    prompt: dict[str, Any] = {"id": v.string(v.require_key(obj, "id", param), f"{param}.id")}
    if obj.get("version") is not None:
        prompt["version"] = v.string(obj["version"], f"{param}.version")
    if obj.get("variables") is not None:
        raw = v.require_object(obj["variables"], f"{param}.variables")
        if len(raw) > MAX_VARIABLES:
            raise errors.invalid_value(
                f"{param}.variables",
                f"Invalid '{param}.variables': at most {MAX_VARIABLES} variables are allowed.",
            )
        prompt["variables"] = {
            str(k): _variable(x, f"{param}.variables.{k}") for k, x in raw.items()
        }
    text = (library or PromptLibrary()).resolve(prompt, param)
    return {"prompt": prompt, "prompt_text": text}


def model_instructions(instructions: str, prompt_text: str | None) -> str:
    """What the model reads: the prompt's text, then the session's own instructions (unless they
    are the server's defaults, which a prompt replaces)."""
    if prompt_text is None:
        return instructions
    if not instructions or instructions == DEFAULT_INSTRUCTIONS:
        return prompt_text
    return f"{prompt_text}\n\n{instructions}"
