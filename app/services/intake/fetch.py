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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from peewee import IntegrityError

from app.domain.intake import (
    Decision,
    Outcome,
    Recipients,
    ThreadLink,
    choose_channel,
    decide_incoming,
    decide_sent,
    ignore_reason_text,
    thread_link,
)
from app.domain.sla import Plan, Reason
from app.errors import KnownError
from app.i18n import _, format_datetime
from app.intake.imap import FetchedMessage, FolderState, ImapReader, MailboxError, connect
from app.intake.parse import ParsedMessage, Problem, parse_message
from app.services import changes
from app.services.changes import Topic
from app.services.contacts import preview_contact_terms, record_response_seen, register_contact
from app.services.context import Desk
from app.services.errors import NotFoundError, ServiceError
from app.services.intake import lease
from app.services.intake.addresses import KnownAddresses, known_addresses
from app.services.intake.mailboxes import (
    Connector,
    MailboxRecord,
    PasswordMissing,
    password_of,
    record_of,
    settings_of,
)
from app.services.queries import sender_owner
from app.services.settings import business_calendar
from app.store.base import save_versioned
from app.store.database import write_transaction
from app.store.enums import ContactState, Direction, IntakeLogKind
from app.store.models import Contact, Customer, IntakeLogEntry, Mailbox, MailboxFolder, MailMessage

log = logging.getLogger(__name__)

#: Back-off after failures: 1, 2, 4… minutes, at most 30.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(minutes=30)
_SUBJECT_MAX = 500


@dataclass
class Counts:
    new: int = 0
    joined: int = 0
    responses: int = 0
    ignored: int = 0
    rejected: int = 0

    @property
    def any(self) -> bool:
        return any((self.new, self.joined, self.responses, self.ignored, self.rejected))


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


@dataclass(frozen=True)
class _Place:
    """Where the messages of one folder pass come from, and who is taking them."""

    desk: Desk
    record: MailboxRecord
    holder: str
    folder_id: int
    folder: str
    direction: Direction
    uidvalidity: int


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
    place = _Place(
        desk, record, holder, folder.id, folder.name, Direction(folder.role), uidvalidity
    )
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


def _take_one(place: _Place, fetched: FetchedMessage, counts: Counts) -> None:
    desk, record = place.desk, place.record
    parsed = parse_message(fetched.raw, truncated=fetched.truncated)
    known = known_addresses()
    for attempt in range(3):
        seen = replace(counts)
        try:
            with write_transaction():
                lease.renew(desk, record.id, place.holder)
                if not _taken(place, fetched.uid):
                    if place.direction is Direction.IN:
                        _incoming(place, fetched, parsed, known, seen)
                    else:
                        _outgoing(place, fetched, parsed, known, seen)
                _advance(place, fetched.uid)
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
                _log_message(place, IntakeLogKind.UNREADABLE, parsed, "failed", str(error))
                _advance(place, fetched.uid)
            counts.ignored += 1
            return
        _copy_counts(seen, counts)
        return


def _copy_counts(source: Counts, target: Counts) -> None:
    target.new, target.joined, target.responses = source.new, source.joined, source.responses
    target.ignored, target.rejected = source.ignored, source.rejected


def _taken(place: _Place, uid: int) -> bool:
    return bool(
        MailMessage.select()
        .where(
            (MailMessage.mailbox == place.record.id)
            & (MailMessage.folder == place.folder)
            & (MailMessage.uidvalidity == place.uidvalidity)
            & (MailMessage.uid == uid)
        )
        .exists()
    )


def _advance(place: _Place, uid: int) -> None:
    folder_id, uidvalidity = place.folder_id, place.uidvalidity
    current = MailboxFolder.get_by_id(folder_id)
    if current.uidvalidity == uidvalidity and (current.next_uid or 0) > uid:
        return
    next_uid = (
        uid + 1 if current.uidvalidity != uidvalidity else max(current.next_uid or 0, uid + 1)
    )
    MailboxFolder.update(uidvalidity=uidvalidity, next_uid=next_uid).where(
        MailboxFolder.id == folder_id
    ).execute()


def _joined(addresses: tuple[str, ...]) -> str:
    return ",".join(addresses)


def _split(text: str) -> tuple[str, ...]:
    return tuple(item for item in text.split(",") if item)


def _subject(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())[:_SUBJECT_MAX]


def _received(desk: Desk, fetched: FetchedMessage) -> datetime:
    # P23: the server's INTERNALDATE; a server clock ahead of ours counts as now.
    return min(fetched.internaldate, desk.now())


