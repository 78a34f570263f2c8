"""Contacts: reading them: the queue by time left (one query, paged), the rows a change touched,
the rejected ones, a customer's, and one contact's whole record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from peewee import JOIN, Case, ModelSelect, fn

from app.domain.queue import QueueGroup
from app.domain.states import ContactState
from app.services.contacts.types import (
    DEFAULT_LIST_LIMIT,
    QUEUE_STATES,
    ContactRecord,
    ContactRow,
    missing_contact,
)
from app.services.queries import selected_or_missing
from app.store.models import CompensationGrant, Contact, Customer, Technician

# --- reading --------------------------------------------------------------------------------------


#: ContactRow's fields, in its order.
_ROW_COLUMNS = (
    Contact.id,
    Contact.version,
    Contact.customer,
    Customer.name,
    Contact.channel,
    Contact.sender_raw,
    Contact.subject,
    Contact.received_at,
    Contact.deadline,
    Contact.target,
    Contact.reason,
    Contact.urgent,
    Contact.guaranteed,
    Contact.first_response_at,
    Contact.state,
    CompensationGrant.hours,
    CompensationGrant.revoked_at,
    Contact.technician,
    Technician.name,
)


def _rows_query() -> ModelSelect[Contact]:
    """Contacts with their customer's name, their compensation and their technician's name: one
    query, three left joins."""
    return (
        Contact.select(*_ROW_COLUMNS)
        .join(Customer, JOIN.LEFT_OUTER, on=(Contact.customer == Customer.id))
        .switch(Contact)
        .join(CompensationGrant, JOIN.LEFT_OUTER, on=(CompensationGrant.contact == Contact.id))
        .switch(Contact)
        .join(Technician, JOIN.LEFT_OUTER, on=(Contact.technician == Technician.id))
    )


def _rows(query: ModelSelect[Contact]) -> tuple[ContactRow, ...]:
    rows = cast(Iterable[tuple[Any, ...]], query.tuples())
    return tuple(ContactRow(*row) for row in rows)  # _ROW_COLUMNS are its fields, in order


#: ``app.domain.queue.queue_key`` in SQL: group, due, id (``queue_group`` and ``queue_due``).
_QUEUE_ORDER = (
    Case(
        None,
        [
            (Contact.state != ContactState.OPEN, int(QueueGroup.ANSWERED)),
            (Contact.deadline.is_null() & Contact.target.is_null(), int(QueueGroup.UNTIMED)),
        ],
        int(QueueGroup.TIMED),
    ).asc(),
    fn.COALESCE(Contact.deadline, Contact.target, Contact.received_at).asc(),
    Contact.id.asc(),
)


def open_contacts(
    *,
    include_answered: bool = True,
    limit: int | None = None,
    offset: int = 0,
    technician_id: int | None = None,
) -> tuple[ContactRow, ...]:
    """The queue: contacts waiting for a first response, by time left (deadline, else indicative
    target); then those waiting with neither (SMS, WhatsApp…), oldest first; then, with
    ``include_answered``, those answered and not closed yet. Rejected contacts are never in it
    (P10a). With ``technician_id``, only that technician's ("Os meus": read through the index on
    technician and state). One query; ``limit`` and ``offset`` page it.
    """
    states = QUEUE_STATES if include_answered else (ContactState.OPEN,)
    chosen = Contact.state.in_(states)
    if technician_id is not None:
        chosen &= Contact.technician == technician_id
    query = _rows_query().where(chosen).order_by(*_QUEUE_ORDER)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return _rows(query)


def queue_rows(
    contact_ids: Iterable[int] = (), customer_ids: Iterable[int] = ()
) -> tuple[ContactRow, ...]:
    """The rows of these contacts (in whatever state), and of these customers' contacts in the
    queue or rejected, in no order: what a desk fetches when the change log says which contacts
    or customers changed, instead of the whole queue. One query, by primary key or by the
    customer's index.
    """
    contacts, customers = sorted(set(contact_ids)), sorted(set(customer_ids))
    if not contacts and not customers:
        return ()
    listed = (*QUEUE_STATES, ContactState.REJECTED)
    of_customers = Contact.customer.in_(customers) & Contact.state.in_(listed)
    if not contacts:
        return _rows(_rows_query().where(of_customers))
    chosen = Contact.id.in_(contacts)
    return _rows(_rows_query().where(chosen | of_customers if customers else chosen))


def rejected_contacts(*, limit: int = DEFAULT_LIST_LIMIT) -> tuple[ContactRow, ...]:
    """P10a: the rejected contacts, newest first, for audit."""
    # Picked through the state index first: otherwise SQLite walks every contact by receipt
    # time looking for the few rejected ones.
    rejected = Contact.select(Contact.id).where(Contact.state == ContactState.REJECTED)
    query = (
        _rows_query()
        .where(Contact.id.in_(rejected))
        .order_by(Contact.received_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return _rows(query)


def all_contacts(*, limit: int | None = None) -> tuple[ContactRow, ...]:
    """Every contact, in every state, oldest first (``balcao contacts --all``)."""
    query = _rows_query().order_by(Contact.received_at.asc(), Contact.id.asc())
    if limit is not None:
        query = query.limit(limit)
    return _rows(query)


def contacts_of_customer(
    customer_id: int, *, limit: int = DEFAULT_LIST_LIMIT
) -> tuple[ContactRow, ...]:
    """A customer's contacts, newest first, in every state."""
    query = (
        _rows_query()
        .where(Contact.customer == customer_id)
        .order_by(Contact.received_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return _rows(query)


def contact(contact_id: int) -> ContactRecord:
    """A contact's whole record: one query, its customer's name, its grant and its technician's
    name joined (each is a round trip to a team's server)."""
    query = (
        Contact.select(
            Contact,
            Customer.name.alias("customer_name"),
            CompensationGrant.id.alias("grant_id"),
            CompensationGrant.hours.alias("granted_hours"),
            CompensationGrant.revoked_at.alias("grant_revoked_at"),
            Technician.name.alias("technician_name"),
        )
        .join(Customer, JOIN.LEFT_OUTER, on=(Contact.customer == Customer.id))
        .switch(Contact)
        .join(CompensationGrant, JOIN.LEFT_OUTER, on=(CompensationGrant.contact == Contact.id))
        .switch(Contact)
        .join(Technician, JOIN.LEFT_OUTER, on=(Contact.technician == Technician.id))
        .where(Contact.id == contact_id)
        .objects()
    )
    row: Any = selected_or_missing(query, contact_id, missing_contact())
    return record_of(
        row,
        customer_name=row.customer_name,
        grant_id=row.grant_id,
        granted_hours=row.granted_hours,
        grant_revoked=row.grant_id is not None and row.grant_revoked_at is not None,
        technician_name=row.technician_name,
    )


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else at.astimezone(UTC)


def record_of(
    row: Contact,
    *,
    customer_name: str | None,
    grant_id: int | None,
    granted_hours: int | None,
    grant_revoked: bool,
    technician_name: str | None,
) -> ContactRecord:
    """The record of a contact's row and the names and grant joined to it. Every instant in UTC,
    as the database gives it back: the same record whether the row was read or just written."""
    return ContactRecord(
        id=row.id,
        version=row.version,
        customer_id=row.customer_id,
        customer_name=customer_name,
        channel=row.channel,
        sender_raw=row.sender_raw,
        sender_normalised=row.sender_normalised,
        received_at=row.received_at.astimezone(UTC),
        subject=row.subject,
        notes=row.notes,
        plan_at_receipt=row.plan_at_receipt,
        registered=row.registered,
        guaranteed=row.guaranteed,
        deadline=_utc(row.deadline),
        target=_utc(row.target),
        reason=row.reason,
        urgent=row.urgent,
        compensation_hours=row.compensation_hours,
        first_response_at=_utc(row.first_response_at),
        first_response_by_id=row.first_response_by_id,
        state=row.state,
        closed_at=_utc(row.closed_at),
        created_at=row.created_at.astimezone(UTC),
        created_by_id=row.created_by_id,
        grant_id=grant_id,
        granted_hours=granted_hours,
        grant_revoked=grant_revoked,
        technician_id=row.technician_id,
        technician_name=technician_name,
    )
