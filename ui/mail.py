"""Reading the support mailboxes while the window is open (issue 11).

Every minute (``FETCH_MS``) one pass over every mailbox runs through the operation runner, in a
process of its own (``app.services.intake.apart``), never on the UI thread; a pass still running
is not started again over itself.
The window learns of the new contacts as of any change (the runner syncs the context). A mailbox
that fails is named in the status bar with what failed, in Portuguese; it backs off by itself
(``app.services.intake.fetch``), and the others go on. Several desks may run this: the lease in
the database lets one of them read a mailbox at a time.

Where a server offers IMAP IDLE, each mailbox that read well gets a watch (``MailWatch``): a
background operation that waits up to ``IDLE_S`` seconds for the server to announce new mail,
then asks for a pass at once and waits again, so that a new message is in the queue within
seconds. A watch holds a pool thread while it waits, so the pool gets one more thread for each;
the short wait bounds how long closing the window waits for it (``stop``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThreadPool, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from app.i18n import _
from app.services.intake.apart import fetch_all_apart
from app.services.intake.fetch import FetchSummary
from app.services.intake.idle import MailWatch
from ui.context import UiContext
from ui.operations import Operation, op

log = logging.getLogger(__name__)

#: How often the mailboxes are read (issue 11: every 60 s by default).
FETCH_MS = 60_000
#: The first pass, a little after the window shows (the thorough sweep goes first).
FIRST_FETCH_MS = 5_000
#: How long one IDLE wait lasts before it is renewed (and what closing the window may wait).
IDLE_S = 4.0


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
        #: IDLE watches by mailbox id; off until ``start`` (tests turn it on themselves).
        self.watching = False
        self.watches: dict[int, MailWatch] = {}
        self._without_idle: set[int] = set()  # their servers offer no IDLE: not asked again

    def start(self) -> None:
        """The minute timer and the IDLE watches; tests call ``fetch`` themselves instead."""
        self.watching = True
        QTimer.singleShot(FIRST_FETCH_MS, self.fetch)
        self._timer.start()

    def stop(self) -> None:
        """No more passes nor watches; a wait under way ends within ``IDLE_S``."""
        self.watching = False
        self._timer.stop()
        for watch in self.watches.values():
            watch.stopped = True

    def _watch(self, mailbox_id: int) -> None:
        watch = MailWatch(mailbox_id)
        self.watches[mailbox_id] = watch
        pool = QThreadPool.globalInstance()
        pool.setMaxThreadCount(pool.maxThreadCount() + 1)  # it waits on a socket, not the CPU
        self._wait(watch)

    def _wait(self, watch: MailWatch) -> None:
        (
            op(None, lambda: watch.wait(IDLE_S))
            .in_background(_("Waiting for new mail…"), shows_progress=False)
            .success(lambda arrived: self._woke(watch, arrived))
            .failure(lambda error: self._woke(watch, None))
            .run()
        )

    def _woke(self, watch: MailWatch, arrived: object) -> None:
        if arrived is None or not self.watching:
            watch.stopped = True
            if watch.unsupported:
                self._without_idle.add(watch.mailbox_id)
            if self.watches.get(watch.mailbox_id) is watch:
                del self.watches[watch.mailbox_id]
                pool = QThreadPool.globalInstance()
                pool.setMaxThreadCount(max(1, pool.maxThreadCount() - 1))
            if arrived is not None:  # stopped while waiting: close its connection off this thread
                op(None, watch.close).in_background("", shows_progress=False).run()
            return
        if arrived:
            self.fetch()
        self._wait(watch)

    def fetch(self) -> Operation[list[FetchSummary]] | None:
        if self.running is not None or self.context.read_only:
            return None
        # In a process of its own (its Python would slow the window's); as the program itself:
        # the contacts are nobody's typing.
        clock = self.context.desk.clock
        operation: Operation[list[FetchSummary]] = (
            op(None, lambda: fetch_all_apart(clock), sync=self.context)
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
        if self.watching:
            for summary in summaries:
                known = self.watches.keys() | self._without_idle
                if not summary.error and summary.mailbox_id not in known:
                    self._watch(summary.mailbox_id)

    def _ended(self) -> None:
        self.running = None
