"""The customer's record (ficha de cliente): name, NIF, address, plan, AnyDesk, notes, and the
emails and phones registered in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.sla import Plan
from app.domain.validation import NIF_DIGITS, ValidationError, normalize_nif
from app.i18n import _
from app.services.customers import CustomerRecord
from app.services.labels import plan_label
from ui.views.customers.fields import LiveCheck
from ui.views.customers.senders import SenderList
from ui.widgets import FieldErrors

#: QDateEdit cannot be empty: its minimum stands for "no date" and shows as a dash.
_NO_DATE = QDate(2000, 1, 1)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


@dataclass(frozen=True)
class TypedRecord:
    """The record's fields as typed (text as is; the services check and normalise them)."""

    name: str = ""
    nif: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "PT"
    plan: Plan = Plan.NONE
    plan_since: date | None = None
    anydesk: str = ""
    notes: str = ""

    @classmethod
    def of(cls, record: CustomerRecord) -> TypedRecord:
        return cls(
            name=record.name,
            nif=record.nif or "",
            address=record.address,
            postcode=record.postcode,
            city=record.city,
            country=record.country,
            plan=record.plan,
            plan_since=record.plan_since,
            anydesk=record.anydesk,
            notes=record.notes,
        )

    def same_as(self, other: TypedRecord) -> bool:
        """Whether saving would change nothing (surrounding spaces are not a change)."""

        def folded(record: TypedRecord) -> tuple[object, ...]:
            return (
                record.name.strip(),
                record.nif.strip(),
                record.address.strip(),
                record.postcode.strip(),
                record.city.strip(),
                record.country.strip().upper(),
                record.plan,
                record.plan_since if record.plan is not Plan.NONE else None,
                record.anydesk.strip(),
                record.notes.strip(),
            )

        return folded(self) == folded(other)


def nif_problem(text: str, country: str) -> str | None:
    """What is wrong with a Portuguese NIF as typed (a foreign one is its country's business)."""
    typed = text.strip()
    if not typed:
        return None
    if country.strip().upper() not in ("PT", "") and not typed.upper().startswith("PT"):
        return None
    try:
        normalize_nif(typed)
    except ValidationError as error:  # the domain's check of what is typed; no use case runs
        return error.message
    return None


