"""What both demos start with: an empty database, the company's settings, its technicians."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from app.demo import data
from app.domain.states import ContactState, InvoiceState
from app.i18n import _
from app.services import settings
from app.services.context import Desk
from app.store.models import (
    CompensationGrant,
    Contact,
    Customer,
    Invoice,
    LedgerEntry,
    Pack,
    Session,
    Technician,
)


class DemoRefused(Exception):
    """The demo was not written; the message (translated) says why."""


def require_empty(location: str) -> None:
    """Refuses a database that already holds customers: the demo never mixes with real data."""
    if Customer.select().exists():
        raise DemoRefused(
            _(
                "The database {location} already holds customers: the demo data only goes into "
                "a new database. Give another file."
            ).format(location=location)
        )


def set_up_company(desk: Desk) -> None:
    """The company's data and policy settings (P1, P2, P11, P16a, P21), through the settings
    use case so that every value is checked as if typed in the Definições view."""
    current = settings.settings()
    settings.update_settings(
        desk,
        current.version,
        name=data.COMPANY_NAME,
        nif=data.COMPANY_NIF,
        address=data.COMPANY_ADDRESS,
        postcode=data.COMPANY_POSTCODE,
        city=data.COMPANY_CITY,
        email=data.COMPANY_EMAIL,
        phone=data.COMPANY_PHONE,
        iban=data.COMPANY_IBAN,
        vat_rate=data.COMPANY_VAT,
        rate_inside=data.RATE_INSIDE,
        rate_outside=data.RATE_OUTSIDE,
        holiday_district=data.COMPANY_DISTRICT,
        closed_optional_days=("christmas_eve",),
        invoice_legal_mention=data.COMPANY_LEGAL_MENTION,
    )


def add_year_end_hours(desk: Desk, years: Sequence[int]) -> None:
    """P2's special hours: New Year's Eve closes at lunch (when not recorded already)."""
    taken = {exception.day for exception in settings.company_exceptions()}
    for year in years:
        day = date(year, 12, 31)
        if day not in taken:
            settings.add_company_exception(
                desk, day=day, hours=[(time(9), time(13))], note="Véspera de Ano Novo"
            )


def add_technicians(desk: Desk, names: Sequence[str]) -> list[int]:
    """The technicians by ``names``, reusing any already there. On a database without any, the
    first is named its first administrator, and she adds the others at her desk."""
    existing = {row.name.lower(): row.id for row in settings.technicians(include_inactive=True)}
    if not existing and names:
        first = settings.add_first_administrator(desk.clock, name=names[0]).technician
        existing[first.name.lower()] = first.id
        desk = Desk(desk.clock, first.id)
    ids = []
    for position, name in enumerate(names):
        found = existing.get(name.lower())
        if found is None:
            found = settings.add_technician(desk, name=name, is_admin=position == 0).technician.id
        ids.append(found)
    return ids


@dataclass(frozen=True)
class DemoSummary:
    """What a demo wrote, for the command's closing line and the tests."""

    technicians: int
    customers: int
    contacts: int
    open_contacts: int
    sessions: int
    packs: int
    ledger_entries: int
    #: Numbered documents: invoices (issued or cancelled) and credit notes.
    invoices: int
    grants: int


def count_rows() -> DemoSummary:
    return DemoSummary(
        technicians=Technician.select().count(),
        customers=Customer.select().count(),
        contacts=Contact.select().count(),
        open_contacts=Contact.select().where(Contact.state == ContactState.OPEN).count(),
        sessions=Session.select().count(),
        packs=Pack.select().count(),
        ledger_entries=LedgerEntry.select().count(),
        invoices=Invoice.select().where(Invoice.state != InvoiceState.DRAFT).count(),
        grants=CompensationGrant.select().count(),
    )
