"""P17: free hours for a missed guarantee, granted by the program itself, revocable by an admin.

A grant is three rows written together: a FREE pack of the contact's frozen ``compensation_hours``,
the COMPENSATION ledger entry that credits it, and the ``CompensationGrant`` that ties them to the
contact. A contact is compensated at most once: the grant's unique contact is the last word, so
two desks sweeping at the same moment grant once between them.

Revocation (decision): the free hours are taken back whole, by a REVOCATION entry that reverses
the compensation entry exactly; when some of them were already used by sessions, the revocation
is refused with a message saying how much was used, since a pack's balance never goes below zero
(P16a) and a reversing entry gives back exactly what it reverses. The grant is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN, IntegrityError, ModelSelect, fn

from app.domain.packs import PackKind
from app.domain.sla import Channel, Terms, is_breached
from app.domain.states import ContactState, LedgerKind
from app.domain.validation import ValidationError
from app.i18n import _, format_datetime, format_minutes_as_hours
from app.services import changes
from app.services.changes import Changed, Topic
from app.services.checks import check_text
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.queries import get_or_missing, locked_or_missing
from app.services.settings.calendar import company_today
from app.services.settings.technicians import require_admin
from app.services.sweep_lock import claim_sweep
from app.store.base import BaseModel, save_versioned
from app.store.database import execute_sql, is_sqlite, locking, write_transaction
from app.store.models import CompensationGrant, Contact, LedgerEntry, Pack, Technician

MINUTES_PER_HOUR = 60
_IDS_PER_QUERY = 500  # well under SQLite's limit of parameters per statement
#: Grants written per statement by the sweep: a pack's dozen columns each, under that limit too.
_GRANTS_PER_STATEMENT = 500


@dataclass(frozen=True)
class GrantRecord:
    """One compensation, with the contact that caused it."""

    id: int
    version: int
    contact_id: int
    customer_id: int
    hours: int
    granted_at: datetime
    pack_id: int
    entry_id: int
    revoked_at: datetime | None
    revoked_by_id: int | None
    revoked_by_name: str | None
    revoke_reason: str
    revocation_entry_id: int | None
    contact_channel: Channel
    contact_subject: str
    contact_received_at: datetime
    contact_deadline: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class SweepResult(Changed):
    """What a sweep granted (empty most of the time, and then nothing is noted)."""

    granted: tuple[GrantRecord, ...]


@dataclass(frozen=True)
class GrantResult(Changed):
    grant: GrantRecord


def _grants_query() -> ModelSelect[CompensationGrant]:
    return (
        CompensationGrant.select(
            CompensationGrant,
            # The joined rows' ids too: peewee sets the foreign key from the joined row.
            Contact.id,
            Contact.channel,
            Contact.subject,
            Contact.received_at,
            Contact.deadline,
            Technician.name,
        )
        .join(Contact, on=(CompensationGrant.contact == Contact.id))
        .switch(CompensationGrant)
        .join(
            Technician,
            JOIN.LEFT_OUTER,
            on=(CompensationGrant.revoked_by == Technician.id),
            attr="revoker",
        )
    )


def _grant_of(row: CompensationGrant) -> GrantRecord:
    contact = row.contact  # joined: no query
    revoker: Technician | None = getattr(row, "revoker", None)
    return GrantRecord(
        id=row.id,
        version=row.version,
        contact_id=row.contact_id,
        customer_id=row.customer_id,
        hours=row.hours,
        granted_at=row.granted_at,
        pack_id=row.pack_id,
        entry_id=row.entry_id,
        revoked_at=row.revoked_at,
        revoked_by_id=row.revoked_by_id,
        revoked_by_name=None if row.revoked_by_id is None or revoker is None else revoker.name,
        revoke_reason=row.revoke_reason,
        revocation_entry_id=row.revocation_entry_id,
        contact_channel=contact.channel,
        contact_subject=contact.subject,
        contact_received_at=contact.received_at,
        contact_deadline=contact.deadline,
    )


def _load_grant(grant_id: int) -> GrantRecord:
    row = _grants_query().where(CompensationGrant.id == grant_id).get()
    return _grant_of(row)


def grants_of_customer(customer_id: int) -> tuple[GrantRecord, ...]:
    """A customer's compensations, newest first, revoked ones included."""
    query = (
        _grants_query()
        .where(CompensationGrant.customer == customer_id)
        .order_by(CompensationGrant.granted_at.desc(), CompensationGrant.id.desc())
    )
    return tuple(_grant_of(row) for row in query)


