"""Reading the support mailboxes while the window is open (issue 11).

Every minute (``FETCH_MS``) one pass over every mailbox runs on the thread pool through the
operation runner, never on the UI thread; a pass still running is not started again over itself.
The window learns of the new contacts as of any change (the runner syncs the context). A mailbox
that fails is named in the status bar with what failed, in Portuguese; it backs off by itself
(``app.services.intake.fetch``), and the others go on. Several desks may run this: the lease in
the database lets one of them read a mailbox at a time.

Not done yet: IMAP IDLE (a message in the queue within 5 s); the pass runs every minute.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from app.i18n import _
from app.services.context import Desk
from app.services.intake.fetch import FetchSummary, fetch_all
from ui.context import UiContext
from ui.operations import Operation, op

log = logging.getLogger(__name__)

#: How often the mailboxes are read (issue 11: every 60 s by default).
FETCH_MS = 60_000
#: The first pass, a little after the window shows (the thorough sweep goes first).
FIRST_FETCH_MS = 5_000


def status_text(summaries: list[FetchSummary]) -> str:
    """The status bar's words for the mailboxes that failed; empty when none did."""
    failed = [s for s in summaries if s.error]
    return "; ".join(
        _("Mailbox {name}: {error}").format(name=s.mailbox, error=s.error) for s in failed
    )


class MailFetcher(QObject):
    def __init__(self, context: UiContext, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.context = context
        self.running: Operation[list[FetchSummary]] | None = None
        self.label = QLabel()
        self.label.setAccessibleName(_("Mailboxes that could not be read"))
        self.label.setVisible(False)
        status_bar.addPermanentWidget(self.label)
        self._timer = QTimer(self)
        self._timer.setInterval(FETCH_MS)
        self._timer.timeout.connect(self.fetch)

    def start(self) -> None:
        """The minute timer; tests call ``fetch`` themselves instead."""
        QTimer.singleShot(FIRST_FETCH_MS, self.fetch)
        self._timer.start()

    def fetch(self) -> Operation[list[FetchSummary]] | None:
        if self.running is not None or self.context.read_only:
            return None
        # The program itself reads the mail: the contacts are nobody's typing.
        desk = Desk(self.context.desk.clock, None)
        operation: Operation[list[FetchSummary]] = (
            op(None, lambda: fetch_all(desk), sync=self.context)
            .in_background(_("Reading the mailboxes…"), shows_progress=False)
            .success(self._show)
            .failure(lambda error: log.warning("mail fetch refused: %s", error))
            .finally_(self._ended)
        )
        self.running = operation
        operation.run()
        return operation

    def _show(self, summaries: list[FetchSummary]) -> None:
        text = status_text(summaries)
        self.label.setText(text)
        self.label.setVisible(bool(text))

    def _ended(self) -> None:
        self.running = None
