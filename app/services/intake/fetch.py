"""One pass over a mailbox: new messages become contacts, joins, responses (P23–P28).

For each mailbox: take its lease (one desk at a time), log in, then for the inbox and the sent
folder read the UIDs not read yet, and take each message in a transaction of its own that also
moves the folder's next UID on, and renews the lease: a crash loses nothing (the message comes
again), and nothing is taken twice (the unique keys of ``mail_message`` refuse it, whatever
happens). The rules are the domain's (``app.domain.intake``); a new contact is registered
through ``register_contact``, the typed-in contact's own code, so that its terms are frozen the
same way (P19).

A failing mailbox is written to the intake log with its Portuguese message, backs off, and the
others go on.

Each contact the pass registers, joins or answers is noted in the change log by its id, in its
message's transaction; the pass notes nothing wholesale, so that the queue shows those rows only
instead of reading itself again (issue 11: no long slice on the window's thread). The intake log
page follows its own stamp.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from peewee import IntegrityError

from app.domain.states import Direction, IntakeLogKind
from app.errors import KnownError
from app.i18n import _
from app.intake import parse_pool
from app.intake.imap import FetchedMessage, FolderState, ImapReader, MailboxError, connect
from app.services.context import Desk
from app.services.errors import NotFoundError, ServiceError
from app.services.intake import lease
from app.services.intake.addresses import known_addresses
from app.services.intake.mailboxes import (
    Connector,
    MailboxRecord,
    PasswordMissing,
    password_of,
    record_of,
    settings_of,
)
from app.services.intake.messages import (
    Counts,
    Place,
    advance,
    log_message,
    take_incoming,
    take_outgoing,
    taken,
)
from app.store.database import write_transaction
from app.store.models import IntakeLogEntry, Mailbox, MailboxFolder

log = logging.getLogger(__name__)

#: Back-off after failures: 1, 2, 4… minutes, at most 30.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(minutes=30)


@dataclass(frozen=True)
class FetchSummary:
    mailbox: str
    counts: Counts = field(default_factory=Counts)
    error: str | None = None  # Portuguese: what failed
    failure: str = ""  # its code, for the log
    skipped: bool = False  # another desk holds the lease, or the mailbox is backing off
    mailbox_id: int = 0

    @property
    def failed(self) -> bool:
        return self.error is not None


def backoff(failures: int) -> timedelta:
    steps = max(0, min(failures - 1, 10))
    wait: timedelta = BACKOFF_FIRST * (2**steps)
    return min(wait, BACKOFF_MAX)


# --- the whole pass ------------------------------------------------------------------------------


def fetch_all(
    desk: Desk, *, force: bool = False, connector: Connector = connect
) -> list[FetchSummary]:
    """Every mailbox once; one that fails is logged and the others go on. Without ``force``, a
    mailbox in its back-off after a failure is left for later."""
    summaries = []
    for row in Mailbox.select().order_by(Mailbox.name):
        record = record_of(row)
        if not force and record.retry_at is not None and record.retry_at > desk.now():
            summaries.append(
                FetchSummary(
                    record.name,
                    error=record.last_error or None,
                    skipped=True,
                    mailbox_id=record.id,
                )
            )
            continue
        try:
            summaries.append(fetch_mailbox(desk, record.id, connector=connector))
        except KnownError:
            raise  # the database's own faults: every mailbox would meet them
        except Exception as error:  # a bug: logged with its traceback, the others go on
            log.exception("fetching the mailbox %s failed", record.name)
            message = _("The mailbox {name} could not be read (an unexpected error).").format(
                name=record.name
            )
            _failed(
                desk, record, message, code="unexpected", detail=f"{type(error).__name__}: {error}"
            )
            summaries.append(
                FetchSummary(record.name, error=message, failure="unexpected", mailbox_id=record.id)
            )
    return summaries


def fetch_mailbox(
    desk: Desk, mailbox_id: int, *, connector: Connector = connect, holder: str | None = None
) -> FetchSummary:
    """One pass over one mailbox (both its folders)."""
    row = Mailbox.get_or_none(Mailbox.id == mailbox_id)
    if row is None:
        raise NotFoundError(_("This mailbox no longer exists."))
    record = record_of(row)
    me = holder or lease.new_holder()
    if not lease.acquire(desk, record.id, me):
        return FetchSummary(record.name, skipped=True, mailbox_id=record.id)
    counts = Counts()
    try:
        reader = connector(settings_of(record, password_of(record)))
        try:
            folders = (
                MailboxFolder.select()
                .where(MailboxFolder.mailbox == record.id)
                .order_by(MailboxFolder.role)  # "in" before "out": contacts before replies
            )
            for folder in list(folders):
                _read_folder(desk, record, folder, reader, holder=me, counts=counts)
        finally:
            reader.close()
    except (MailboxError, PasswordMissing) as error:
        code = error.failure.value if isinstance(error, MailboxError) else "password_missing"
        _failed(desk, record, str(error), code=code, detail=error.detail, counts=counts)
        return FetchSummary(
            record.name, counts, error=str(error), failure=code, mailbox_id=record.id
        )
    except lease.LeaseLost:
        return FetchSummary(record.name, counts, skipped=True, mailbox_id=record.id)
    finally:
        lease.release(record.id, me)
    _succeeded(desk, record, counts)
    return FetchSummary(record.name, counts, mailbox_id=record.id)


def _uids(
    reader: ImapReader, record: MailboxRecord, folder: MailboxFolder
) -> tuple[FolderState, set[int]]:
    state = reader.examine(folder.name)
    if folder.uidvalidity is None:  # first pass: from UIDNEXT when added, and the --since day
        start = folder.next_uid if folder.next_uid is not None else state.uidnext
        uids = set(reader.uids_from(start))
        if record.since is not None:
            uids |= set(reader.uids_since(record.since))
    elif folder.uidvalidity != state.uidvalidity:
        # Renumbered (P28): read again from the day the mailbox was added; Message-ID
        # keeps every message single.
        day: date = record.since or record.added_at.date()
        uids = set(reader.uids_since(day))
    else:
        uids = set(reader.uids_from(folder.next_uid or 1))
    return state, uids


def _read_folder(
    desk: Desk,
    record: MailboxRecord,
    folder: MailboxFolder,
    reader: ImapReader,
    *,
    holder: str,
    counts: Counts,
) -> None:
    state, uids = _uids(reader, record, folder)
    uidvalidity = state.uidvalidity
    place = Place(desk, record, holder, folder.id, folder.name, Direction(folder.role), uidvalidity)
    state_next = 0
    for fetched in reader.fetch(sorted(uids)):
        _take_one(place, fetched, counts)
        state_next = max(state_next, fetched.uid + 1)
    with write_transaction():
        lease.renew(desk, record.id, holder)
        current = MailboxFolder.get_by_id(folder.id)
        same = current.uidvalidity == uidvalidity
        # Every UID below UIDNEXT at EXAMINE was there for the search that followed it; one
        # that arrived since is above it, and is read by the next pass.
        floor = max(state_next, state.uidnext)
        next_uid = max(current.next_uid or 0, floor) if same else floor
        MailboxFolder.update(
            uidvalidity=uidvalidity, next_uid=next_uid, last_fetch_at=desk.now()
        ).where(MailboxFolder.id == folder.id).execute()


# --- one message, one transaction ------------------------------------------------------------


def _take_one(place: Place, fetched: FetchedMessage, counts: Counts) -> None:
    desk, record = place.desk, place.record
    # In a process of its own: a big attachment's decoding holds no thread here (issue 11).
    parsed = parse_pool.parse(fetched.raw, truncated=fetched.truncated)
    known = known_addresses()
    for attempt in range(3):
        seen = replace(counts)
        try:
            with write_transaction():
                lease.renew(desk, record.id, place.holder)
                if not taken(place, fetched.uid):
                    if place.direction is Direction.IN:
                        take_incoming(place, fetched, parsed, known, seen)
                    else:
                        take_outgoing(place, fetched, parsed, known, seen)
                advance(place, fetched.uid)
        except IntegrityError:
            # Another desk (another mailbox with a copy) took this Message-ID at the same
            # moment: read it again as the copy it now is.
            if attempt == 2:
                raise
            continue
        except ServiceError as error:
            # The message cannot be registered (a rule's refusal, a bug): logged, and left
            # behind rather than stopping every later message.
            with write_transaction():
                lease.renew(desk, record.id, place.holder)
                log_message(place, IntakeLogKind.UNREADABLE, parsed, "failed", str(error))
                advance(place, fetched.uid)
            counts.ignored += 1
            return
        _copy_counts(seen, counts)
        return


def _copy_counts(source: Counts, target: Counts) -> None:
    target.new, target.joined, target.responses = source.new, source.joined, source.responses
    target.ignored, target.rejected = source.ignored, source.rejected


# --- the log and the mailbox's state ---------------------------------------------------------


def _succeeded(desk: Desk, record: MailboxRecord, counts: Counts) -> None:
    now = desk.now()
    with write_transaction():
        Mailbox.update(
            last_fetch_at=now,
            last_error="",
            last_error_at=None,
            failures=0,
            retry_at=None,
            version=Mailbox.version + 1,
        ).where(Mailbox.id == record.id).execute()
        if counts.any:
            IntakeLogEntry.create(
                mailbox=record.id,
                mailbox_name=record.name,
                at=now,
                kind=IntakeLogKind.FETCH,
                new=counts.new,
                joined=counts.joined,
                responses=counts.responses,
                ignored=counts.ignored,
                rejected=counts.rejected,
            )


def _failed(
    desk: Desk,
    record: MailboxRecord,
    message: str,
    *,
    code: str,
    detail: str,
    counts: Counts | None = None,
) -> None:
    now = desk.now()
    counts = counts or Counts()
    with write_transaction():
        current = Mailbox.get_or_none(Mailbox.id == record.id)
        if current is None:
            return
        failures = current.failures + 1
        Mailbox.update(
            last_error=message,
            last_error_at=now,
            failures=failures,
            retry_at=now + backoff(failures),
            version=Mailbox.version + 1,
        ).where(Mailbox.id == record.id).execute()
        IntakeLogEntry.create(
            mailbox=record.id,
            mailbox_name=record.name,
            at=now,
            kind=IntakeLogKind.FAILED,
            new=counts.new,
            joined=counts.joined,
            responses=counts.responses,
            ignored=counts.ignored,
            rejected=counts.rejected,
            reason=code[:64],
            message=message,
            problems=detail[:2000],
        )
