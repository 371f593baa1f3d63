"""``python -m console.cli``: the same as ``realtime-console``."""

from __future__ import annotations

import sys

from console.cli.main import main

sys.exit(main())
