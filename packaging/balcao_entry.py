"""PyInstaller's entry script: the same ``main`` as the installed ``balcao`` command."""

from __future__ import annotations

import multiprocessing
import sys

from ui.main import main

if __name__ == "__main__":
    # The mail parser's worker process (app.intake.parse_pool) starts this executable again.
    multiprocessing.freeze_support()
    sys.exit(main())
