"""What every view shares: the desk, the clock, and the signals that keep the views in step."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.i18n import _
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.context import Desk, read_only
from app.services.errors import DatabaseFault, DatabaseUnavailableError

log = logging.getLogger(__name__)
# Where the program has set up no log file, an outage must not end up on stderr through
# logging's last resort: the lines go to the handlers the program set up, or nowhere.
log.addHandler(logging.NullHandler())

#: Changes heard from other desks are read at most this often: a busy team's changes come in
#: bursts, and each read makes the views showing them refresh (still well within a second).
HEARD_GAP_MS = 250
#: Changes read at once: a mail pass that brought a thousand contacts is read in parts, one a
#: turn of the event loop (reading and announcing a thousand took a frame and more).
POLL_PART = 100
POLL_PAUSE_MS = 10


class UiContext(QObject):
    #: ``Changes`` made at this desk or another one: views showing those topics reload.
    #: Emitted by ``sync`` only, so a change is announced once wherever it was made.
    changed = Signal(object)
    #: Every second: live countdowns and the running timer repaint.
    ticked = Signal()
    #: A view asks the window to show a record: ("customer" | "contact" | "session" |
    #: "invoice" | "packs", id).
    show_record = Signal(str, int)
    #: A view asks for the timer to start: ("contact" | "customer", id).
    start_timer = Signal(str, int)
    #: The running timer in words, for the status bar ("" when none runs).
    timer_status = Signal(str)
    #: The running timer's state, for the status bar's icon: "running" | "paused" | "".
    timer_state = Signal(str)
    #: A warning for the banner at the top of the window: (text, "warning" | "breach" | "info").
    alert = Signal(str, str)
    #: An alert whose words change with time (a countdown), right after its ``alert``:
    #: (render, level), ``render(now) -> str`` ("" once it no longer applies); the banner renders
    #: it at every tick, with the clock the queue's countdowns use.
    alert_live = Signal(object, str)
    #: The database cannot be used (its text, for the window's banner), or "" again when it can.
    database_problem = Signal(str)
    #: Emitted by the listener's thread when another desk committed a change: queued, the
    #: main thread then polls.
    _heard = Signal()

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._last_change = changes.latest()
        #: The database lets this desk read only: every save is refused (said at start).
        self.read_only = read_only()
        #: What is wrong with the database now ("" while it answers).
        self.problem = ""
        #: On PostgreSQL, once ``listen`` was called: hears the other desks' changes at once.
        self.listener: changes.Listener | None = None
        self._polled_at = 0.0  # time.monotonic() of the last poll
        #: A poll soon: after a change heard (``HEARD_GAP_MS``), or for the rest of a long one.
        self._heard_timer = QTimer(self)
        self._heard_timer.setSingleShot(True)
        self._heard_timer.timeout.connect(self.poll)
        self._heard.connect(self._poll_heard, Qt.ConnectionType.QueuedConnection)

    def now(self) -> datetime:
        return self.desk.now()

    def listen(self) -> None:
        """On PostgreSQL, from now on a change committed at another desk is polled for at once
        (``LISTEN``, on a thread of its own), not at the window's next poll. SQLite: nothing."""
        if self.listener is None:
            self.listener = changes.listen(self._heard.emit)
            if self.listener is not None:
                self.listener.start()

    def stop_listening(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.stop()

    @property
    def pushed(self) -> bool:
        """Whether the other desks' changes are heard as they are made (the window's own poll
        is then only a safety net)."""
        return self.listener is not None

    def _poll_heard(self) -> None:
        """Another desk changed something: poll now, or as soon as ``HEARD_GAP_MS`` has passed
        since the last poll (one poll then reads the whole burst)."""
        if self._heard_timer.isActive():
            return
        wait_ms = HEARD_GAP_MS - (time.monotonic() - self._polled_at) * 1000
        if wait_ms <= 0:
            self.poll()
        else:
            self._heard_timer.start(int(wait_ms) + 1)

    def sync(self) -> None:
        """Announces what any desk (this one included) changed since the last call.

        Views call it right after a use case; the window calls it every few seconds for what the
        other desks do (on PostgreSQL as soon as the listener hears of it, and every 30 s as a
        safety net). It never fails: a database fault is reported by ``poll``.
        """
        self.poll()

    def poll(self) -> bool:
        """``sync``, telling whether the database answered.

        When it does not (a server restarting, a network gone), ``database_problem`` says so
        once, the log gets one line for the whole outage (no traceback: it is not a bug), and
        every later poll is the test of whether it is back: a lost PostgreSQL connection is
        re-opened on that use. When it answers again the problem is cleared and every view
        reloads, since any of them may have missed a change meanwhile.
        """
        self._polled_at = time.monotonic()
        try:
            newest, changed = changes.since(self._last_change, limit=POLL_PART)
        except DatabaseFault as fault:
            self.report(fault)
            return False
        if newest - self._last_change >= POLL_PART:  # there may be more: the next part soon
            self._heard_timer.start(POLL_PAUSE_MS)
        self._last_change = newest
        if self.problem:
            log.warning("the database answers again")
            self.problem = ""
            self.database_problem.emit("")
            changed = Changes(frozenset(Topic))
        if changed:
            self.changed.emit(changed)
        return True

    def report(self, fault: DatabaseFault) -> None:
        """The database failed for work the desk does by itself (a poll, a sweep): say so in
        the window once, and once in the log."""
        if isinstance(fault, DatabaseUnavailableError):
            text = _("No connection to the database — trying again…")
        else:
            text = fault.message
        if text != self.problem:
            log.warning("the database cannot be used: %s (%s)", fault.message, fault.detail)
            self.problem = text
            self.database_problem.emit(text)
