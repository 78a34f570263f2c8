"""The intake log's read model (Contactos › Registo de correio, Definições › Correio)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.states import IntakeLogKind
from app.store.models import IntakeLogEntry

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class LogEntry:
    id: int
    mailbox: str
    at: datetime
    kind: IntakeLogKind
    new: int
    joined: int
    responses: int
    ignored: int
    rejected: int
    reason: str  # a code: IgnoreReason, MailboxFailure, "problems"…
    message: str  # Portuguese, for a failure or an ignored message
    problems: tuple[str, ...]  # parse.Problem codes (a failure: the technical detail)
    message_id: str
    sender: str
    subject: str


def intake_log(*, mailbox: str | None = None, limit: int = DEFAULT_LIMIT) -> tuple[LogEntry, ...]:
    """The newest entries first."""
    query = IntakeLogEntry.select().order_by(IntakeLogEntry.at.desc(), IntakeLogEntry.id.desc())
    if mailbox is not None:
        query = query.where(IntakeLogEntry.mailbox_name == mailbox)
    return tuple(
        LogEntry(
            id=row.id,
            mailbox=row.mailbox_name,
            at=row.at,
            kind=row.kind,
            new=row.new,
            joined=row.joined,
            responses=row.responses,
            ignored=row.ignored,
            rejected=row.rejected,
            reason=row.reason,
            message=row.message,
            problems=tuple(p for p in row.problems.split(",") if p)
            if row.kind is not IntakeLogKind.FAILED
            else (),
            message_id=row.message_id,
            sender=row.sender,
            subject=row.subject,
        )
        for row in query.limit(limit)
    )


def failing_mailboxes() -> dict[str, str]:
    """Each mailbox whose last fetch failed, with what failed (for the status bar)."""
    from app.store.models import Mailbox

    return {
        row.name: row.last_error
        for row in Mailbox.select(Mailbox.name, Mailbox.last_error).where(Mailbox.failures > 0)
    }


def log_stamp() -> tuple[int, int]:
    """Changes when the log or a mailbox does (the newest entry, the mailboxes' versions): a
    view showing the log reads it again only then."""
    from peewee import fn

    from app.store.models import Mailbox

    newest = IntakeLogEntry.select(fn.MAX(IntakeLogEntry.id)).scalar() or 0
    versions = Mailbox.select(fn.SUM(Mailbox.version) + fn.COUNT(Mailbox.id)).scalar() or 0
    return int(newest), int(versions)
