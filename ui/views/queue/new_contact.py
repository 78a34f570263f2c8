"""The "Novo contacto" dialog: who wrote or called, on which channel, and the terms it gets.

As the technician types the sender, the customer is found from it (P9) and the terms the contact
would get are shown before anything is saved (``preview_contact_terms``): guaranteed until when,
why there is no guarantee (P10b), or that it will be rejected (P10a).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.sla import Channel
from app.errors import KnownError
from app.i18n import COMPANY_TZ, _, format_datetime, ngettext
from app.services.contacts import (
    ContactRecord,
    ContactTermsPreview,
    preview_contact_terms,
    register_contact,
)
from app.services.customers import find_customer_by_sender
from app.services.errors import InputError
from app.services.labels import channel_label, plan_label, reason_text
from ui.context import UiContext
from ui.feedback import show_error
from ui.operations import op
from ui.views.customer_search import CustomerSearch
from ui.widgets import FieldErrors, NoteLabel, dialog_buttons, with_message

HINT_STYLE = "color: #5f6368;"


def to_editor(at: datetime) -> QDateTime:
    """An instant as the company's wall-clock time, in an editor that knows no time zone (a UTC
    one: no daylight-saving gaps of the machine's own zone to trip on)."""
    local = at.astimezone(COMPANY_TZ)
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute),
        QTimeZone.utc(),
    )


def from_editor(value: QDateTime) -> datetime:
    """The editor's wall-clock time in the company's time zone (the first of a repeated hour)."""
    day, time = value.date(), value.time()
    return datetime(
        day.year(), day.month(), day.day(), time.hour(), time.minute(), tzinfo=COMPANY_TZ
    )