def grant_for_contact(contact_id: int) -> GrantRecord | None:
    """The compensation a contact caused, if any."""
    row = _grants_query().where(CompensationGrant.contact == contact_id).first()
    return None if row is None else _grant_of(row)


def _frozen_terms(contact: Contact) -> Terms:
    return Terms(
        guaranteed=contact.guaranteed,
        deadline=contact.deadline,
        target=contact.target,
        reason=contact.reason,
        urgent=contact.urgent,
    )


def _granted_among(contact_ids: list[int]) -> set[int]:
    """Which of these contacts already have a grant (read after locking them: fresh)."""
    found: set[int] = set()
    for start in range(0, len(contact_ids), _IDS_PER_QUERY):
        query = CompensationGrant.select(CompensationGrant.contact).where(
            CompensationGrant.contact.in_(contact_ids[start : start + _IDS_PER_QUERY])
        )
        found.update(row.contact_id for row in query)
    return found


def _breached(contact: Contact, now: datetime) -> bool:
    """P17, decided by the domain on the contact's frozen terms."""
    return (
        contact.customer_id is not None
        and contact.compensation_hours > 0
        and contact.state is not ContactState.REJECTED
        and is_breached(_frozen_terms(contact), contact.first_response_at, now)
    )


def _grant(contact: Contact, now: datetime, today: date) -> int | None:
    """Writes the free pack, its ledger entry and the grant in a savepoint; None when another
    desk's grant of the same contact was committed first (the unique contact refuses it)."""
    minutes = contact.compensation_hours * MINUTES_PER_HOUR
    try:
        with write_transaction():  # a savepoint: a lost race undoes these three rows only
            pack = Pack.create(
                customer=contact.customer_id,
                kind=PackKind.FREE,
                minutes=minutes,
                purchased_on=today,
                starts_on=today,
                created_at=now,
            )
            entry = LedgerEntry.create(
                customer=contact.customer_id,
                pack=pack,
                kind=LedgerKind.COMPENSATION,
                minutes=minutes,
                contact=contact.id,
                created_at=now,
            )
            grant = CompensationGrant.create(
                contact=contact.id,
                customer=contact.customer_id,
                hours=contact.compensation_hours,
                granted_at=now,
                pack=pack,
                entry=entry,
            )
    except IntegrityError:
        return None
    return int(grant.id)


def _new_ids(model: type[BaseModel], count: int) -> list[int]:
    """``count`` ids for new rows of ``model``, taken before the rows are written so that a
    grant's three rows can name each other: from the table's sequence on PostgreSQL (other desks
    may take ids meanwhile: these are still this desk's), on SQLite the next ones after the
    largest, as SQLite would give them (the write lock is held: nobody else inserts)."""
    table = model._meta.table_name
    if is_sqlite():
        largest = model.select(fn.COALESCE(fn.MAX(model._meta.primary_key), 0)).scalar()
        return list(range(int(largest) + 1, int(largest) + 1 + count))
    cursor = execute_sql(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table, count),
    )
    return sorted(int(row[0]) for row in cursor.fetchall())


