"""A contact's whole record, as frozen at its receipt (P19), with what can be done to it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.states import ContactState
from app.i18n import _, format_datetime
from app.services import settings
from app.services.changes import Changes, Topic
from app.services.contacts import (
    ContactRecord,
    ContactResult,
    assign_technician,
    close_contact,
    contact,
    record_first_response,
    reopen_contact,
    response_history,
)
from app.services.errors import NotFoundError
from app.services.labels import channel_label, contact_state_label, plan_label, reason_text
from ui.context import UiContext
from ui.feedback import confirm
from ui.operations import op
from ui.views.queue.conversation import AssociateDialog, ConversationWidget, reply_url
from ui.views.queue.correction import CorrectResponseDialog, history_text
from ui.views.queue.model import compensation_text_of
from ui.views.queue.undo_bar import UndoBar
from ui.views.sessions.recording import RecordSessionDialog


def _technician_name(technician_id: int | None) -> str:
    if technician_id is None:
        return _("the program")
    found = op(None, lambda: settings.technician(technician_id)).allow(NotFoundError).run()
    return _("a technician no longer listed") if found is None else found.name


def describe(record: ContactRecord) -> list[tuple[str, str]]:
    """The record's fields in words, in the order the dialog lists them."""
    sender = record.sender_raw
    if record.sender_normalised and record.sender_normalised != record.sender_raw:
        sender = _("{sender} (read as {normalised})").format(
            sender=record.sender_raw, normalised=record.sender_normalised
        )
    if record.deadline is not None:
        terms = _("Guaranteed until {deadline}").format(deadline=format_datetime(record.deadline))
    elif record.target is not None:
        terms = _("No guarantee; indicative target {when}").format(
            when=format_datetime(record.target)
        )
    else:
        terms = _("No guarantee")
    if record.first_response_at is not None:
        response = _("{when}, by {technician}").format(
            when=format_datetime(record.first_response_at),
            technician=_technician_name(record.first_response_by_id),
        )
    else:
        response = _("None yet")
    if record.granted_hours is None:
        granted = _("None")
    else:
        granted = compensation_text_of(record.granted_hours, revoked=record.grant_revoked)
    fields = [
        (_("Subject"), record.subject),
        (_("Customer"), record.customer_name or _("(unknown)")),
        (_("Channel"), channel_label(record.channel)),
        (_("Sender as received"), sender),
        (_("Received at"), format_datetime(record.received_at)),
        (_("Plan at receipt"), plan_label(record.plan_at_receipt)),
        (_("Sender registered"), _("Yes") if record.registered else _("No")),
        (_("Terms"), terms),
        (_("Why"), reason_text(record.reason)),
        (
            _("If missed"),
            compensation_text_of(record.compensation_hours, revoked=False)
            if record.compensation_hours
            else _("No compensation"),
        ),
        (_("State"), contact_state_label(record.state)),
        (_("First response"), response),
    ]
    if record.closed_at is not None:
        fields.append((_("Closed at"), format_datetime(record.closed_at)))
    fields += [
        (_("Compensation granted"), granted),
        (
            _("Recorded"),
            _("{when}, by {technician}").format(
                when=format_datetime(record.created_at),
                technician=_technician_name(record.created_by_id),
            ),
        ),
    ]
    return fields


