"""Commands that need Qt but no window: the PDFs."""

from __future__ import annotations

from app.cli import Command


def commands_with_qt() -> dict[str, Command]:
    return {}
