"""Small pieces the Packs and Faturas views share: reading amounts typed the Portuguese way,
the red message under a field, their tables, and signed hours for the ledger."""

from __future__ import annotations

import re
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.validation import ValidationError
from app.i18n import _, format_minutes_as_hours
from app.services.errors import ServiceError
from ui.feedback import show_error
from ui.table_model import RowTableModel, TableProxy

# "45", "45,5", "1 234,50 €", "1.234,50", "45.50": a comma is the decimal mark; a dot is one too
# when no comma follows it (people type "45.50"), else it groups thousands.
_AMOUNT = re.compile(r"[-\N{MINUS SIGN}]?(\d+(?:[.,]\d*)?|[.,]\d+)")
_GROUPED = re.compile(r"[-\N{MINUS SIGN}]?\d{1,3}(?:\.\d{3})+,\d*")
_SPACES = re.compile(r"[\s\N{NO-BREAK SPACE}\N{NARROW NO-BREAK SPACE}]")

ERROR_STYLE = "color: #b3261e;"


def parse_amount(text: str, field: str) -> Decimal:
    """A number as typed in Portugal (money, a quantity): ``"45,50"``, ``"1 234,50 €"`` → a
    ``Decimal``; its sign kept, so that the use case says why a negative amount is refused.

    Raises ``ValidationError(field, …)`` when the text is not a number.
    """
    typed = _SPACES.sub("", text).removesuffix("€").removeprefix("€")
    if not typed:
        raise ValidationError(field, _("Enter an amount, such as 45,50."))
    if _GROUPED.fullmatch(typed):
        typed = typed.replace(".", "")
    if not _AMOUNT.fullmatch(typed):
        raise ValidationError(
            field, _("{text} is not a number; write it as 45,50.").format(text=text.strip())
        )
    try:
        return Decimal(typed.replace(",", ".").replace("\N{MINUS SIGN}", "-"))
    except InvalidOperation as error:  # pragma: no cover - the pattern already refused it
        raise ValidationError(field, _("{text} is not a number.").format(text=text)) from error


def combo_index(combo: QComboBox, value: object) -> int:
    """The position of the item whose data equals ``value``, or -1. (``findData`` misses dates,
    and enums come back from a combo box as their plain string values.)"""
    for position in range(combo.count()):
        if combo.itemData(position) == value:
            return position
    return -1


def signed_hours(minutes: int) -> str:
    """A ledger movement: ``+10 h`` credited, ``−1 h 30 min`` drawn."""
    shown = format_minutes_as_hours(abs(minutes))
    return f"+{shown}" if minutes > 0 else f"\N{MINUS SIGN}{shown}"


class FieldError(QLabel):
    """The red message under a field; hidden while there is nothing wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.show_message("")


class FieldErrors:
    """The red messages of a form, by the ``field`` names the services use."""

    def __init__(
        self,
        fields: dict[str, QWidget],
        parent: QWidget,
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.fields = fields
        self.labels = {name: FieldError() for name in fields}
        self.parent = parent
        #: Other names the services give a field ("minutes" for what is typed as "hours").
        self.aliases = aliases or {}

    def row(self, name: str) -> QWidget:
        return with_error(self.fields[name], self.labels[name])

    def clear(self) -> None:
        for label in self.labels.values():
            label.clear_message()

    def show(self, field: str | None, message: str) -> None:
        """Next to its field when known, else in a message box."""
        name = self.aliases.get(field or "", field or "")
        label = self.labels.get(name)
        if label is None:
            show_error(self.parent, ServiceError(message))
            return
        label.show_message(message)
        self.fields[name].setFocus()


def with_error(field: QWidget, error: FieldError) -> QWidget:
    """The field with its red message under it, as one row of a form."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(error)
    box.setFocusProxy(field)
    return box


class RowTable(QTableView):
    """A read-only table of a ``RowTableModel`` through a ``TableProxy``: whole rows, one at a
    time, sortable by clicking a header (in the services' order until then)."""

    def __init__(
        self, model: RowTableModel[Any], accessible_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = TableProxy(model, self)
        self.setModel(self.proxy)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        self.setSortingEnabled(True)

    def selected_key(self) -> Any:
        """The record id of the selected row, or None."""
        rows = self.selectionModel().selectedRows()
        return self.proxy.key_at(rows[0].row()) if rows else None

    def selected_row(self) -> Any:
        """The selected row's dataclass, or None."""
        key = self.selected_key()
        position = None if key is None else self.source.position_of(key)
        return None if position is None else self.source.row_at(position)

    def select_key(self, key: Hashable) -> bool:
        """Selects (and scrolls to) the row of that record; False when it is not shown."""
        position = self.source.position_of(key)
        if position is None:
            return False
        index = self.proxy.mapFromSource(self.source.index(position, 0))
        if not index.isValid():
            return False
        self.selectRow(index.row())
        self.scrollTo(index)
        return True

    def fit_columns(self, widths: dict[int, int]) -> None:
        """Sets the starting width of some columns (the last one stretches)."""
        for column, width in widths.items():
            self.setColumnWidth(column, width)

    def stretch_column(self, column: int) -> None:
        """That column (a description) takes the width left, instead of the last one."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
