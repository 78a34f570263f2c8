"""A contact's conversation: its messages in order, attachments listed and read on request."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.states import Direction
from app.i18n import _
from app.intake.parse import Attachment, attachment_bytes, parse_message
from app.services.errors import NotFoundError
from app.store.models import MailMessage


@dataclass(frozen=True)
class AttachmentInfo:
    index: int
    name: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ConversationMessage:
    id: int
    direction: Direction
    sender: str  # the From header as received
    to: tuple[str, ...]
    cc: tuple[str, ...]
    received_at: datetime  # INTERNALDATE (P23)
    subject: str
    text: str  # HTML-only messages: their text, nothing remote loaded
    attachments: tuple[AttachmentInfo, ...]
    truncated: bool  # over 25 MB: only the headers and the text were kept


def _attachments(source: bytes | None, truncated: bool) -> tuple[Attachment, ...]:
    if not source:
        return ()
    return parse_message(bytes(source), truncated=truncated).attachments


def _split(text: str) -> tuple[str, ...]:
    return tuple(item for item in text.split(",") if item)


def conversation(contact_id: int) -> tuple[ConversationMessage, ...]:
    rows = (
        MailMessage.select()
        .where(MailMessage.contact == contact_id)
        .order_by(MailMessage.internaldate, MailMessage.id)
    )
    return tuple(
        ConversationMessage(
            id=row.id,
            direction=row.direction,
            sender=row.from_header or row.from_address or "",
            to=_split(row.to_addresses),
            cc=_split(row.cc_addresses),
            received_at=row.internaldate,
            subject=row.subject,
            text=row.text,
            attachments=tuple(
                AttachmentInfo(index, item.name, item.size, item.content_type)
                for index, item in enumerate(_attachments(row.source, row.truncated))
            ),
            truncated=row.truncated,
        )
        for row in rows
    )


def attachment_content(message_id: int, index: int) -> bytes:
    """An attachment's bytes, read again from the stored source."""
    row = MailMessage.get_or_none(MailMessage.id == message_id)
    missing = _("This attachment is not kept (the message was over 25 MB).")
    if row is None or not row.source:
        raise NotFoundError(missing)
    found = _attachments(row.source, row.truncated)
    if not 0 <= index < len(found):
        raise NotFoundError(missing)
    content = attachment_bytes(bytes(row.source), found[index].path)
    if content is None:
        raise NotFoundError(missing)
    return content


_UNSAFE = re.compile(r"[^\w.\- ]+")


def attachment_file(message_id: int, index: int, folder: Path | None = None) -> Path:
    """Writes an attachment to a new temporary folder (or ``folder``) to be opened by the
    desktop; the name is the attachment's own, without any folder or odd character in it."""
    content = attachment_content(message_id, index)
    found = _attachments(MailMessage.get_by_id(message_id).source, False)
    name = _UNSAFE.sub("_", Path(found[index].name or "").name).strip(" .") or "anexo"
    place = folder or Path(tempfile.mkdtemp(prefix="balcao-"))
    path = place / name[:200]
    path.write_bytes(content)
    return path
