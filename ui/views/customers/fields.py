"""Pieces the customer record's forms share: checking a field as it is typed, and reading the
numbers a technician types ("45,50", "30")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit

from app.domain.validation import ValidationError, parse_amount
from app.i18n import _
from ui.widgets import FieldMessage

#: What a check says about a value: ``None`` when it is fine, else what is wrong.
Check = Callable[[str], str | None]


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
