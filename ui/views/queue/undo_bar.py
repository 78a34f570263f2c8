"""'Anular' after Respond (issue 15): a bar, not a dialog, offering to take back the first
response just recorded, for ``UNDO_WINDOW`` (10 s); after that an administrator corrects it in
the contact's window, with a reason."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.domain.responses import UNDO_WINDOW
from app.i18n import _
from app.services.contacts import ContactRecord, undo_first_response
from ui.context import UiContext
from ui.operations import op


class UndoBar(QFrame):
    """Shown after a first response is recorded at this desk; hides at the first tick past the
    window (the context's clock: tests move it by hand), or when used."""

    #: The undo was tried (done or refused): whoever shows the contact shows it again.
    undone = Signal()

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("undoBar")
        self.setAccessibleName(_("Undo the response"))
        self.setStyleSheet(
            "#undoBar { background: #e3f0ff; border: 1px solid #0d3b66; border-radius: 3px; }"
            "#undoBar QLabel { color: #0d3b66; }"
        )
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.undo_button = QPushButton(_("&Undo"))
        self.undo_button.setAccessibleName(_("Undo the first response just recorded"))
        self.undo_button.clicked.connect(self.undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.undo_button)
        self._offered: ContactRecord | None = None
        self._since: datetime | None = None
        context.ticked.connect(self.tick)
        self.hide()

    def offer(self, record: ContactRecord) -> None:
        """The first response to ``record`` was just recorded here: "Anular" for a moment."""
        self._offered, self._since = record, self.context.now()
        subject = record.subject or record.customer_name or record.sender_raw
        self.text.setText(_("First response recorded: {contact}.").format(contact=subject))
        self.show()

    def tick(self) -> None:
        if self._since is not None and self.context.now() - self._since > UNDO_WINDOW:
            self.withdraw()

    def withdraw(self) -> None:
        self._offered = self._since = None
        self.hide()

    def undo(self) -> None:
        record = self._offered
        self.withdraw()
        if record is None:
            return
        # Refused (too late, changed meanwhile) or not, the queue shows the contact as it is.
        op(
            self, lambda: undo_first_response(self.context.desk, record.id, record.version)
        ).finally_(self.context.sync).run()
        self.undone.emit()
