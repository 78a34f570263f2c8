"""The Packs view (P14–P17): a customer's hours, the packs about to expire, the ledger.

Top: the customer picker and what the customer can use today (this month's monthly hours, each
unit pack with its last day — amber within 30 days —, the free hours); beside it, the unit packs
of every customer that expire within 30 days. Below: the ledger, filtered by kind, period and
customer, and the customer's compensations. Selling, ending a subscription, correcting an entry
and revoking a compensation go through ``app.services``; the last two are for administrators,
and the services say so when someone else tries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.packs import PackKind
from app.domain.periods import Period, period_instants
from app.domain.states import LedgerKind
from app.i18n import _, format_duration, format_minutes_as_hours, format_month, ngettext
from app.services import compensation, packs
from app.services.changes import Topic
from app.services.errors import NotFoundError
from app.services.labels import ledger_kind_label, period_label
from app.services.packs import LEDGER_PAGE, CustomerBalances, LedgerRow
from app.services.settings import company_today, company_zone
from ui.context import UiContext
from ui.feedback import act_with_reason
from ui.operations import op
from ui.resources import view_icon
from ui.views.base import View
from ui.views.customer_search import CustomerSearch
from ui.views.packs.figure import Figure
from ui.views.packs.sell_dialog import SellPackDialog, month_choices
from ui.views.packs.tables import (
    EXPIRING_LAST_DAY_COLUMN,
    LEDGER_CUSTOMER_COLUMN,
    balance_model,
    expiring_model,
    expiring_pages,
    grant_model,
    ledger_model,
    ledger_pages,
    signed_hours,
)
from ui.widgets import RowTable

#: The months a subscription can be ended after, counted from this one.
END_MONTHS_AHEAD = 24


def _unit_packs_detail(count: int, expiring: int) -> str:
    """ "2 packs, 1 expiring soon", under the unit packs' hours."""
    packs_text = ngettext("{count} pack", "{count} packs", count).format(count=count)
    if not expiring:
        return packs_text
    return ngettext(
        "{packs}, {count} expiring soon", "{packs}, {count} expiring soon", expiring
    ).format(packs=packs_text, count=expiring)


