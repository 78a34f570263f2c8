"""The ``balcao`` entry point: the window, or one of the commands of DESIGN.md."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.cli import CommandError, commands_without_qt, fail, parse


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        command = commands_without_qt().get(args.command or "")
        if command is not None:
            return command(args)
        from ui.commands import commands_with_qt

        qt_command = commands_with_qt().get(args.command or "")
        if qt_command is not None:
            return qt_command(args)
        from ui.app import run_window

        return run_window(args)
    except CommandError as error:
        return fail(str(error), error.code)


if __name__ == "__main__":
    sys.exit(main())
