"""Settings → Business hours (P1): each weekday's opening intervals, in 24-hour time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from babel.dates import get_day_names
from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.domain.validation import ValidationError
from app.i18n import _
from app.services import settings as company
from app.services.errors import ServiceError
from app.services.settings import Settings, SettingsFields
from ui.context import UiContext
from ui.views.settings.form import SettingsFormPage, note_label
from ui.widgets import FieldMessage

Interval = tuple[time, time]
#: A Monday: ``check_day_hours`` checks a date's intervals; any date of the weekday will do.
_A_MONDAY = date(2024, 1, 1)
_FIRST_INTERVAL = (time(9), time(13))
_WORKING_DAYS = range(5)


def weekday_name(weekday: int) -> str:
    """ "Segunda-feira" for 0 … "Domingo" for 6, in the language in use."""
    name = str(get_day_names("wide", locale=i18n.locale())[weekday])
    return name[:1].upper() + name[1:]


def time_edit(value: time, accessible_name: str) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setDisplayFormat("HH:mm")
    edit.setAccessibleName(accessible_name)
    edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return edit


def intervals_text(hours: Iterable[Interval]) -> str:
    """``09:00–13:00, 14:00–18:00``; ``Closed`` for none."""
    shown = [
        f"{i18n.format_time(opening)}–{i18n.format_time(closing)}" for opening, closing in hours
    ]
    return ", ".join(shown) or _("Closed")


class IntervalEdit(QWidget):
    """One opening interval: two times and a button that removes it."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, interval: Interval, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        opening, closing = interval
        self.opening = time_edit(opening, _("{day}: opens at").format(day=label))
        self.closing = time_edit(closing, _("{day}: closes at").format(day=label))
        self.remove = QToolButton()
        self.remove.setText("×")
        self.remove.setToolTip(_("Remove this interval"))
        self.remove.setAccessibleName(_("{day}: remove this interval").format(day=label))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.opening)
        layout.addWidget(QLabel("–"))
        layout.addWidget(self.closing)
        layout.addWidget(self.remove)
        self.opening.timeChanged.connect(self.changed)
        self.closing.timeChanged.connect(self.changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def interval(self) -> Interval:
        return _python_time(self.opening.time()), _python_time(self.closing.time())


class IntervalList(QWidget):
    """A day's intervals side by side, with "Add interval"; "Closed" while there are none."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._edits: list[IntervalEdit] = []
        self.closed = QLabel(_("Closed"))
        self.closed.setEnabled(False)
        self.add_button = QPushButton(_("Add interval"))
        self.add_button.setAccessibleName(_("{day}: add an interval").format(day=label))
        self.add_button.clicked.connect(self.add_interval)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(12)
        self._row.addWidget(self.closed)
        self._row.addWidget(self.add_button)
        self._row.addStretch(1)

    def hours(self) -> list[Interval]:
        return [edit.interval() for edit in self._edits]

    def set_hours(self, hours: Iterable[Interval]) -> None:
        for edit in list(self._edits):
            self._drop(edit)
        for interval in hours:
            self._append(interval)
        self._update()

    def add_interval(self) -> IntervalEdit:
        """A new interval after the last one (an hour's break, four hours long), or 09:00–13:00."""
        hours = self.hours()
        interval = _FIRST_INTERVAL
        if hours:
            last_close = hours[-1][1]
            start = min(_minutes(last_close) + 60, _minutes(time(23, 58)))
            end = min(start + 240, _minutes(time(23, 59)))
            interval = (_time_of(start), _time_of(end))
        edit = self._append(interval)
        self._update()
        edit.opening.setFocus()
        self.changed.emit()
        return edit

    def edits(self) -> list[IntervalEdit]:
        return list(self._edits)

    def _append(self, interval: Interval) -> IntervalEdit:
        edit = IntervalEdit(interval, self._label)
        edit.changed.connect(self.changed)
        edit.remove_requested.connect(self._remove)
        self._row.insertWidget(len(self._edits), edit)
        self._edits.append(edit)
        return edit

    def _remove(self, edit: IntervalEdit) -> None:
        self._drop(edit)
        self._update()
        self.add_button.setFocus()
        self.changed.emit()

    def _drop(self, edit: IntervalEdit) -> None:
        self._edits.remove(edit)
        self._row.removeWidget(edit)
        edit.hide()
        edit.deleteLater()

    def _update(self) -> None:
        self.closed.setVisible(not self._edits)


def _python_time(value: QTime) -> time:
    return time(value.hour(), value.minute())


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _time_of(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


class HoursPage(SettingsFormPage):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("settings_hours")
        self.body.setMaximumWidth(16_777_215)  # a day may have several intervals side by side
        self.days: list[IntervalList] = []
        self.day_errors: list[FieldMessage] = []
        group = QGroupBox(_("Opening hours"))
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(16)
        grid.setColumnStretch(1, 1)
        for weekday in range(7):
            name = weekday_name(weekday)
            intervals = IntervalList(name)
            intervals.changed.connect(self.mark_modified)
            label = QLabel(name)
            label.setBuddy(intervals.add_button)
            problem = FieldMessage()
            problem.setObjectName(f"error_day_{weekday}")
            grid.addWidget(label, 2 * weekday, 0)
            grid.addWidget(intervals, 2 * weekday, 1)
            grid.addWidget(problem, 2 * weekday + 1, 1)
            self.days.append(intervals)
            self.day_errors.append(problem)
        self.weekly_error = self.errors.add("weekly_hours", self.days[0].add_button)
        grid.addWidget(self.weekly_error, 14, 0, 1, 2)

        self.copy_button = QPushButton(_("Copy Monday's hours to Tuesday–Friday"))
        self.copy_button.clicked.connect(self.copy_monday)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addStretch(1)

        layout = QVBoxLayout(self.body)
        layout.addWidget(
            note_label(
                _(
                    "Contacts received outside these hours count from the next opening, "
                    "deadlines count only open time, and sessions outside them are billed as "
                    "out-of-hours time. Holidays and the company's exceptions are on the "
                    "Holidays page."
                )
            )
        )
        layout.addWidget(group)
        layout.addLayout(copy_row)
        layout.addStretch(1)

    def copy_monday(self) -> None:
        monday = self.days[0].hours()
        for weekday in _WORKING_DAYS[1:]:
            self.days[weekday].set_hours(monday)
        self.mark_modified()

    def fill(self, current: Settings) -> None:
        for weekday, intervals in enumerate(self.days):
            intervals.set_hours(current.weekly_hours.get(weekday, ()))
        self._clear_day_errors()

    def fields(self) -> SettingsFields:
        return {"weekly_hours": {day: intervals.hours() for day, intervals in enumerate(self.days)}}

    def save(self) -> bool:
        self._clear_day_errors()
        return super().save()

    def field_error(self, error: ServiceError) -> bool:
        """A refused week: the message goes by the day at fault, found by checking each day
        on its own with the services' check."""
        if error.field != "weekly_hours":
            return super().field_error(error)
        found = False
        for weekday, intervals in enumerate(self.days):
            try:
                company.check_day_hours(
                    "weekly_hours", _A_MONDAY + timedelta(days=weekday), intervals.hours()
                )
            except ValidationError as day_error:  # a pure check of one day, to place the message
                self.day_errors[weekday].say(day_error.message)
                if not found and intervals.edits():
                    intervals.edits()[0].opening.setFocus()
                found = True
        if not found:
            return super().field_error(error)
        return True

    def _clear_day_errors(self) -> None:
        for label in self.day_errors:
            label.clear_message()
