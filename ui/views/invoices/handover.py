"""Handing the invoices to the certified program from the window (P29): the outbox's retry pass
in the background each minute, and the lock that keeps it and the Faturas actions apart.

Every call to the program is made on the thread pool through the operation runner. The window
makes one call at a time: a manual "Enviar" and the minute's retry of the same document must
never both create a draft there (the services' "never twice" holds between attempts, not
between two attempts running at once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from app.i18n import _
from app.services.invoicing.outbox import OutboxPass, run_outbox
from ui.context import UiContext
from ui.operations import Operation, op

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Held while this window talks to the certified program.
HANDOVER = threading.Lock()


def one_at_a_time(work: Callable[[], T]) -> Callable[[], T]:
    """``work`` run while holding ``HANDOVER`` (waiting for the minute's pass to end)."""

    def guarded() -> T:
        with HANDOVER:
            return work()

    return guarded


class OutboxRunner:
    """The sends waiting in the outbox, tried again in the background (``run_outbox``, with its
    back-off); skipped while the previous pass or a user's send still runs. A refusal is only
    logged: each document's failure shows in the Faturas legal state column."""

    def __init__(self, context: UiContext) -> None:
        self.context = context
        self.running: Operation[OutboxPass | None] | None = None

    def __call__(self) -> Operation[OutboxPass | None] | None:
        if self.running is not None:
            return None
        desk = self.context.desk

        def work() -> OutboxPass | None:
            if not HANDOVER.acquire(blocking=False):
                return None  # a send of the user's is running: next minute
            try:
                return run_outbox(desk)
            finally:
                HANDOVER.release()

        operation: Operation[OutboxPass | None] = (
            op(None, work, sync=self.context)
            .in_background(_("Sending invoices to the certified program…"), shows_progress=False)
            .failure(lambda error: log.warning("outbox pass refused: %s", error))
            .finally_(self._ended)
        )
        self.running = operation
        operation.run()
        return operation

    def _ended(self) -> None:
        self.running = None
