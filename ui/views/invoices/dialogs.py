"""The Faturas view's dialogs: a new draft (customer and month), a line typed by hand."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.months import Month
from app.domain.validation import ValidationError, parse_amount
from app.errors import KnownError
from app.i18n import _, format_month, format_percent
from app.services import invoices, settings
from app.services.invoices import InvoiceDocument
from app.services.settings import company_today
from ui.context import UiContext
from ui.operations import op
from ui.views.customer_search import CustomerSearch
from ui.widgets import FieldErrors, combo_index, dialog_buttons

#: How many months back a draft may be made for.
DRAFT_MONTHS_BACK = 24


class NewDraftDialog(QDialog):
    """A draft invoice for one customer and one month (``draft_invoice``)."""

    def __init__(
        self, context: UiContext, customer_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.document: InvoiceDocument | None = None
        self.setWindowTitle(_("New draft invoice"))
        self.picker = CustomerSearch()
        self.picker.set_customer(customer_id)
        self.month = QComboBox()
        this_month = Month.of(company_today(context.now()))
        for back in range(DRAFT_MONTHS_BACK):
            month = this_month.plus(-back)
            self.month.addItem(format_month(month.year, month.number), month.first_day)
        self.errors = FieldErrors(self, {"customer": self.picker, "period_end": self.month})
        form = QFormLayout()
        form.addRow(_("&Customer:"), self.errors.row("customer"))
        form.addRow(_("&Month:"), self.errors.row("period_end"))
        hint = QLabel(
            _(
                "The draft lists the packs bought and the time no pack covered in that month; "
                "review it, add lines by hand, then issue it."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6d78;")
        self.buttons = dialog_buttons(self, self.save, QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.picker.setFocus()

    def set_month(self, first_day: date) -> None:
        position = combo_index(self.month, Month.of(first_day).first_day)
        if position >= 0:
            self.month.setCurrentIndex(position)

    def save(self) -> None:
        self.errors.clear()
        customer_id = self.picker.customer_id()
        if customer_id is None:
            self.errors.show("customer", _("Choose the customer to invoice."))
            return
        month: date = self.month.currentData()
        start, end = Month.of(month).first_day, Month.of(month).last_day
        document = (
            op(
                self,
                lambda: invoices.draft_invoice(
                    self.context.desk, customer_id=customer_id, period_start=start, period_end=end
                ),
                sync=self.context,
            )
            .failure(self._refused)
            .run()
        )
        if document is not None:
            self.document = document
            self.accept()

    def _refused(self, error: KnownError) -> None:
        self.errors.show(getattr(error, "field", None), error.message)


class AddLineDialog(QDialog):
    """A line typed by hand on a draft (a trip, a part): description, quantity, unit price."""

    def __init__(
        self, context: UiContext, document: InvoiceDocument, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.draft = document
        self.document: InvoiceDocument | None = None
        self.setWindowTitle(_("Add a line to the draft"))
        today = company_today(context.now())
        self.description = QLineEdit()
        self.description.setPlaceholderText(_("Travel to the customer's premises"))
        self.quantity = QLineEdit("1")
        self.unit_price = QLineEdit()
        self.unit_price.setPlaceholderText(_("25,00"))
        self.service_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.service_date.setDisplayFormat("dd/MM/yyyy")
        self.service_date.setCalendarPopup(True)
        self.errors = FieldErrors(
            self,
            {
                "description": self.description,
                "quantity": self.quantity,
                "unit_price": self.unit_price,
                "service_date": self.service_date,
            },
        )
        rate = settings.settings().vat_rate
        form = QFormLayout()
        form.addRow(_("&Description:"), self.errors.row("description"))
        form.addRow(_("&Quantity:"), self.errors.row("quantity"))
        form.addRow(_("&Unit price (€):"), self.errors.row("unit_price"))
        form.addRow(_("Service &date:"), self.errors.row("service_date"))
        form.addRow(
            _("VAT:"), QLabel(_("{rate} (the company's rate)").format(rate=format_percent(rate)))
        )
        self.buttons = dialog_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.quantity.textChanged.connect(
            lambda text: self.errors.check_typed("quantity", text, parse_amount)
        )
        self.unit_price.textChanged.connect(
            lambda text: self.errors.check_typed("unit_price", text, parse_amount)
        )
        self.description.setFocus()

    def save(self) -> None:
        self.errors.clear()
        try:
            quantity = parse_amount(self.quantity.text(), "quantity")
            unit_price = parse_amount(self.unit_price.text(), "unit_price")
        except ValidationError as error:  # reading what was typed, before any use case runs
            self.errors.show(error.field, error.message)
            return
        chosen = self.service_date.date()
        document = (
            op(
                self,
                lambda: invoices.add_line(
                    self.context.desk,
                    self.draft.id,
                    self.draft.version,
                    description=self.description.text(),
                    quantity=quantity,
                    unit_price=unit_price,
                    service_date=date(chosen.year(), chosen.month(), chosen.day()),
                ),
                sync=self.context,
            )
            .failure(self._refused)
            .run()
        )
        if document is not None:
            self.document = document
            self.accept()

    def _refused(self, error: KnownError) -> None:
        self.errors.show(getattr(error, "field", None), error.message)
