"""Registar sessão: a session recorded after the fact (a phone fix on the way in, a timer
forgotten): customer or contact, technician, the day, start, end and pauses, and a note.

As the fields change, the preview shows what saving would bill and draw, exactly as the timer's
stop would (``preview_recorded_session``: nothing written); Guardar records it
(``record_session``). Times are the company's wall-clock time on the day chosen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import _, format_clock, format_datetime, format_time
from app.services import contacts, sessions
from app.services import settings as company
from app.services.errors import InputError
from app.services.sessions import SessionPreview, SessionRecord
from ui.context import UiContext
from ui.feedback import show_error
from ui.operations import op
from ui.views.customer_search import CustomerSearch
from ui.views.sessions.summary import billing_lines
from ui.widgets import FieldMessage, dialog_buttons

Period = tuple[datetime, datetime]

_TIME_FORMAT = "HH:mm"
_DATE_FORMAT = "dd/MM/yyyy"
_DEFAULT_LENGTH = timedelta(minutes=30)
_CONTACTS_LISTED = 50


def _time_editor(name: str, value: time) -> QTimeEdit:
    editor = QTimeEdit(QTime(value.hour, value.minute))
    editor.setDisplayFormat(_TIME_FORMAT)
    editor.setAccessibleName(name)
    return editor


def _time_of(editor: QTimeEdit) -> time:
    value = editor.time()
    return time(value.hour(), value.minute())


@dataclass(frozen=True)
class RecordFields:
    """What the form holds, as ``record_session`` takes it."""

    customer_id: int | None
    contact_id: int | None
    technician_id: int | None
    start: datetime
    end: datetime
    pauses: tuple[Period, ...]

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``record_session`` and its preview."""
        return asdict(self)


@dataclass
class PauseRow:
    """The editors of one pause."""

    number: QLabel
    start: QTimeEdit
    end: QTimeEdit
    remove: QPushButton

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.number, self.start, self.end, self.remove)


