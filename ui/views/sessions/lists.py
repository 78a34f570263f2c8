"""The lists of the Sessions view: the sessions of a month, and the sessions to review.

Both are ``RowTableModel`` tables of ``SessionRecord`` rows. A month of a busy desk is a thousand
sessions: its list reads them a page at a time, newest first, as they scroll into sight; its count
comes from one aggregate query. Sorting by another column than the date reads the whole month
first (sorted in Python, by what the cell shows). The sessions to review are few (a partial
index finds them).

A session is edited (its times and note) while it is stopped and not invoiced; one flagged as too
long is corrected by an administrator from the review list (``correct_session``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import states
from app.domain.months import Month
from app.i18n import _, format_datetime, format_month, ngettext
from app.services import sessions
from app.services import settings as company
from app.services.sessions import SessionRecord
from ui.context import UiContext
from ui.feedback import confirm
from ui.operations import op
from ui.table_model import Column, RowTableModel, TableProxy
from ui.views.sessions.columns import (
    CONTACT_COLUMN,
    CUSTOMER_COLUMN,
    REAL_TIME_COLUMN,
    is_open,
    month_columns,
    month_samples,
    review_columns,
    review_samples,
)
from ui.views.sessions.intervals import IntervalsDialog
from ui.widgets import fit_columns_to_samples, setup_table, stretch_columns


def _table(
    model: RowTableModel[SessionRecord], stretch: tuple[int, ...], samples: tuple[str, ...]
) -> tuple[QTableView, TableProxy]:
    """A sortable table of single rows; the ``stretch`` columns (free text) share what is left
    once the others have their sample's width, so the table fits the window without scrolling.
    (Fitting the columns to their contents would read every cell of thousands of rows.)"""
    proxy = TableProxy(model)
    table = QTableView()
    setup_table(table, proxy, "")
    fit_columns_to_samples(table, samples)
    stretch_columns(table, *stretch)
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the newest first
    return table, proxy


def _unchanged(state: SessionRecord, periods: list[tuple[datetime, datetime]]) -> bool:
    """Whether the typed periods are the stored ones (typed to the second)."""
    stored = [
        (i.started_at.replace(microsecond=0), i.ended_at.replace(microsecond=0))
        for i in state.intervals
        if i.ended_at is not None
    ]
    return len(stored) == len(state.intervals) and sorted(stored) == sorted(periods)


class SessionTable(QWidget):
    """A table of sessions with the one chosen, shared by both lists."""

    #: The session chosen in the table (``None`` when none is).
    chosen = Signal(object)

    def __init__(
        self,
        columns: list[Column[SessionRecord]],
        stretch: tuple[int, ...],
        samples: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model: RowTableModel[SessionRecord] = RowTableModel(columns, key=lambda s: s.id)
        self.table, self.proxy = _table(self.model, stretch, samples)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._last_chosen: SessionRecord | None = None

    def selected(self) -> SessionRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        source = self.proxy.mapToSource(rows[0])
        return self.model.row_at(source.row())

    def select(self, session_id: int) -> bool:
        position = self.model.position_of(session_id)
        if position is None and self.model.canFetchMore():
            self.model.fetch_all()  # a session further down than the pages read so far
            position = self.model.position_of(session_id)
        if position is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(position, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def set_rows(self, rows: tuple[SessionRecord, ...] | None) -> None:
        """Shows ``rows`` (``None``: the model's own, just read page by page)."""
        if rows is not None:
            self.model.set_rows(rows)
        self._on_selection(QItemSelection(), QItemSelection())

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        # A reload that leaves the chosen row as it was says nothing (the billing panel may be
        # showing a session just stopped).
        state = self.selected()
        if state != self._last_chosen:
            self._last_chosen = state
            self.chosen.emit(state)


def _edit_dialog(
    context: UiContext,
    state: SessionRecord,
    zone: ZoneInfo,
    parent: QWidget,
    *,
    correcting: bool,
) -> IntervalsDialog:
    """The dialog that edits the session's times (or corrects one to review)."""
    desk = context.desk

    def edit(periods: list[tuple[datetime, datetime]], note: str | None) -> SessionRecord:
        times = None if _unchanged(state, periods) else periods
        return sessions.edit_session(desk, state.id, state.version, intervals=times, note=note)

    def correct(periods: list[tuple[datetime, datetime]], _note: str | None) -> SessionRecord:
        times = None if _unchanged(state, periods) else periods
        return sessions.correct_session(desk, state.id, state.version, times)

    if correcting:
        return IntervalsDialog(
            state,
            zone,
            correct,
            title=_("Correct a session to review"),
            explanation=_(
                "This session is longer than the review limit, so it was not billed. Correct "
                "its times if the timer was left running, then save: it is billed as saved."
            ),
            with_note=False,
            now=context.now(),
            parent=parent,
        )
    return IntervalsDialog(
        state,
        zone,
        edit,
        title=_("Edit the session"),
        explanation=_(
            "Change the times the timer ran (company time). The session is billed again: what "
            "it took from packs is given back and taken anew."
        ),
        with_note=True,
        now=context.now(),
        parent=parent,
    )


def _open_edit_dialog(
    context: UiContext,
    state: SessionRecord,
    zone: ZoneInfo,
    parent: QWidget,
    *,
    correcting: bool,
    saved: Callable[[SessionRecord], None],
) -> IntervalsDialog:
    """Opens ``_edit_dialog``; once it saves, the window syncs and ``saved`` gets the session."""
    dialog = _edit_dialog(context, state, zone, parent, correcting=correcting)

    def after() -> None:
        context.sync()
        if dialog.saved is not None:
            saved(dialog.saved)

    dialog.accepted.connect(after)
    dialog.open()
    return dialog


class MonthSessions(QWidget):
    """Every session of a month, with editing and discarding."""

    #: A session chosen in the table, or just saved in a dialog (``None``: none chosen).
    chosen = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthSessions")
        self.context = context
        self.zone = company.company_zone()
        today = company.company_today(context.now())
        self.month = (today.year, today.month)
        self.dialog: IntervalsDialog | None = None
        #: The running sessions listed: their real time repaints every second.
        self._running: tuple[int, ...] = ()
        #: What the list reads: (year, month, with the discarded ones).
        self._reading: tuple[int, int, bool] | None = None

        self.sessions = SessionTable(
            month_columns(lambda: self.zone, context.now),
            stretch=(CUSTOMER_COLUMN, CONTACT_COLUMN),
            samples=month_samples(),
        )
        self.sessions.table.setAccessibleName(_("Sessions of the month"))
        self.sessions.chosen.connect(self._on_chosen)
        self.sessions.table.doubleClicked.connect(self._on_double_click)
        self.model = self.sessions.model
        self.model.rowsInserted.connect(self._find_running)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(self._build_bar())
        layout.addWidget(self.sessions.table, 1)
        self._update_buttons(None)

    def _build_bar(self) -> QHBoxLayout:
        """The month picker, the discarded switch, the count, Edit and Discard."""
        self.previous = QToolButton()
        self.previous.setArrowType(Qt.ArrowType.LeftArrow)
        self.previous.setAccessibleName(_("Previous month"))
        self.previous.setToolTip(_("Previous month"))
        self.previous.clicked.connect(lambda: self._move(-1))
        self.next = QToolButton()
        self.next.setArrowType(Qt.ArrowType.RightArrow)
        self.next.setAccessibleName(_("Next month"))
        self.next.setToolTip(_("Next month"))
        self.next.clicked.connect(lambda: self._move(1))
        self.month_label = QLabel()
        self.month_label.setMinimumWidth(150)
        self.month_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.month_label.setStyleSheet("font-weight: 600;")
        self.month_label.setAccessibleName(_("Month shown"))
        self.this_month = QPushButton(_("This &month"))
        self.this_month.clicked.connect(self._go_to_this_month)
        self.show_discarded = QCheckBox(_("Show &discarded"))
        self.show_discarded.toggled.connect(self.reload)
        self.count = QLabel()
        self.edit_button = QPushButton(_("&Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.discard_button = QPushButton(_("D&iscard…"))
        self.discard_button.clicked.connect(self.discard_selected)

        bar = QHBoxLayout()
        for widget in (self.previous, self.month_label, self.next, self.this_month):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.show_discarded)
        bar.addSpacing(12)
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.discard_button)
        return bar

    # --- the month ------------------------------------------------------------------------------

    def set_month(self, year: int, month: int) -> None:
        self.month = (year, month)
        self.reload()

    def _move(self, step: int) -> None:
        moved = Month(*self.month).plus(step)
        self.set_month(moved.year, moved.number)

    def _go_to_this_month(self) -> None:
        today = company.company_today(self.context.now())
        self.set_month(today.year, today.month)

    def reload(self) -> None:
        self.zone = company.company_zone()
        year, month = self.month
        discarded = self.show_discarded.isChecked()
        self.month_label.setText(format_month(year, month))
        reading = (year, month, discarded)
        if reading == self._reading:
            self.model.refresh_pages()
        else:
            self._reading = reading

            def page(offset: int, limit: int) -> tuple[SessionRecord, ...]:
                return sessions.month_sessions_page(
                    year, month, include_discarded=discarded, offset=offset, limit=limit
                )

            self.model.set_pages(
                page, page=sessions.SESSIONS_PAGE, order=(0, Qt.SortOrder.DescendingOrder)
            )
        self.sessions.set_rows(None)
        self._find_running()
        count = sessions.count_sessions_by_month(year, month, include_discarded=discarded)
        self.count.setText(
            ngettext("{count} session", "{count} sessions", count).format(count=count)
            if count
            else _("No sessions this month")
        )

    def _find_running(self) -> None:
        self._running = tuple(state.id for state in self.model.rows() if state.running)

    def tick(self) -> None:
        """The real time of the running sessions grows: repaint those cells only."""
        for session_id in self._running:
            position = self.model.position_of(session_id)
            if position is not None:
                self.model.cells_changed(
                    position, position, REAL_TIME_COLUMN, [Qt.ItemDataRole.DisplayRole]
                )

    def select(self, session_id: int) -> bool:
        return self.sessions.select(session_id)

    # --- actions --------------------------------------------------------------------------------

    def _on_chosen(self, state: SessionRecord | None) -> None:
        self._update_buttons(state)
        self.chosen.emit(state)

    def _update_buttons(self, state: SessionRecord | None) -> None:
        invoiced = state is not None and state.invoice_id is not None
        editable = state is not None and state.state is states.SessionState.STOPPED and not invoiced
        discardable = (
            state is not None and state.state is not states.SessionState.DISCARDED and not invoiced
        )
        self.edit_button.setEnabled(editable)
        self.discard_button.setEnabled(discardable)
        reason = ""
        if invoiced and state is not None:
            reason = _("On invoice {number}: it cannot change.").format(number=state.invoice_number)
        elif state is not None and is_open(state):
            reason = _("Stop the session before changing its times.")
        self.edit_button.setToolTip(reason)
        self.discard_button.setToolTip(reason if invoiced else "")

    def _on_double_click(self, _index: QModelIndex) -> None:
        if self.edit_button.isEnabled():
            self.edit_selected()

    def edit_selected(self) -> None:
        state = self.sessions.selected()
        if state is None:
            return
        self.dialog = _open_edit_dialog(
            self.context, state, self.zone, self, correcting=False, saved=self.chosen.emit
        )

    def discard_selected(self) -> None:
        state = self.sessions.selected()
        if state is None:
            return
        question = _(
            "Discard the session of {customer} started {started}? It is not billed, and any "
            "hours it took from packs go back to them. It stays in the list of discarded "
            "sessions."
        ).format(customer=state.customer_name, started=format_datetime(state.started_at, self.zone))
        if not confirm(self, _("Discard the session"), question):
            return
        op(
            self,
            lambda: sessions.discard_session(self.context.desk, state.id, state.version),
            sync=self.context,
        ).run()


class ReviewSessions(QWidget):
    """Sessions stopped past the review limit, waiting for an administrator's correction."""

    #: The number of sessions waiting (for the tab's title).
    counted = Signal(int)
    chosen = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewSessions")
        self.context = context
        self.zone = company.company_zone()
        self.dialog: IntervalsDialog | None = None
        self.sessions = SessionTable(
            review_columns(lambda: self.zone), stretch=(2, 3), samples=review_samples()
        )
        self.sessions.table.setAccessibleName(_("Sessions to review"))
        self.sessions.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # the oldest first
        self.sessions.chosen.connect(self._on_chosen)
        self.sessions.table.doubleClicked.connect(lambda _index: self.correct_selected())
        self.model = self.sessions.model
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.correct_button = QPushButton(_("&Correct…"))
        self.correct_button.clicked.connect(self.correct_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.explanation, 1)
        bar.addWidget(self.correct_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.sessions.table, 1)
        self._admin = False
        #: Counted only, while hidden: read when shown.
        self._stale = True

    def reload(self) -> None:
        """The list, while its tab shows; else only how many there are (for the tab's title),
        the list being read when the tab is shown (one query instead of four when the view
        first shows)."""
        if not self.isVisible():
            self._stale = True
            self.counted.emit(sessions.count_sessions_to_review())
            return
        self._stale = False
        self.zone = company.company_zone()
        technician_id = self.context.desk.technician_id
        self._admin = technician_id is not None and company.technician(technician_id).is_admin
        hours = company.settings().session_review_hours
        text = _(
            "These sessions ran longer than {hours} h and were not billed: correct their "
            "times (a timer left running) and save to bill them."
        ).format(hours=hours)
        if not self._admin:
            text += " " + _("Only an administrator can correct them.")
        self.explanation.setText(text)
        rows = sessions.sessions_to_review()
        self.sessions.set_rows(rows)
        self._on_chosen(self.sessions.selected())
        self.counted.emit(len(rows))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_chosen(self, state: SessionRecord | None) -> None:
        self.correct_button.setEnabled(state is not None and self._admin)
        self.chosen.emit(state)

    def correct_selected(self) -> None:
        state = self.sessions.selected()
        if state is None or not self._admin:
            return
        self.dialog = _open_edit_dialog(
            self.context, state, self.zone, self, correcting=True, saved=self.chosen.emit
        )
