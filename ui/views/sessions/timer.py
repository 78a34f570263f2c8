"""The timer: start a session for a customer (or a contact), pause, resume, stop, and watch
what it will bill, live every second (P11–P13).

The running session lives in the database (its intervals are written at every start, pause and
resume), so after a restart the panel finds it again (``open_sessions``) and keeps counting.
A remote session launches ``anydesk ADDRESS`` and starts the timer; when AnyDesk exits, the
technician is asked whether to stop the timer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import _, format_clock, format_duration, format_time
from app.services import contacts, customers, sessions
from app.services import settings as company
from app.services.errors import InputError, ServiceError
from app.services.sessions import LiveBilling, SessionRecord
from ui.anydesk import RemoteSession, anydesk_program, launch
from ui.context import UiContext
from ui.feedback import confirm, show_error
from ui.operations import op
from ui.views.customer_search import CustomerSearch
from ui.widgets import FieldMessage

_ZERO = timedelta(0)
_WARNING_STYLE = (
    "QLabel { background: #fff1cc; color: #6b4a00; border: 1px solid #e0c060; "
    "border-radius: 3px; padding: 4px 8px; }"
)


def _status_text(state: SessionRecord, now: datetime) -> str:
    """The status bar's words; its icon (running or paused) is ``context.timer_state``'s."""
    clock = format_clock(state.elapsed(now))
    if state.running:
        return _("{customer} — {elapsed}").format(customer=state.customer_name, elapsed=clock)
    return _("{customer} — {elapsed} (paused)").format(customer=state.customer_name, elapsed=clock)


def billing_text(live: LiveBilling) -> str:
    """Inside and outside business hours so far, each with what its blocks bill."""
    return _(
        "inside hours {inside} → {inside_billed} · outside {outside} → {outside_billed}"
    ).format(
        inside=format_clock(live.inside),
        inside_billed=format_duration(live.inside_billed),
        outside=format_clock(live.outside),
        outside_billed=format_duration(live.outside_billed),
    )


class TimerPanel(QFrame):
    """The timer at the top of the Sessions view."""

    #: A session was just stopped (its ``SessionRecord``, billed or flagged for review).
    stopped = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.context = context
        self.zone = company.company_zone()
        #: The technician's running and paused sessions, the running one first.
        self.open: tuple[SessionRecord, ...] = ()
        #: The session the panel shows (running or paused), if any.
        self.current: SessionRecord | None = None
        #: AnyDesk processes launched from here, with the session each one started.
        self.remotes: dict[RemoteSession, int | None] = {}

        self._anydesk_of: dict[int, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(self._build_chooser())
        layout.addWidget(self.customer_error)
        layout.addLayout(self._build_display())
        layout.addWidget(self.warning)
        layout.addStretch(1)
        self._show()

    def _build_chooser(self) -> QHBoxLayout:
        """Customer, Start, Remote session; and the open sessions when there are several."""
        # A session is never for an archived customer.
        self.chooser = CustomerSearch(archived=False)
        self.chooser.customer_changed.connect(lambda _id: self._update_buttons())
        customer_label = QLabel(_("&Customer:"))
        customer_label.setBuddy(self.chooser)
        self.start_button = QPushButton(_("&Start"))
        self.start_button.setToolTip(_("Start the timer for this customer (Ctrl+T)"))
        self.start_button.clicked.connect(self.start_chosen)
        self.remote_button = QPushButton(_("Remote session"))
        self.remote_button.setAccessibleName(_("Remote session with AnyDesk"))
        self.remote_button.clicked.connect(self.start_remote)
        self.customer_error = FieldMessage()
        self.customer_error.attach(self.chooser)
        self.open_choice = QComboBox()
        self.open_choice.setAccessibleName(_("Open sessions"))
        self.open_choice.currentIndexChanged.connect(self._on_open_choice)
        self.open_label = QLabel(_("S&ession:"))
        self.open_label.setBuddy(self.open_choice)

        row = QHBoxLayout()
        row.addWidget(customer_label)
        row.addWidget(self.chooser, 1)
        row.addWidget(self.start_button)
        row.addWidget(self.remote_button)
        row.addSpacing(16)
        row.addWidget(self.open_label)
        row.addWidget(self.open_choice)
        return row

    def _build_clock(self) -> QLabel:
        clock = QLabel(format_clock(_ZERO))
        clock.setObjectName("clock")
        clock.setAccessibleName(_("Elapsed time"))
        font = QFont(clock.font())
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", "monospace"])
        clock.setFont(font)
        clock.setMinimumWidth(clock.fontMetrics().horizontalAdvance("00:00:00") + 12)
        return clock

    def _build_display(self) -> QHBoxLayout:
        """The clock, what runs and what it bills, and the buttons that drive it."""
        self.clock = self._build_clock()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.state_label = QLabel()
        self.billing = QLabel()
        self.billing.setAccessibleName(_("Billing so far"))
        self.billing.setWordWrap(True)
        self.total = QLabel()
        self.total.setAccessibleName(_("To bill"))
        self.total.setStyleSheet("font-weight: 600;")
        self.pause_button = QPushButton(_("&Pause"))
        self.pause_button.clicked.connect(self.pause)
        self.resume_button = QPushButton(_("&Resume"))
        self.resume_button.clicked.connect(self.resume)
        self.stop_button = QPushButton(_("S&top"))
        self.stop_button.setToolTip(_("Stop the timer and bill the session (Ctrl+T)"))
        self.stop_button.clicked.connect(self.stop)
        self.warning = QLabel()
        self.warning.setObjectName("outsideHours")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(_WARNING_STYLE)
        self.warning.hide()

        details = QVBoxLayout()
        details.setSpacing(2)
        for label in (self.title, self.state_label, self.billing, self.total):
            details.addWidget(label)
        controls = QGridLayout()
        controls.addWidget(self.pause_button, 0, 0)
        controls.addWidget(self.resume_button, 0, 0)
        controls.addWidget(self.stop_button, 0, 1)
        row = QHBoxLayout()
        row.addWidget(self.clock)
        row.addSpacing(12)
        row.addLayout(details, 1)
        row.addLayout(controls)
        return row

    # --- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        """The customers to choose from and the technician's open sessions."""
        self.zone = company.company_zone()
        self._anydesk_of.clear()
        self.chooser.refresh()
        self.reload_sessions()

    def reload_sessions(self) -> None:
        """The technician's running and paused sessions (after a restart: the running one)."""
        technician_id = self.context.desk.technician_id
        self.open = () if technician_id is None else sessions.open_sessions(technician_id)
        keep = None if self.current is None else self.current.id
        self._set_current(next((s for s in self.open if s.id == keep), None) or self._first())
        self.open_choice.blockSignals(True)
        self.open_choice.clear()
        for state in self.open:
            label = (
                _("{customer} (running)") if state.running else _("{customer} (paused)")
            ).format(customer=state.customer_name)
            self.open_choice.addItem(label, state.id)
        if self.current is not None:
            self.open_choice.setCurrentIndex(self.open_choice.findData(self.current.id))
        self.open_choice.blockSignals(False)
        several = len(self.open) > 1
        self.open_choice.setVisible(several)
        self.open_label.setVisible(several)

    def _first(self) -> SessionRecord | None:
        return self.open[0] if self.open else None

    def _set_current(self, state: SessionRecord | None) -> None:
        self.current = state
        self._show()

    def _on_open_choice(self, position: int) -> None:
        session_id = self.open_choice.itemData(position)
        self._set_current(next((s for s in self.open if s.id == session_id), None))

    def running(self) -> SessionRecord | None:
        return next((s for s in self.open if s.running), None)

    # --- showing --------------------------------------------------------------------------------

    def _show(self) -> None:
        state = self.current
        if state is None:
            self.title.setText(_("No timer running"))
            self.state_label.setText(_("Choose a customer and start the timer."))
            self.clock.setText(format_clock(_ZERO))
            self.billing.setText("")
            self.total.setText("")
            self.warning.hide()
        else:
            title = state.customer_name
            if state.contact_subject:
                title = _("{customer} — contact “{subject}”").format(
                    customer=state.customer_name, subject=state.contact_subject
                )
            self.title.setText(title)
            self.state_label.setText(
                _("Running since {time}").format(time=format_time(state.started_at, self.zone))
                if state.running
                else _("Paused")
            )
        self._update_buttons()
        self.tick()

    def tick(self) -> None:
        """Every second: the elapsed time, what it will bill, and the status bar."""
        running = self.running()
        shown = running or self.current
        self.context.timer_state.emit(
            "" if shown is None else "running" if shown.running else "paused"
        )
        self.context.timer_status.emit(
            "" if shown is None else _status_text(shown, self.context.now())
        )
        if self.current is None or not self.isVisible():
            return
        now = self.context.now()
        current = self.current
        live = (
            op(self, lambda: sessions.live_billing(current.id, now))
            .failure(self._tick_refused)
            .run()
        )
        if live is None:
            return
        self.clock.setText(format_clock(live.elapsed))
        self.billing.setText(billing_text(live))
        self.total.setText(_("To bill: {total}").format(total=format_duration(live.total_billed)))
        self._show_warning(now)

    def _tick_refused(self, error: KnownError) -> None:
        """The session shown changed at another desk (stopped, discarded): show them anew.
        A database out of reach is said by the window's banner, not every second here."""
        if isinstance(error, ServiceError):
            self.reload_sessions()

    def _show_warning(self, now: datetime) -> None:
        state = self.current
        if (
            state is not None
            and state.running
            and sessions.outside_hours_warning(state.customer_id, now)
        ):
            self.warning.setText(
                _(
                    "Outside business hours: {customer} has no 24/7 plan, so this time is billed "
                    "as out-of-hours time."
                ).format(customer=state.customer_name)
            )
            self.warning.show()
        else:
            self.warning.hide()

    def _anydesk_address(self, customer_id: int | None) -> str:
        if customer_id is None:
            return ""
        if customer_id not in self._anydesk_of:
            # Unknown (gone, unreadable): no address, so the button stays off.
            record = (
                op(self, lambda: customers.customer(customer_id)).failure(lambda _error: None).run()
            )
            self._anydesk_of[customer_id] = "" if record is None else record.anydesk.strip()
        return self._anydesk_of[customer_id]

    def _remote_customer(self) -> int | None:
        """Whom "Remote session" connects to: the running session's customer, else the chosen."""
        running = self.running()
        return running.customer_id if running is not None else self.chooser.customer_id()

    def _update_buttons(self) -> None:
        state = self.current
        running = self.running()
        self.start_button.setEnabled(running is None)
        self.pause_button.setVisible(state is None or state.running)
        self.pause_button.setEnabled(state is not None and state.running)
        self.resume_button.setVisible(state is not None and not state.running)
        self.resume_button.setEnabled(state is not None and not state.running and running is None)
        self.stop_button.setEnabled(state is not None)
        address = self._anydesk_address(self._remote_customer())
        self.remote_button.setEnabled(bool(address))
        if address:
            tip = (
                _("Connect to {address} with AnyDesk")
                if running is not None
                else _("Connect to {address} with AnyDesk and start the timer")
            )
            self.remote_button.setToolTip(tip.format(address=address))
        else:
            self.remote_button.setToolTip(_("The customer's record has no AnyDesk address."))
        self.customer_error.clear_message()

    # --- the timer ------------------------------------------------------------------------------

    def _confirm_outside_hours(self, customer_id: int, *, resuming: bool) -> bool:
        """Before timing outside business hours for a customer without 24/7: ask."""
        if not sessions.outside_hours_warning(customer_id, self.context.now()):
            return True
        name = customers.customer(customer_id).name
        question = (
            _(
                "It is outside business hours and {customer} has no 24/7 plan: this time will "
                "be billed as out-of-hours time, in its own blocks and at its own rate. Resume "
                "the timer anyway?"
            )
            if resuming
            else _(
                "It is outside business hours and {customer} has no 24/7 plan: this time will "
                "be billed as out-of-hours time, in its own blocks and at its own rate. Start "
                "the timer anyway?"
            )
        )
        return confirm(self, _("Outside business hours"), question.format(customer=name))

    def start(
        self, *, customer_id: int | None = None, contact_id: int | None = None
    ) -> SessionRecord | None:
        """Starts the timer for a customer or a contact, after the out-of-hours question.
        ``None`` when it did not start (refused, or the technician said no)."""

        def attempt() -> SessionRecord | None:
            target = customer_id
            if target is None and contact_id is not None:
                target = contacts.contact(contact_id).customer_id
            if target is not None and not self._confirm_outside_hours(target, resuming=False):
                return None
            return sessions.start_session(
                self.context.desk, customer_id=customer_id, contact_id=contact_id
            )

        def refused(error: KnownError) -> None:
            if isinstance(error, InputError) and error.field == "customer" and contact_id is None:
                self.customer_error.say(error.message)  # by the customer search
                self.chooser.setFocus()
            else:
                show_error(self, error)

        started = op(self, attempt).failure(refused).run()
        if started is None:
            return None
        self._after_change(started)
        return started

    def start_chosen(self) -> SessionRecord | None:
        return self.start(customer_id=self.chooser.customer_id())

    def pause(self) -> None:
        state = self.current
        if state is None or not state.running:
            return
        paused = (
            op(self, lambda: sessions.pause_session(self.context.desk, state.id, state.version))
            .failure(self._refused)
            .run()
        )
        if paused is not None:
            self._after_change(paused)

    def resume(self) -> None:
        state = self.current
        if state is None or state.running:
            return

        def attempt() -> SessionRecord | None:
            if not self._confirm_outside_hours(state.customer_id, resuming=True):
                return None
            return sessions.resume_session(self.context.desk, state.id, state.version)

        resumed = op(self, attempt).failure(self._refused).run()
        if resumed is not None:
            self._after_change(resumed)

    def stop(self) -> SessionRecord | None:
        """Stops the session shown and bills it."""
        return self.stop_session(self.current)

    def stop_session(self, state: SessionRecord | None) -> SessionRecord | None:
        """Stops ``state`` and bills it; ``None`` if it was refused."""
        if state is None:
            return None
        stopped = (
            op(self, lambda: sessions.stop_session(self.context.desk, state.id, state.version))
            .failure(self._refused)
            .run()
        )
        if stopped is None:
            return None
        self._after_change(None)
        self.stopped.emit(stopped)
        return stopped

    def toggle(self) -> SessionRecord | None:
        """Ctrl+T: stops the running session, or starts one for the chosen customer."""
        running = self.running()
        if running is not None:
            return self.stop_session(running)
        return self.start_chosen()

    def _refused(self, error: KnownError) -> None:
        """A refused change of the timer: said, and the sessions shown as they now are."""
        show_error(self, error)
        self.reload_sessions()

    def _after_change(self, shown: SessionRecord | None) -> None:
        self.current = shown
        self.reload_sessions()
        self.context.sync()

    # --- remote sessions ------------------------------------------------------------------------

    def start_remote(self) -> SessionRecord | None:
        """Launches ``anydesk ADDRESS`` and starts the timer with it (or joins the running one).

        A missing AnyDesk says so and starts nothing."""
        running = self.running()
        customer_id = self._remote_customer()
        address = self._anydesk_address(customer_id)
        if customer_id is None or not address:
            return None
        program = op(self, lambda: anydesk_program(company.settings().anydesk_path)).run()
        if program is None:
            return None
        if (
            running is None
            and not op(self, lambda: self._confirm_outside_hours(customer_id, resuming=False)).run()
        ):
            return None
        remote = op(self, lambda: launch(program, address, self)).run()
        if remote is None:
            return None
        remote.ended.connect(lambda r=remote: self._on_remote_ended(r))
        self.remotes[remote] = None
        started = running
        if started is None:
            # Refused: AnyDesk stays open for the technician; no timer runs, so nothing to ask
            # later.
            started = op(
                self, lambda: sessions.start_session(self.context.desk, customer_id=customer_id)
            ).run()
            if started is None:
                return None
            self._after_change(started)
        self.remotes[remote] = started.id
        return started

    def _on_remote_ended(self, remote: RemoteSession) -> None:
        session_id = self.remotes.pop(remote, None)
        remote.deleteLater()
        if session_id is None:
            return
        self.reload_sessions()
        state = next((s for s in self.open if s.id == session_id), None)
        if state is None:
            return  # already stopped (or discarded)
        if confirm(
            self,
            _("AnyDesk"),
            _("The AnyDesk session has ended. Stop the timer?"),
        ):
            self.stop_session(state)
