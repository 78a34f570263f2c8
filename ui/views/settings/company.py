"""Settings → Company: the supplier's data printed on every invoice (P21) and the series."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLineEdit, QPlainTextEdit, QWidget

from app.domain.validation import (
    normalize_email,
    normalize_iban,
    normalize_nif,
    normalize_phone,
)
from app.i18n import _
from app.services.settings import Settings, SettingsFields
from ui.context import UiContext
from ui.views.settings.form import (
    FORM_MAX_WIDTH,
    SettingsFormPage,
    add_row,
    form_layout,
    note_label,
)

_SHORT_WIDTH = 120


class CompanyPage(SettingsFormPage):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("settings_company")
        self._typed_checks: list[tuple[QLineEdit, str, Callable[[str], str]]] = []
        self.name = QLineEdit()
        self.nif = QLineEdit()
        self.nif.setPlaceholderText(_("9 digits, e.g. 501 964 843"))
        self.address = QLineEdit()
        self.postcode = QLineEdit()
        self.postcode.setMaximumWidth(_SHORT_WIDTH)
        self.postcode.setPlaceholderText(_("e.g. 1000-001"))
        self.city = QLineEdit()
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.iban = QLineEdit()
        self.iban.setPlaceholderText(_("e.g. PT50 0002 0123 1234 5678 9015 4"))
        self.legal_mention = QPlainTextEdit()
        self.legal_mention.setTabChangesFocus(True)
        self.legal_mention.setFixedHeight(120)
        self.invoice_series = QLineEdit()
        self.invoice_series.setMaxLength(16)
        self.invoice_series.setMaximumWidth(_SHORT_WIDTH)
        self.credit_note_series = QLineEdit()
        self.credit_note_series.setMaxLength(16)
        self.credit_note_series.setMaximumWidth(_SHORT_WIDTH)

        company = QGroupBox(_("The company, as invoices show it"))
        form = form_layout()
        add_row(form, _("&Name:"), self.name, self.errors, "name")
        add_row(form, _("NI&F:"), self.nif, self.errors, "nif")
        add_row(form, _("&Address:"), self.address, self.errors, "address")
        add_row(form, _("&Postcode:"), self.postcode, self.errors, "postcode")
        add_row(form, _("&City:"), self.city, self.errors, "city")
        add_row(form, _("&Email:"), self.email, self.errors, "email")
        add_row(form, _("P&hone:"), self.phone, self.errors, "phone")
        add_row(form, _("&IBAN:"), self.iban, self.errors, "iban")
        company.setLayout(form)

        # Side by side: both fit a 1366×768 screen without scrolling.
        self.body.setMaximumWidth(2 * FORM_MAX_WIDTH)
        layout = QHBoxLayout(self.body)
        layout.addWidget(company, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._invoices_group(), 1, Qt.AlignmentFlag.AlignTop)

        self._check_as_typed(self.nif, "nif", normalize_nif)
        self._check_as_typed(self.email, "email", normalize_email)
        self._check_as_typed(self.phone, "phone", normalize_phone)
        self._check_as_typed(self.iban, "iban", normalize_iban)
        for edit in (
            self.name,
            self.address,
            self.postcode,
            self.city,
            self.invoice_series,
            self.credit_note_series,
        ):
            edit.textEdited.connect(self.mark_modified)
            edit.returnPressed.connect(self.save)
        self.legal_mention.textChanged.connect(self.mark_modified)

    def _invoices_group(self) -> QGroupBox:
        invoices = QGroupBox(_("Invoices"))
        invoice_form = form_layout()
        add_row(
            invoice_form,
            _("&Legal mention:"),
            self.legal_mention,
            self.errors,
            "invoice_legal_mention",
        )
        invoice_form.addRow(
            "",
            note_label(
                _(
                    "Printed at the foot of every invoice, e.g. the share capital and the "
                    "commercial registry."
                )
            ),
        )
        add_row(
            invoice_form, _("In&voice series:"), self.invoice_series, self.errors, "invoice_series"
        )
        add_row(
            invoice_form,
            _("C&redit note series:"),
            self.credit_note_series,
            self.errors,
            "credit_note_series",
        )
        invoice_form.addRow(
            "",
            note_label(
                _(
                    "Numbers run without gaps within each series and year, e.g. FT 2025/1. "
                    "Changing a series starts a new numbering."
                )
            ),
        )
        invoices.setLayout(invoice_form)

        return invoices

    def _check_as_typed(self, edit: QLineEdit, field: str, normalize: Callable[[str], str]) -> None:
        """Says what is wrong while the user types (empty is allowed: the field is optional)."""
        self._typed_checks.append((edit, field, normalize))

        def check() -> None:
            self.mark_modified()
            self._check_one(edit, field, normalize)

        edit.textEdited.connect(check)
        edit.returnPressed.connect(self.save)

    def _check_one(self, edit: QLineEdit, field: str, normalize: Callable[[str], str]) -> bool:
        return self.errors.check_typed(field, edit.text(), normalize)

    def check_fields(self) -> bool:
        results = [self._check_one(*check) for check in self._typed_checks]
        if all(results):
            return True
        first_bad = results.index(False)
        self._typed_checks[first_bad][0].setFocus()
        return False

    def fill(self, current: Settings) -> None:
        self.name.setText(current.name)
        self.nif.setText(current.nif or "")
        self.address.setText(current.address)
        self.postcode.setText(current.postcode)
        self.city.setText(current.city)
        self.email.setText(current.email)
        self.phone.setText(current.phone)
        self.iban.setText(current.iban)
        self.legal_mention.setPlainText(current.invoice_legal_mention)
        self.invoice_series.setText(current.invoice_series)
        self.credit_note_series.setText(current.credit_note_series)

    def fields(self) -> SettingsFields:
        return {
            "name": self.name.text(),
            "nif": self.nif.text(),
            "address": self.address.text(),
            "postcode": self.postcode.text(),
            "city": self.city.text(),
            "email": self.email.text(),
            "phone": self.phone.text(),
            "iban": self.iban.text(),
            "invoice_legal_mention": self.legal_mention.toPlainText(),
            "invoice_series": self.invoice_series.text(),
            "credit_note_series": self.credit_note_series.text(),
        }
