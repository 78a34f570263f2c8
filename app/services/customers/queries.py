"""Customers: reading them: one record, a search, who a sender is (P9), open contact counts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import cast

from peewee import SQL, Expression, NodeList, Value, fn

from app.domain.validation import ValidationError, normalize_sender
from app.i18n import _
from app.services.checks import search_text
from app.services.customers.types import (
    DEFAULT_SEARCH_LIMIT,
    OPEN_STATES,
    SEARCH_DIGITS_MIN,
    CustomerRecord,
    CustomerRow,
    RegisteredEmail,
    RegisteredPhone,
    SenderMatch,
)
from app.services.queries import get_or_missing, sender_owner
from app.store.models import Contact, Customer, CustomerEmail, CustomerPhone

# --- reading --------------------------------------------------------------------------------------


def missing_customer() -> str:
    return _("This customer no longer exists.")


def record_of(row: Customer) -> CustomerRecord:
    emails = (
        CustomerEmail.select().where(CustomerEmail.customer == row.id).order_by(CustomerEmail.id)
    )
    phones = (
        CustomerPhone.select().where(CustomerPhone.customer == row.id).order_by(CustomerPhone.id)
    )
    return CustomerRecord(
        id=row.id,
        version=row.version,
        name=row.name,
        nif=row.nif,
        address=row.address,
        postcode=row.postcode,
        city=row.city,
        country=row.country,
        plan=row.plan,
        plan_since=row.plan_since,
        anydesk=row.anydesk,
        notes=row.notes,
        archived=row.archived,
        created_at=row.created_at,
        contract=row.contract_terms(),
        emails=tuple(RegisteredEmail(e.id, e.email, e.label) for e in emails),
        phones=tuple(RegisteredPhone(p.id, p.number, p.label) for p in phones),
    )


def customer(customer_id: int) -> CustomerRecord:
    """A customer's record, with its registered emails and phones and its contract terms."""
    return record_of(get_or_missing(Customer, customer_id, missing_customer()))


def find_customer_by_sender(text: str) -> SenderMatch:
    """The customer whose record registers ``text`` ("Ana <ana@loja.pt>", "912 345 678"), P9.

    A sender that is neither an email address nor a phone number matches nobody.
    """
    try:
        kind, normalised = normalize_sender(text)
    except ValidationError:
        return SenderMatch(text, None, None, None, None)
    owner_id = sender_owner(kind, normalised)
    owner = None if owner_id is None else Customer.get_by_id(owner_id)
    return SenderMatch(
        sender=text,
        kind=kind,
        normalised=normalised,
        customer_id=owner_id,
        customer_name=None if owner is None else owner.name,
        customer_archived=False if owner is None else owner.archived,
    )


def _search_digits(text: str) -> str | None:
    """The digits of a NIF or phone number typed with spaces, dots, dashes, "+" or "PT"."""
    compact = re.sub(r"[\s.\-+/()]", "", text)
    compact = compact.removeprefix("PT").removeprefix("pt")
    if len(compact) >= SEARCH_DIGITS_MIN and compact.isascii() and compact.isdigit():
        return compact
    return None


def _email_contains(text: str) -> NodeList:
    """Registered emails containing ``text``. They are stored in lower case, so a plain LIKE of
    the lower-cased text finds them: PostgreSQL's ILIKE folds the case of every email read (four
    times slower on 16,000 of them); SQLite's LIKE ignores ASCII case anyway. Written out: peewee
    turns its own LIKE into GLOB on SQLite, and its ``contains`` into ILIKE."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return NodeList(
        (
            CustomerEmail.email,
            SQL("LIKE"),
            Value(f"%{escaped}%", converter=False),
            SQL("ESCAPE"),
            Value("\\", converter=False),
        )
    )


#: A trigram index serves a text of at least three letters.
TRIGRAM_LENGTH = 3


def _matching(typed: str) -> Expression:
    """The customers ``search_customers`` finds for ``typed`` (not empty)."""
    emails = CustomerEmail.select(CustomerEmail.customer).where(_email_contains(typed))
    if len(typed) < TRIGRAM_LENGTH:
        # Most customers match a letter or two: reading the names in order and stopping at the
        # limit is quickest (no index finds so short a text inside a name).
        return Customer.name.contains(typed) | Customer.id.in_(emails)
    # One select per column, joined by UNION, rather than one WHERE with OR: each part can be
    # read along its own index (PostgreSQL's trigram indexes, migration 15), where the OR with a
    # subquery read every name and every email at each keystroke.
    matches = Customer.select(Customer.id).where(Customer.name.contains(typed)) | emails
    digits = _search_digits(typed)
    if digits is not None:
        matches = (
            matches
            | Customer.select(Customer.id).where(Customer.nif.startswith(digits))
            | CustomerPhone.select(CustomerPhone.customer).where(
                CustomerPhone.number.contains(digits)
            )
        )
    return Customer.id.in_(matches)


def search_customers(
    text: str = "", *, include_archived: bool = False, limit: int = DEFAULT_SEARCH_LIMIT
) -> tuple[CustomerRow, ...]:
    """Customers whose name contains ``text``, whose NIF starts with it, or with a registered
    email or phone containing it; by name, at most ``limit``. Empty ``text``: every customer.

    Two queries whatever the number of rows: the customers, then their open contacts counted.

    The order (issue 15, documented rather than made to agree): the database orders by name in
    its own collation (SQLite: by code point, so "Ótica" after "Zé"; PostgreSQL: its locale's)
    only to choose which ``limit`` customers come; the window sorts what it shows by the pt_PT
    collation (``ui.table_model.Collated``: accents and case ignored, numbers by value). Below
    ``limit`` the two never disagree on what is listed; at the limit the window says to narrow
    the search, which lists the rest.
    """
    query = Customer.select(
        Customer.id, Customer.name, Customer.nif, Customer.plan, Customer.city, Customer.archived
    )
    if not include_archived:
        query = query.where(Customer.archived == False)  # noqa: E712 -- SQL, not Python
    typed = search_text(text)
    if typed:
        query = query.where(_matching(typed))
    rows = list(query.order_by(Customer.name, Customer.id).limit(limit))
    counts = open_contact_counts([row.id for row in rows])
    return tuple(
        CustomerRow(
            id=row.id,
            name=row.name,
            nif=row.nif,
            plan=row.plan,
            city=row.city,
            archived=row.archived,
            open_contacts=counts.get(row.id, 0),
        )
        for row in rows
    )


def open_contact_counts(customer_ids: Iterable[int]) -> Mapping[int, int]:
    """How many open contacts each of these customers has (one query; absent = none)."""
    wanted = list(customer_ids)
    if not wanted:
        return {}
    query = (
        Contact.select(Contact.customer, fn.COUNT(Contact.id))
        .where(Contact.customer.in_(wanted) & Contact.state.in_(OPEN_STATES))
        .group_by(Contact.customer)
        .tuples()
    )
    return {int(owner): int(number) for owner, number in cast(Iterable[tuple[int, int]], query)}
