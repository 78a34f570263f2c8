"""Customers: what the use cases return (a record, a row of the list, a sender's match) and the
fields a record is written from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypedDict

from app.domain.contract import ContractTerms
from app.domain.sla import Plan
from app.domain.states import ContactState
from app.services.changes import Changed

#: Contacts still being worked on: waiting for a first response, or answered and not closed.
OPEN_STATES = (ContactState.OPEN, ContactState.ANSWERED)
DEFAULT_SEARCH_LIMIT = 200

NAME_MAX = 255
LONG_TEXT = 5000
PT_POSTCODE = re.compile(r"(\d{4})[\s-]?(\d{3})", re.ASCII)
SEARCH_DIGITS_MIN = 3  # shorter digit strings would match half the NIFs and phones


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
class CustomerResult(Changed):
    customer: CustomerRecord


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
