"""A contact's conversation in its window (issue 11): every message in order, its attachments
opened on request, "Responder por email" and "Associar a um cliente…".

The messages are shown as text in a ``QTextBrowser`` that loads nothing: the document is built
here from the stored text (HTML-only messages were turned into text by the intake), escaped, and
``loadResource`` answers nothing, so no remote image nor any other resource is ever fetched.
An attachment is a link; following it writes the attachment to a temporary file in the
background and hands that file to the desktop.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.intake import reply_subject
from app.domain.states import Direction
from app.i18n import _, format_datetime, ngettext
from app.services.customers import CustomerResult
from app.services.intake.associate import associate_sender
from app.services.intake.conversation import (
    ConversationMessage,
    attachment_file,
    conversation,
)
from ui.context import UiContext
from ui.operations import op
from ui.views.customer_search import CustomerSearch

#: The links of attachments: attachment:<message id>/<index>.
ATTACHMENT_SCHEME = "attachment"


def reply_url(sender: str, subject: str, contact_id: int) -> QUrl:
    """``mailto:`` the sender with "Re: subject [#N]" (issue 11), percent-encoded."""
    address = quote(sender.strip(), safe="@")
    text = quote(reply_subject(subject, contact_id), safe="")
    return QUrl.fromEncoded(f"mailto:{address}?subject={text}".encode("ascii"))


def size_text(size: int) -> str:
    if size < 1024:
        return _("{size} bytes").format(size=size)
    if size < 1024 * 1024:
        return _("{size} KB").format(size=f"{size / 1024:.0f}")
    return _("{size} MB").format(size=f"{size / (1024 * 1024):.1f}".replace(".", ","))


def message_html(message: ConversationMessage) -> str:
    """One message: who, to whom, when, its text and its attachments as links."""
    e = html.escape
    rows = [
        (_("From"), message.sender),
        (_("To"), ", ".join(message.to)),
    ]
    if message.cc:
        rows.append((_("Cc"), ", ".join(message.cc)))
    rows.append((_("Received"), format_datetime(message.received_at)))
    heading = _("Sent by the team") if message.direction is Direction.OUT else ""
    subject = message.subject or _("(no subject)")
    parts = [
        f"<h3>{e(subject)}" + (f" <small>— {e(heading)}</small>" if heading else "") + "</h3>",
        "<table cellspacing='0' cellpadding='1'>",
        *(
            f"<tr><td><b>{e(title)}:</b>&nbsp;</td><td>{e(value)}</td></tr>"
            for title, value in rows
        ),
        "</table>",
        f"<p style='white-space: pre-wrap'>{e(message.text.strip())}</p>",
    ]
    if message.truncated:
        parts.append(
            "<p><i>"
            + e(_("This message was over 25 MB: only its headers and text were kept."))
            + "</i></p>"
        )
    if message.attachments:
        unnamed = _("(no name)")
        links = "<br>".join(
            f"<a href='{ATTACHMENT_SCHEME}:{message.id}/{item.index}'>"
            f"{e(item.name or unnamed)}</a> ({e(size_text(item.size))})"
            for item in message.attachments
        )
        title = _("Attachments")
        parts.append(f"<p><b>{e(title)}:</b><br>{links}</p>")
    return "".join(parts)


class MessagesBrowser(QTextBrowser):
    """Shows the conversation; loads no resource of any kind (no remote content)."""

    def loadResource(self, type: int, name: QUrl | str, /) -> Any:
        return None


class ConversationWidget(QWidget):
    """The messages of one contact, oldest first."""

    #: The messages were read (again): whether there are any.
    loaded = Signal(bool)

    def __init__(self, context: UiContext, contact_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.contact_id = contact_id
        self.messages: tuple[ConversationMessage, ...] = ()
        #: The files written for the attachments opened (the tests look at them).
        self.opened: list[Path] = []
        self.browser = MessagesBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName(_("Conversation"))
        self.browser.anchorClicked.connect(self._link)
        self.title = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.browser, 1)

    def reload(self) -> None:
        """Reads the messages in the background (listing a large message's attachments parses
        it); ``loaded`` tells when they are shown."""
        (
            op(self, lambda: conversation(self.contact_id))
            .in_background(_("Reading the conversation…"), shows_progress=False)
            .success(self._show)
            .run()
        )

    def _show(self, messages: tuple[ConversationMessage, ...]) -> None:
        self.messages = messages
        self.title.setText(
            ngettext(
                "Conversation: {count} message", "Conversation: {count} messages", len(messages)
            ).format(count=len(messages))
        )
        self.browser.setHtml("<hr>".join(message_html(m) for m in messages))
        self.loaded.emit(bool(messages))

    def _link(self, url: QUrl) -> None:
        if url.scheme() != ATTACHMENT_SCHEME:
            return  # no other link is followed from a message
        message, _slash, index = url.path().partition("/")
        if message.isdigit() and index.isdigit():
            self.open_attachment(int(message), int(index))

    def open_attachment(self, message_id: int, index: int) -> None:
        """Writes the attachment to a temporary file in the background, then opens it."""
        (
            op(self, lambda: attachment_file(message_id, index))
            .in_background(_("Opening the attachment…"))
            .success(self._open_file)
            .run()
        )

    def _open_file(self, path: Path) -> None:
        self.opened.append(path)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class AssociateDialog(QDialog):
    """ "Associar a um cliente…": the sender's address into a customer's record (P19: the
    contact keeps its terms)."""

    def __init__(
        self, context: UiContext, contact_id: int, sender: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.contact_id = contact_id
        self.result_record: CustomerResult | None = None
        self.setWindowTitle(_("Associate with a customer"))
        self.search = CustomerSearch(self, archived=False)
        note = QLabel(
            _(
                "The address {address} is added to the customer's record: their next messages "
                "are registered. This contact keeps the terms it was received with."
            ).format(address=sender)
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.associate)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.search)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def associate(self) -> None:
        customer_id = self.search.customer_id()
        if customer_id is None:
            self.search.setFocus()
            return
        result = op(
            self,
            lambda: associate_sender(self.context.desk, self.contact_id, customer_id),
            sync=self.context,
        ).run()
        if result is not None:
            self.result_record = result
            self.accept()
