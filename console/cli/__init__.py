"""The ``realtime-console`` command line.

``realtime-console`` opens the console; ``realtime-console report`` prints a recording's turns,
latencies and cost; ``realtime-console serve`` runs the embedded Realtime simulator on its own,
for any client; ``realtime-console relay`` runs the key-holding relay in front of OpenAI (or
another Realtime server). The app (Textual) and the sound devices are
imported inside their commands, so ``--help`` works even when an optional part is missing; the
parser imports the library, the relay and the simulator for the defaults it shows (each is
defined once, in its part).

One concern per module:

- ``main``: the entry point (``console.cli:main``) and the dispatch to a command;
- ``parser``: the argument parser, one small function per command and option group;
- ``argtypes``: argparse types for ports, URLs, counts and durations;
- ``console``: the console and its read-only replay (target, key, configuration), and
  ``devices``;
- ``checks``: what is refused before the app starts (files, directories, keymap, terminal);
- ``report``: ``report``, a recording's turn table and session summary, with no app;
- ``serving``: ``serve`` and ``relay``, run until Ctrl-C.
"""

from __future__ import annotations

from console.cli.checks import load_keymap
from console.cli.console import console_config, console_target, open_console
from console.cli.main import main
from console.cli.parser import build_parser

__all__ = [
    "build_parser",
    "console_config",
    "console_target",
    "load_keymap",
    "main",
    "open_console",
]