class NewContactDialog(QDialog):
    """Records a contact; ``saved`` holds it once saved."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.saved: ContactRecord | None = None
        self.preview: ContactTermsPreview | None = None
        self._received_edited = False
        self.setWindowTitle(_("New contact"))
        self.setMinimumWidth(560)

        self.channel = QComboBox()
        for channel in Channel:
            self.channel.addItem(channel_label(channel), channel.value)
        self.sender_field = QLineEdit()
        self.sender_field.setPlaceholderText(_("Email address or phone number, as received"))
        self.sender_found = NoteLabel()  # its line kept while empty (with_message)
        self.sender_found.setStyleSheet(HINT_STYLE)
        self.sender_found.setWordWrap(True)
        self.customer = CustomerSearch(
            placeholder=_("Found from the sender, or search by name, NIF, email, phone")
        )
        self.subject = QLineEdit()
        self.received = QDateTimeEdit()
        self.received.setTimeZone(QTimeZone.utc())
        self.received.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.received.setCalendarPopup(True)
        self.received.setDateTime(to_editor(context.now()))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)

        self.terms_box = self._terms_box()
        form = self._form()

        self.buttons = dialog_buttons(self, self.save)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.terms_box)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.channel, self.sender_field)
        self.setTabOrder(self.sender_field, self.customer)
        self.setTabOrder(self.customer, self.subject)
        self.setTabOrder(self.subject, self.received)
        self.setTabOrder(self.received, self.notes)

        self.channel.currentIndexChanged.connect(self.update_terms)
        self.sender_field.textChanged.connect(self.update_terms)
        self.customer.customer_changed.connect(lambda _id: self.update_terms())
        self.received.dateTimeChanged.connect(self._received_changed)
        self.sender_field.setFocus()
        self.update_terms()

    def _form(self) -> QFormLayout:
        self.errors = FieldErrors(
            self,
            {
                "channel": self.channel,
                "sender": self.sender_field,
                "customer": self.customer,
                "subject": self.subject,
                "received_at": self.received,
                "notes": self.notes,
            },
        )
        form = QFormLayout()
        form.addRow(_("&Channel:"), self.errors.row("channel"))
        form.addRow(
            _("&Sender:"),
            with_message(self.sender_field, self.sender_found, self.errors.labels["sender"]),
        )
        form.addRow(_("C&ustomer:"), self.errors.row("customer"))
        form.addRow(_("Su&bject:"), self.errors.row("subject"))
        form.addRow(_("&Received at:"), self.errors.row("received_at"))
        form.addRow(_("&Notes:"), self.errors.row("notes"))
        return form

    def _terms_box(self) -> QFrame:
        box = QFrame()
        box.setObjectName("terms")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setAccessibleName(_("Terms of the contact"))
        self.terms_headline = QLabel()
        self.terms_headline.setWordWrap(True)
        self.terms_detail = QLabel()
        self.terms_detail.setWordWrap(True)
        terms_layout = QVBoxLayout(box)
        terms_layout.addWidget(self.terms_headline)
        terms_layout.addWidget(self.terms_detail)
        return box

    # --- what the technician typed ------------------------------------------------------------

    def chosen_channel(self) -> Channel:
        return Channel(self.channel.currentData())

    def received_at(self) -> datetime | None:
        """The time typed, or None when left alone (received now, at saving)."""
        return from_editor(self.received.dateTime()) if self._received_edited else None

    def _received_changed(self) -> None:
        self._received_edited = True
        self.update_terms()

    # --- as they type -------------------------------------------------------------------------

    def _show_error(self, error: KnownError) -> bool:
        """Shows the message under its field; False when no field of this dialog has it."""
        field = error.field if isinstance(error, InputError) else None
        if not self.errors.knows(field):
            return False
        self.errors.show(field, error.message, focus=False)
        return True

    def _suggest(self, customer_id: int | None) -> None:
        """The sender's customer, unless the technician chose one (no second update_terms)."""
        blocked = self.customer.blockSignals(True)
        self.customer.suggest(customer_id)
        self.customer.blockSignals(blocked)

    def update_terms(self) -> None:
        """Finds the customer from the sender and shows the terms the contact would get."""
        self.errors.clear()
        self.preview = None
        typed = self.sender_field.text().strip()
        if not typed:
            self.sender_found.hide()
            self._suggest(None)
            self._show_terms_text(_("Type who the contact is from to see its terms."), "")
            return
        match = find_customer_by_sender(typed)
        self._suggest(match.customer_id)
        if match.customer_id is not None:
            found = _("Registered in the record of: {customer}").format(
                customer=match.customer_name
            )
            if match.customer_archived:
                found += " " + _("That customer is archived.")
        elif match.kind is not None:
            found = _("Not registered in any customer's record: pick the customer if you know it.")
        else:
            found = ""
        self.sender_found.setText(found)
        self.sender_found.setVisible(bool(found))
        self.preview = (
            op(
                self,
                lambda: preview_contact_terms(
                    self.context.desk,
                    channel=self.chosen_channel(),
                    sender=typed,
                    received_at=self.received_at(),
                    customer_id=self.customer.customer_id(),
                ),
            )
            .failure(self._no_preview)
            .run()
        )
        if self.preview is not None:
            self._show_preview(self.preview)

    def _refused(self, error: KnownError) -> None:
        if not self._show_error(error):
            show_error(self, error)

    def _no_preview(self, error: KnownError) -> None:
        """While typing: the message by its field, else in place of the terms (no box)."""
        shown = self._show_error(error)
        self._show_terms_text(
            _("The terms show once the fields are right."), "" if shown else str(error)
        )

    def _show_terms_text(self, headline: str, detail: str, level: str = "") -> None:
        colours = {
            "guaranteed": "#1b5e20",
            "none": "#3c4043",
            "rejected": "#7a1010",
        }
        colour = colours.get(level, "#5f6368")
        self.terms_headline.setStyleSheet(f"font-weight: 600; color: {colour};")
        self.terms_headline.setText(headline)
        self.terms_detail.setText(detail)
        self.terms_detail.setVisible(bool(detail))

    def _show_preview(self, preview: ContactTermsPreview) -> None:
        terms = preview.terms
        customer = (
            _("Customer: {customer} ({plan}).").format(
                customer=preview.customer_name, plan=plan_label(preview.plan)
            )
            if preview.customer_name is not None
            else _("No customer.")
        )
        lines = [customer, reason_text(terms.reason)]
        if preview.rejected:
            headline = _("Rejected: it will not be queued, only kept for audit.")
            level = "rejected"
        elif terms.guaranteed and terms.deadline is not None:
            headline = _("Guaranteed until {deadline}").format(
                deadline=format_datetime(terms.deadline)
            )
            level = "guaranteed"
            if preview.compensation_hours:
                lines.append(
                    ngettext(
                        "If the deadline is missed, the customer gets {count} free hour.",
                        "If the deadline is missed, the customer gets {count} free hours.",
                        preview.compensation_hours,
                    ).format(count=preview.compensation_hours)
                )
        else:
            headline = _("No guarantee")
            level = "none"
            if terms.target is not None:
                lines.append(
                    _("Indicative target: {when}.").format(when=format_datetime(terms.target))
                )
        self._show_terms_text(headline, "\n".join(lines), level)

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        self.errors.clear()
        result = (
            op(
                self,
                lambda: register_contact(
                    self.context.desk,
                    channel=self.chosen_channel(),
                    sender=self.sender_field.text(),
                    subject=self.subject.text(),
                    received_at=self.received_at(),
                    customer_id=self.customer.customer_id(),
                    notes=self.notes.toPlainText(),
                ),
            )
            .failure(self._refused)
            .run()
        )
        if result is None:
            return
        self.saved = result.contact
        self.context.sync()
        self.accept()
