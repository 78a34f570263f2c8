"""Where the program's top-level data folders (``i18n/``, ``resources/``) are: beside the code in
a checkout (and in the editable install that serves it), inside the bundle when frozen by
PyInstaller (``sys._MEIPASS``, where ``packaging/balcao.spec`` puts them)."""

from __future__ import annotations

import sys
from pathlib import Path


def data_folder(name: str) -> Path:
    """The top-level folder ``name`` of the program."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / name
    return Path(__file__).resolve().parent.parent / name