class ContactDetailDialog(QDialog):
    """Shows a contact; Respond, Close contact and Reopen act on it as it was shown. A contact
    that came by email shows its conversation beside it, can be answered from the user's mail
    program, and (from an unknown sender) associated with a customer."""

    def __init__(self, context: UiContext, contact_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.contact_id = contact_id
        self.record: ContactRecord | None = None
        self.setMinimumWidth(520)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName(_("Notes"))
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.respond_button = self._button(_("&Respond"), self.respond)
        self.close_button = self._button(_("C&lose contact"), self.close_contact)
        self.reopen_button = self._button(_("Re&open"), self.reopen)
        self.correct_button = self._button(_("Co&rrect the response…"), self.correct_response)
        self.correct_button.setToolTip(
            _("An administrator corrects the first response, with a reason")
        )
        self.reply_button = self._button(_("Reply by &email"), self.reply_by_email)
        self.associate_button = self._button(
            _("&Associate with a customer…"), self.associate_sender
        )
        self.record_session_button = self._button(_("Record a &session…"), self.record_session)
        self.record_dialog: RecordSessionDialog | None = None
        #: Who looks after it (issue 14): choosing one assigns them at once.
        self.technician = QComboBox()
        self.technician.setAccessibleName(_("Technician"))
        self.technician.activated.connect(self._technician_chosen)
        self.conversation = ConversationWidget(context, contact_id)
        self.conversation.setVisible(False)  # until messages are found
        self.conversation.loaded.connect(self._conversation_loaded)

        details = QVBoxLayout()
        details.addLayout(self.form)
        chooser = QFormLayout()
        technician_label = QLabel(_("&Technician:"))
        technician_label.setBuddy(self.technician)
        chooser.addRow(technician_label, self.technician)
        details.addLayout(chooser)
        details.addWidget(QLabel(_("Notes:")))
        details.addWidget(self.notes)
        details.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(details, 2)
        columns.addWidget(self.conversation, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        self.undo_bar = UndoBar(context, self)  # after Respond, for a moment (issue 15)
        self.undo_bar.undone.connect(self.reload)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.buttons)
        self.reload()
        context.changed.connect(self._changed)

    def _conversation_loaded(self, any_messages: bool) -> None:
        if any_messages and self.conversation.isHidden():
            self.conversation.setVisible(True)
            self.resize(max(self.width(), 1100), max(self.height(), 640))

    def _changed(self, changes: Changes) -> None:
        if not self.isVisible():
            return
        ids = changes.ids(Topic.CONTACTS)
        if ids is None or self.contact_id in ids:  # a message joined it, a reply came…
            self.reload()

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def reload(self) -> None:
        record = op(self, lambda: contact(self.contact_id)).run()
        if record is None:  # gone, or the database failed: said, and nothing left to show
            self.reject()
            return
        self.record = record
        self.setWindowTitle(
            _("Contact: {subject}").format(subject=record.subject or channel_label(record.channel))
        )
        while self.form.rowCount():
            self.form.removeRow(0)
        for title, value in describe(record):
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(title)
            self.form.addRow(f"{title}:", label)
        history = op(self, lambda: response_history(record.id)).run()
        if history:
            label = QLabel(history_text(history))
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(_("Response history"))
            self.form.addRow(_("Response history") + ":", label)
        self.notes.setPlainText(record.notes)
        self._show_technician(record)
        self.correct_button.setVisible(
            record.state is not ContactState.REJECTED and self._is_admin()
        )
        self.respond_button.setEnabled(record.state is ContactState.OPEN)
        self.close_button.setEnabled(record.state in (ContactState.OPEN, ContactState.ANSWERED))
        self.reopen_button.setEnabled(record.state is ContactState.CLOSED)
        by_email = "@" in (record.sender_normalised or "")
        self.reply_button.setVisible(by_email)
        self.associate_button.setVisible(by_email and record.customer_id is None)
        self.record_session_button.setEnabled(record.customer_id is not None)
        self.conversation.reload()

    def _show_technician(self, record: ContactRecord) -> None:
        """The chooser: nobody, then the active technicians (and the contact's own, if no
        longer active), at the contact's."""
        people = op(self, settings.technicians).run() or ()
        choices: list[tuple[str, int | None]] = [(_("Nobody"), None)]
        choices += [(person.name, person.id) for person in people]
        if record.technician_id is not None and all(
            person.id != record.technician_id for person in people
        ):
            choices.append(
                (record.technician_name or str(record.technician_id), record.technician_id)
            )
        self.technician.clear()
        for name, technician_id in choices:
            self.technician.addItem(name, technician_id)
        chosen = [technician_id for _name, technician_id in choices].index(record.technician_id)
        self.technician.setCurrentIndex(chosen)
        self.technician.setEnabled(record.state is not ContactState.REJECTED)  # P10a

    def _technician_chosen(self, index: int) -> None:
        record = self.record
        chosen = self.technician.itemData(index)
        if record is None or chosen == record.technician_id:
            return
        self._act(lambda: assign_technician(self.context.desk, record.id, record.version, chosen))

    def value_of(self, title: str) -> str:
        """The text shown for a field (for the tests, and for screen readers' sake one label
        per field)."""
        for row in range(self.form.rowCount()):
            label_item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label_item is None or field_item is None:
                continue
            label, field = label_item.widget(), field_item.widget()
            if isinstance(label, QLabel) and label.text() == f"{title}:":
                assert isinstance(field, QLabel)
                return field.text()
        raise KeyError(title)

    def _act(self, action: Callable[[], ContactResult]) -> None:
        # Refused or not, the dialog then shows the contact as it is now (another desk may have
        # changed it: the usual refusal).
        op(self, action).finally_(self._refresh).run()

    def _refresh(self) -> None:
        self.context.sync()
        self.reload()

    def reply_by_email(self) -> None:
        """Opens the user's mail program: to the sender, "Re: subject [#N]" (P25 links the
        reply back even where the program drops In-Reply-To)."""
        record = self.record
        if record is not None and record.sender_normalised:
            QDesktopServices.openUrl(reply_url(record.sender_normalised, record.subject, record.id))

    def associate_sender(self) -> None:
        record = self.record
        if record is None or not record.sender_normalised:
            return
        dialog = AssociateDialog(self.context, record.id, record.sender_normalised, self)
        if dialog.exec():
            self.reload()

    def record_session(self) -> None:
        """Registar sessão for this contact: work on it done without the timer."""
        record = self.record
        if record is None or record.customer_id is None:
            return
        dialog = RecordSessionDialog(
            self.context, customer_id=record.customer_id, contact_id=record.id, parent=self
        )
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        self.record_dialog = dialog
        dialog.open()

    def respond(self) -> None:
        record = self.record
        if record is not None:
            op(
                self, lambda: record_first_response(self.context.desk, record.id, record.version)
            ).success(lambda result: self.undo_bar.offer(result.contact)).finally_(
                self._refresh
            ).run()

    def close_contact(self) -> None:
        record = self.record
        if record is None or not confirm_closing(self, record.first_response_at is None):
            return
        self._act(lambda: close_contact(self.context.desk, record.id, record.version))

    def _is_admin(self) -> bool:
        technician_id = self.context.desk.technician_id
        if technician_id is None:
            return False
        found = op(None, lambda: settings.technician(technician_id)).allow(NotFoundError).run()
        return found is not None and found.is_admin and found.active

    def correct_response(self) -> None:
        """Administrators: the first response set right, with a reason (issue 15)."""
        record = self.record
        if record is None:
            return
        dialog = CorrectResponseDialog(self.context, record, self)
        if dialog.exec():
            self._refresh()
        dialog.deleteLater()

    def reopen(self) -> None:
        record = self.record
        if record is not None:
            self._act(lambda: reopen_contact(self.context.desk, record.id, record.version))


def confirm_closing(parent: QWidget, unanswered: bool) -> bool:
    """Closing a contact without a first response records one now: asked first."""
    if not unanswered:
        return True
    return confirm(
        parent,
        _("Close contact"),
        _(
            "This contact has had no response yet: closing it records now as its first "
            "response. Close it?"
        ),
    )
