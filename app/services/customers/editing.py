"""Customers: creating and changing a record, its plan, archiving, its registered senders (P9)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Unpack

from app.domain.contract import NO_CONTRACT, ContractTerms
from app.domain.sla import Plan
from app.domain.validation import ValidationError, normalize_email, normalize_phone
from app.i18n import _
from app.services import changes
from app.services.changes import Topic
from app.services.checks import check_text, day
from app.services.context import Desk, use_case
from app.services.customers.fields import (
    check_country,
    check_nif,
    check_plan,
    check_postcode,
    contract_columns,
)
from app.services.customers.queries import missing_customer, record_of
from app.services.customers.types import LONG_TEXT, NAME_MAX, CustomerFields, CustomerResult
from app.services.errors import NotFoundError
from app.services.queries import locked_or_missing
from app.services.settings.calendar import company_today
from app.store.base import save_versioned
from app.store.models import Customer, CustomerEmail, CustomerPhone

# --- writing --------------------------------------------------------------------------------------


def _check_nif_free(nif: str | None, except_id: int | None = None) -> None:
    if nif is None:
        return
    other = Customer.select(Customer.id, Customer.name).where(Customer.nif == nif)
    if except_id is not None:
        other = other.where(Customer.id != except_id)
    holder = other.first()
    if holder is not None:
        raise ValidationError(
            "nif",
            _("The NIF {nif} already belongs to the customer {name}.").format(
                nif=nif, name=holder.name
            ),
        )


def _register_email(row: Customer, email: str, label: str) -> None:
    address = normalize_email(check_text("email", email))
    holder = (
        Customer.select(Customer.id, Customer.name)
        .join(CustomerEmail)
        .where(CustomerEmail.email == address)
        .first()
    )
    if holder is not None:
        if holder.id == row.id:
            message = _("{email} is already registered for this customer.")
        else:
            message = _("{email} is already registered for the customer {name}.")
        raise ValidationError("email", message.format(email=address, name=holder.name))
    CustomerEmail.create(customer=row.id, email=address, label=check_text("label", label))


def _register_phone(row: Customer, number: str, label: str) -> None:
    normalised = normalize_phone(check_text("phone", number, max_length=32))
    holder = (
        Customer.select(Customer.id, Customer.name)
        .join(CustomerPhone)
        .where(CustomerPhone.number == normalised)
        .first()
    )
    if holder is not None:
        if holder.id == row.id:
            message = _("{number} is already registered for this customer.")
        else:
            message = _("{number} is already registered for the customer {name}.")
        raise ValidationError("phone", message.format(number=normalised, name=holder.name))
    CustomerPhone.create(customer=row.id, number=normalised, label=check_text("label", label))


def _saved(desk: Desk, row: Customer, version: int) -> CustomerResult:
    """Saves the customer if ``version`` is still current; notes the change."""
    save_versioned(row, version)
    noted = changes.note(desk, {Topic.CUSTOMERS}, row.id)
    return CustomerResult(record_of(row), changes=noted)


def create_customer(
    desk: Desk,
    *,
    name: str,
    nif: str | None = None,
    plan: Plan = Plan.NONE,
    plan_since: date | None = None,
    address: str = "",
    postcode: str = "",
    city: str = "",
    country: str = "PT",
    anydesk: str = "",
    notes: str = "",
    contract: ContractTerms = NO_CONTRACT,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> CustomerResult:
    """A new customer. ``plan_since`` defaults to today when there is a plan; ``emails`` and
    ``phones`` are registered at once (P9)."""
    with use_case():
        checked_country = check_country(country)
        checked_nif = check_nif(nif, checked_country)
        chosen_plan = check_plan(plan)
        if chosen_plan is Plan.NONE:
            plan_since = None
        elif plan_since is None:
            plan_since = company_today(desk.now())
        else:
            plan_since = day("plan_since", plan_since)
        _check_nif_free(checked_nif)
        row = Customer.create(
            name=check_text("name", name, required=True),
            nif=checked_nif,
            address=check_text("address", address, max_length=LONG_TEXT, multiline=True),
            postcode=check_postcode(postcode, checked_country),
            city=check_text("city", city),
            country=checked_country,
            plan=chosen_plan,
            plan_since=plan_since,
            anydesk=check_text("anydesk", anydesk, max_length=64),
            notes=check_text("notes", notes, max_length=LONG_TEXT, multiline=True),
            created_at=desk.now(),
            **contract_columns(contract),
        )
        for email in emails:
            _register_email(row, email, "")
        for number in phones:
            _register_phone(row, number, "")
        noted = changes.note(desk, {Topic.CUSTOMERS}, row.id)
        return CustomerResult(record_of(row), changes=noted)


def update_customer(
    desk: Desk, customer_id: int, version: int, **fields: Unpack[CustomerFields]
) -> CustomerResult:
    """Changes the given fields of a customer's record, if nobody saved it since ``version``."""
    unknown = set(fields) - set(CustomerFields.__annotations__)
    if unknown:
        raise TypeError(f"unknown customer fields: {', '.join(sorted(unknown))}")
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        values: dict[str, Any] = dict(fields)
        country = check_country(values.pop("country", row.country))
        row.country = country
        if "name" in values:
            row.name = check_text("name", values.pop("name"), required=True)
        if "nif" in values:
            row.nif = check_nif(values.pop("nif"), country)
            _check_nif_free(row.nif, except_id=row.id)
        if "postcode" in values:
            row.postcode = check_postcode(values.pop("postcode"), country)
        if "contract" in values:
            for column, value in contract_columns(values.pop("contract")).items():
                setattr(row, column, value)
        limits = {"address": LONG_TEXT, "notes": LONG_TEXT, "anydesk": 64, "city": NAME_MAX}
        for field, value in values.items():
            several_lines = field in ("address", "notes")
            setattr(
                row,
                field,
                check_text(field, value, max_length=limits[field], multiline=several_lines),
            )
        return _saved(desk, row, version)


