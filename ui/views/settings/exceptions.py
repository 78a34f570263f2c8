"""A company exception (P2): a date closed all day, or with special hours (24/12 09:00–13:00)."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import settings as company
from app.services.context import Desk
from app.services.settings import CompanyExceptionRecord, CompanyExceptionResult
from ui.operations import op
from ui.views.settings.form import add_row, form_layout
from ui.views.settings.hours import IntervalList
from ui.widgets import FieldErrors, dialog_buttons

#: What a new exception with special hours starts with: a morning, as on Christmas Eve.
_SPECIAL_HOURS = [(time(9), time(13))]


class ExceptionDialog(QDialog):
    """Adds an exception (``record`` None) or changes one; saves through the services itself, so
    a refusal shows by its field and keeps what was typed."""

    def __init__(
        self,
        desk: Desk,
        record: CompanyExceptionRecord | None,
        day: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self._record = record
        self.result_record: CompanyExceptionResult | None = None
        self.setWindowTitle(_("New exception") if record is None else _("Change the exception"))
        self.errors = FieldErrors(self)

        self.day = QDateEdit()
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        shown_day = record.day if record is not None else day
        self.day.setDate(QDate(shown_day.year, shown_day.month, shown_day.day))
        self.closed = QRadioButton(_("&Closed all day"))
        self.special = QRadioButton(_("&Special hours:"))
        kinds = QButtonGroup(self)
        kinds.addButton(self.closed)
        kinds.addButton(self.special)
        self.hours = IntervalList(_("Special hours"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("e.g. Christmas Eve"))

        special_row = QWidget()
        special_layout = QHBoxLayout(special_row)
        special_layout.setContentsMargins(0, 0, 0, 0)
        special_layout.addWidget(self.special)
        special_layout.addWidget(self.hours, 1)
        kind = QWidget()
        kind_layout = QVBoxLayout(kind)
        kind_layout.setContentsMargins(0, 0, 0, 0)
        kind_layout.addWidget(self.closed)
        kind_layout.addWidget(special_row)

        form = form_layout()
        add_row(form, _("&Date:"), self.day, self.errors, "day")
        add_row(form, _("That day:"), kind, self.errors, "hours", buddy=self.closed)
        add_row(form, _("&Note:"), self.note, self.errors, "note")
        self.buttons = dialog_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        if record is None or record.closed:
            self.closed.setChecked(True)
            self.hours.set_hours(_SPECIAL_HOURS)
        else:
            self.special.setChecked(True)
            self.hours.set_hours(record.hours)
        if record is not None:
            self.note.setText(record.note)
        self.special.toggled.connect(self._update)
        self.hours.changed.connect(lambda: self.special.setChecked(True))
        self._update()

    def _update(self) -> None:
        self.hours.setEnabled(self.special.isChecked())

    def chosen_hours(self) -> list[tuple[time, time]]:
        return self.hours.hours() if self.special.isChecked() else []

    def save(self) -> None:
        """Saves and closes; stays open with the reason shown when the services refuse."""
        self.errors.clear()
        day = self.day.date().toPython()
        assert isinstance(day, date)
        record = self._record
        hours, note = self.chosen_hours(), self.note.text()

        def save() -> CompanyExceptionResult:
            if record is None:
                return company.add_company_exception(self._desk, day=day, hours=hours, note=note)
            return company.update_company_exception(
                self._desk, record.id, record.version, day=day, hours=hours, note=note
            )

        saved = op(self, save).failure(self.errors.report).run()
        if saved is not None:
            self.result_record = saved
            self.accept()