def _grant_many(contacts: list[Contact], now: datetime, today: date) -> dict[int, int]:
    """The grants of these contacts (none granted yet, checked under their locks), written three
    statements a few hundred grants at a time instead of three rows and a savepoint each: the
    same rows as ``_grant``'s, in the same order. The contact's grant id, by contact id."""
    granted: dict[int, int] = {}
    for start in range(0, len(contacts), _GRANTS_PER_STATEMENT):
        chunk = contacts[start : start + _GRANTS_PER_STATEMENT]
        pack_ids = _new_ids(Pack, len(chunk))
        entry_ids = _new_ids(LedgerEntry, len(chunk))
        grant_ids = _new_ids(CompensationGrant, len(chunk))
        minutes = [contact.compensation_hours * MINUTES_PER_HOUR for contact in chunk]
        Pack.insert_many(
            {
                Pack.id: pack_id,
                Pack.customer: contact.customer_id,
                Pack.kind: PackKind.FREE,
                Pack.minutes: given,
                Pack.purchased_on: today,
                Pack.starts_on: today,
                Pack.created_at: now,
            }
            for contact, pack_id, given in zip(chunk, pack_ids, minutes, strict=True)
        ).execute()
        LedgerEntry.insert_many(
            {
                LedgerEntry.id: entry_id,
                LedgerEntry.customer: contact.customer_id,
                LedgerEntry.pack: pack_id,
                LedgerEntry.kind: LedgerKind.COMPENSATION,
                LedgerEntry.minutes: given,
                LedgerEntry.contact: contact.id,
                LedgerEntry.created_at: now,
            }
            for contact, pack_id, entry_id, given in zip(
                chunk, pack_ids, entry_ids, minutes, strict=True
            )
        ).execute()
        CompensationGrant.insert_many(
            {
                CompensationGrant.id: grant_id,
                CompensationGrant.contact: contact.id,
                CompensationGrant.customer: contact.customer_id,
                CompensationGrant.hours: contact.compensation_hours,
                CompensationGrant.granted_at: now,
                CompensationGrant.pack: pack_id,
                CompensationGrant.entry: entry_id,
            }
            for contact, pack_id, entry_id, grant_id in zip(
                chunk, pack_ids, entry_ids, grant_ids, strict=True
            )
        ).execute()
        granted.update(
            (contact.id, grant_id) for contact, grant_id in zip(chunk, grant_ids, strict=True)
        )
    return granted


def grant_if_breached(desk: Desk, contact_id: int, locked: Contact | None = None) -> int | None:
    """Grants the contact's free hours if its guarantee was missed and it has no grant yet (P17);
    the new grant's id, or None. Call it inside a use case, after recording a response: it locks
    the contact, and a grant made meanwhile by another desk is no error. ``locked``: the
    contact's row as this use case locked (or created) and saved it: one query fewer."""
    contact = (
        locking(Contact.select().where(Contact.id == contact_id)).first()
        if locked is None
        else locked
    )
    now = desk.now()
    if contact is None or not _breached(contact, now) or _granted_among([contact.id]):
        return None
    return _grant(contact, now, company_today(now))


def _candidates(now: datetime, *, thorough: bool) -> ModelSelect[Contact]:
    """Contacts that may have missed their guarantee and have no grant: a pre-filter only.

    Every minute: the open ones, through the (state, deadline) index. Thorough: every state but
    rejected, through the index of the contacts answered late or not at all (migration 4), whose
    condition the query repeats word for word so that SQLite can use it.
    """
    if thorough:
        state = Contact.state != ContactState.REJECTED
    else:
        state = Contact.state == ContactState.OPEN
    return Contact.select().where(
        state
        & (Contact.deadline < now)
        & (Contact.guaranteed == True)  # noqa: E712 -- SQL, not Python
        & (Contact.compensation_hours > 0)
        & Contact.customer.is_null(False)
        & (Contact.first_response_at.is_null() | (Contact.first_response_at > Contact.deadline))
        & Contact.id.not_in(CompensationGrant.select(CompensationGrant.contact))
    )


