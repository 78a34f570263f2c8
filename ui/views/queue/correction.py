"""An administrator corrects a contact's first response, with a reason (issue 15); what it was
stays in the contact's response history, shown in its window."""

from __future__ import annotations

from PySide6.QtCore import QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.responses import CorrectionKind
from app.i18n import _, format_datetime
from app.services.contacts import (
    ContactRecord,
    ContactResult,
    CorrectionRecord,
    correct_response,
)
from ui.context import UiContext
from ui.operations import op
from ui.views.queue.new_contact import from_editor, to_editor
from ui.widgets import dialog_buttons


def history_text(entries: tuple[CorrectionRecord, ...]) -> str:
    """The first response's undos and corrections, one a line, oldest first."""
    lines = []
    for entry in entries:
        old = format_datetime(entry.old_response_at) if entry.old_response_at else _("no response")
        new = format_datetime(entry.new_response_at) if entry.new_response_at else _("no response")
        if entry.kind is CorrectionKind.UNDONE:
            line = _("{when}, {technician}: response of {old} undone").format(
                when=format_datetime(entry.created_at), technician=entry.created_by_name, old=old
            )
        else:
            line = _("{when}, {technician}: corrected from {old} to {new} — “{reason}”").format(
                when=format_datetime(entry.created_at),
                technician=entry.created_by_name,
                old=old,
                new=new,
                reason=entry.reason,
            )
        lines.append(line)
    return "\n".join(lines)


class CorrectResponseDialog(QDialog):
    """The new first response (or none) and the reason; ``result`` once saved."""

    def __init__(
        self, context: UiContext, record: ContactRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.record = record
        self.result_: ContactResult | None = None
        self.setWindowTitle(_("Correct the first response"))
        self.none = QCheckBox(_("No response was given"))
        self.when = QDateTimeEdit()
        self.when.setTimeZone(QTimeZone.utc())
        self.when.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setDateTime(to_editor(record.first_response_at or context.now()))
        self.when.setAccessibleName(_("First response at"))
        self.none.toggled.connect(lambda checked: self.when.setEnabled(not checked))
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName(_("Reason"))
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout()
        form.addRow(_("First &response at:"), self.when)
        form.addRow("", self.none)
        form.addRow(_("Re&ason:"), self.reason)
        explanation = QLabel(
            _(
                "The response recorded stays in the contact's history, with your name and "
                "reason. Free hours follow: a response now in time revokes them; one now late "
                "grants them."
            )
        )
        explanation.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self, self.save, QDialogButtonBox.StandardButton.Ok))

    def save(self) -> None:
        record = self.record
        new_time = None if self.none.isChecked() else from_editor(self.when.dateTime())
        reason = self.reason.toPlainText()
        saved = op(
            self,
            lambda: correct_response(
                self.context.desk, record.id, new_time, reason, version=record.version
            ),
        ).run()
        if saved is not None:
            self.result_ = saved
            self.accept()
