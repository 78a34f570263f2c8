"""The email addresses and phone numbers registered in a customer's record (P9): a list with
"Add" and "Remove", each address checked as it is typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from app.domain.validation import ValidationError, normalize_email, normalize_phone
from app.i18n import _
from app.services.customers import find_customer_by_sender
from ui.views.customers.fields import LiveCheck
from ui.widgets import FieldMessage, reserve_line

SenderKind = Literal["email", "phone"]

_KEY_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class SenderEntry:
    """One line of the list: a registered address (``key`` its id), or one typed for a customer
    not saved yet (``key`` its normalised text)."""

    key: int | str
    text: str  # normalised: lowercased email, E.164 number
    label: str


def normalised(kind: SenderKind, text: str) -> str:
    """The stored form of an address or number; ``ValidationError`` says what is wrong."""
    return normalize_email(text) if kind == "email" else normalize_phone(text)


def shown_number(number: str) -> str:
    """An E.164 number as people read it: ``+351 912 345 678``."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class _SenderListWidget(QListWidget):
    """The list; Delete removes the chosen line."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.currentItem() is not None:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class SenderList(QGroupBox):
    """The emails (or phones) of one record. It only asks: the record panel adds and removes."""

    #: The address or number as typed, and its label.
    add_requested = Signal(str, str)
    #: The key of the entry to remove.
    remove_requested = Signal(object)

    def __init__(self, kind: SenderKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind: SenderKind = kind
        self._owner_id: int | None = None
        self._entries: tuple[SenderEntry, ...] = ()
        email = kind == "email"
        self.setTitle(_("Registered &emails") if email else _("Registered p&hones"))
        self.list = _SenderListWidget()
        self.list.setAccessibleName(
            _("Registered email addresses") if email else _("Registered phone numbers")
        )
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(_("name@example.pt") if email else _("912 345 678"))
        self.entry.setAccessibleName(
            _("Email address to add") if email else _("Phone number to add")
        )
        self.label_edit = QLineEdit()
        self.label_edit.setAccessibleName(_("Who it is (optional)"))
        self.add_button = QPushButton(_("Add"))
        self.add_button.setAccessibleName(_("Add the email") if email else _("Add the phone"))
        self.remove_button = QPushButton(_("Remove"))
        self.remove_button.setAccessibleName(
            _("Remove the chosen email") if email else _("Remove the chosen phone")
        )
        self.remove_button.setEnabled(False)
        self.message = reserve_line(FieldMessage())  # showing it moves nothing
        self.message.attach(self.entry)
        self.check = LiveCheck(self.entry, self.message, self.problem)

        layout = QGridLayout(self)
        layout.addWidget(self.list, 0, 0)
        layout.addWidget(self.remove_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.entry, 1, 0)
        layout.addWidget(self.add_button, 1, 1)
        layout.addWidget(self.label_edit, 2, 0)
        layout.addWidget(self.message, 3, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self.list.setMinimumHeight(52)
        self.list.setMaximumHeight(92)

        self.entry.returnPressed.connect(self.request_add)
        self.label_edit.returnPressed.connect(self.request_add)
        self.add_button.clicked.connect(self.request_add)
        self.remove_button.clicked.connect(self.request_remove)
        self.list.delete_pressed.connect(self.request_remove)
        self.list.currentItemChanged.connect(
            lambda current, _previous: self.remove_button.setEnabled(current is not None)
        )
        self.set_labels_enabled(True)

    # --- what is shown ----------------------------------------------------------------------------

    def set_owner(self, customer_id: int | None) -> None:
        """The customer whose list this is (None: one not saved yet), for "already registered"."""
        self._owner_id = customer_id

    def set_labels_enabled(self, enabled: bool) -> None:
        """A customer not saved yet takes addresses without labels (added once it is saved)."""
        self.label_edit.setEnabled(enabled)
        self.label_edit.setPlaceholderText(
            _("who, e.g. Joana, accounts") if enabled else _("label: after saving")
        )

    def set_entries(self, entries: Sequence[SenderEntry]) -> None:
        self._entries = tuple(entries)
        self.list.clear()
        for entry in self._entries:
            text = entry.text if self.kind == "email" else shown_number(entry.text)
            if entry.label:
                text = _("{address} — {label}").format(address=text, label=entry.label)
            item = QListWidgetItem(text)
            item.setData(_KEY_ROLE, entry.key)
            self.list.addItem(item)
        self.remove_button.setEnabled(False)

    def entries(self) -> tuple[SenderEntry, ...]:
        return self._entries

    def texts(self) -> list[str]:
        """What the list shows, one line each (tests and screen readers read this)."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def added(self) -> None:
        """The address was registered: the fields empty for the next one."""
        self.entry.clear()
        self.label_edit.clear()
        self.message.clear_message()

    # --- checking -------------------------------------------------------------------------------

    def problem(self, text: str) -> str | None:
        """What is wrong with the address typed: invalid, or registered already (P9)."""
        if not text.strip():
            return None
        try:
            value = normalised(self.kind, text)
        except ValidationError as error:  # the domain's check of what is typed, no use case
            return error.message
        if any(entry.text == value for entry in self._entries):
            return self._registered_here(value)
        match = find_customer_by_sender(value)
        if match.customer_id is None:
            return None
        if match.customer_id == self._owner_id:
            return self._registered_here(value)
        # The same words as the service's refusal, so the technician reads one message.
        if self.kind == "email":
            message = _("{email} is already registered for the customer {name}.")
        else:
            message = _("{number} is already registered for the customer {name}.")
        return message.format(email=value, number=value, name=match.customer_name)

    def check_nothing_pending(self) -> bool:
        """Guardar saves the record, not an address typed and never added: say so, rather than
        let it be lost. True when the field is empty."""
        text = self.entry.text()
        if not text.strip():
            return True
        pending = _("Press Add to register {address}, or empty the field.").format(
            address=text.strip()
        )
        self.message.say(self.problem(text) or pending)
        return False

    def _registered_here(self, value: str) -> str:
        if self.kind == "email":
            return _("{email} is already registered for this customer.").format(email=value)
        return _("{number} is already registered for this customer.").format(number=value)

    # --- asking ---------------------------------------------------------------------------------

    def request_add(self) -> None:
        if not self.entry.text().strip():
            self.message.say(
                _("Type the email address first.")
                if self.kind == "email"
                else _("Type the phone number first.")
            )
            self.entry.setFocus()
            return
        if self.check.run():
            self.add_requested.emit(self.entry.text(), self.label_edit.text())

    def request_remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(_KEY_ROLE))
