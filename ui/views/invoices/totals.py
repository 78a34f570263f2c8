"""The totals of a document in the Faturas view: the VAT per rate (P21) and what is due."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from app.domain.states import InvoiceKind
from app.i18n import _, format_money, format_percent
from app.services.invoices import InvoiceDocument
from ui.table_model import RIGHT

MUTED_STYLE = "color: #5f6d78;"


class TotalsPanel(QFrame):
    """The VAT per rate (P21) and the totals, right-aligned in pt_PT money."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(_("Totals"))
        self.grid = QGridLayout(self)
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(0, 1)

    def _cell(self, text: str, row: int, column: int, *, bold: bool = False) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if column:
            label.setAlignment(RIGHT)
        if bold:
            font = QFont(label.font())
            font.setBold(True)
            label.setFont(font)
        self.grid.addWidget(label, row, column)
        return label

    def clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Out of the panel at once: deleteLater alone would paint it until the next loop.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def show_document(self, document: InvoiceDocument | None) -> None:
        self.clear()
        if document is None:
            return
        header = [_("VAT rate"), _("Taxable amount"), _("VAT")]
        for column, text in enumerate(header):
            self._cell(text, 0, column).setStyleSheet(MUTED_STYLE)
        row = 1
        for summary in document.by_rate:
            rate = format_percent(summary.rate)
            if summary.exemption:
                rate = _("{rate}, exempt: {reason}").format(rate=rate, reason=summary.exemption)
            self._cell(rate, row, 0)
            self._cell(format_money(summary.base), row, 1)
            self._cell(format_money(summary.vat), row, 2)
            row += 1
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        self.grid.addWidget(rule, row, 0, 1, 3)
        row += 1
        due = _("Total to credit") if document.kind is InvoiceKind.CREDIT_NOTE else _("Total")
        for caption, amount, bold in (
            (_("Total net"), document.net, False),
            (_("Total VAT"), document.vat, False),
            (due, document.gross, True),
        ):
            self._cell(caption, row, 0, bold=bold)
            self._cell(format_money(amount), row, 2, bold=bold)
            row += 1
