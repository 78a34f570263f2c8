"""Choosing a customer, the same way in every view and dialog (Packs, selling a pack, a new
invoice draft, the session timer, a new contact): a search field (name, NIF, email or phone) and
the matching customers in a list beside it.

Only the first ``SEARCH_LIMIT`` matches are listed (the first by name when nothing is typed): a
list of ten thousand customers is never loaded whole. A customer chosen from elsewhere (another
view, the contact's sender) is listed even when the search does not show them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QSizePolicy, QWidget

from app.i18n import _
from app.services import customers
from app.services.errors import NotFoundError
from ui.operations import op

#: Customers listed at once: the first by name, or the first matching what is typed.
SEARCH_LIMIT = 50
#: The list of customers is as wide as its longest item, in letters, within these bounds.
MIN_CHOICE_LETTERS = 24
MAX_CHOICE_LETTERS = 56


class CustomerSearch(QWidget):
    """The customer chosen is the list's current item; typing in the search field narrows the list
    (``search_customers``) and chooses the first match, the list chooses another.

    ``archived``: whether an archived customer may be chosen from elsewhere (their packs and
    invoices: yes; a new session: no). The search itself lists active customers only.

    A dialog may ``suggest`` a customer (the one the contact's sender is registered to): it is
    chosen until the technician chooses one themselves (``by_hand``); clearing the search gives
    the choice back to the suggestion.
    """

    #: The chosen customer's id, or None.
    customer_changed = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        archived: bool = True,
        placeholder: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.archived = archived
        #: Chosen by the technician (typed or picked), not suggested.
        self.by_hand = False
        self._suggested: int | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText(placeholder or _("Search: name, NIF, email or phone"))
        self.search.setAccessibleName(_("Search customers"))
        self.search.setClearButtonEnabled(True)
        self.choice = QComboBox()
        self.choice.setAccessibleName(_("Customer"))
        self.choice.setPlaceholderText(_("Choose a customer"))
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.setMinimumContentsLength(MIN_CHOICE_LETTERS)
        self.choice.setMaxVisibleItems(20)
        self.choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("x" * 18))
        layout.addWidget(self.search, 1)
        layout.addWidget(self.choice, 2)
        self.setFocusProxy(self.search)
        self._emitted: int | None = None
        self.search.textChanged.connect(self._on_search)
        self.search.textEdited.connect(self._on_typed)
        self.search.returnPressed.connect(self.choice.setFocus)
        self.choice.activated.connect(self._on_picked)
        self.choice.currentIndexChanged.connect(self._announce)
        self.refresh()

    def customer_id(self) -> int | None:
        data = self.choice.currentData()
        return data if isinstance(data, int) else None

    def customer_name(self) -> str:
        return self.choice.currentText() if self.customer_id() is not None else ""

    def listed(self) -> list[str]:
        """The customers the list shows, in its order."""
        return [self.choice.itemText(row) for row in range(self.choice.count())]

    def set_customer(self, customer_id: int | None) -> None:
        """Chooses that customer (as the technician would: a suggestion no longer replaces
        them), clearing the search if it hides them; one that cannot be chosen (gone, or archived
        where ``archived`` is False) leaves none chosen."""
        self.by_hand = customer_id is not None
        self._choose(customer_id)

    def _choose(self, customer_id: int | None) -> None:
        if customer_id is None:
            self.choice.setCurrentIndex(-1)
            return
        if self.choice.findData(customer_id) < 0 and self.search.text():
            self.search.clear()  # refills the list
        position = self.choice.findData(customer_id)
        if position < 0:
            position = self._add(customer_id)
        self.choice.setCurrentIndex(position)

    def suggest(self, customer_id: int | None) -> None:
        """The customer to choose unless the technician chose one: chosen now if they did not."""
        self._suggested = customer_id
        if not self.by_hand:
            self._choose(customer_id)

    def refresh(self) -> None:
        """Reads the matching customers again (a name may have changed), keeping the choice."""
        self._fill(keep_choice=True)

    # --- inside -------------------------------------------------------------------------------

    @staticmethod
    def _label(name: str, nif: str | None) -> str:
        return _("{name} (NIF {nif})").format(name=name, nif=nif) if nif else name

    def _add(self, customer_id: int) -> int:
        """Lists a customer the search does not show; their position, or -1."""
        record = op(self, lambda: customers.customer(customer_id)).allow(NotFoundError).run()
        if record is None or (record.archived and not self.archived):
            return -1
        self.choice.addItem(self._label(record.name, record.nif), record.id)
        return self.choice.count() - 1

    def _on_typed(self, text: str) -> None:
        self.by_hand = bool(text.strip())
        if not self.by_hand:
            self._choose(self._suggested)

    def _on_picked(self, _position: int) -> None:
        self.by_hand = True

    def _on_search(self) -> None:
        self._fill(keep_choice=False)

    def _fill(self, *, keep_choice: bool) -> None:
        chosen = self.customer_id()
        typed = self.search.text().strip()
        rows = customers.search_customers(typed, limit=SEARCH_LIMIT)
        blocked = self.choice.blockSignals(True)
        try:
            self.choice.clear()
            for row in rows:
                self.choice.addItem(self._label(row.name, row.nif), row.id)
            position = -1 if chosen is None else self.choice.findData(chosen)
            if position < 0 and chosen is not None and (keep_choice or not typed):
                position = self._add(chosen)  # kept although the list no longer shows them
            if position < 0 and typed and rows:
                position = 0
            self.choice.setCurrentIndex(position)
        finally:
            self.choice.blockSignals(blocked)
        self._fit_choice()
        self._announce()

    def _fit_choice(self) -> None:
        """Wide enough for the longest customer listed with their NIF ("(NIF 50712…" was cut),
        within bounds: a name of eighty letters must not push the window wider."""
        longest = max((len(label) for label in self.listed()), default=0)
        self.choice.setMinimumContentsLength(
            max(MIN_CHOICE_LETTERS, min(longest, MAX_CHOICE_LETTERS))
        )

    def _announce(self) -> None:
        current = self.customer_id()
        if current != self._emitted:
            self._emitted = current
            self.customer_changed.emit(current)
