"""Selling a pack of hours (P14, P15): unit or monthly, hours and price typed the Portuguese way."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from dateutil.relativedelta import relativedelta
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

from app.domain.packs import PackKind, unit_pack_valid_until
from app.domain.validation import ValidationError, parse_hours
from app.i18n import _, format_date, format_month
from app.services import packs
from app.services.errors import ServiceError
from app.services.packs import PackInfo
from app.services.settings import company_today
from ui.context import UiContext
from ui.feedback import show_error
from ui.views.pack_customer_picker import CustomerPicker
from ui.views.pack_widgets import FieldError, combo_index, parse_amount, with_error

#: How many months ahead a subscription may be set to start, and to end.
FIRST_MONTHS_AHEAD = 12
LAST_MONTHS_AHEAD = 36


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def month_choices(first: date, count: int) -> list[date]:
    """The first days of ``count`` months from ``first``'s month on."""
    start = first.replace(day=1)
    return [start + relativedelta(months=n) for n in range(count)]


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
        self.hours.textChanged.connect(self._check_hours)
        self.price.textChanged.connect(self._check_price)
        self.picker.customer_changed.connect(lambda _id: self.customer_error.clear_message())
        self._purchase_changed()
        self._show_kind()
        (self.hours if customer_id is not None else self.picker).setFocus()

    def _make_fields(self, today: date, customer_id: int | None) -> None:
        self.picker = CustomerPicker()
        self.picker.set_customer(customer_id)
        self.customer_error = FieldError()
        self.unit = QRadioButton(_("&Unit pack (valid for one year)"))
        self.monthly = QRadioButton(_("&Monthly pack (hours each month)"))
        self.unit.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.unit)
        kinds.addButton(self.monthly)
        self.kind_error = FieldError()
        self.hours = QLineEdit()
        self.hours.setPlaceholderText(_("10, 1,5 or 1:30"))
        self.hours_error = FieldError()
        self.price = QLineEdit()
        self.price.setPlaceholderText(_("400,00"))
        self.price_error = FieldError()
        self.purchased = QDateEdit(_qdate(today))
        self.purchased.setDisplayFormat("dd/MM/yyyy")
        self.purchased.setCalendarPopup(True)
        self.purchased.setMaximumDate(_qdate(today))
        self.purchased_error = FieldError()
        self.valid_until = QLabel()
        self.first_month = QComboBox()
        self.first_month_error = FieldError()
        self.last_month = QComboBox()
        self.last_month_error = FieldError()
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Optional: the order, the proposal…"))

    def _make_form(self) -> None:
        kind_row = QWidget()
        kind_layout = QHBoxLayout(kind_row)
        kind_layout.setContentsMargins(0, 0, 0, 0)
        kind_layout.addWidget(self.unit)
        kind_layout.addWidget(self.monthly)
        kind_layout.addStretch(1)
        self.hours_label = QLabel()
        self.hours_label.setBuddy(self.hours)
        self.price_label = QLabel()
        self.price_label.setBuddy(self.price)
        self.first_month_row = with_error(self.first_month, self.first_month_error)
        self.last_month_row = with_error(self.last_month, self.last_month_error)
        form = self.form = QFormLayout()
        form.addRow(_("&Customer:"), with_error(self.picker, self.customer_error))
        form.addRow(_("Kind:"), with_error(kind_row, self.kind_error))
        form.addRow(self.hours_label, with_error(self.hours, self.hours_error))
        form.addRow(self.price_label, with_error(self.price, self.price_error))
        form.addRow(_("Purchase &date:"), with_error(self.purchased, self.purchased_error))
        form.addRow(_("Valid until:"), self.valid_until)
        form.addRow(_("&First month:"), self.first_month_row)
        form.addRow(_("&Last month:"), self.last_month_row)
        form.addRow(_("&Note:"), self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
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

    def _check_hours(self) -> None:
        if not self.hours.text().strip():
            self.hours_error.clear_message()
            return
        try:
            parse_hours(self.hours.text())
        except ValidationError as error:
            self.hours_error.show_message(error.message)
        else:
            self.hours_error.clear_message()

    def _check_price(self) -> None:
        if not self.price.text().strip():
            self.price_error.clear_message()
            return
        try:
            parse_amount(self.price.text(), "price")
        except ValidationError as error:
            self.price_error.show_message(error.message)
        else:
            self.price_error.clear_message()

    def _errors(self) -> dict[str, FieldError]:
        return {
            "customer": self.customer_error,
            "kind": self.kind_error,
            "hours": self.hours_error,
            "minutes": self.hours_error,
            "price": self.price_error,
            "purchased_on": self.purchased_error,
            "starts_on": self.first_month_error,
            "last_month": self.last_month_error,
        }

    def _fields(self) -> dict[str, QWidget]:
        return {
            "customer": self.picker,
            "hours": self.hours,
            "minutes": self.hours,
            "price": self.price,
            "purchased_on": self.purchased,
            "starts_on": self.first_month,
            "last_month": self.last_month,
        }

    def _refuse(self, field: str | None, message: str) -> None:
        label = self._errors().get(field or "")
        if label is None:
            show_error(self, ServiceError(message))
            return
        label.show_message(message)
        widget = self._fields().get(field or "")
        if widget is not None:
            widget.setFocus()

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        """Sells the pack; a refusal is shown next to its field and the form stays as typed."""
        for label in self._errors().values():
            label.clear_message()
        customer_id = self.picker.customer_id()
        if customer_id is None:
            self._refuse("customer", _("Choose the customer who buys the pack."))
            return
        try:
            minutes = parse_hours(self.hours.text())
            price = parse_amount(self.price.text(), "price")
        except ValidationError as error:
            self._refuse(error.field, error.message)
            return
        monthly = self.kind() is PackKind.MONTHLY
        try:
            result = packs.sell_pack(
                self.context.desk,
                customer_id=customer_id,
                kind=self.kind(),
                minutes=minutes,
                price=price,
                purchased_on=self.purchase_date(),
                starts_on=self.first_month.currentData() if monthly else None,
                last_month=self.last_month.currentData() if monthly else None,
                note=self.note.text(),
            )
        except ServiceError as error:
            self._refuse(error.field, error.message)
            return
        self.sold = result.pack
        self.context.sync()
        self.accept()
