"""Sessões: the timer at the top, then the sessions of a month and the sessions to review.

The queue starts a session for a contact with ``start_for_contact``; the window's Ctrl+T
(``window_actions``) starts or stops the timer from any view.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.domain.months import Month
from app.i18n import _, format_month, ngettext
from app.services import sessions
from app.services.changes import Changes, Topic
from app.services.exports import write_sessions_csv
from app.services.sessions import SessionRecord
from ui.context import UiContext
from ui.feedback import ask_csv_path, offer_to_open
from ui.operations import Operation, op, op_with_progress
from ui.resources import view_icon
from ui.views.base import View
from ui.views.sessions import quitting
from ui.views.sessions.lists import MonthSessions, ReviewSessions
from ui.views.sessions.recording import RecordSessionDialog
from ui.views.sessions.summary import BillingSummary
from ui.views.sessions.timer import TimerPanel

_MONTH_TAB, _REVIEW_TAB = 0, 1


class SessionsView(View):
    topics = frozenset({Topic.SESSIONS, Topic.CUSTOMERS, Topic.CONTACTS, Topic.SETTINGS})

    #: The view needs the technician's eyes (Ctrl+T with no customer chosen, from another
    #: view): the window shows it.
    wants_attention = Signal()

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("sessions")

        self.timer = TimerPanel(context)
        self.summary = BillingSummary()
        self.month = MonthSessions(context)
        self.review = ReviewSessions(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.month, _("Sessions by month"))
        self.tabs.addTab(self.review, _("Sessions to review"))
        self.record_button = QPushButton(_("&Record a session…"))
        self.record_button.setToolTip(_("Record work done without the timer"))
        self.record_button.clicked.connect(self._open_record_dialog)
        self.tabs.setCornerWidget(self.record_button)
        self.record_dialog: RecordSessionDialog | None = None

        top = QHBoxLayout()
        top.addWidget(self.timer, 5)
        top.addWidget(self.summary, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.timer.stopped.connect(self._on_stopped)
        self.month.chosen.connect(self._show_billing)
        self.review.chosen.connect(self._show_billing)
        self.review.counted.connect(self._on_review_count)

        self.toggle_action = QAction(_("Start or stop the &timer"), self)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+T"))
        self.toggle_action.triggered.connect(self.toggle_timer)
        self.pause_action = QAction(_("&Pause or resume the timer"), self)
        self.pause_action.triggered.connect(self.pause_or_resume)
        self.export_action = QAction(_("E&xport the month's sessions (CSV)…"), self)
        self.export_action.triggered.connect(self.export_month)
        self.record_action = QAction(_("&Record a session…"), self)
        self.record_action.triggered.connect(self._open_record_dialog)

        context.ticked.connect(self._on_tick)
        # The timer and the status bar follow the sessions even while another view shows.
        context.changed.connect(self._on_changes_while_hidden)
        # The lists wait until the view shows (``View`` reloads it then); the timer and the
        # status bar need the open sessions at once (a session left running before a restart).
        self.timer.reload_sessions()

    def title(self) -> str:
        return _("Sessions")

    def icon(self) -> QIcon:
        return view_icon("sessions")

    def window_actions(self) -> list[tuple[str, QAction]]:
        menu = _("&Sessions")
        return [
            (menu, self.toggle_action),
            (menu, self.pause_action),
            (menu, self.record_action),
            (menu, self.export_action),
        ]

    def focus_search(self) -> None:
        self.timer.chooser.search.setFocus()
        self.timer.chooser.search.selectAll()

    def reload(self) -> None:
        self.timer.reload()
        self.month.reload()
        self.review.reload()

    # --- what the queue and the window call -----------------------------------------------------

    def start_for_contact(self, contact_id: int) -> SessionRecord | None:
        """Starts the timer for a contact (its customer's session); ``None`` if it did not."""
        return self.timer.start(contact_id=contact_id)

    def start_for_customer(self, customer_id: int) -> SessionRecord | None:
        """Starts the timer for a customer; ``None`` if it did not start."""
        self.timer.chooser.set_customer(customer_id)
        return self.timer.start(customer_id=customer_id)

    def allow_quit(self) -> bool:
        """Quitting with a timer running asks first (issue 15): keep it running (it goes on
        counting in the database and shows again at the next start), stop and bill it, or
        stay."""
        running = self.timer.running()
        if running is None:
            return True
        choice = quitting.ask_about_running_timer(
            self, running.customer_name, running.elapsed(self.context.now())
        )
        if choice is quitting.QuitChoice.STOP:
            return self.timer.stop_session(running) is not None  # refused: said, and stays
        return choice is quitting.QuitChoice.KEEP

    def toggle_timer(self) -> SessionRecord | None:
        """Ctrl+T: stops the running timer, or starts it for the customer chosen."""
        if self.timer.running() is None and self.timer.chooser.customer_id() is None:
            self.wants_attention.emit()
            self.timer.chooser.setFocus()
            return None
        return self.timer.toggle()

    def record_session(
        self, *, customer_id: int | None = None, contact_id: int | None = None
    ) -> RecordSessionDialog:
        """Opens "Record a session" (for a customer or a contact, if given); once saved, the
        session is shown in its month with its billing."""
        dialog = RecordSessionDialog(
            self.context, customer_id=customer_id, contact_id=contact_id, parent=self
        )

        def saved() -> None:
            if dialog.saved is not None:
                self.show_session(dialog.saved.id)
                self.summary.show_session(dialog.saved, self.month.zone, just_stopped=False)

        dialog.accepted.connect(saved)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        self.record_dialog = dialog
        dialog.open()
        return dialog

    def _open_record_dialog(self) -> None:
        self.record_session()

    def export_month(self) -> Operation[int] | None:
        """Writes the sessions of the month shown as CSV for the accountant, in the background
        with its count, cancellable (the file is written whole or not at all)."""
        year, month = self.month.month
        first, last = Month(year, month).first_day, Month(year, month).last_day
        path = ask_csv_path(
            self,
            _("Export the sessions of {month}").format(month=format_month(year, month)),
            _("sessions-{year}-{month:02d}.csv").format(year=year, month=month),
        )
        if path is None:
            return None

        def exported(count: int) -> None:
            self.context.alert.emit(
                ngettext(
                    "{count} session written to {path}.",
                    "{count} sessions written to {path}.",
                    count,
                ).format(count=count, path=path),
                "info",
            )
            offer_to_open(self, path)

        operation = (
            op_with_progress(
                self, lambda progress: write_sessions_csv(path, first, last, progress=progress)
            )
            .writes(path)
            .in_background(
                _("Exporting the sessions of {month}…").format(month=format_month(year, month)),
                cancellable=True,
            )
            .success(exported)
        )
        operation.run()
        return operation

    def pause_or_resume(self) -> None:
        state = self.timer.current
        if state is None:
            return
        if state.running:
            self.timer.pause()
        else:
            self.timer.resume()

    def show_session(self, session_id: int) -> None:
        """Shows a session: its month in the list, selected, and its billing."""
        # A session gone meanwhile (discarded at another desk) is simply not shown.
        state = op(self, lambda: sessions.session(session_id)).failure(lambda _error: None).run()
        if state is None:
            return
        local = state.started_at.astimezone(self.month.zone)
        if (local.year, local.month) != self.month.month:
            self.month.set_month(local.year, local.month)
        self.tabs.setCurrentIndex(_MONTH_TAB)
        if not self.month.select(session_id):
            self._show_billing(state)

    # --- reacting -------------------------------------------------------------------------------

    def _on_tick(self) -> None:
        self.timer.tick()
        if self.isVisible():
            self.month.tick()

    def _on_changes_while_hidden(self, changes: Changes) -> None:
        if Topic.SESSIONS in changes.topics and not self.isVisible():
            self.timer.reload_sessions()

    def _on_stopped(self, state: SessionRecord) -> None:
        self.summary.show_session(state, self.month.zone, just_stopped=True)

    def _show_billing(self, state: SessionRecord | None) -> None:
        if state is not None:
            self.summary.show_session(state, self.month.zone, just_stopped=False)

    def _on_review_count(self, count: int) -> None:
        title = (
            _("Sessions to review ({count})").format(count=count)
            if count
            else _("Sessions to review")
        )
        self.tabs.setTabText(_REVIEW_TAB, title)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.tick()
