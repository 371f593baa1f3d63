"""The audio meter: input and output levels (RMS and peak in dBFS) and a voice-band spectrum.

It draws from two ``LevelMeter``s fed by the inspector with the audio passing through the
client (appended input, received output). The app redraws it at ~30 Hz only while audio is
flowing; silence costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

from console.audio.levels import LevelMeter
from console.realtime.retention import AudioRetention

FLOOR_DB = -60.0
BAR_WIDTH = 16
SPARKS = " ▁▂▃▄▅▆▇█"
DECAY_SECONDS = 2.0


def level_bar(dbfs: float, width: int = BAR_WIDTH) -> str:
    """A bar filled in proportion to ``dbfs`` between ``FLOOR_DB`` and 0."""
    fraction = min(1.0, max(0.0, (dbfs - FLOOR_DB) / -FLOOR_DB))
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)


def spectrum(bands: tuple[float, ...]) -> str:
    """One character per band, its height the band's 0..1 level."""
    top = len(SPARKS) - 1
    return "".join(SPARKS[round(min(1.0, max(0.0, value)) * top)] for value in bands)


class MeterPane(Widget):
    """Two lines: ``mic`` and ``out``."""

    BORDER_TITLE = "Audio"

    def __init__(
        self,
        input_meter: LevelMeter,
        output_meter: LevelMeter,
        clock: Callable[[], float],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.meters = {"mic": input_meter, "out": output_meter}
        self.clock = clock
        self._was_active = True

    def show_retention(self, retention: AudioRetention) -> None:
        """``kept 42 s of 1800 s`` (and how many items let their audio go) under the meters."""
        limit = "" if retention.max_seconds is None else f" of {retention.max_seconds:.0f} s"
        text = f"audio kept {retention.kept_seconds:.0f} s{limit}"
        if retention.released_items:
            count = retention.released_items
            text += f" · released from {count} older item{'s' if count > 1 else ''}"
        if text != self.border_subtitle:
            self.border_subtitle = text

    def tick(self) -> None:
        """Redraw while audio flows, and once more when it stops."""
        now = self.clock()
        # Held for the meter's decay (levels fall back to the floor over about a second).
        active = any(meter.is_active(now, hold=DECAY_SECONDS) for meter in self.meters.values())
        if active or self._was_active:
            self.refresh()
        self._was_active = active

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for index, (name, meter) in enumerate(self.meters.items()):
            levels = meter.levels()
            style = "cyan" if name == "mic" else "green"
            if index:
                text.append("\n")
            text.append(f"{name:<4}", style=f"bold {style}")
            text.append(level_bar(levels.rms_dbfs), style=style)
            text.append(f" {levels.rms_dbfs:4.0f} dB rms {levels.peak_dbfs:4.0f} pk ")
            text.append(spectrum(levels.bands), style=style)
        return text