def _day_of(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _nif_complete(text: str) -> bool:
    return sum(character.isdigit() for character in text) >= NIF_DIGITS


class RecordForm(QWidget):
    """The fields of the record; it shows and reads them, the panel saves them."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = _day_of(_NO_DATE)  # the desk's day, given by ``show_record``
        self.errors = FieldErrors(self)
        self._make_fields()
        self._lay_out()
        self.nif_check = LiveCheck(
            self.nif,
            self.errors.labels["nif"],
            lambda text: nif_problem(text, self.country.text()),
            complete=_nif_complete,
        )
        self.country.textChanged.connect(lambda _text: self._recheck_nif())
        self.plan.currentIndexChanged.connect(self._plan_chosen)
        for edit in self.line_edits():
            edit.textChanged.connect(self.changed)
        self.notes.textChanged.connect(self.changed)
        self.plan.currentIndexChanged.connect(self.changed)
        self.plan_since.dateChanged.connect(self.changed)
        order = (*self.line_edits()[:6], self.plan, self.plan_since, self.anydesk, self.notes)
        for first, second in zip(order, (*order[1:], self.emails.list), strict=True):
            self.setTabOrder(first, second)

    def _make_fields(self) -> None:
        self.name = QLineEdit()
        self.nif = QLineEdit()
        self.nif.setPlaceholderText(_("9 digits, e.g. 501 964 843"))
        self.address = QLineEdit()
        self.postcode = QLineEdit()
        self.postcode.setPlaceholderText(_("1234-567"))
        self.postcode.setMaximumWidth(110)
        self.city = QLineEdit()
        self.country = QLineEdit()
        self.country.setMaxLength(2)
        self.country.setMaximumWidth(48)
        self.country.setToolTip(_("Two-letter country code: PT, ES, FR…"))
        self.plan = QComboBox()
        for plan in Plan:
            self.plan.addItem(plan_label(plan), plan)
        self.plan_since = QDateEdit()
        self.plan_since.setCalendarPopup(True)
        self.plan_since.setDisplayFormat("dd/MM/yyyy")
        self.plan_since.setMinimumDate(_NO_DATE)
        self.plan_since.setSpecialValueText("—")
        self.anydesk = QLineEdit()
        self.anydesk.setPlaceholderText(_("e.g. 123 456 789"))
        # Short values in short fields: the eye finds them faster.
        for field, width in ((self.nif, 220), (self.plan, 300), (self.plan_since, 150)):
            field.setMaximumWidth(width)
        self.anydesk.setMaximumWidth(220)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)
        self.emails = SenderList("email")
        self.phones = SenderList("phone")

    def _lay_out(self) -> None:
        general = QFormLayout()
        general.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, field, name in (
            (_("&Name:"), self.name, "name"),
            (_("N&IF:"), self.nif, "nif"),
            (_("A&ddress:"), self.address, "address"),
            (_("&Postcode:"), self.postcode, "postcode"),
            (_("Cit&y:"), self.city, "city"),
            (_("C&ountry:"), self.country, "country"),
            (_("P&lan:"), self.plan, "plan"),
            (_("Plan sin&ce:"), self.plan_since, "plan_since"),
            (_("&AnyDesk:"), self.anydesk, "anydesk"),
            (_("No&tes:"), self.notes, "notes"),
        ):
            caption = QLabel(label)
            caption.setBuddy(field)
            self.errors.add(name, field)
            general.addRow(caption, self.errors.row(name))
        senders = QHBoxLayout()
        senders.addWidget(self.emails)
        senders.addWidget(self.phones)
        layout = QVBoxLayout(self)
        layout.addLayout(general)
        layout.addLayout(senders)
        layout.addStretch(1)

    def line_edits(self) -> tuple[QLineEdit, ...]:
        """The one-line fields, in their order on the form."""
        return (
            self.name,
            self.nif,
            self.address,
            self.postcode,
            self.city,
            self.country,
            self.anydesk,
        )

    def _recheck_nif(self) -> None:
        if self.nif.text().strip():
            self.nif_check.run()

    def _plan_chosen(self) -> None:
        has_plan = self.chosen_plan() is not Plan.NONE
        self.plan_since.setEnabled(has_plan)
        if has_plan and self.plan_since.date() == _NO_DATE:
            self.plan_since.setDate(_qdate(self._today))
        elif not has_plan:
            self.plan_since.setDate(_NO_DATE)

    # --- showing --------------------------------------------------------------------------------

    def show_record(self, typed: TypedRecord, today: date) -> None:
        """Fills the fields (``today``: the company's day, for a plan chosen now)."""
        self._today = today
        self.name.setText(typed.name)
        self.nif.setText(typed.nif)
        self.address.setText(typed.address)
        self.postcode.setText(typed.postcode)
        self.city.setText(typed.city)
        self.country.setText(typed.country)
        self.plan.setCurrentIndex(self.plan.findData(typed.plan))
        self.plan_since.setDate(_NO_DATE if typed.plan_since is None else _qdate(typed.plan_since))
        self.plan_since.setEnabled(typed.plan is not Plan.NONE)
        self.anydesk.setText(typed.anydesk)
        self.notes.setPlainText(typed.notes)
        self.clear_messages()

    def show_message(self, field: str, text: str) -> bool:
        """Shows a refusal next to its field; False when the field is not on this form."""
        if field in ("email", "phone"):
            senders = self.emails if field == "email" else self.phones
            senders.message.say(text)
            return True
        if not self.errors.knows(field):
            return False
        self.errors.show(field, text, focus=False)
        return True

    def clear_messages(self, *, senders: bool = True) -> None:
        """Hides every refusal (``senders``: also those about an address being added)."""
        self.errors.clear()
        if senders:
            self.emails.message.clear_message()
            self.phones.message.clear_message()

    def focus_field(self, field: str) -> None:
        widget = {
            "name": self.name,
            "nif": self.nif,
            "address": self.address,
            "postcode": self.postcode,
            "city": self.city,
            "country": self.country,
            "plan": self.plan,
            "plan_since": self.plan_since,
            "anydesk": self.anydesk,
            "notes": self.notes,
            "email": self.emails.entry,
            "phone": self.phones.entry,
        }.get(field)
        if widget is not None:
            widget.setFocus()

    # --- reading --------------------------------------------------------------------------------

    def chosen_plan(self) -> Plan:
        return Plan(self.plan.currentData())

    def typed(self) -> TypedRecord:
        plan = self.chosen_plan()
        since = self.plan_since.date()
        return TypedRecord(
            name=self.name.text(),
            nif=self.nif.text(),
            address=self.address.text(),
            postcode=self.postcode.text(),
            city=self.city.text(),
            country=self.country.text(),
            plan=plan,
            plan_since=None if plan is Plan.NONE or since == _NO_DATE else _day_of(since),
            anydesk=self.anydesk.text(),
            notes=self.notes.toPlainText(),
        )

    def check(self) -> bool:
        """The checks made before saving, shown next to their fields; True when all pass."""
        results = [
            self.nif_check.run(),
            self.emails.check_nothing_pending(),
            self.phones.check_nothing_pending(),
        ]
        return all(results)
