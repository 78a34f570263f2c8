"""Customers: their record (ficha), plan, contract terms (P18) and registered senders (P9).

An email address or phone number registered in a customer's record is what gives that customer's
contacts their guarantee (P9); each belongs to one customer only. Contacts keep the terms they
were received with (P19), so changing a customer's plan or contract rewrites no history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypedDict, Unpack, cast

from peewee import fn

from app.domain.contract import NO_CONTRACT, ContractTerms
from app.domain.sla import Plan
from app.domain.states import ContactState
from app.domain.validation import (
    MAX_BLOCK_MINUTES,
    MAX_BUSINESS_DAYS,
    MAX_COMPENSATION_HOURS,
    MAX_RESPONSE_MINUTES,
    ValidationError,
    normalize_email,
    normalize_nif,
    normalize_phone,
    normalize_sender,
)
from app.i18n import _, format_minutes_as_hours
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.checks import amount, check_text, day, search_text, whole
from app.services.context import Desk, use_case
from app.services.errors import InputError, NotFoundError
from app.services.queries import get_or_missing, locked_or_missing, sender_owner
from app.services.settings.calendar import company_today
from app.store.base import save_versioned
from app.store.models import Contact, Customer, CustomerEmail, CustomerPhone

#: Contacts still being worked on: waiting for a first response, or answered and not closed.
OPEN_STATES = (ContactState.OPEN, ContactState.ANSWERED)
DEFAULT_SEARCH_LIMIT = 200

_NAME_MAX = 255
_LONG_TEXT = 5000
_PT_POSTCODE = re.compile(r"(\d{4})[\s-]?(\d{3})", re.ASCII)
_SEARCH_DIGITS_MIN = 3  # shorter digit strings would match half the NIFs and phones


# --- what the services return ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredEmail:
    id: int
    email: str  # normalised
    label: str


@dataclass(frozen=True)
class RegisteredPhone:
    id: int
    number: str  # E.164
    label: str


@dataclass(frozen=True)
class CustomerRecord:
    """A customer's whole record, as the Clientes view and the dialogs show it."""

    id: int
    version: int
    name: str
    nif: str | None
    address: str
    postcode: str
    city: str
    country: str
    plan: Plan
    plan_since: date | None
    anydesk: str
    notes: str
    archived: bool
    created_at: datetime
    #: P18: the contract's own terms; each ``None`` leaves the plan's default.
    contract: ContractTerms
    emails: tuple[RegisteredEmail, ...]
    phones: tuple[RegisteredPhone, ...]


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list."""

    id: int
    name: str
    nif: str | None
    plan: Plan
    city: str
    archived: bool
    #: Contacts waiting for a first response or answered and not closed yet.
    open_contacts: int


@dataclass(frozen=True)
class CustomerResult:
    customer: CustomerRecord
    changes: Changes


@dataclass(frozen=True)
class SenderMatch:
    """Who a sender is (P9): the customer whose record registers it, if any."""

    sender: str  # as typed
    kind: Literal["email", "phone"] | None  # None: neither an email nor a phone number
    normalised: str | None
    customer_id: int | None
    customer_name: str | None
    customer_archived: bool = False

    @property
    def registered(self) -> bool:
        return self.customer_id is not None


class CustomerFields(TypedDict, total=False):
    """What ``update_customer`` may change; each key left out stays as it is. The plan changes
    through ``change_plan``, the emails and phones through their own use cases."""

    name: str
    nif: str | None  # "" or None: no NIF
    address: str
    postcode: str
    city: str
    country: str
    anydesk: str
    notes: str
    contract: ContractTerms


# --- reading --------------------------------------------------------------------------------------


def _missing() -> str:
    return _("This customer no longer exists.")


def _record_of(row: Customer) -> CustomerRecord:
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
    return _record_of(get_or_missing(Customer, customer_id, _missing()))


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
    if len(compact) >= _SEARCH_DIGITS_MIN and compact.isascii() and compact.isdigit():
        return compact
    return None


def search_customers(
    text: str = "", *, include_archived: bool = False, limit: int = DEFAULT_SEARCH_LIMIT
) -> tuple[CustomerRow, ...]:
    """Customers whose name contains ``text``, whose NIF starts with it, or with a registered
    email or phone containing it; by name, at most ``limit``. Empty ``text``: every customer.

    Two queries whatever the number of rows: the customers, then their open contacts counted.
    """
    query = Customer.select(
        Customer.id, Customer.name, Customer.nif, Customer.plan, Customer.city, Customer.archived
    )
    if not include_archived:
        query = query.where(Customer.archived == False)  # noqa: E712 -- SQL, not Python
    typed = search_text(text)
    if typed:
        matches = Customer.name.contains(typed) | Customer.id.in_(
            CustomerEmail.select(CustomerEmail.customer).where(
                CustomerEmail.email.contains(typed.lower())
            )
        )
        digits = _search_digits(typed)
        if digits is not None:
            matches |= Customer.nif.startswith(digits) | Customer.id.in_(
                CustomerPhone.select(CustomerPhone.customer).where(
                    CustomerPhone.number.contains(digits)
                )
            )
        query = query.where(matches)
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


# --- checking what is typed -----------------------------------------------------------------------


def _country(value: object) -> str:
    country = check_text("country", value, max_length=2, required=True).upper()
    if len(country) != 2 or not (country.isascii() and country.isalpha()):
        raise ValidationError("country", _("A country is its two-letter code, such as PT or ES."))
    return country


def _nif(value: object, country: str) -> str | None:
    """A Portuguese NIF checked by its check digit (P21); a foreign one is kept as typed,
    compacted, since its format is its own country's."""
    if value is None:
        return None
    text = check_text("nif", value, max_length=32)
    if not text:
        return None
    if country == "PT" or text.upper().startswith("PT"):
        return normalize_nif(text)
    return re.sub(r"[\s.\-]", "", text).upper()