def _row(
    place: _Place,
    fetched: FetchedMessage,
    parsed: ParsedMessage,
    outcome: Outcome,
    contact_id: int | None,
) -> MailMessage:
    direction = place.direction
    return MailMessage.create(
        mailbox=place.record.id,
        folder=place.folder,
        uidvalidity=place.uidvalidity,
        uid=fetched.uid,
        message_id=parsed.message_id,
        incoming_message_id=parsed.message_id if direction is Direction.IN else None,
        message_id_synthetic=parsed.message_id_synthetic,
        direction=direction,
        internaldate=fetched.internaldate,
        from_address=parsed.from_address,
        from_header=parsed.from_header,
        to_addresses=_joined(parsed.to),
        cc_addresses=_joined(parsed.cc),
        envelope=_joined(parsed.envelope),
        subject=parsed.subject,
        text=parsed.text,
        source=fetched.raw,
        truncated=fetched.truncated,
        size=fetched.size,
        contact=contact_id,
        outcome=outcome.value,
        created_at=place.desk.now(),
    )


def _link(parsed: ParsedMessage) -> ThreadLink | None:
    named = (*parsed.in_reply_to, *parsed.references)
    known: dict[str, int] = {}
    if named:
        rows = MailMessage.select(MailMessage.message_id, MailMessage.contact).where(
            MailMessage.message_id.in_(list(named)) & MailMessage.contact.is_null(False)
        )
        known = {row.message_id: int(row.contact_id) for row in rows if row.contact_id}
    return thread_link(
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        subject=parsed.subject,
        known_messages=known,
        contact_exists=lambda contact_id: Contact.select().where(Contact.id == contact_id).exists(),
    )


def _incoming(
    place: _Place,
    fetched: FetchedMessage,
    parsed: ParsedMessage,
    known: KnownAddresses,
    counts: Counts,
) -> None:
    desk = place.desk
    existing = MailMessage.get_or_none(MailMessage.incoming_message_id == parsed.message_id)
    if existing is not None:
        _copy(desk, existing, fetched, parsed, known)
        return
    at = _received(desk, fetched)
    link = _link(parsed)
    linked = None if link is None else Contact.get_by_id(link.contact_id)
    closed_at = (
        linked.closed_at if linked is not None and linked.state is ContactState.CLOSED else None
    )
    sender = parsed.from_address
    owner = None if sender is None else sender_owner("email", sender)
    customer = None if owner is None else Customer.get_by_id(owner)
    decision = decide_incoming(
        parsed.signals,
        parsed.recipients,
        team=known.team,
        support=known.support,
        link=link,
        linked_closed_at=closed_at,
        plan=Plan.NONE if customer is None else customer.plan,
        registered=customer is not None,
        received_at=at,
        calendar=business_calendar(),
    )
    if parsed.problems:
        _log_message(place, IntakeLogKind.UNREADABLE, parsed, "problems", "")
    if decision.outcome is Outcome.IGNORED or sender is None:
        _row(place, fetched, parsed, Outcome.IGNORED, None)
        reason = decision.ignored.value if decision.ignored is not None else Problem.MISSING_FROM
        text = (
            ignore_reason_text(decision.ignored)
            if decision.ignored is not None
            else _("The message has no sender address.")
        )
        _log_message(place, IntakeLogKind.IGNORED, parsed, str(reason), text)
        counts.ignored += 1
        return
    row = _row(place, fetched, parsed, decision.outcome, None)
    if decision.outcome in (Outcome.JOINED, Outcome.REOPENED) and linked is not None:
        row.contact_id = linked.id
        row.save()
        if decision.outcome is Outcome.REOPENED:
            linked.state = (
                ContactState.OPEN if linked.first_response_at is None else ContactState.ANSWERED
            )
            linked.closed_at = None
            save_versioned(linked, linked.version)
        changes.note(desk, {Topic.CONTACTS}, linked.id)
        counts.joined += 1
        return
    _register(desk, row, parsed, decision, at=at, linked=linked)
    if row.outcome == Outcome.REJECTED:
        counts.rejected += 1
    else:
        counts.new += 1


def _register(
    desk: Desk,
    row: MailMessage,
    parsed: ParsedMessage,
    decision: Decision,
    *,
    at: datetime,
    linked: Contact | None,
) -> None:
    assert decision.choice is not None and parsed.from_address is not None
    notes = ""
    if linked is not None:  # P25: closed 7 days ago or more: a new contact naming the old one
        notes = _("Follows contact #{id}, closed on {when}.").format(
            id=linked.id, when=format_datetime(linked.closed_at or at)
        )
    result = register_contact(
        desk,
        channel=decision.choice.channel,
        sender=parsed.from_address,
        subject=_subject(parsed.subject),
        received_at=at,
        notes=notes,
    )
    row.contact_id = result.contact.id
    if result.contact.state is ContactState.REJECTED:
        row.outcome = Outcome.REJECTED.value
    elif row.outcome == Outcome.REJECTED:
        row.outcome = Outcome.NEW.value
    row.save()


