"""Read helpers the use cases share: a record by id or a clear "not found", who owns a sender,
the terms a contact was received with, and sessions with the names their lists show.

Internal to ``app.services``: they return peewee rows, which never leave the services.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, TypeVar

from peewee import JOIN, ModelSelect

from app.domain.sla import Terms
from app.i18n import _
from app.services.errors import NotFoundError
from app.store.base import BaseModel
from app.store.database import locking
from app.store.models import (
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Invoice,
    Session,
    Technician,
)

_M = TypeVar("_M", bound=BaseModel)

SenderKind = Literal["email", "phone"]


#: Ids are positive 64-bit integers: a larger one (typed on the command line, say) names no row,
#: and would overflow the driver rather than miss.
_MAX_ID = 2**63 - 1


def _possible_id(record_id: object, missing: str) -> None:
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        raise NotFoundError(missing)
    if not 0 < record_id <= _MAX_ID:
        raise NotFoundError(missing)


def get_or_missing(model: type[_M], record_id: int, missing: str) -> _M:
    """The row ``record_id`` of ``model``, or ``NotFoundError(missing)``."""
    _possible_id(record_id, missing)
    row: _M | None = model.get_or_none(model.id == record_id)
    if row is None:
        raise NotFoundError(missing)
    return row


def selected_or_missing(query: ModelSelect[_M], record_id: int, missing: str) -> _M:
    """The row ``query`` selects (the record ``record_id``, with whatever it joins), or
    ``NotFoundError(missing)``: ``get_or_missing`` with the joins, in one query."""
    _possible_id(record_id, missing)
    row: _M | None = query.first()
    if row is None:
        raise NotFoundError(missing)
    return row


def locked_or_missing(model: type[_M], record_id: int, missing: str) -> _M:
    """Like ``get_or_missing``, locked until the transaction ends (call inside ``use_case``)."""
    _possible_id(record_id, missing)
    row: _M | None = locking(model.select().where(model.id == record_id)).first()
    if row is None:
        raise NotFoundError(missing)
    return row


def sender_owner(kind: SenderKind, normalised: str) -> int | None:
    """The customer whose record registers this email or phone (P9), if any."""
    if kind == "email":
        found = (
            CustomerEmail.select(CustomerEmail.customer)
            .where(CustomerEmail.email == normalised)
            .scalar()
        )
    else:
        found = (
            CustomerPhone.select(CustomerPhone.customer)
            .where(CustomerPhone.number == normalised)
            .scalar()
        )
    return None if found is None else int(found)


def sender_owner_row(kind: SenderKind, normalised: str) -> Customer | None:
    """``sender_owner``'s customer, its whole row: one query for both."""
    found: Customer | None
    if kind == "email":
        on = CustomerEmail.customer == Customer.id
        chosen = CustomerEmail.email == normalised
        found = Customer.select().join(CustomerEmail, on=on).where(chosen).first()
    else:
        on = CustomerPhone.customer == Customer.id
        chosen = CustomerPhone.number == normalised
        found = Customer.select().join(CustomerPhone, on=on).where(chosen).first()
    return found


def frozen_terms(contact: Any) -> Terms:
    """The response terms a contact was received with (P19): from its stored row, or from a
    record of the services that carries the same fields."""
    return Terms(
        contact.guaranteed, contact.deadline, contact.target, contact.reason, contact.urgent
    )


def sessions_with_names() -> ModelSelect[Session]:
    """Sessions, each with the names a list of them shows (``customer_name``, ``customer_nif``,
    ``technician_name``, ``contact_subject``, and ``invoice_series``, ``invoice_year``,
    ``invoice_no`` once invoiced): add the condition and the order."""
    return (
        Session.select(
            Session,
            Customer.name.alias("customer_name"),
            Customer.nif.alias("customer_nif"),
            Technician.name.alias("technician_name"),
            Contact.subject.alias("contact_subject"),
            Invoice.series.alias("invoice_series"),
            Invoice.year.alias("invoice_year"),
            Invoice.number.alias("invoice_no"),
        )
        .join(Customer, on=Session.customer == Customer.id)
        .switch(Session)
        .join(Technician, on=Session.technician == Technician.id)
        .switch(Session)
        .join(Contact, JOIN.LEFT_OUTER, on=Session.contact == Contact.id)
        .switch(Session)
        .join(Invoice, JOIN.LEFT_OUTER, on=Session.invoice == Invoice.id)
    )


def rows_of(query: Any) -> Iterator[Any]:
    """The rows of a query that selects more than its model's columns (aliases, aggregates)."""
    yield from query


def customer_row(customer_id: int) -> Customer:
    """The customer's row, or ``NotFoundError`` (for the use cases of packs, sessions, invoices)."""
    return get_or_missing(
        Customer, customer_id, _("The customer {id} does not exist.").format(id=customer_id)
    )