class PacksView(View):
    # Grants and revocations note PACKS too; CUSTOMERS: the names in the picker and the ledger.
    topics = frozenset({Topic.PACKS, Topic.CUSTOMERS})

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("packs")
        self._today = company_today(context.now())
        self._zone = company_zone()
        self.sell_action = QAction(_("&Sell a pack…"), self)
        self.sell_action.triggered.connect(self.open_sell_dialog)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self._make_upper())
        split.addWidget(self._make_tabs())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(self._make_top())
        layout.addWidget(self.no_customer)
        layout.addWidget(self.figures)
        layout.addWidget(split, 1)

        self.picker.customer_changed.connect(self._customer_changed)
        self.kind_filter.currentIndexChanged.connect(self._load_ledger)
        self.period_filter.currentIndexChanged.connect(self._load_ledger)
        self.only_customer.toggled.connect(self._load_ledger)
        for table in (self.balance_table, self.ledger_table, self.grant_table):
            table.selectionModel().selectionChanged.connect(self._update_buttons)
        context.ticked.connect(self._on_tick)
        self._show_customer_parts()
        self._update_buttons()

    def _make_top(self) -> QHBoxLayout:
        """The customer picker, the sell button, and the customer's figures under them."""
        self.picker = CustomerSearch()
        customer_label = QLabel(_("&Customer:"))
        customer_label.setBuddy(self.picker)
        self.sell_button = QPushButton(_("&Sell a pack…"))
        self.sell_button.clicked.connect(self.open_sell_dialog)
        top = QHBoxLayout()
        top.addWidget(customer_label)
        top.addWidget(self.picker, 1)
        top.addSpacing(24)
        top.addWidget(self.sell_button)
        self.month_figure = Figure(_("Monthly hours this month"))
        self.unit_figure = Figure(_("Unit packs"))
        self.free_figure = Figure(_("Free hours"))
        self.total_figure = Figure(_("Available in all"))
        self.figures = QWidget()
        figures = QHBoxLayout(self.figures)
        figures.setContentsMargins(0, 0, 0, 0)
        for figure in (self.month_figure, self.unit_figure, self.free_figure, self.total_figure):
            figures.addWidget(figure, 1)
        self.no_customer = QLabel(_("Choose a customer to see their hours, packs and ledger."))
        self.no_customer.setStyleSheet("color: #5f6d78;")
        return top

    def _make_upper(self) -> QSplitter:
        """The customer's balances beside the packs of every customer about to expire."""
        self.balances = balance_model()
        self.balance_table = RowTable(self.balances, _("The customer's balances"))
        self.balance_table.fit_columns({0: 125, 1: 45, 2: 125, 3: 100, 4: 95, 5: 85, 6: 85})
        self.balance_table.stretch_column(2)
        self.end_button = QPushButton(_("&End subscription…"))
        self.end_button.setToolTip(_("The last month of the selected monthly pack."))
        self.end_button.clicked.connect(self.end_subscription)
        self.legend = QLabel(_("Amber: the pack expires within 30 days."))
        self.legend.setStyleSheet("color: #6b4a00;")
        balance_buttons = QHBoxLayout()
        balance_buttons.addWidget(self.legend, 1)
        balance_buttons.addWidget(self.end_button)
        balance_box = QGroupBox(_("Balances today"))
        balance_layout = QVBoxLayout(balance_box)
        balance_layout.addWidget(self.balance_table, 1)
        balance_layout.addLayout(balance_buttons)

        self.expiring = expiring_model()
        self.expiring_table = RowTable(self.expiring, _("Packs expiring within 30 days"))
        self.expiring_table.fit_columns({1: 45, 2: 90, 3: 140})
        self.expiring_table.stretch_column(0)
        self.expiring_table.setToolTip(_("Double-click to see the customer's packs."))
        self.expiring_table.doubleClicked.connect(self._expiring_activated)
        expiring_box = QGroupBox(_("Expiring within 30 days — every customer"))
        QVBoxLayout(expiring_box).addWidget(self.expiring_table)

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.setChildrenCollapsible(False)
        upper.addWidget(balance_box)
        upper.addWidget(expiring_box)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        upper.setSizes([700, 450])
        return upper

    def _make_tabs(self) -> QTabWidget:
        self.tabs = QTabWidget()
        self.tabs.addTab(self._make_ledger(), _("&Ledger"))
        self.tabs.addTab(self._make_grants(), _("C&ompensations"))
        return self.tabs

    def _make_ledger(self) -> QWidget:
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(_("Every movement"), None)
        for kind in LedgerKind:
            self.kind_filter.addItem(ledger_kind_label(kind), kind)
        self.period_filter = QComboBox()
        for period in Period:
            self.period_filter.addItem(period_label(period), period.value)
        self.only_customer = QCheckBox(_("Only the chosen c&ustomer"))
        self.only_customer.setChecked(True)
        self.correct_button = QPushButton(_("Co&rrect entry…"))
        self.correct_button.setToolTip(
            _("Reverses the selected entry with a correction (administrators only).")
        )
        self.correct_button.clicked.connect(self.correct_selected_entry)
        self.ledger_note = QLabel()
        self.ledger_note.setStyleSheet("color: #5f6d78;")
        kind_label = QLabel(_("&Movement:"))
        kind_label.setBuddy(self.kind_filter)
        period_caption = QLabel(_("&Period:"))
        period_caption.setBuddy(self.period_filter)
        filters = QHBoxLayout()
        for widget in (kind_label, self.kind_filter, period_caption, self.period_filter):
            filters.addWidget(widget)
        filters.addWidget(self.only_customer)
        filters.addStretch(1)
        filters.addWidget(self.ledger_note)
        filters.addWidget(self.correct_button)
        self.ledger = ledger_model()
        #: What the ledger and the expiring packs read (their filters, the day): the same ones
        #: after a change are read again as far as shown.
        self._ledger_filters: tuple[object, ...] | None = None
        self._expiring_on: object = None
        self.ledger_table = RowTable(self.ledger, _("Ledger"))
        self.ledger_table.fit_columns({0: 125, 1: 150, 2: 120, 3: 210, 4: 95, 5: 90, 6: 150})
        self.ledger_table.doubleClicked.connect(self._ledger_activated)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(filters)
        layout.addWidget(self.ledger_table, 1)
        return page

    def _make_grants(self) -> QWidget:
        self.grants = grant_model()
        self.grant_table = RowTable(self.grants, _("Compensations of the customer"))
        self.grant_table.fit_columns({0: 125, 1: 70, 2: 320, 3: 125})
        self.grant_table.doubleClicked.connect(self._grant_activated)
        self.revoke_button = QPushButton(_("Re&voke…"))
        self.revoke_button.setToolTip(
            _("Takes back the selected compensation, with a reason (administrators only).")
        )
        self.revoke_button.clicked.connect(self.revoke_selected_grant)
        info = QHBoxLayout()
        info.addWidget(QLabel(_("Free hours granted when a response guarantee was missed.")))
        info.addStretch(1)
        info.addWidget(self.revoke_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(info)
        layout.addWidget(self.grant_table, 1)
        return page

    # --- View ---------------------------------------------------------------------------------

    def title(self) -> str:
        return _("Packs")

    def icon(self) -> QIcon:
        return view_icon("packs")

    def window_actions(self) -> list[tuple[str, QAction]]:
        return [(_("P&acks"), self.sell_action)]

    def focus_search(self) -> None:
        self.picker.search.setFocus()
        self.picker.search.selectAll()

    def reload(self) -> None:
        self._today = company_today(self.context.now())
        self._zone = company_zone()
        blocked = self.picker.blockSignals(True)
        self.picker.refresh()
        self.picker.blockSignals(blocked)
        self._load_customer()
        self._load_expiring()
        self._load_ledger()

    # --- cross-navigation ---------------------------------------------------------------------

    def show_customer_packs(self, customer_id: int) -> None:
        """Shows that customer's hours, packs and ledger (from another view)."""
        self.picker.set_customer(customer_id)
        self.only_customer.setChecked(True)

    # --- loading ------------------------------------------------------------------------------

    def customer_id(self) -> int | None:
        return self.picker.customer_id()

    def _customer_changed(self, _customer_id: object) -> None:
        self._load_customer()
        self._load_ledger()

    def _show_customer_parts(self) -> None:
        chosen = self.customer_id() is not None
        self.figures.setVisible(chosen)
        self.no_customer.setVisible(not chosen)
        self.only_customer.setEnabled(chosen)

    def _load_customer(self) -> None:
        customer_id = self.customer_id()
        self._show_customer_parts()
        if customer_id is None:
            self.balances.set_rows([])
            self.grants.set_rows([])
            self._update_buttons()
            return
        read = (
            op(
                self,
                lambda: (
                    packs.balances(customer_id, self._today),
                    compensation.grants_of_customer(customer_id),
                ),
            )
            .allow(NotFoundError)  # the customer gone meanwhile: nothing to show
            .run()
        )
        if read is None:
            self.balances.set_rows([])
            self.grants.set_rows([])
            self._update_buttons()
            return
        found, grants = read
        self.balances.set_rows(found.all)
        self.grants.set_rows(grants)
        self._show_figures(found)
        self._update_buttons()

    def _show_figures(self, found: CustomerBalances) -> None:
        month = format_month(found.on.year, found.on.month)
        if found.monthly:
            self.month_figure.show_value(
                _("{left} left").format(left=format_minutes_as_hours(found.monthly_minutes)),
                _("{used} used of {given} in {month}").format(
                    used=format_minutes_as_hours(found.monthly_used),
                    given=format_minutes_as_hours(found.monthly_given),
                    month=month,
                ),
            )
        else:
            self.month_figure.show_value("—", _("no monthly pack in {month}").format(month=month))
        soon = [b for b in found.unit if b.expiring_soon]
        self.unit_figure.show_value(
            format_minutes_as_hours(found.unit_minutes),
            _unit_packs_detail(len(found.unit), len(soon)),
        )
        self.unit_figure.setStyleSheet(
            "#figure { background: #fff1cc; border: 1px solid #6b4a00; }" if soon else ""
        )
        self.free_figure.show_value(format_minutes_as_hours(found.free_minutes), _("never expire"))
        self.total_figure.show_value(format_minutes_as_hours(found.total_minutes))

    def _load_expiring(self) -> None:
        # Hundreds of packs on a large database: a page at a time, as they scroll into sight.
        today = self._today
        if self._expiring_on == today:
            self.expiring.refresh_pages()
        else:
            self._expiring_on = today
            self.expiring.set_pages(
                expiring_pages(today),
                page=packs.LIST_PAGE,
                order=(EXPIRING_LAST_DAY_COLUMN, Qt.SortOrder.AscendingOrder),
            )

    def _load_ledger(self) -> None:
        customer_id = self.customer_id() if self.only_customer.isChecked() else None
        self.ledger_table.setColumnHidden(LEDGER_CUSTOMER_COLUMN, customer_id is not None)
        kind = self.kind_filter.currentData()
        period = Period(str(self.period_filter.currentData()))
        since, until = period_instants(period, self._today, self._zone)
        moved = None if kind is None else LedgerKind(kind)
        filters = (customer_id, moved, since, until)
        page = ledger_pages(customer_id, moved, since, until, at_most=LEDGER_PAGE)
        if filters == self._ledger_filters:
            self.ledger.refresh_pages()
        else:
            self._ledger_filters = filters
            self.ledger.set_pages(page, page=packs.LIST_PAGE, order=None)
        found = packs.count_ledger(customer_id=customer_id, kind=moved, since=since, until=until)
        cut_short = found >= LEDGER_PAGE
        self.ledger_note.setText(
            _("The {count} newest movements: narrow the filters to see older ones.").format(
                count=LEDGER_PAGE
            )
            if cut_short
            else ""
        )
        self._update_buttons()

    def _on_tick(self) -> None:
        # Past midnight the balances of another day show (a month starts, a pack lapses).
        if self.context.now().astimezone(self._zone).date() == self._today:
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def _update_buttons(self) -> None:
        balance = self.balance_table.selected_row()
        self.end_button.setEnabled(balance is not None and balance.kind is PackKind.MONTHLY)
        entry = self.ledger_table.selected_row()
        self.correct_button.setEnabled(entry is not None and entry.reversed_by_id is None)
        grant = self.grant_table.selected_row()
        self.revoke_button.setEnabled(grant is not None and not grant.revoked)

    # --- acting -------------------------------------------------------------------------------

    def open_sell_dialog(self) -> SellPackDialog:
        """The "Sell a pack" dialog for the chosen customer (window-modal; returns at once)."""
        dialog = SellPackDialog(self.context, self.customer_id(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def sold() -> None:
            if dialog.sold is not None:
                self.picker.set_customer(dialog.sold.customer_id)
                self.balance_table.select_key(dialog.sold.id)

        dialog.accepted.connect(sold)
        dialog.open()
        return dialog

    def _with_reason(self, title: str, question: str, act: Callable[[str], object]) -> bool:
        """Asks for a reason and acts with it (``act_with_reason``); False when cancelled or
        refused."""
        if act_with_reason(self, title, question, act) is None:
            return False
        self.context.sync()
        return True

    def correct_selected_entry(self) -> bool:
        entry: LedgerRow | None = self.ledger_table.selected_row()
        if entry is None:
            return False
        question = _(
            "Entry #{id} ({kind}, {hours}) will be reversed by a correction of {opposite}.\n"
            "Why? (administrators only)"
        ).format(
            id=entry.id,
            kind=ledger_kind_label(entry.kind),
            hours=signed_hours(entry.minutes),
            opposite=signed_hours(-entry.minutes),
        )
        return self._with_reason(
            _("Correct a ledger entry"),
            question,
            lambda reason: packs.correct_entry(self.context.desk, entry.id, reason),
        )

    def revoke_selected_grant(self) -> bool:
        grant = self.grant_table.selected_row()
        if grant is None:
            return False
        question = _(
            "The free hours ({hours}) granted for contact #{contact} will be taken back.\n"
            "Why? (administrators only)"
        ).format(hours=format_duration(timedelta(hours=grant.hours)), contact=grant.contact_id)
        return self._with_reason(
            _("Revoke a compensation"),
            question,
            lambda reason: compensation.revoke_grant(
                self.context.desk, grant.id, reason, version=grant.version
            ),
        )

    def end_subscription(self) -> bool:
        balance = self.balance_table.selected_row()
        if balance is None or balance.kind is not PackKind.MONTHLY:
            return False
        months = month_choices(self._today, END_MONTHS_AHEAD)
        labels = [format_month(month.year, month.month) for month in months]
        chosen, ok = QInputDialog.getItem(
            self,
            _("End a subscription"),
            _("Monthly pack #{id}: the last month it gives hours (no refunds):").format(
                id=balance.pack_id
            ),
            labels,
            0,
            False,
        )
        if not ok or chosen not in labels:
            return False
        last_month = months[labels.index(chosen)]

        def end() -> bool:
            info = packs.pack(balance.pack_id)
            packs.end_monthly_pack(self.context.desk, info.id, info.version, last_month=last_month)
            return True

        return op(self, end, sync=self.context).run() is not None

    # --- double-clicks ------------------------------------------------------------------------

    def _expiring_activated(self, index: QModelIndex) -> None:
        row = self.expiring.row_at(self.expiring_table.proxy.mapToSource(index).row())
        # The pack's own record: ``ExpiringPack.customer_id`` comes back None for now (a join
        # in ``expiring_packs`` selects the customer's name without its id; reported).
        self.show_customer_packs(packs.pack(row.pack_id).customer_id)

    def _ledger_activated(self, index: QModelIndex) -> None:
        row = self.ledger.row_at(self.ledger_table.proxy.mapToSource(index).row())
        if row.session_id is not None:
            self.context.show_record.emit("session", row.session_id)
        elif row.contact_id is not None:
            self.context.show_record.emit("contact", row.contact_id)

    def _grant_activated(self, index: QModelIndex) -> None:
        row = self.grants.row_at(self.grant_table.proxy.mapToSource(index).row())
        self.context.show_record.emit("contact", row.contact_id)
