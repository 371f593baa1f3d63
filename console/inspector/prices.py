"""What a session costs: the price table (``data/prices.toml``) and the cost of a usage.

The table is one TOML file in the package, each price with its source and date;
``--prices FILE.toml`` overrides or extends it (same shape, merged per model). A model id also
prices its dated snapshots (``gpt-realtime`` covers ``gpt-realtime-2025-08-28``), but nothing
else: a new model that merely starts like a known one (``gpt-realtime-3``) has no known cost,
because a wrong figure is worse than none. Unknown is ``None``, never zero.

Response usage (``response.done``) is priced by kind: text, audio and image input, each split
into cached and uncached by ``cached_tokens_details`` (when a server gives only
``cached_tokens``, they are taken as text first, then audio, then image: the cheapest reading),
and text and audio output. Input audio transcription is priced by tokens (``usage.type ==
"tokens"``) or by duration (``"duration"``, whisper-style models, per minute).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

PER_TOKENS = 1_000_000
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_KINDS = ("text", "audio", "image")


class PriceTableError(ValueError):
    """A prices file that cannot be read or has the wrong shape."""


@dataclass(frozen=True)
class Rates:
    """US dollars per 1M tokens of one kind (``None``: the model has no such price)."""

    input: float | None = None
    cached_input: float | None = None
    output: float | None = None


@dataclass(frozen=True)
class ModelPrices:
    """One model's prices, and where they come from."""

    model: str
    text: Rates = Rates()
    audio: Rates = Rates()
    image: Rates = Rates()
    per_minute: float | None = None
    """Transcription priced by audio duration."""
    source: str = ""
    date: str = ""

    def rates(self, kind: str) -> Rates:
        rates: Rates = getattr(self, kind)
        return rates


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PriceTableError(f"{where}: a price must be a number of dollars >= 0, not {value!r}")
    return float(value)


def _rates(value: Any, where: str) -> Rates:
    if not isinstance(value, Mapping):
        raise PriceTableError(f"{where}: expected a table like {{ input = 4.0, output = 16.0 }}")
    unknown = set(value) - {"input", "cached_input", "output"}
    if unknown:
        raise PriceTableError(f"{where}: unknown price {', '.join(sorted(unknown))}")
    return Rates(**{key: _number(price, f"{where}.{key}") for key, price in value.items()})


def _model(name: str, table: Any, base: ModelPrices | None) -> ModelPrices:
    where = f"models.{name}"
    if not isinstance(table, Mapping):
        raise PriceTableError(f"{where}: expected a table")
    unknown = set(table) - {*_KINDS, "per_minute", "source", "date"}
    if unknown:
        raise PriceTableError(f"{where}: unknown key {', '.join(sorted(unknown))}")
    prices = base or ModelPrices(name)
    changes: dict[str, Any] = {}
    for kind in _KINDS:
        if kind in table:
            changes[kind] = _rates(table[kind], f"{where}.{kind}")
    if "per_minute" in table:
        changes["per_minute"] = _number(table["per_minute"], f"{where}.per_minute")
    for key in ("source", "date"):
        if key in table:
            changes[key] = str(table[key])
    return ModelPrices(**{**prices.__dict__, **changes})