def sweep_breaches(desk: Desk, *, thorough: bool = False) -> SweepResult:
    """Grants the free hours of every contact whose guarantee was missed (P17), including
    deadlines that passed while the program was closed. Idempotent, and safe with several desks
    sweeping at once; the query only picks candidates, the domain decides each breach.

    By default it looks at the contacts still waiting for their first response, through the
    (state, deadline) index: run it every minute. A response recorded late grants at once
    (``contacts.record_first_response``), so answered contacts need no sweeping; ``thorough``
    (run it at start) looks at answered and closed ones too, whatever wrote them.
    """
    now = desk.now()
    if not _candidates(now, thorough=thorough).exists():
        return SweepResult(())  # the usual case: no write lock taken
    with use_case():
        if not claim_sweep():
            return SweepResult(())  # another desk is sweeping: it grants them
        candidates = list(
            locking(
                # The same order at every desk: no deadlock between their locks.
                _candidates(now, thorough=thorough).order_by(Contact.id)
            )
        )
        if not candidates:
            return SweepResult(())
        # Another desk may have granted some while this one waited for their locks.
        already = _granted_among([contact.id for contact in candidates])
        today = company_today(now)
        due = [c for c in candidates if c.id not in already and _breached(c, now)]
        granted_to = _grant_many(due, now, today)
        granted = list(granted_to.values())
        if not granted:
            return SweepResult(())
        # The contacts that changed (their rows show the grant); balances changed wholesale.
        noted = changes.note(desk, {Topic.CONTACTS, Topic.PACKS}, record_ids=granted_to)
        query = _grants_query().where(CompensationGrant.id.in_(granted))
        return SweepResult(
            tuple(_grant_of(row) for row in query.order_by(CompensationGrant.id)), changes=noted
        )


def _grant_missing() -> str:
    return _("This compensation no longer exists.")


def revoke_grant(
    desk: Desk, grant_id: int, reason: str, *, version: int | None = None
) -> GrantResult:
    """An administrator takes back a compensation, with a written reason (P17).

    The free hours go back by a reversing ledger entry; the grant stays, marked revoked. Refused
    when the hours were partly used (see the module's docstring) or the grant is already revoked.
    ``version``, if given, is the grant's version the administrator saw.
    """
    with use_case():
        require_admin(desk)
        text = check_text("reason", reason, max_length=5000, multiline=True)
        if not text:
            raise ValidationError("reason", _("Write why the compensation is revoked."))
        grant = locked_or_missing(CompensationGrant, grant_id, _grant_missing())
        if grant.revoked_at is not None:
            raise RuleError(
                _("This compensation was already revoked on {when}.").format(
                    when=format_datetime(grant.revoked_at)
                )
            )
        locked_or_missing(Pack, grant.pack_id, _grant_missing())  # against a session drawing
        granted = get_or_missing(LedgerEntry, grant.entry_id, _grant_missing()).minutes
        balance = int(
            LedgerEntry.select(fn.SUM(LedgerEntry.minutes))
            .where(LedgerEntry.pack == grant.pack_id)
            .scalar()
            or 0
        )
        if balance < granted:
            raise RuleError(
                _(
                    "{used} of these free hours were already used in sessions: the compensation "
                    "can no longer be revoked."
                ).format(used=format_minutes_as_hours(granted - balance))
            )
        now = desk.now()
        revocation = LedgerEntry.create(
            customer=grant.customer_id,
            pack=grant.pack_id,
            kind=LedgerKind.REVOCATION,
            minutes=-granted,
            contact=grant.contact_id,
            reverses=grant.entry_id,
            reason=text,
            created_at=now,
            created_by=desk.technician_id,
        )
        grant.revoked_at = now
        grant.revoked_by_id = desk.technician_id
        grant.revoke_reason = text
        grant.revocation_entry = revocation
        save_versioned(grant, grant.version if version is None else version)
        noted = changes.note(desk, {Topic.CONTACTS, Topic.PACKS}, grant.contact_id)
        return GrantResult(_load_grant(grant.id), changes=noted)
