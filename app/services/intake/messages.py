"""One message taken from a folder, inside the transaction ``fetch`` opens for it (P23–P28).

An incoming message is set aside (P26), joins or reopens its contact (P25), is a copy of one
already taken (P24: one contact, on the best channel, at the earliest INTERNALDATE), or becomes
a new contact registered by ``register_contact`` (P19). A message of the sent folder may be the
team's response (P27). Every message gets its row in ``mail_message``, whose unique keys refuse
a second taking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
from app.domain.states import ContactState, Direction, IntakeLogKind
from app.i18n import _, format_datetime
from app.intake.imap import FetchedMessage
from app.intake.parse import ParsedMessage, Problem
from app.services import changes
from app.services.changes import Topic
from app.services.contacts import preview_contact_terms, record_response_seen, register_contact
from app.services.context import Desk
from app.services.intake.addresses import KnownAddresses
from app.services.intake.mailboxes import (
    MailboxRecord,
)
from app.services.queries import sender_owner
from app.services.settings import business_calendar
from app.store.base import save_versioned
from app.store.models import Contact, Customer, IntakeLogEntry, MailboxFolder, MailMessage

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
class Place:
    """Where the messages of one folder pass come from, and who is taking them."""

    desk: Desk
    record: MailboxRecord
    holder: str
    folder_id: int
    folder: str
    direction: Direction
    uidvalidity: int


def taken(place: Place, uid: int) -> bool:
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


def advance(place: Place, uid: int) -> None:
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
    place: Place,
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


def take_incoming(
    place: Place,
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
        log_message(place, IntakeLogKind.UNREADABLE, parsed, "problems", "")
    if decision.outcome is Outcome.IGNORED or sender is None:
        _row(place, fetched, parsed, Outcome.IGNORED, None)
        reason = decision.ignored.value if decision.ignored is not None else Problem.MISSING_FROM
        text = (
            ignore_reason_text(decision.ignored)
            if decision.ignored is not None
            else _("The message has no sender address.")
        )
        log_message(place, IntakeLogKind.IGNORED, parsed, str(reason), text)
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


def take_outgoing(
    place: Place,
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


def log_message(
    place: Place,
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