class PriceTable:
    """Prices by model id; ``lookup`` also finds a dated snapshot's model."""

    def __init__(self, models: Mapping[str, ModelPrices] | None = None) -> None:
        self.models: dict[str, ModelPrices] = dict(models or {})

    @classmethod
    def default(cls) -> PriceTable:
        """The table shipped in the package (read once; tables are never changed in place)."""
        return _default_table()

    def merged(self, data: Mapping[str, Any], origin: str) -> PriceTable:
        """A new table with ``data``'s models over these (per model: its kinds replace ours)."""
        models = data.get("models")
        if not isinstance(models, Mapping):
            raise PriceTableError(f'{origin}: expected [models."<model id>"] tables')
        merged = dict(self.models)
        try:
            for name, table in models.items():
                merged[str(name)] = _model(str(name), table, merged.get(str(name)))
        except PriceTableError as exc:
            raise PriceTableError(f"{origin}: {exc}") from None
        return PriceTable(merged)

    def with_file(self, path: str | Path) -> PriceTable:
        """This table overridden and extended by a TOML file (``--prices``)."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise PriceTableError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise PriceTableError(f"{path}: not TOML: {exc}") from None
        return self.merged(data, str(path))

    def lookup(self, model: str | None) -> ModelPrices | None:
        """The prices of ``model`` or of the model it is a dated snapshot of; else ``None``."""
        if not model:
            return None
        found = self.models.get(model)
        if found is None and _SNAPSHOT.search(model):
            found = self.models.get(_SNAPSHOT.sub("", model))
        return found


@functools.cache
def _default_table() -> PriceTable:
    text = resources.files("console.inspector").joinpath("data/prices.toml").read_text("utf-8")
    return PriceTable().merged(tomllib.loads(text), "prices.toml")


def _count(mapping: Any, key: str) -> int:
    value = mapping.get(key) if isinstance(mapping, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _cached_split(details: Mapping[str, Any], by_kind: dict[str, int]) -> dict[str, int]:
    """Cached input tokens of each kind."""
    cached_details = details.get("cached_tokens_details")
    if isinstance(cached_details, Mapping):
        return {
            kind: min(_count(cached_details, f"{kind}_tokens"), by_kind[kind]) for kind in _KINDS
        }
    left = _count(details, "cached_tokens")
    split = {}
    for kind in _KINDS:  # only a total: the cheapest reading, text first
        split[kind] = min(left, by_kind[kind])
        left -= split[kind]
    return split


def response_cost(usage: Any, prices: ModelPrices | None) -> float | None:
    """US dollars of one ``response.done`` usage, or ``None`` when it cannot be known."""
    if prices is None or not isinstance(usage, Mapping):
        return None
    details = usage.get("input_token_details")
    out_details = usage.get("output_token_details")
    if not isinstance(details, Mapping) or not isinstance(out_details, Mapping):
        if _count(usage, "input_tokens") or _count(usage, "output_tokens"):
            return None  # tokens without their kinds: text and audio prices differ tenfold
        return 0.0
    by_kind = {kind: _count(details, f"{kind}_tokens") for kind in _KINDS}
    cached = _cached_split(details, by_kind)
    outputs = {kind: _count(out_details, f"{kind}_tokens") for kind in ("text", "audio")}
    total = 0.0
    for kind in _KINDS:
        rates = prices.rates(kind)
        uncached, hit = by_kind[kind] - cached[kind], cached[kind]
        if (uncached and rates.input is None) or (hit and rates.cached_input is None):
            return None
        total += uncached * (rates.input or 0.0) + hit * (rates.cached_input or 0.0)
    for kind, count in outputs.items():
        rate = prices.rates(kind).output
        if count and rate is None:
            return None
        total += count * (rate or 0.0)
    return total / PER_TOKENS


def transcription_cost(usage: Any, prices: ModelPrices | None) -> float | None:
    """US dollars of one transcription's usage (by tokens or by duration), or ``None``."""
    if prices is None or not isinstance(usage, Mapping):
        return None
    if usage.get("type") == "duration":
        seconds = usage.get("seconds")
        if prices.per_minute is None or not isinstance(seconds, int | float):
            return None
        return float(seconds) / 60.0 * prices.per_minute
    input_rate = prices.text.input if prices.text.input is not None else prices.audio.input
    output_rate = prices.text.output if prices.text.output is not None else prices.audio.output
    if input_rate is None or output_rate is None:
        return None
    details = usage.get("input_token_details")
    if isinstance(details, Mapping) and prices.text.input is not None:
        text, audio = _count(details, "text_tokens"), _count(details, "audio_tokens")
        audio_rate = prices.audio.input if prices.audio.input is not None else input_rate
        total = text * prices.text.input + audio * audio_rate
    else:
        total = _count(usage, "input_tokens") * input_rate
    return (total + _count(usage, "output_tokens") * output_rate) / PER_TOKENS
