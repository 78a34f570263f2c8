"""The balances tab under a customer's record: what each pack can still pay today (P14–P16),
in the order they pay (P16a), and the packs the customer bought."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from app.domain.packs import PackKind, payment_order
from app.i18n import (
    _,
    format_date,
    format_datetime,
    format_minutes_as_hours,
    format_month,
    ngettext,
)
from app.services.compensation import GrantRecord, grants_of_customer
from app.services.labels import grant_state_text, pack_kind_label
from app.services.packs import EXPIRY_WARNING_DAYS, PackBalance, balances
from app.services.settings import company_today
from ui.context import UiContext
from ui.table_model import RIGHT, Column, RowTableModel
from ui.views.customers.tabs import (
    EXPIRING_BACKGROUND,
    MUTED_COLOUR,
    CustomerTab,
    day_key,
    instant_key,
    read_only_table,
)
from ui.widgets import DATETIME_SAMPLE, DURATION_SAMPLE, fit_columns_to_samples

# --- balances ---------------------------------------------------------------------------------


def _validity_text(balance: PackBalance) -> str:
    if balance.kind is PackKind.MONTHLY and balance.month is not None:
        return format_month(balance.month.year, balance.month.month)
    if balance.valid_until is None:
        return _("never expires")
    return _("until {date}").format(date=format_date(balance.valid_until))


VALIDITY_COLUMN = 1


def _paying_order(balance: PackBalance) -> int:
    """The order the balances pay in (P16a): monthly, unit packs by expiry, free hours."""
    rank, until = payment_order(balance.kind, balance.valid_until)
    return rank * 10_000_000 + until.toordinal()


class BalancesTab(CustomerTab):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)

        def expiring(row: PackBalance) -> tuple[QColor | None, QColor | None]:
            return (None, EXPIRING_BACKGROUND) if row.expiring_soon else (None, None)

        def expiring_tip(row: PackBalance) -> str:
            if not row.expiring_soon:
                return ""
            return ngettext(
                "Expires within {count} day: use it or lose it.",
                "Expires within {count} days: use it or lose it.",
                EXPIRY_WARNING_DAYS,
            ).format(count=EXPIRY_WARNING_DAYS)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.model: RowTableModel[PackBalance] = RowTableModel(
            [
                Column(
                    _("Balance"),
                    lambda row: pack_kind_label(row.kind),
                    _paying_order,
                    colours=expiring,
                    tooltip=expiring_tip,
                ),
                Column(
                    _("Valid"),
                    _validity_text,
                    lambda row: day_key(row.valid_until),
                    colours=expiring,
                    tooltip=expiring_tip,
                ),
                Column(
                    _("Hours"),
                    lambda row: format_minutes_as_hours(row.minutes),
                    lambda row: row.minutes,
                    align=RIGHT,
                    colours=expiring,
                ),
                Column(
                    _("Left"),
                    lambda row: format_minutes_as_hours(row.remaining),
                    lambda row: row.remaining,
                    align=RIGHT,
                    colours=expiring,
                    tooltip=expiring_tip,
                ),
            ],
            key=lambda row: (row.pack_id, row.month),
        )
        self.view, self.proxy = read_only_table(
            self.model, name=_("The customer's balances"), stretch=VALIDITY_COLUMN
        )
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        fit_columns_to_samples(
            self.view, (_("Monthly pack") + "xxxx", "", DURATION_SAMPLE, DURATION_SAMPLE)
        )
        self.grants: RowTableModel[GrantRecord] = RowTableModel(
            [
                Column(
                    _("Granted"),
                    lambda row: format_datetime(row.granted_at),
                    lambda row: instant_key(row.granted_at),
                ),
                Column(
                    _("For the contact"),
                    lambda row: _("{subject} ({received})").format(
                        subject=row.contact_subject,
                        received=format_datetime(row.contact_received_at),
                    ),
                ),
                Column(
                    _("Hours"),
                    lambda row: ngettext("{count} h", "{count} h", row.hours).format(
                        count=row.hours
                    ),
                    lambda row: row.hours,
                    align=RIGHT,
                ),
                Column(
                    _("State"),
                    grant_state_text,
                    colours=lambda row: (MUTED_COLOUR, None) if row.revoked else (None, None),
                ),
            ],
            key=lambda row: row.id,
        )
        self.grants_view, self.grants_proxy = read_only_table(
            self.grants, name=_("Free hours granted for missed guarantees")
        )
        self.grants_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        fit_columns_to_samples(self.grants_view, (DATETIME_SAMPLE, "x" * 40, "00 h"))
        # A grant's key is its own id: the contact behind it is what a double click opens.
        self.grants_view.doubleClicked.connect(self._open_grant_contact)
        self.grants_view.activated.connect(self._open_grant_contact)

        balances_box = QGroupBox(_("Balances usable today"))
        balances_layout = QVBoxLayout(balances_box)
        balances_layout.addWidget(self.summary)
        balances_layout.addWidget(self.view)
        grants_box = QGroupBox(_("Compensation for missed guarantees"))
        grants_layout = QVBoxLayout(grants_box)
        grants_layout.addWidget(self.grants_view)
        layout = QVBoxLayout(self)
        layout.addWidget(balances_box, 3)
        layout.addWidget(grants_box, 2)

    def _open_grant_contact(self, index: QModelIndex) -> None:
        position = self.grants_proxy.mapToSource(index).row()
        if 0 <= position < self.grants.rowCount():
            self.context.show_record.emit("contact", self.grants.row_at(position).contact_id)

    def load(self, customer_id: int) -> None:
        today = company_today(self.context.now())
        found = balances(customer_id, today)
        self.summary.setText(
            _(
                "This month's hours: {monthly} · Unit packs: {unit} · Free hours: {free} · "
                "Total: {total}"
            ).format(
                monthly=format_minutes_as_hours(found.monthly_minutes),
                unit=format_minutes_as_hours(found.unit_minutes),
                free=format_minutes_as_hours(found.free_minutes),
                total=format_minutes_as_hours(found.total_minutes),
            )
        )
        self.model.set_rows(found.all)
        self.grants.set_rows(grants_of_customer(customer_id))

    def clear(self) -> None:
        self.summary.clear()
        self.model.set_rows(())
        self.grants.set_rows(())