class RecordSessionDialog(QDialog):
    """The form, its live preview, and Guardar."""

    def __init__(
        self,
        context: UiContext,
        *,
        customer_id: int | None = None,
        contact_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Record a session"))
        self.setObjectName("recordSession")
        self.context = context
        self.zone: ZoneInfo = company.company_zone()
        self.saved: SessionRecord | None = None
        self.preview: SessionPreview | None = None
        self.pauses: list[PauseRow] = []
        self._loading = True

        explanation = QLabel(
            _(
                "For work done without the timer. It is billed and taken from the packs exactly "
                "as a timed session, and marked as recorded by hand."
            )
        )
        explanation.setWordWrap(True)
        form = self._build_form(contact_id)
        self.preview_box = self._build_preview()
        self.error = FieldMessage()
        self.error.setObjectName("error")
        self.buttons = dialog_buttons(self, self._on_save)

        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.preview_box, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(760, 640)

        if customer_id is not None:
            self.customer.set_customer(customer_id)
        self._fill_contacts(contact_id)
        self._loading = False
        self.update_preview()

    # --- the form -------------------------------------------------------------------------------

    def _build_form(self, contact_id: int | None) -> QFormLayout:
        now = self.context.now().astimezone(self.zone)
        end = now.replace(second=0, microsecond=0)
        start = max(end - _DEFAULT_LENGTH, end.replace(hour=0, minute=0))

        self.customer = CustomerSearch(archived=False)
        self.customer.customer_changed.connect(lambda _id: self._on_customer())
        self.contact = QComboBox()
        self.contact.setAccessibleName(_("Contact"))
        self.contact.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.technician = QComboBox()
        self.technician.setAccessibleName(_("Technician"))
        for person in company.technicians():
            self.technician.addItem(person.name, person.id)
        desk_technician = self.technician.findData(self.context.desk.technician_id)
        self.technician.setCurrentIndex(max(desk_technician, 0))
        self.technician.currentIndexChanged.connect(lambda _i: self.update_preview())

        times = self._build_times(start, end)
        pauses_host = self._build_pauses()

        self.note = QLineEdit()
        self.note.setAccessibleName(_("Note"))
        self.note.setPlaceholderText(_("What was done"))

        form = QFormLayout()
        form.addRow(_("&Customer:"), self.customer)
        form.addRow(_("C&ontact:"), self.contact)
        form.addRow(_("&Technician:"), self.technician)
        day_label = QLabel(_("&Day:"))
        day_label.setBuddy(self.day)
        form.addRow(day_label, times)
        form.addRow(_("Pauses:"), pauses_host)
        form.addRow(_("&Note:"), self.note)
        return form

    def _build_times(self, start: datetime, end: datetime) -> QHBoxLayout:
        """The day, the start and the end."""
        self.day = QDateEdit(QDate(end.year, end.month, end.day))
        self.day.setDisplayFormat(_DATE_FORMAT)
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName(_("Day"))
        self.day.dateChanged.connect(lambda _d: self.update_preview())
        self.start = _time_editor(_("Start"), start.time())
        self.end = _time_editor(_("End"), end.time())
        for editor in (self.start, self.end):
            editor.timeChanged.connect(lambda _t: self.update_preview())
        times = QHBoxLayout()
        times.addWidget(self.day)
        times.addSpacing(12)
        start_label = QLabel(_("&Start:"))
        start_label.setBuddy(self.start)
        end_label = QLabel(_("&End:"))
        end_label.setBuddy(self.end)
        times.addWidget(start_label)
        times.addWidget(self.start)
        times.addWidget(end_label)
        times.addWidget(self.end)
        times.addStretch(1)
        return times

    def _build_pauses(self) -> QWidget:
        """The pause rows (none at first) and the button that adds one."""
        self.add_pause_button = QPushButton(_("&Add a pause"))
        self.add_pause_button.clicked.connect(self._add_pause_after_last)
        pauses_host = QWidget()
        self._pauses_grid = QGridLayout(pauses_host)
        self._pauses_grid.setContentsMargins(0, 0, 0, 0)
        self._pauses_grid.addWidget(self.add_pause_button, 0, 0, 1, 2)
        self._pauses_grid.setColumnStretch(4, 1)
        return pauses_host

    def _build_preview(self) -> QFrame:
        box = QFrame()
        box.setObjectName("recordPreview")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        heading = QLabel(_("What saving will bill"))
        heading.setStyleSheet("font-weight: 600;")
        self.preview_text = QLabel()
        self.preview_text.setObjectName("previewText")
        self.preview_text.setAccessibleName(_("What saving will bill"))
        self.preview_text.setWordWrap(True)
        self.preview_text.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(box)
        layout.addWidget(heading)
        layout.addWidget(self.preview_text, 1)
        return box

    def _on_customer(self) -> None:
        if self._loading:
            return
        self._fill_contacts(None)
        self.update_preview()

    def _fill_contacts(self, wanted: int | None) -> None:
        """The chosen customer's latest contacts to tie the session to (optional)."""
        blocked = self.contact.blockSignals(True)
        self.contact.clear()
        self.contact.addItem(_("— none —"), None)
        customer_id = self.customer.customer_id()
        if customer_id is not None:
            found = op(
                self,
                lambda: contacts.contacts_of_customer(customer_id, limit=_CONTACTS_LISTED),
            ).run()
            for row in found or ():
                label = _("{subject} ({received})").format(
                    subject=row.subject or _("(no subject)"),
                    received=format_datetime(row.received_at, self.zone),
                )
                self.contact.addItem(label, row.id)
        position = self.contact.findData(wanted) if wanted is not None else 0
        self.contact.setCurrentIndex(max(position, 0))
        self.contact.setEnabled(self.contact.count() > 1)
        self.contact.blockSignals(blocked)

    # --- the pauses -----------------------------------------------------------------------------

    def add_pause(self, start: time, end: time) -> PauseRow:
        row = PauseRow(
            number=QLabel(),
            start=_time_editor("", start),
            end=_time_editor("", end),
            remove=QPushButton(_("Remove")),
        )
        row.start.timeChanged.connect(lambda _t: self.update_preview())
        row.end.timeChanged.connect(lambda _t: self.update_preview())
        row.remove.clicked.connect(lambda _checked=False, r=row: self._remove_pause(r))
        self.pauses.append(row)
        self._place_pauses()
        self.update_preview()
        return row

    def _add_pause_after_last(self) -> None:
        after = _time_of(self.pauses[-1].end) if self.pauses else _time_of(self.start)
        # Any day will do: only the time of day is kept (past midnight it wraps, and the
        # service says the pause is outside the session).
        start = datetime.combine(date(2000, 1, 1), after) + timedelta(minutes=10)
        end = start + timedelta(minutes=10)
        row = self.add_pause(start.time(), end.time())
        row.start.setFocus()

    def _remove_pause(self, row: PauseRow) -> None:
        self.pauses.remove(row)
        for widget in row.widgets():
            self._pauses_grid.removeWidget(widget)
            widget.deleteLater()
        self._place_pauses()
        self.update_preview()

    def _place_pauses(self) -> None:
        """The pause rows numbered 1, 2, 3…, the Add button under them."""
        for row in self.pauses:
            for widget in row.widgets():
                self._pauses_grid.removeWidget(widget)
        self._pauses_grid.removeWidget(self.add_pause_button)
        for position, row in enumerate(self.pauses, start=1):
            row.number.setText(_("Pause {number}:").format(number=position))
            row.start.setAccessibleName(_("Start of pause {number}").format(number=position))
            row.end.setAccessibleName(_("End of pause {number}").format(number=position))
            row.remove.setAccessibleName(_("Remove pause {number}").format(number=position))
            for column, widget in enumerate(row.widgets()):
                self._pauses_grid.addWidget(widget, position - 1, column)
        self._pauses_grid.addWidget(self.add_pause_button, len(self.pauses), 0, 1, 2)

    # --- what is typed --------------------------------------------------------------------------

    def _at(self, editor: QTimeEdit) -> datetime:
        day = self.day.date()
        return datetime.combine(
            date(day.year(), day.month(), day.day()), _time_of(editor), tzinfo=self.zone
        )

    def fields(self) -> RecordFields:
        """The use case's arguments as typed (company time on the day chosen)."""
        contact_id = self.contact.currentData()
        technician_id = self.technician.currentData()
        return RecordFields(
            customer_id=self.customer.customer_id(),
            contact_id=contact_id if isinstance(contact_id, int) else None,
            technician_id=technician_id if isinstance(technician_id, int) else None,
            start=self._at(self.start),
            end=self._at(self.end),
            pauses=tuple((self._at(row.start), self._at(row.end)) for row in self.pauses),
        )

    # --- the preview ----------------------------------------------------------------------------

    def update_preview(self) -> None:
        """What saving would bill now: the same checks and billing as Guardar, nothing written."""
        if self._loading:
            return
        fields = self.fields()
        if fields.customer_id is None:
            self.preview = None
            self.preview_text.setText(_("Choose the customer to see what the session bills."))
            return
        desk = self.context.desk
        self.preview = (
            op(
                self,
                lambda: sessions.preview_recorded_session(desk, **fields.arguments()),
            )
            .failure(self._no_preview)
            .run()
        )
        if self.preview is not None:
            self.error.clear_message()
            self.preview_text.setText("\n".join(self.preview_lines(self.preview)))

    def preview_lines(self, preview: SessionPreview) -> list[str]:
        periods = ", ".join(
            f"{format_time(i.started_at, self.zone)}–{format_time(i.ended_at, self.zone)}"
            for i in preview.intervals
            if i.ended_at is not None
        )
        lines = [
            _("{customer} — {technician}, {started}").format(
                customer=preview.customer_name,
                technician=preview.technician_name,
                started=format_datetime(preview.started_at, self.zone),
            ),
            _("Time worked: {time} ({periods}).").format(
                time=format_clock(preview.active), periods=periods
            ),
        ]
        if preview.billing is None:
            lines.append(
                _(
                    "Longer than the review limit: it will be saved for an administrator's "
                    "review and not billed until then."
                )
            )
            return lines
        return lines + billing_lines(preview.billing, self.zone)

    def _no_preview(self, error: KnownError) -> None:
        """While typing: the refusal in place of the preview (no message box)."""
        self.preview_text.setText(_("Nothing to preview yet: {reason}").format(reason=error))

    # --- saving ---------------------------------------------------------------------------------

    def _on_save(self) -> None:
        fields = self.fields()
        note = self.note.text()
        desk = self.context.desk
        op(
            self,
            lambda: sessions.record_session(desk, note=note, **fields.arguments()),
            sync=self.context,
        ).success(self._saved).failure(self._refused).run()

    def _saved(self, state: SessionRecord) -> None:
        self.saved = state
        self.accept()

    def _refused(self, error: KnownError) -> None:
        if isinstance(error, InputError):
            self.error.say(str(error))  # kept as typed, to be put right
        else:
            show_error(self, error)
