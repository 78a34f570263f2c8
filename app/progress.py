"""How slow work says how far it got, and learns that the user cancelled it (no Qt here).

A slow use case (a CSV export, a statement, a PDF being written) takes an optional ``Progress``
and calls ``report(done, total)`` now and then, and ``check()`` where stopping is safe: a
cancelled operation raises ``Cancelled`` there, and the use case cleans up as for any exception
(a file written to a temporary name is removed; a transaction rolls back). The window's
operation runner gives a ``Progress`` whose reports move its progress bar; everywhere else
(the command line, tests) ``NO_PROGRESS`` ignores them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """The user cancelled the work; nothing is to be shown but that it stopped."""


class Progress:
    """Thread-safe: the work reports from its thread, the window cancels from its own."""

    def __init__(self, on_report: Callable[[int, int | None], None] | None = None) -> None:
        self._on_report = on_report
        self._cancelled = threading.Event()

    def report(self, done: int, total: int | None = None) -> None:
        """``done`` steps of ``total`` (``None``: the total is not known); then ``check()``."""
        if self._on_report is not None:
            self._on_report(done, total)
        self.check()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raises ``Cancelled`` once the user cancelled; call it where stopping is safe."""
        if self._cancelled.is_set():
            raise Cancelled


#: For callers that show no progress: reports go nowhere, and nothing cancels.
NO_PROGRESS = Progress()
