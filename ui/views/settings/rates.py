"""Settings → Rates and VAT: hourly rates (P16a), VAT (P21), billing blocks (P11), the session
review limit and the AnyDesk program."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.invoice import VAT_AZORES, VAT_MADEIRA, VAT_MAINLAND
from app.domain.validation import parse_amount, parse_percent
from app.i18n import _, format_money, format_percent
from app.services.settings import Settings, SettingsFields
from ui.context import UiContext
from ui.views.settings.form import (
    SettingsFormPage,
    add_row,
    form_layout,
    note_label,
)

_AMOUNT_WIDTH = 140


def _amount_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    edit.setMaximumWidth(_AMOUNT_WIDTH)
    return edit


def _spin(suffix: str, maximum: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, maximum)
    spin.setSuffix(suffix)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setMaximumWidth(_AMOUNT_WIDTH)
    return spin


def _row(*widgets: QWidget) -> QWidget:
    """Widgets side by side, pushed to the left."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row


class RatesPage(SettingsFormPage):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("settings_rates")
        self.rate_inside = _amount_edit()
        self.rate_outside = _amount_edit()
        self.rate_outside.setPlaceholderText(_("same as inside"))
        self.vat_rate = _amount_edit()
        self.vat_buttons: dict[Decimal, QPushButton] = {}
        for rate, region in (
            (VAT_MAINLAND, _("mainland")),
            (VAT_MADEIRA, _("Madeira")),
            (VAT_AZORES, _("Azores")),
        ):
            button = QPushButton(
                _("{rate} {region}").format(rate=format_percent(rate), region=region)
            )
            button.setToolTip(_("Use the VAT rate of {region}").format(region=region))
            button.clicked.connect(lambda _checked=False, chosen=rate: self.use_vat_rate(chosen))
            self.vat_buttons[rate] = button
        self.inside_block = _spin(_(" min"), 240)
        self.outside_block = _spin(_(" min"), 240)
        self.review_hours = _spin(_(" h"), 72)
        self.anydesk_path = QLineEdit()
        self.browse = QPushButton(_("&Browse…"))
        self.browse.clicked.connect(self.choose_anydesk)

        rates = QGroupBox(_("Time not covered by packs"))
        rates_form = form_layout()
        add_row(
            rates_form,
            _("Hourly rate &inside hours:"),
            self.rate_inside,
            self.errors,
            "rate_inside",
        )
        add_row(
            rates_form,
            _("Hourly rate &outside hours:"),
            self.rate_outside,
            self.errors,
            "rate_outside",
        )
        rates_form.addRow(
            "",
            note_label(
                _("Leave the out-of-hours rate empty to bill outside hours at the inside rate.")
            ),
        )
        add_row(
            rates_form,
            _("&VAT rate:"),
            _row(self.vat_rate, *self.vat_buttons.values()),
            self.errors,
            "vat_rate",
            buddy=self.vat_rate,
        )
        rates_form.addRow(
            "",
            note_label(
                _(
                    "Mainland: 23%. Madeira: 22%. Azores: 16%. "
                    "The rate applies to invoices made from now on."
                )
            ),
        )
        rates.setLayout(rates_form)

        blocks = QGroupBox(_("Billing blocks"))
        blocks_form = form_layout()
        add_row(
            blocks_form,
            _("Block inside &hours:"),
            self.inside_block,
            self.errors,
            "inside_block_minutes",
        )
        add_row(
            blocks_form,
            _("Block outside ho&urs:"),
            self.outside_block,
            self.errors,
            "outside_block_minutes",
        )
        blocks_form.addRow(
            "",
            note_label(
                _(
                    "A session's time inside and outside business hours is each rounded up to "
                    "its block, once per session."
                )
            ),
        )
        blocks.setLayout(blocks_form)

        sessions = QGroupBox(_("Sessions"))
        sessions_form = form_layout()
        add_row(
            sessions_form,
            _("&Review sessions longer than:"),
            self.review_hours,
            self.errors,
            "session_review_hours",
        )
        sessions_form.addRow(
            "",
            note_label(_("A stopped session with more active time is flagged for review.")),
        )
        add_row(
            sessions_form,
            _("&AnyDesk program:"),
            _row(self.anydesk_path, self.browse),
            self.errors,
            "anydesk_path",
            buddy=self.anydesk_path,
        )
        sessions.setLayout(sessions_form)
        self.anydesk_path.setMinimumWidth(320)

        layout = QVBoxLayout(self.body)
        layout.addWidget(rates)
        layout.addWidget(blocks)
        layout.addWidget(sessions)
        layout.addStretch(1)

        for edit in (self.rate_inside, self.rate_outside, self.vat_rate, self.anydesk_path):
            edit.textEdited.connect(self.mark_modified)
            edit.returnPressed.connect(self.save)
        for spin in (self.inside_block, self.outside_block, self.review_hours):
            spin.valueChanged.connect(self.mark_modified)

    def use_vat_rate(self, rate: Decimal) -> None:
        self.vat_rate.setText(format_percent(rate))
        self.mark_modified()

    def choose_anydesk(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The AnyDesk program"), self.anydesk_path.text()
        )
        if path:
            self.anydesk_path.setText(path)
            self.mark_modified()

    def fill(self, current: Settings) -> None:
        self.rate_inside.setText(format_money(current.rate_inside))
        outside = current.rate_outside
        self.rate_outside.setText("" if outside is None else format_money(outside))
        self.vat_rate.setText(format_percent(current.vat_rate))
        self.inside_block.setValue(current.inside_block_minutes)
        self.outside_block.setValue(current.outside_block_minutes)
        self.review_hours.setValue(current.session_review_hours)
        self.anydesk_path.setText(current.anydesk_path)

    def fields(self) -> SettingsFields:
        outside = self.rate_outside.text().strip()
        return {
            "rate_inside": parse_amount(self.rate_inside.text(), "rate_inside"),
            "rate_outside": None if not outside else parse_amount(outside, "rate_outside"),
            "vat_rate": parse_percent(self.vat_rate.text(), "vat_rate"),
            "inside_block_minutes": self.inside_block.value(),
            "outside_block_minutes": self.outside_block.value(),
            "session_review_hours": self.review_hours.value(),
            "anydesk_path": self.anydesk_path.text(),
        }