def change_plan(
    desk: Desk, customer_id: int, version: int, plan: Plan, *, since: date | None = None
) -> CustomerResult:
    """Puts the customer on ``plan`` from ``since`` (default today). Contacts already received
    keep the plan and terms they were received with (P19)."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        row.plan = check_plan(plan)
        if row.plan is Plan.NONE:
            row.plan_since = None
        else:
            row.plan_since = company_today(desk.now()) if since is None else day("since", since)
        return _saved(desk, row, version)


def archive_customer(desk: Desk, customer_id: int, version: int) -> CustomerResult:
    """Hides the customer from the lists; everything that refers to it stays."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        row.archived = True
        return _saved(desk, row, version)


def unarchive_customer(desk: Desk, customer_id: int, version: int) -> CustomerResult:
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        row.archived = False
        return _saved(desk, row, version)


def add_customer_email(
    desk: Desk, customer_id: int, version: int, email: str, *, label: str = ""
) -> CustomerResult:
    """Registers an email address in the customer's record (P9); one customer per address."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        _register_email(row, email, label)
        return _saved(desk, row, version)


def remove_customer_email(
    desk: Desk, customer_id: int, version: int, email_id: int
) -> CustomerResult:
    """Takes an email address out of the customer's record; contacts already received keep
    whether they were registered (P19)."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        removed = (
            CustomerEmail.delete()
            .where((CustomerEmail.id == email_id) & (CustomerEmail.customer == row.id))
            .execute()
        )
        if not removed:
            raise NotFoundError(_("This email address is no longer in the customer's record."))
        return _saved(desk, row, version)


def add_customer_phone(
    desk: Desk, customer_id: int, version: int, number: str, *, label: str = ""
) -> CustomerResult:
    """Registers a phone number in the customer's record (P9); one customer per number."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        _register_phone(row, number, label)
        return _saved(desk, row, version)


def remove_customer_phone(
    desk: Desk, customer_id: int, version: int, phone_id: int
) -> CustomerResult:
    with use_case():
        row = locked_or_missing(Customer, customer_id, missing_customer())
        removed = (
            CustomerPhone.delete()
            .where((CustomerPhone.id == phone_id) & (CustomerPhone.customer == row.id))
            .execute()
        )
        if not removed:
            raise NotFoundError(_("This phone number is no longer in the customer's record."))
        return _saved(desk, row, version)
