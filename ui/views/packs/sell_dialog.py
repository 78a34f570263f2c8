"""Selling a pack of hours (P14, P15): unit or monthly, hours and price typed the Portuguese way."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.months import Month
from app.domain.packs import PackKind, unit_pack_valid_until
from app.domain.validation import ValidationError, parse_amount, parse_hours
from app.i18n import _, format_date, format_month
from app.services import packs
from app.services.packs import PackInfo
from app.services.settings import company_today
from ui.context import UiContext
from ui.operations import op
from ui.views.customer_search import CustomerSearch
from ui.widgets import FieldErrors, combo_index, dialog_buttons

#: How many months ahead a subscription may be set to start, and to end.
FIRST_MONTHS_AHEAD = 12
LAST_MONTHS_AHEAD = 36


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def month_choices(first: date, count: int) -> list[date]:
    """The first days of ``count`` months from ``first``'s month on."""
    start = Month.of(first)
    return [start.plus(n).first_day for n in range(count)]


class SellPackDialog(QDialog):
    def __init__(
        self, context: UiContext, customer_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.sold: PackInfo | None = None
        self.setWindowTitle(_("Sell a pack of hours"))
        self._make_fields(company_today(context.now()), customer_id)
        self._make_form()
        self.unit.toggled.connect(self._show_kind)
        self.purchased.dateChanged.connect(self._purchase_changed)
        self.first_month.currentIndexChanged.connect(self._fill_last_months)
        self.hours.textChanged.connect(
            lambda text: self.errors.check_typed("hours", text, parse_hours)
        )
        self.price.textChanged.connect(
            lambda text: self.errors.check_typed("price", text, parse_amount)
        )
        self.picker.customer_changed.connect(lambda _id: self.errors.clear("customer"))
        self._purchase_changed()
        self._show_kind()
        (self.hours if customer_id is not None else self.picker).setFocus()

    def _make_fields(self, today: date, customer_id: int | None) -> None:
        self.picker = CustomerSearch()
        self.picker.set_customer(customer_id)
        self.unit = QRadioButton(_("&Unit pack (valid for one year)"))
        self.monthly = QRadioButton(_("&Monthly pack (hours each month)"))
        self.unit.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.unit)
        kinds.addButton(self.monthly)
        self.kind_row = QWidget()
        self.hours = QLineEdit()
        self.hours.setPlaceholderText(_("10, 1,5 or 1:30"))
        self.price = QLineEdit()
        self.price.setPlaceholderText(_("400,00"))
        self.purchased = QDateEdit(_qdate(today))
        self.purchased.setDisplayFormat("dd/MM/yyyy")
        self.purchased.setCalendarPopup(True)
        self.purchased.setMaximumDate(_qdate(today))
        self.valid_until = QLabel()
        self.first_month = QComboBox()
        self.last_month = QComboBox()
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Optional: the order, the proposal…"))
        self.errors = FieldErrors(
            self,
            {
                "customer": self.picker,
                "kind": self.kind_row,
                "hours": self.hours,
                "price": self.price,
                "purchased_on": self.purchased,
                "starts_on": self.first_month,
                "last_month": self.last_month,
            },
            aliases={"minutes": "hours"},
        )

    def _make_form(self) -> None:
        kind_layout = QHBoxLayout(self.kind_row)
        kind_layout.setContentsMargins(0, 0, 0, 0)
        kind_layout.addWidget(self.unit)
        kind_layout.addWidget(self.monthly)
        kind_layout.addStretch(1)
        self.hours_label = QLabel()
        self.hours_label.setBuddy(self.hours)
        self.price_label = QLabel()
        self.price_label.setBuddy(self.price)
        self.first_month_row = self.errors.row("starts_on")
        self.last_month_row = self.errors.row("last_month")
        form = self.form = QFormLayout()
        form.addRow(_("&Customer:"), self.errors.row("customer"))
        form.addRow(_("Kind:"), self.errors.row("kind"))
        form.addRow(self.hours_label, self.errors.row("hours"))
        form.addRow(self.price_label, self.errors.row("price"))
        form.addRow(_("Purchase &date:"), self.errors.row("purchased_on"))
        form.addRow(_("Valid until:"), self.valid_until)
        form.addRow(_("&First month:"), self.first_month_row)
        form.addRow(_("&Last month:"), self.last_month_row)
        form.addRow(_("&Note:"), self.note)
        self.buttons = dialog_buttons(self, self.save)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        order: list[QWidget] = [
            self.picker,
            self.unit,
            self.monthly,
            self.hours,
            self.price,
            self.purchased,
            self.first_month,
            self.last_month,
            self.note,
        ]
        for before, after in pairwise(order):
            self.setTabOrder(before, after)

    # --- the form -----------------------------------------------------------------------------

    def kind(self) -> PackKind:
        return PackKind.MONTHLY if self.monthly.isChecked() else PackKind.UNIT

    def purchase_date(self) -> date:
        chosen = self.purchased.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def _show_kind(self) -> None:
        monthly = self.kind() is PackKind.MONTHLY
        self.hours_label.setText(_("&Hours per month:") if monthly else _("&Hours:"))
        self.price_label.setText(_("&Price per month (€):") if monthly else _("&Price (€):"))
        self.form.setRowVisible(self.valid_until, not monthly)
        self.form.setRowVisible(self.first_month_row, monthly)
        self.form.setRowVisible(self.last_month_row, monthly)
        self.adjustSize()

    def _purchase_changed(self) -> None:
        bought = self.purchase_date()
        self.valid_until.setText(format_date(unit_pack_valid_until(bought)))
        chosen = self.first_month.currentData()
        blocked = self.first_month.blockSignals(True)
        self.first_month.clear()
        for month in month_choices(bought, FIRST_MONTHS_AHEAD):
            self.first_month.addItem(format_month(month.year, month.month), month)
        position = combo_index(self.first_month, chosen)
        self.first_month.setCurrentIndex(max(position, 0))
        self.first_month.blockSignals(blocked)
        self._fill_last_months()

    def _fill_last_months(self) -> None:
        first = self.first_month.currentData()
        chosen = self.last_month.currentData()
        self.last_month.clear()
        self.last_month.addItem(_("None: until the subscription is ended"), None)
        if isinstance(first, date):
            for month in month_choices(first, LAST_MONTHS_AHEAD):
                self.last_month.addItem(format_month(month.year, month.month), month)
        self.last_month.setCurrentIndex(max(combo_index(self.last_month, chosen), 0))

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        """Sells the pack; a refusal is shown next to its field and the form stays as typed."""
        self.errors.clear()
        customer_id = self.picker.customer_id()
        if customer_id is None:
            self.errors.show("customer", _("Choose the customer who buys the pack."))
            return
        try:
            minutes = parse_hours(self.hours.text())
            price = parse_amount(self.price.text(), "price")
        except ValidationError as error:  # reading what was typed, before any use case runs
            self.errors.show(error.field, error.message)
            return
        monthly = self.kind() is PackKind.MONTHLY
        result = (
            op(
                self,
                lambda: packs.sell_pack(
                    self.context.desk,
                    customer_id=customer_id,
                    kind=self.kind(),
                    minutes=minutes,
                    price=price,
                    purchased_on=self.purchase_date(),
                    starts_on=self.first_month.currentData() if monthly else None,
                    last_month=self.last_month.currentData() if monthly else None,
                    note=self.note.text(),
                ),
            )
            .failure(self.errors.report)
            .run()
        )
        if result is None:
            return
        self.sold = result.pack
        self.context.sync()
        self.accept()