def _postcode(value: object, country: str) -> str:
    text = check_text("postcode", value, max_length=16)
    if country != "PT" or not text:
        return text
    typed = _PT_POSTCODE.fullmatch(text)
    if typed is None:
        raise ValidationError(
            "postcode",
            _("A Portuguese postcode is written 1234-567, not {postcode}.").format(postcode=text),
        )
    return f"{typed[1]}-{typed[2]}"


def _plan(value: object) -> Plan:
    try:
        return Plan(str(value))
    except ValueError:
        raise ValidationError("plan", _("Unknown plan: {plan}.").format(plan=value)) from None


#: The largest value of each contract term, in its column's unit.
_TERM_MAXIMUM = {
    "next_business_days": MAX_BUSINESS_DAYS,
    "business_response_minutes": MAX_RESPONSE_MINUTES,
    "urgent_response_minutes": MAX_RESPONSE_MINUTES,
    "compensation_hours": MAX_COMPENSATION_HOURS,
    "inside_block_minutes": MAX_BLOCK_MINUTES,
    "outside_block_minutes": MAX_BLOCK_MINUTES,
}


def _term(field: str, value: int | None) -> int | None:
    """A whole-number contract term within its bound (its sign is ``ContractTerms``'s to judge)."""
    if value is None:
        return None
    shown = format_minutes_as_hours if field.endswith("_minutes") else None
    maximum = _TERM_MAXIMUM[field]
    return whole(field, value, minimum=-(2**63), maximum=maximum, shown=shown)


def _whole_minutes(duration: timedelta | None, field: str) -> int | None:
    if duration is None:
        return None
    if not isinstance(duration, timedelta) or duration % timedelta(minutes=1):
        raise ValidationError(field, _("A response time must be a whole number of minutes."))
    return _term(field, duration // timedelta(minutes=1))


def _cents(value: Decimal | None, field: str) -> Decimal | None:
    return None if value is None else amount(field, value)


def _contract_columns(contract: object) -> dict[str, Any]:
    """The Customer columns of a contract's terms (P18)."""
    if not isinstance(contract, ContractTerms):
        raise ValidationError("contract", _("Expected the contract's terms."))
    return {
        "next_business_days": _term("next_business_days", contract.next_business_days),
        "business_response_minutes": _whole_minutes(
            contract.business_response, "business_response_minutes"
        ),
        "urgent_response_minutes": _whole_minutes(
            contract.urgent_response, "urgent_response_minutes"
        ),
        "compensation_hours": _term("compensation_hours", contract.compensation_hours),
        "inside_block_minutes": _whole_minutes(contract.inside_block, "inside_block_minutes"),
        "outside_block_minutes": _whole_minutes(contract.outside_block, "outside_block_minutes"),
        "rate_inside": _cents(contract.rate_inside, "rate_inside"),
        "rate_outside": _cents(contract.rate_outside, "rate_outside"),
    }


def make_contract_terms(
    *,
    next_business_days: int | None = None,
    business_response_minutes: int | None = None,
    urgent_response_minutes: int | None = None,
    compensation_hours: int | None = None,
    inside_block_minutes: int | None = None,
    outside_block_minutes: int | None = None,
    rate_inside: Decimal | None = None,
    rate_outside: Decimal | None = None,
) -> ContractTerms:
    """Contract terms (P18) from what a form holds (minutes, hours, euros; ``None``: the plan's
    default). A refused term raises ``InputError`` naming its field."""

    def minutes(value: int | None) -> timedelta | None:
        return None if value is None else timedelta(minutes=value)

    # Each term alone first, so that a refusal names its field.
    checks: list[tuple[str, Callable[[], ContractTerms]]] = [
        (
            "next_business_days",
            lambda: ContractTerms(
                next_business_days=_term("next_business_days", next_business_days)
            ),
        ),
        (
            "business_response_minutes",
            lambda: ContractTerms(
                business_response=minutes(
                    _term("business_response_minutes", business_response_minutes)
                )
            ),
        ),
        (
            "urgent_response_minutes",
            lambda: ContractTerms(
                urgent_response=minutes(_term("urgent_response_minutes", urgent_response_minutes))
            ),
        ),
        (
            "compensation_hours",
            lambda: ContractTerms(
                compensation_hours=_term("compensation_hours", compensation_hours)
            ),
        ),
        (
            "inside_block_minutes",
            lambda: ContractTerms(
                inside_block=minutes(_term("inside_block_minutes", inside_block_minutes))
            ),
        ),
        (
            "outside_block_minutes",
            lambda: ContractTerms(
                outside_block=minutes(_term("outside_block_minutes", outside_block_minutes))
            ),
        ),
        ("rate_inside", lambda: ContractTerms(rate_inside=_cents(rate_inside, "rate_inside"))),
        ("rate_outside", lambda: ContractTerms(rate_outside=_cents(rate_outside, "rate_outside"))),
    ]
    for field, check in checks:
        try:
            check()
        except ValueError as error:  # ValidationError included
            message = error.message if isinstance(error, ValidationError) else str(error)
            raise InputError(message, field=field) from None
    return ContractTerms(
        next_business_days=next_business_days,
        business_response=minutes(business_response_minutes),
        urgent_response=minutes(urgent_response_minutes),
        compensation_hours=compensation_hours,
        inside_block=minutes(inside_block_minutes),
        outside_block=minutes(outside_block_minutes),
        rate_inside=rate_inside,
        rate_outside=rate_outside,
    )


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
    return CustomerResult(_record_of(row), noted)


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
        checked_country = _country(country)
        checked_nif = _nif(nif, checked_country)
        chosen_plan = _plan(plan)
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
            address=check_text("address", address, max_length=_LONG_TEXT, multiline=True),
            postcode=_postcode(postcode, checked_country),
            city=check_text("city", city),
            country=checked_country,
            plan=chosen_plan,
            plan_since=plan_since,
            anydesk=check_text("anydesk", anydesk, max_length=64),
            notes=check_text("notes", notes, max_length=_LONG_TEXT, multiline=True),
            created_at=desk.now(),
            **_contract_columns(contract),
        )
        for email in emails:
            _register_email(row, email, "")
        for number in phones:
            _register_phone(row, number, "")
        noted = changes.note(desk, {Topic.CUSTOMERS}, row.id)
        return CustomerResult(_record_of(row), noted)


