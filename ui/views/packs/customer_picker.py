"""Choosing a customer: a search field (name, NIF, email or phone) and the matching customers."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QSizePolicy, QWidget

from app.i18n import _
from app.services import customers
from app.services.errors import NotFoundError
from ui.operations import op


class CustomerPicker(QWidget):
    """The customer chosen is the combo box's current item; typing in the search field narrows
    the list (``search_customers``) and chooses the first match."""

    #: The chosen customer's id, or None.
    customer_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search: name, NIF, email or phone"))
        self.search.setAccessibleName(_("Search customers"))
        self.search.setClearButtonEnabled(True)
        self.choice = QComboBox()
        self.choice.setAccessibleName(_("Customer"))
        self.choice.setPlaceholderText(_("Choose a customer"))
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.setMinimumContentsLength(24)
        self.choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 2)
        layout.addWidget(self.choice, 3)
        self.setFocusProxy(self.search)
        self._emitted: int | None = None
        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self.choice.setFocus)
        self.choice.currentIndexChanged.connect(self._announce)
        self.refresh()

    def customer_id(self) -> int | None:
        data = self.choice.currentData()
        return data if isinstance(data, int) else None

    def customer_name(self) -> str:
        return self.choice.currentText() if self.customer_id() is not None else ""

    def set_customer(self, customer_id: int | None) -> None:
        """Chooses that customer, clearing the search if it hides them (archived ones too)."""
        if customer_id is None:
            self.choice.setCurrentIndex(-1)
            return
        if self.choice.findData(customer_id) < 0 and self.search.text():
            self.search.clear()  # refills the list
        position = self.choice.findData(customer_id)
        if position < 0:
            record = op(self, lambda: customers.customer(customer_id)).allow(NotFoundError).run()
            if record is None:
                return
            self.choice.addItem(self._label(record.name, record.nif), record.id)
            position = self.choice.count() - 1
        self.choice.setCurrentIndex(position)

    def refresh(self) -> None:
        """Reads the matching customers again (a name may have changed), keeping the choice."""
        self._fill(keep_choice=True)

    # --- inside -------------------------------------------------------------------------------

    @staticmethod
    def _label(name: str, nif: str | None) -> str:
        return _("{name} (NIF {nif})").format(name=name, nif=nif) if nif else name

    def _on_search(self) -> None:
        self._fill(keep_choice=False)

    def _fill(self, *, keep_choice: bool) -> None:
        chosen = self.customer_id()
        typed = self.search.text().strip()
        rows = customers.search_customers(typed)
        blocked = self.choice.blockSignals(True)
        try:
            self.choice.clear()
            for row in rows:
                self.choice.addItem(self._label(row.name, row.nif), row.id)
            position = -1 if chosen is None else self.choice.findData(chosen)
            if position < 0 and chosen is not None and keep_choice:
                # Kept although the list no longer shows them (archived since).
                record = op(self, lambda: customers.customer(chosen)).allow(NotFoundError).run()
                if record is not None:
                    self.choice.addItem(self._label(record.name, record.nif), record.id)
                    position = self.choice.count() - 1
            if position < 0 and typed and rows:
                position = 0
            self.choice.setCurrentIndex(position)
        finally:
            self.choice.blockSignals(blocked)
        self._announce()

    def _announce(self) -> None:
        current = self.customer_id()
        if current != self._emitted:
            self._emitted = current
            self.customer_changed.emit(current)
