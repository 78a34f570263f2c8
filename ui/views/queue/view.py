"""Contactos: the queue of contacts by time left, with a live countdown, and the rejected ones.

The queue lists the contacts waiting for their first response by time left (deadline, else
indicative target), then those answered and not closed. The countdown column repaints every
second for the rows on screen only; its colour turns amber under a quarter of the response window
and red past the deadline (``app.domain.sla.urgency``). Rejected contacts (P10a) have their own
tab, for audit. The deadline alerts (``ui.alerts``) live here too, since the queue is always
built with the window.

A little over 500 lines: reading the queue, applying other desks' changes row by row and the
countdown share the model and the rows on screen; the columns, the tables, the contact's window,
the new-contact dialog and the undo bar are modules beside it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence, QRegion
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.states import ContactState
from app.errors import KnownError
from app.i18n import N_, _
from app.services.changes import Changes, Topic
from app.services.contacts import (
    QUEUE_STATES,
    ContactRow,
    close_contact,
    open_contacts,
    queue_rows,
    record_first_response,
    rejected_contacts,
)
from app.services.errors import DatabaseFault
from ui.alerts import DeadlineAlerts
from ui.context import UiContext
from ui.operations import Operation, op
from ui.resources import view_icon
from ui.table_model import TableProxy
from ui.views.base import View
from ui.views.queue.detail import ContactDetailDialog, confirm_closing
from ui.views.queue.model import (
    FILTER_ROLE,
    ContactTableModel,
    Countdown,
    QueueColumn,
    RejectedColumn,
    queue_columns,
    queue_samples,
    rejected_columns,
    rejected_samples,
)
from ui.views.queue.new_contact import NewContactDialog
from ui.views.queue.painting import PaintedCell
from ui.views.queue.table import offer_columns, queue_table
from ui.views.queue.undo_bar import UndoBar

log = logging.getLogger(__name__)

MENU = N_("&Contacts")
#: The contacts shown at once when the queue is read; a longer queue comes in the background.
FIRST_PAGE = 300
#: A change naming more contacts (a mail pass that brought hundreds) is shown this many at a
#: time, one part per turn of the event loop: each part is one query and a few milliseconds, so
#: the window never stops for a frame (issue 11); the parts read the rows when they run.
APPLY_CHUNK = 20
#: Between two parts: the window repaints and answers the user (a zero pause let the next part
#: run before other timers, two parts and their repaints in one slice).
APPLY_PAUSE_MS = 10


class QueueView(View):
    topics = frozenset({Topic.CONTACTS, Topic.CUSTOMERS})

    def __init__(
        self,
        context: UiContext,
        parent: QWidget | None = None,
        *,
        alerts: DeadlineAlerts | None = None,
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("contacts")
        self.countdown = Countdown(context.now())
        #: The countdown cells on screen at the last tick, and what that tick repainted.
        self._painted: dict[int, PaintedCell] = {}
        self.last_repaint = QRegion()
        self.new_contact_dialog: NewContactDialog | None = None
        #: The rest of a long queue, being read in the background (``reload``).
        self._loading: Operation[tuple[ContactRow, ...]] | None = None
        #: Contacts changed while it was read, shown again once it comes; or the whole queue.
        self._missed: set[int] = set()
        self._reload_again = False
        #: Changed contacts still to show, a part per turn of the event loop (``APPLY_CHUNK``).
        self._to_apply: set[int] = set()
        self.detail_dialog: ContactDetailDialog | None = None

        self.model = ContactTableModel(
            queue_columns(self.countdown),
            self,
            countdown=self.countdown,
            countdown_column=QueueColumn.TIME_LEFT,
        )
        self.proxy = self._proxy(self.model)
        self.table = queue_table(
            self.proxy, queue_samples(), QueueColumn.SUBJECT, _("Contact queue")
        )
        self.table.sortByColumn(QueueColumn.TIME_LEFT, Qt.SortOrder.AscendingOrder)
        # Who looks after the contact, beside whose it is.
        self.table.horizontalHeader().moveSection(QueueColumn.TECHNICIAN, QueueColumn.CUSTOMER + 1)
        # The state and the deadline start hidden: the countdown column shows the state once
        # answered, its tooltip and the contact's detail the deadline.
        offer_columns(
            self.table,
            {QueueColumn.DEADLINE, QueueColumn.STATE},
            {QueueColumn.TIME_LEFT, QueueColumn.SUBJECT},
        )
        self.rejected_model = ContactTableModel(rejected_columns(), self)
        self.rejected_proxy = self._proxy(self.rejected_model)
        self.rejected_table = queue_table(
            self.rejected_proxy, rejected_samples(), RejectedColumn.REASON, _("Rejected contacts")
        )
        self.rejected_table.sortByColumn(RejectedColumn.RECEIVED, Qt.SortOrder.DescendingOrder)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.table, "")
        self.tabs.addTab(self.rejected_table, "")

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search contacts (Ctrl+F)"))
        self.search.setAccessibleName(_("Search contacts"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.search.textChanged.connect(self._filter)

        self._make_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._bar())
        layout.addWidget(self.tabs, 1)
        # Below the lists: showing it moves no row from under the cursor.
        self.undo_bar = UndoBar(context, self)
        layout.addWidget(self.undo_bar)

        for table in (self.table, self.rejected_table):
            table.activated.connect(self._activated)
            table.selectionModel().selectionChanged.connect(self._update_actions)
        self.tabs.currentChanged.connect(self._update_actions)
        context.ticked.connect(self.tick)
        # The queue hands the alerts the contacts it loads: they are not read twice.
        self.alerts = alerts if alerts is not None else DeadlineAlerts(context, self, fed=True)
        self._update_titles()
        self._update_actions()

    def _make_actions(self) -> None:
        """The view's actions: its buttons, and the window's Contactos menu."""
        self.new_action = self._action(_("&New contact…"), "Ctrl+N", self.new_contact)
        self.respond_action = self._action(_("&Respond"), "Ctrl+R", self.respond)
        self.respond_action.setToolTip(_("Record the first response to the selected contact"))
        self.close_action = self._action(_("C&lose contact"), "", self.close_selected)
        self.details_action = self._action(_("Contact &details"), "", self.open_details)
        self.session_action = self._action(_("Start a &session"), "", self.start_session)
        self.session_action.setToolTip(_("Start the timer for the selected contact"))
        self.mine_action = self._mine_action()

    def _bar(self) -> QHBoxLayout:
        """The buttons of the actions, and the search field."""
        bar = QHBoxLayout()
        for action in (
            self.new_action,
            self.respond_action,
            self.close_action,
            self.details_action,
            self.session_action,
            self.mine_action,
        ):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.search)
        return bar

    def _proxy(self, model: ContactTableModel) -> TableProxy:
        proxy = TableProxy(model, self)
        # The search looks at FILTER_ROLE of the first column only: a tick, which changes that
        # column's display, does not make the proxy filter again.
        proxy.setFilterRole(FILTER_ROLE)
        proxy.setFilterKeyColumn(0)
        return proxy

    def _action(self, text: str, shortcut: str, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        # Also on the view, for the view alone (tests); in the window they sit in its menu.
        self.addAction(action)
        return action

    # --- View -----------------------------------------------------------------------------------

    def title(self) -> str:
        return _("Contacts")

    def icon(self) -> QIcon:
        return view_icon("contacts")

    def window_actions(self) -> list[tuple[str, QAction]]:
        return [
            (_(MENU), self.new_action),
            (_(MENU), self.respond_action),
            (_(MENU), self.close_action),
        ]

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def reload(self) -> None:
        """Reads the whole queue again. A long one (10,000 contacts on the large demo take
        0.3–0.5 s to read) shows its first page at once, the most urgent contacts; the rest
        is read in the background and shown when it comes."""
        self.countdown.set_now(self.context.now())
        if self._loading is not None:
            self._reload_again = True  # what is being read may predate the change
            return
        first = open_contacts(limit=FIRST_PAGE, technician_id=self.mine())
        self._show(first)
        self.rejected_model.set_rows(rejected_contacts())
        self._update_titles()
        if len(first) == FIRST_PAGE:
            self._read_the_rest()

    def _show(self, rows: tuple[ContactRow, ...]) -> None:
        self.model.set_rows(rows)
        if self.mine() is None:  # with "Os meus", the alerts keep watching every contact
            self.alerts.watch(rows)
        self._update_titles()
        self._update_actions()

    def _read_the_rest(self) -> None:
        self._reload_again = False
        self._missed = set()
        mine = self.mine()
        loading: Operation[tuple[ContactRow, ...]] = (
            op(self, lambda: open_contacts(technician_id=mine))
            .in_background(_("Reading the queue…"), shows_progress=False)
            .success(self._show)
            .failure(lambda error: log.warning("the queue could not be read: %s", error))
            .finally_(self._read)
        )
        self._loading = loading
        loading.run()

    def _read(self) -> None:
        """The whole queue arrived (or could not be read): what changed meanwhile shows."""
        self._loading = None
        missed, self._missed = self._missed, set()
        if self._reload_again:
            self.reload()
        elif missed:
            self.apply(frozenset(missed))

    def _on_changed(self, changes: Changes) -> None:
        if not changes.topics & self.topics:
            return
        contact_ids = changes.ids(Topic.CONTACTS)
        customer_ids = changes.ids(Topic.CUSTOMERS)
        if contact_ids is not None and customer_ids is not None:
            if self._stale:
                # Never shown yet (the window opened on another view): it reads all when shown;
                # the alerts watch these contacts meanwhile.
                rows = queue_rows(contact_ids)
                waiting = [row for row in rows if row.state is ContactState.OPEN]
                self.alerts.update(waiting, contact_ids - {row.id for row in waiting})
                return
            # The change log says which: those rows only, shown or hidden (it is cheap).
            self.apply(contact_ids, customer_ids)
            if self._loading is not None:  # the rest of the queue, being read, may predate it
                self._missed |= contact_ids
                self._reload_again |= bool(customer_ids)
            return
        super()._on_changed(changes)  # shown: reloads, which feeds the alerts
        if Topic.CONTACTS in changes.topics and (not self.isVisible() or self.mine() is not None):
            # Hidden, or showing "Os meus" only: the alerts keep watching all the same.
            self.alerts.refresh()

    def apply(
        self, contact_ids: frozenset[int], customer_ids: frozenset[int] = frozenset()
    ) -> None:
        """Shows what changed for these contacts and these customers' contacts, fetching only
        their rows (one query): each row changed takes its place in the order, a contact that
        left the queue leaves it, a new one arrives where it belongs. Over ``APPLY_CHUNK``
        contacts, they follow in parts over the next turns of the event loop."""
        if len(contact_ids) > APPLY_CHUNK:
            # All in parts, from the next turn on (the poll that heard of them took its own).
            if not self._to_apply:
                QTimer.singleShot(APPLY_PAUSE_MS, self, self._apply_more)
            self._to_apply.update(contact_ids)
            contact_ids = frozenset()
        if not contact_ids and not customer_ids:
            return
        self.countdown.set_now(self.context.now())
        rows = queue_rows(contact_ids, customer_ids)
        waiting = [row for row in rows if row.state in QUEUE_STATES]
        mine = self.mine()
        # "Os meus": a contact given to someone else leaves the queue shown (not the alerts).
        queued = [row for row in waiting if mine is None or row.technician_id == mine]
        rejected = [
            row
            for row in rows
            if row.state is ContactState.REJECTED
            and (row.id in contact_ids or self.rejected_model.position_of(row.id) is not None)
        ]
        in_queue = {row.id for row in queued}
        in_rejected = {row.id for row in rejected}
        self.model.update_rows(queued, [key for key in contact_ids if key not in in_queue])
        watched = {row.id for row in waiting}
        self.alerts.update(waiting, [key for key in contact_ids if key not in watched])
        self.rejected_model.update_rows(
            rejected, [key for key in contact_ids if key not in in_rejected]
        )
        self._update_titles()
        self._update_actions()

    def mine(self) -> int | None:
        """The technician whose contacts alone are shown ("Os meus"), or None for all."""
        if not self.mine_action.isChecked():
            return None
        return self.context.desk.technician_id

    def _mine_action(self) -> QAction:
        """The filter "Os meus": only the desk technician's contacts, read so by the database."""
        action = QAction(_("&Mine"), self)
        action.setCheckable(True)
        action.toggled.connect(lambda _on: self.reload())  # reads again, or once read
        self.addAction(action)
        return action

    def _apply_more(self) -> None:
        part = sorted(self._to_apply)[:APPLY_CHUNK]
        self._to_apply.difference_update(part)
        if self._to_apply:
            QTimer.singleShot(APPLY_PAUSE_MS, self, self._apply_more)
        op(self, lambda: self.apply(frozenset(part))).failure(self._apply_refused).run()

    def _apply_refused(self, error: KnownError) -> None:
        """A part the database refused: the window's banner says so, and once the database
        answers again every view reads itself whole (``UiContext.poll``)."""
        self._to_apply.clear()
        if isinstance(error, DatabaseFault):  # reading rows refuses nothing else
            self.context.report(error)

    # --- the countdown --------------------------------------------------------------------------

    def tick(self) -> None:
        """Every second: the countdowns on screen whose text or colour changed repaint, and only
        those (under an hour left they change every second; above, every minute).

        The repaint is asked of the table's viewport, cell by cell: a ``dataChanged`` through the
        sort proxy would repaint whole rows, since QSortFilterProxyModel widens it to every
        column, and the painter asks Python for each role of each cell.
        """
        self.countdown.set_now(self.context.now())
        if not self.table.isVisible():
            self._painted.clear()  # hidden, or behind the other tab: showing it paints it anew
            self.last_repaint = QRegion()
            return
        header = self.table.horizontalHeader()
        left = header.sectionViewportPosition(QueueColumn.TIME_LEFT)
        width = header.sectionSize(QueueColumn.TIME_LEFT)
        region = QRegion()
        painted: dict[int, PaintedCell] = {}
        for proxy_row, row in self.visible_rows():
            cell = painted[row.id] = self.countdown.cell(row)
            if self._painted.get(row.id) != cell:
                top = self.table.rowViewportPosition(proxy_row)
                region += QRect(left, top, width, self.table.rowHeight(proxy_row))
        self._painted = painted
        self.last_repaint = region
        if not region.isEmpty():
            self.table.viewport().update(region)

    def visible_rows(self) -> list[tuple[int, ContactRow]]:
        """The queue's rows on screen now: (row of the table, contact)."""
        first = self.table.rowAt(0)
        if first < 0:
            return []
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if last < 0:
            last = self.proxy.rowCount() - 1
        proxy, model = self.proxy, self.model
        return [
            (row, model.row_at(proxy.mapToSource(proxy.index(row, 0)).row()))
            for row in range(first, last + 1)
        ]

    # --- selection and actions ------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.rejected_proxy.setFilterFixedString(text)

    def _update_titles(self) -> None:
        if self._to_apply:  # parts still to show: the last one says the count
            return
        titles = (
            _("&Queue ({count})").format(count=self.model.rowCount()),
            _("Re&jected ({count})").format(count=self.rejected_model.rowCount()),
        )
        for tab, title in enumerate(titles):
            # Qt lays the tab bar out again, and repaints the whole tab, at every new text.
            if self.tabs.tabText(tab) != title:
                self.tabs.setTabText(tab, title)

    def selected(self) -> ContactRow | None:
        """The contact selected in the tab shown."""
        showing_queue = self.tabs.currentWidget() is self.table
        table = self.table if showing_queue else self.rejected_table
        proxy = self.proxy if showing_queue else self.rejected_proxy
        model = self.model if showing_queue else self.rejected_model
        rows = table.selectionModel().selectedRows()
        if not rows:
            return None
        return model.row_at(proxy.mapToSource(rows[0]).row())

    def select_contact(self, contact_id: int) -> bool:
        """Selects a contact in whichever tab lists it; False when neither does."""
        for tab, table, proxy, model in (
            (0, self.table, self.proxy, self.model),
            (1, self.rejected_table, self.rejected_proxy, self.rejected_model),
        ):
            position = model.position_of(contact_id)
            if position is None:
                continue
            index = proxy.mapFromSource(model.index(position, 0))
            if not index.isValid():  # hidden by the search
                self.search.clear()
                index = proxy.mapFromSource(model.index(position, 0))
            self.tabs.setCurrentIndex(tab)
            table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            table.scrollTo(index)
            return True
        return False

    def _update_actions(self) -> None:
        row = self.selected()
        in_queue = row is not None and self.tabs.currentWidget() is self.table
        self.respond_action.setEnabled(
            in_queue and row is not None and row.state is ContactState.OPEN
        )
        self.close_action.setEnabled(in_queue)
        self.details_action.setEnabled(row is not None)
        self.session_action.setEnabled(in_queue)
        someone = self.context.desk.technician_id is not None
        self.mine_action.setEnabled(someone)
        self.mine_action.setToolTip(
            _("Show only the contacts you look after")
            if someone
            else _("Choose who is at this desk to see their contacts")
        )

    def _activated(self, _index: QModelIndex) -> None:
        self.open_details()

    def new_contact(self) -> None:
        """Ctrl+N: the "Novo contacto" dialog (window-modal; the queue selects what it saved)."""
        dialog = NewContactDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._saved(dialog))
        self.new_contact_dialog = dialog
        dialog.open()

    def _saved(self, dialog: NewContactDialog) -> None:
        if dialog.saved is not None:
            if self._stale or not self.isVisible():
                self.reload()
                self._stale = False
            self.select_contact(dialog.saved.id)

    def respond(self) -> None:
        """Ctrl+R: the selected contact had its first response now."""
        row = self.selected()
        if not self.isVisible() or row is None or row.state is not ContactState.OPEN:
            return
        # Refused or not, the queue shows the contact as it now is (another desk's change);
        # recorded, it can be undone for a moment (issue 15: one click, no confirmation).
        op(self, lambda: record_first_response(self.context.desk, row.id, row.version)).success(
            lambda result: self.undo_bar.offer(result.contact)
        ).finally_(self.context.sync).run()

    def close_selected(self) -> None:
        row = self.selected()
        if not self.isVisible() or row is None or row.state is ContactState.REJECTED:
            return
        if not confirm_closing(self, row.first_response_at is None):
            return
        op(self, lambda: close_contact(self.context.desk, row.id, row.version)).finally_(
            self.context.sync
        ).run()

    def start_session(self) -> None:
        """Asks the window to start the timer for the selected contact (Sessões view)."""
        row = self.selected()
        if row is not None:
            self.context.start_timer.emit("contact", row.id)

    def open_details(self) -> None:
        row = self.selected()
        if row is not None:
            self.show_contact(row.id)

    def show_contact(self, contact_id: int) -> None:
        """A contact's detail (all its frozen terms), with Respond, Close contact and Reopen:
        what the window calls for ``context.show_record("contact", id)``."""
        dialog = ContactDetailDialog(self.context, contact_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.detail_dialog = dialog
        dialog.open()
