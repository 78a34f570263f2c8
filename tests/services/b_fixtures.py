"""Fixtures and helpers of the session, pack and invoice tests (the desks and the clock come from
``conftest.py``): a company ready to invoice, a customer, and short ways to time a session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from peewee import Database, fn

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.sla import Plan
from app.services import packs, sessions
from app.services.context import Desk
from app.services.sessions import SessionRecord
from app.store.models import CompanySettings, Customer, LedgerEntry

LISBON = ZoneInfo("Europe/Lisbon")
COMPANY_NIF = "501964843"
CUSTOMER_NIF = "123456789"
RATE_INSIDE = Decimal("40.00")
RATE_OUTSIDE = Decimal("60.00")


def lisbon(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Lisbon wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=LISBON).astimezone(UTC)


@pytest.fixture
def company(database: Database) -> CompanySettings:
    """The company's data filled in, hourly rates 40 € inside and 60 € outside business hours."""
    settings = CompanySettings.current()
    settings.name = "Webplug, Lda."
    settings.nif = COMPANY_NIF
    settings.address = "Rua do Ouro, 10"
    settings.postcode = "1100-060"
    settings.city = "Lisboa"
    settings.iban = "PT50000201231234567890154"
    settings.rate_inside = RATE_INSIDE
    settings.rate_outside = RATE_OUTSIDE
    settings.invoice_legal_mention = "Capital social 5 000 €."
    settings.save()
    return settings


@pytest.fixture
def customer(company: CompanySettings) -> Customer:
    return Customer.create(
        name="Padaria Central",
        nif=CUSTOMER_NIF,
        address="Rua Direita, 1",
        postcode="3000-001",
        city="Coimbra",
        plan=Plan.STANDARD,
        created_at=datetime(2025, 1, 2, tzinfo=UTC),
    )


def timed(
    desk: Desk, clock: ManualClock, customer_id: int, start: datetime, minutes: float
) -> SessionRecord:
    """A session timed from ``start`` for ``minutes`` and stopped."""
    clock.set(start)
    started = sessions.start_session(desk, customer_id=customer_id)
    clock.advance(timedelta(minutes=minutes))
    return sessions.stop_session(desk, started.id, started.version)


def sell_unit(
    desk: Desk, customer_id: int, minutes: int, on: date | None = None, price: str = "400.00"
) -> int:
    sold = packs.sell_pack(
        desk,
        customer_id=customer_id,
        kind=PackKind.UNIT,
        minutes=minutes,
        price=Decimal(price),
        purchased_on=on,
    )
    return sold.pack.id


def pack_total(pack_id: int) -> int:
    """The sum of every ledger entry of a pack."""
    return int(
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.minutes), 0))
        .where(LedgerEntry.pack == pack_id)
        .scalar()
    )


def entry_count() -> int:
    return int(LedgerEntry.select().count())
