"""Editing a session's times: the start and end of each period the timer ran.

The same dialog edits a stopped session (``edit_session``, with its note) and corrects one
flagged for review (``correct_session``). Times are typed as the company's wall-clock time; the
services check them again on save (an end before its start, overlaps, the future).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.billing import active_time
from app.errors import KnownError
from app.i18n import _, format_clock, format_datetime
from app.services.errors import InputError
from app.services.sessions import SessionRecord
from ui.feedback import show_error
from ui.operations import op
from ui.widgets import ERROR_COLOUR, FieldMessage, dialog_buttons

#: What the dialog saves with: the periods typed (aware, company time) and the note (``None``
#: when the dialog has no note field). Returns the saved session; raises ``ServiceError``.
SaveTimes = Callable[[list[tuple[datetime, datetime]], str | None], SessionRecord]

_EDIT_FORMAT = "dd/MM/yyyy HH:mm:ss"
_NEW_PERIOD = timedelta(minutes=15)
_BAD_FIELD_STYLE = f"QDateTimeEdit {{ border: 1px solid {ERROR_COLOUR}; }}"


def to_qt(at: datetime, zone: ZoneInfo) -> QDateTime:
    """An instant as the company's wall-clock time in an editor.

    The editor holds it as UTC only so that this computer's own time zone (and its DST gaps)
    never shifts what is typed; the value is read back as company time by ``from_qt``.
    """
    local = at.astimezone(zone)
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute, local.second),
        QTimeZone.utc(),
    )


def from_qt(value: QDateTime, zone: ZoneInfo) -> datetime:
    """The wall-clock time in an editor, as an aware datetime in the company's zone."""
    day, clock = value.date(), value.time()
    return datetime(
        day.year(),
        day.month(),
        day.day(),
        clock.hour(),
        clock.minute(),
        clock.second(),
        tzinfo=zone,
    )


def _time_editor(accessible_name: str) -> QDateTimeEdit:
    editor = QDateTimeEdit()
    editor.setTimeZone(QTimeZone.utc())
    editor.setDisplayFormat(_EDIT_FORMAT)
    editor.setCalendarPopup(True)
    editor.setAccessibleName(accessible_name)
    return editor


@dataclass
class PeriodRow:
    """The editors of one period."""

    number: QLabel
    start: QDateTimeEdit
    end: QDateTimeEdit
    remove: QPushButton

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.number, self.start, self.end, self.remove)


class IntervalsDialog(QDialog):
    def __init__(
        self,
        state: SessionRecord,
        zone: ZoneInfo,
        save: SaveTimes,
        *,
        title: str,
        explanation: str,
        with_note: bool,
        now: datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("sessionTimes")
        self.state = state
        self.saved: SessionRecord | None = None
        self._zone = zone
        self._save = save
        self._now = now
        self.rows: list[PeriodRow] = []

        heading = QLabel(
            _("{customer} — session started {started}").format(
                customer=state.customer_name, started=format_datetime(state.started_at, zone)
            )
        )
        heading.setStyleSheet("font-weight: 600;")
        note_text = QLabel(explanation)
        note_text.setWordWrap(True)
        self.total = QLabel()
        self.total.setAccessibleName(_("Total time"))
        self.error = FieldMessage()
        self.error.setObjectName("error")
        periods = self._build_periods()
        for interval in state.intervals:
            self._add_row(interval.started_at, interval.ended_at or now)
        self.add_button = QPushButton(_("&Add a period"))
        self.add_button.clicked.connect(self._add_after_last)
        self.note: QLineEdit | None = None
        form = QFormLayout()
        if with_note:
            self.note = QLineEdit(state.note)
            form.addRow(_("&Note:"), self.note)
        self.buttons = dialog_buttons(self, self._on_save)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note_text)
        layout.addWidget(periods, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        bottom.addWidget(self.total)
        layout.addLayout(bottom)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 360)
        self._update()

    def _build_periods(self) -> QScrollArea:
        """The grid of periods (number, start, end, remove), scrolling past a few."""
        host = QWidget()
        self._grid = QGridLayout(host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        for column, title in enumerate((_("Period"), _("Start"), _("End"))):
            self._grid.addWidget(QLabel(title), 0, column)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(2, 1)
        self._grid.setRowStretch(1_000, 1)  # rows stay at the top
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(host)
        return scroll

    # --- the periods ----------------------------------------------------------------------------

    def _add_row(self, start: datetime, end: datetime) -> PeriodRow:
        row = PeriodRow(
            number=QLabel(),
            start=_time_editor(""),
            end=_time_editor(""),
            remove=QPushButton(_("Remove")),
        )
        row.number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.start.setDateTime(to_qt(start, self._zone))
        row.end.setDateTime(to_qt(end, self._zone))
        row.start.dateTimeChanged.connect(self._update)
        row.end.dateTimeChanged.connect(self._update)
        row.remove.clicked.connect(lambda _checked=False, r=row: self._remove(r))
        self.rows.append(row)
        self._place_rows()
        self._update()
        return row

    def _place_rows(self) -> None:
        """Lays the rows out again, numbered 1, 2, 3… (after an addition or a removal)."""
        for row in self.rows:
            for widget in row.widgets():
                self._grid.removeWidget(widget)
        for position, row in enumerate(self.rows, start=1):
            row.number.setText(str(position))
            row.start.setAccessibleName(_("Start of period {number}").format(number=position))
            row.end.setAccessibleName(_("End of period {number}").format(number=position))
            row.remove.setAccessibleName(_("Remove period {number}").format(number=position))
            row.remove.setEnabled(len(self.rows) > 1)
            for column, widget in enumerate(row.widgets()):
                self._grid.addWidget(widget, position, column)

    def _add_after_last(self) -> None:
        periods = self.periods()
        start = max(end for _start, end in periods) if periods else self._now - _NEW_PERIOD
        row = self._add_row(start, start + _NEW_PERIOD)
        row.start.setFocus()

    def _remove(self, row: PeriodRow) -> None:
        self.rows.remove(row)
        for widget in row.widgets():
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self._place_rows()
        self._update()

    def periods(self) -> list[tuple[datetime, datetime]]:
        """The periods as typed, in the company's time zone."""
        return [
            (from_qt(row.start.dateTime(), self._zone), from_qt(row.end.dateTime(), self._zone))
            for row in self.rows
        ]

    def _update(self) -> None:
        """As you type: the total, and the periods whose end is not after their start."""
        periods = self.periods()
        backwards = [end <= start for start, end in periods]
        for row, wrong in zip(self.rows, backwards, strict=True):
            row.end.setStyleSheet(_BAD_FIELD_STYLE if wrong else "")
        total = active_time((start, end) for start, end in periods if end > start)
        self.total.setText(_("Total: {time}").format(time=format_clock(total)))
        if any(backwards):
            number = backwards.index(True) + 1
            self.show_error(
                _(
                    "Period {number} ends before it starts: its end must come after its start."
                ).format(number=number)
            )
        else:
            self.error.clear_message()

    def show_error(self, message: str) -> None:
        self.error.say(message)

    # --- saving ---------------------------------------------------------------------------------

    def _on_save(self) -> None:
        note = None if self.note is None else self.note.text()
        periods = self.periods()
        op(self, lambda: self._save(periods, note)).success(self._saved).failure(
            self._refused
        ).run()

    def _saved(self, state: SessionRecord) -> None:
        self.saved = state
        self.accept()

    def _refused(self, error: KnownError) -> None:
        if isinstance(error, InputError):
            self.show_error(str(error))  # the periods or the note: shown here, kept as typed
        else:
            show_error(self, error)
