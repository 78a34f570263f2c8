"""Pieces the customer record's forms share: the red message next to a field, checking a field
as it is typed, and reading the numbers a technician types ("45,50", "30")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.validation import ValidationError
from app.i18n import _
from ui.views.pack_widgets import parse_amount

ERROR_COLOUR = "#b3261e"

#: What a check says about a value: ``None`` when it is fine, else what is wrong.
Check = Callable[[str], str | None]


class FieldMessage(QLabel):
    """What is wrong with the field above it, in red; takes no room while there is nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setAccessibleName(_("Error message"))
        self._field: QWidget | None = None
        self.setVisible(False)

    def attach(self, field: QWidget) -> None:
        """The field this message speaks about: screen readers hear it with the field."""
        self._field = field

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        if self._field is not None:
            self._field.setAccessibleDescription(text)

    def clear_message(self) -> None:
        self.say("")

    @property
    def showing(self) -> bool:
        return bool(self.text())


def with_message(field: QWidget, message: FieldMessage) -> QWidget:
    """The field with its message right under it, as one cell of a form."""
    message.attach(field)
    cell = QWidget()
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(message)
    return cell


class LiveCheck(QObject):
    """Checks a line edit as it is typed, without scolding half-typed values.

    A problem shows once the technician leaves the field (or presses Enter), at once when the
    value looks ``complete`` (nine digits of a NIF), and, once shown, it follows every keystroke
    so that it goes away as soon as the value is right.
    """

    def __init__(
        self,
        edit: QLineEdit,
        message: FieldMessage,
        check: Check,
        *,
        complete: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(edit)
        self._edit = edit
        self._message = message
        self._check = check
        self._complete = complete or (lambda _text: False)
        edit.textChanged.connect(self._on_typed)
        edit.editingFinished.connect(self.run)

    def problem(self) -> str | None:
        return self._check(self._edit.text())

    def run(self) -> bool:
        """Checks now and shows the problem, if any; True when the value is fine."""
        problem = self.problem()
        self._message.say(problem or "")
        return problem is None

    def _on_typed(self, text: str) -> None:
        problem = self._check(text)
        if problem is None:
            self._message.clear_message()
        elif self._message.showing or self._complete(text) or not self._edit.hasFocus():
            self._message.say(problem)


# --- numbers as typed -----------------------------------------------------------------------------


def whole_number(text: str, field: str) -> int | None:
    """A whole number as typed ("30"); empty → ``None``; ``ValidationError`` naming ``field``."""
    typed = text.strip()
    if not typed:
        return None
    try:
        return int(typed)
    except ValueError:
        raise ValidationError(
            field, _("{text} is not a whole number.").format(text=typed)
        ) from None


def optional_amount(text: str, field: str) -> Decimal | None:
    """An amount in euros as typed ("45,50", "1 234,5 €"); empty → ``None``."""
    return parse_amount(text, field) if text.strip() else None
