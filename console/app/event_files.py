"""The console's event files: ``--record``, the Ctrl+E export and ``--replay``.

A recording gets every event as it comes (the store's cap does not apply); an export writes
the events kept in memory, under a new name each time; a replay rebuilds the events, the
session and the conversation from a recording without sending anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from console.app.config import ConsoleConfig
from console.inspector.model import Inspector
from console.inspector.recording import Recorder, export_jsonl
from console.realtime import RealtimeClient


def unused_path(folder: Path, stem: str, suffix: str = ".jsonl") -> Path:
    """``folder/stem.jsonl``, or ``stem-2.jsonl`` and on if taken: an export never overwrites."""
    candidate = folder / f"{stem}{suffix}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


class EventFiles:
    """Records, exports and replays the app's events; failures are told, never raised."""

    def __init__(
        self,
        config: ConsoleConfig,
        client: RealtimeClient,
        inspector: Inspector,
        notify: Callable[..., None],
    ) -> None:
        self.config = config
        self.client = client
        self.inspector = inspector
        self.notify = notify
        self.recorder: Recorder | None = None

    def start_recording(self, path: Path) -> None:
        try:
            self.recorder = Recorder(path)
        except OSError as exc:
            self.inspector.note_error(f"cannot record to {path}: {exc.strerror or exc}")
            return
        self.inspector.store.listen(self.recorder.write)

    def close(self) -> None:
        """The recording keeps every line written so far."""
        if self.recorder is not None:
            self.recorder.close()

    def export(self, path: str | None = None) -> None:
        """Write the events kept in memory to a JSONL file (``--record`` keeps everything).

        The file goes to ``config.export_dir`` (the current directory when None) under a new
        name each time; the toast gives its full path.
        """
        folder = self.config.export_dir or Path.cwd()
        stamp = datetime.fromtimestamp(self.config.clock()).strftime("%Y%m%d-%H%M%S")
        target = folder / path if path else unused_path(folder, f"realtime-events-{stamp}")
        try:
            count = export_jsonl(self.inspector.store.records, target)
        except OSError as exc:
            self.notify(f"Export failed: {target}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Exported {count} events to {target.resolve()}")

    def replay(self) -> None:
        """Rebuild events, session and conversation from the recording; nothing is sent."""
        self.inspector.replay(self.config.replay)
        for name, value in self.inspector.session.acknowledged_fields.items():
            try:  # show the recorded session in the editor; fields it cannot take stay default
                self.client.update_session(**{name: value})
            except Exception:
                continue