def _copy(
    desk: Desk,
    existing: MailMessage,
    fetched: FetchedMessage,
    parsed: ParsedMessage,
    known: KnownAddresses,
) -> None:
    """A copy of a message already taken (another mailbox, or a renumbered folder): one contact,
    on the channel most favourable over every copy's recipients (P24), received at the earliest
    INTERNALDATE (issue 11) — re-decided while nobody has acted on the contact yet."""
    merged = Recipients(
        _split(existing.envelope), (*_split(existing.to_addresses), *_split(existing.cc_addresses))
    ).merged(parsed.recipients)
    at = min(existing.internaldate, fetched.internaldate)
    existing.envelope = _joined(merged.envelope)
    existing.to_addresses = _joined(
        tuple(dict.fromkeys((*_split(existing.to_addresses), *parsed.to)))
    )
    existing.cc_addresses = _joined(
        tuple(dict.fromkeys((*_split(existing.cc_addresses), *parsed.cc)))
    )
    existing.internaldate = at
    existing.save()
    if existing.contact_id is None or existing.outcome not in (
        Outcome.NEW.value,
        Outcome.NEW_LINKED.value,
        Outcome.REJECTED.value,
    ):
        return
    contact = Contact.get_by_id(existing.contact_id)
    untouched = contact.first_response_at is None and contact.state in (
        ContactState.OPEN,
        ContactState.REJECTED,
    )
    if not untouched or contact.sender_normalised is None:
        return
    received = min(at, contact.received_at)
    customer = None if contact.customer_id is None else Customer.get_by_id(contact.customer_id)
    choice = choose_channel(
        merged,
        known.support,
        plan=Plan.NONE if customer is None else customer.plan,
        registered=bool(contact.registered),
        received_at=received,
        calendar=business_calendar(),
    )
    preview = preview_contact_terms(
        desk, channel=choice.channel, sender=contact.sender_normalised, received_at=received
    )
    terms = preview.terms
    if (
        contact.channel == choice.channel
        and contact.received_at == received
        and contact.state == preview.state
        and contact.deadline == terms.deadline
        and contact.target == terms.target
    ):
        return
    contact.channel = choice.channel
    contact.received_at = received
    contact.guaranteed = terms.guaranteed
    contact.deadline = terms.deadline
    contact.target = terms.target
    contact.reason = terms.reason
    contact.urgent = terms.urgent
    contact.compensation_hours = preview.compensation_hours
    contact.state = preview.state
    save_versioned(contact, contact.version)
    existing.outcome = (
        Outcome.REJECTED.value if terms.reason is Reason.REJECTED else Outcome.NEW.value
    )
    existing.save()
    changes.note(desk, {Topic.CONTACTS}, contact.id)


def _outgoing(
    place: _Place,
    fetched: FetchedMessage,
    parsed: ParsedMessage,
    known: KnownAddresses,
    counts: Counts,
) -> None:
    """P27: a reply of the team in the sent folder records the contact's first response."""
    already = (
        MailMessage.select()
        .where(
            (MailMessage.direction == Direction.OUT) & (MailMessage.message_id == parsed.message_id)
        )
        .exists()
    )
    if already:
        return
    link = _link(parsed)
    decision = decide_sent(parsed.signals, team=known.team, link=link)
    contact_id = None if link is None else link.contact_id
    _row(place, fetched, parsed, decision.outcome, contact_id)
    if decision.outcome is Outcome.RESPONSE and contact_id is not None:
        record_response_seen(place.desk, contact_id, fetched.internaldate)
        counts.responses += 1


# --- the log and the mailbox's state ---------------------------------------------------------


def _log_message(
    place: _Place,
    kind: IntakeLogKind,
    parsed: ParsedMessage,
    reason: str,
    text: str,
) -> None:
    IntakeLogEntry.create(
        mailbox=place.record.id,
        mailbox_name=place.record.name,
        at=place.desk.now(),
        kind=kind,
        reason=reason[:64],
        message=text,
        problems=",".join(parsed.problem_codes),
        message_id=parsed.message_id[:998],
        sender=(parsed.from_address or parsed.from_header)[:255],
        subject=parsed.subject,
    )


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
            changes.note(desk, {Topic.CONTACTS})


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
        if counts.any:
            changes.note(desk, {Topic.CONTACTS})
