"""A private PulseAudio daemon with a 24 kHz mono null sink, as ../shared/audio-testing.md shows.

What is played to the sink ``vsink`` comes back on its monitor, the default source: a virtual
sound card on machines with none. Used by the audio tests' fixture and by bench/bench_audio.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


class PulseUnavailable(RuntimeError):
    """PulseAudio is not installed, or its daemon did not come up."""


class PrivatePulse:
    """Start with ``start()`` (sets the environment), stop with ``stop()`` (restores it)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._saved: dict[str, str | None] = {}

    def start(self, timeout: float = 10.0) -> None:
        pulseaudio = shutil.which("pulseaudio")
        if pulseaudio is None or shutil.which("pactl") is None:
            raise PulseUnavailable("pulseaudio/pactl not installed (apt-get install pulseaudio)")
        root = Path(tempfile.mkdtemp(prefix="rc-pulse-"))
        self.folder = root
        env = {
            "HOME": f"{root}/home",
            "XDG_RUNTIME_DIR": f"{root}/run",
            "XDG_CONFIG_HOME": f"{root}/config",
            "XDG_STATE_HOME": f"{root}/state",
            "PULSE_RUNTIME_PATH": f"{root}/run/pulse",
            "PULSE_SERVER": f"unix:{root}/run/pulse/native",
        }
        for sub in ("home", "run/pulse", "config", "state"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(root / "run", 0o700)
        self._saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        self.process = subprocess.Popen(
            [
                pulseaudio,
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit=yes",
                "--use-pid-file=no",
                "--log-target=stderr",
                "-L",
                f"module-native-protocol-unix auth-anonymous=1 socket={root}/run/pulse/native",
                "-L",
                "module-null-sink sink_name=vsink "
                "sink_properties=device.description=VirtualSink rate=24000 channels=1",
                "-L",
                "module-always-sink",
            ],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while True:
            ready = subprocess.run(["pactl", "info"], capture_output=True, check=False)
            if ready.returncode == 0:
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = (
                    self.process.stderr.read().decode(errors="replace")
                    if self.process.stderr
                    else ""
                )
                self.stop()
                raise PulseUnavailable(f"pulseaudio did not start: {err.strip()[-300:]}")
            time.sleep(0.05)  # polling the daemon's socket: there is no event to wait on

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            if process.stderr is not None:
                process.stderr.close()
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved = {}
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