def update_customer(
    desk: Desk, customer_id: int, version: int, **fields: Unpack[CustomerFields]
) -> CustomerResult:
    """Changes the given fields of a customer's record, if nobody saved it since ``version``."""
    unknown = set(fields) - set(CustomerFields.__annotations__)
    if unknown:
        raise TypeError(f"unknown customer fields: {', '.join(sorted(unknown))}")
    with use_case():
        row = locked_or_missing(Customer, customer_id, _missing())
        values: dict[str, Any] = dict(fields)
        country = _country(values.pop("country", row.country))
        row.country = country
        if "name" in values:
            row.name = check_text("name", values.pop("name"), required=True)
        if "nif" in values:
            row.nif = _nif(values.pop("nif"), country)
            _check_nif_free(row.nif, except_id=row.id)
        if "postcode" in values:
            row.postcode = _postcode(values.pop("postcode"), country)
        if "contract" in values:
            for column, value in _contract_columns(values.pop("contract")).items():
                setattr(row, column, value)
        limits = {"address": _LONG_TEXT, "notes": _LONG_TEXT, "anydesk": 64, "city": _NAME_MAX}
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
        row = locked_or_missing(Customer, customer_id, _missing())
        row.plan = _plan(plan)
        if row.plan is Plan.NONE:
            row.plan_since = None
        else:
            row.plan_since = company_today(desk.now()) if since is None else day("since", since)
        return _saved(desk, row, version)


def archive_customer(desk: Desk, customer_id: int, version: int) -> CustomerResult:
    """Hides the customer from the lists; everything that refers to it stays."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, _missing())
        row.archived = True
        return _saved(desk, row, version)


def unarchive_customer(desk: Desk, customer_id: int, version: int) -> CustomerResult:
    with use_case():
        row = locked_or_missing(Customer, customer_id, _missing())
        row.archived = False
        return _saved(desk, row, version)


def add_customer_email(
    desk: Desk, customer_id: int, version: int, email: str, *, label: str = ""
) -> CustomerResult:
    """Registers an email address in the customer's record (P9); one customer per address."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, _missing())
        _register_email(row, email, label)
        return _saved(desk, row, version)


def remove_customer_email(
    desk: Desk, customer_id: int, version: int, email_id: int
) -> CustomerResult:
    """Takes an email address out of the customer's record; contacts already received keep
    whether they were registered (P19)."""
    with use_case():
        row = locked_or_missing(Customer, customer_id, _missing())
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
        row = locked_or_missing(Customer, customer_id, _missing())
        _register_phone(row, number, label)
        return _saved(desk, row, version)


def remove_customer_phone(
    desk: Desk, customer_id: int, version: int, phone_id: int
) -> CustomerResult:
    with use_case():
        row = locked_or_missing(Customer, customer_id, _missing())
        removed = (
            CustomerPhone.delete()
            .where((CustomerPhone.id == phone_id) & (CustomerPhone.customer == row.id))
            .execute()
        )
        if not removed:
            raise NotFoundError(_("This phone number is no longer in the customer's record."))
        return _saved(desk, row, version)
