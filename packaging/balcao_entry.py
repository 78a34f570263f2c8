"""PyInstaller's entry script: the same ``main`` as the installed ``balcao`` command."""

from __future__ import annotations

import sys

from ui.main import main

if __name__ == "__main__":
    sys.exit(main())
