"""Small builders of valid records for tests; every field can be overridden by keyword."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan, Reason
from app.domain.states import LedgerKind
from app.store.models import Contact, Customer, LedgerEntry, Pack, Session, Technician

AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
_serial = count(1)


def technician(**fields: Any) -> Technician:
    values: dict[str, Any] = {"name": f"Técnico {next(_serial)}", "created_at": AT}
    return Technician.create(**(values | fields))


def customer(**fields: Any) -> Customer:
    values: dict[str, Any] = {"name": f"Cliente {next(_serial)}", "created_at": AT}
    return Customer.create(**(values | fields))


def contact(for_customer: Customer | None, **fields: Any) -> Contact:
    values: dict[str, Any] = {
        "customer": for_customer,
        "channel": Channel.EMAIL,
        "sender_raw": "Ana <ana@example.pt>",
        "sender_normalised": "ana@example.pt",
        "received_at": AT,
        "plan_at_receipt": Plan.STANDARD,
        "registered": True,
        "guaranteed": True,
        "deadline": datetime(2025, 3, 11, 18, 0, tzinfo=UTC),
        "reason": Reason.GUARANTEED,
        "compensation_hours": 1,
        "created_at": AT,
    }
    return Contact.create(**(values | fields))


def pack(for_customer: Customer, **fields: Any) -> Pack:
    values: dict[str, Any] = {
        "customer": for_customer,
        "kind": PackKind.UNIT,
        "minutes": 600,
        "price": Decimal("400.00"),
        "purchased_on": date(2025, 3, 10),
        "starts_on": date(2025, 3, 10),
        "valid_until": date(2026, 3, 10),
        "created_at": AT,
    }
    return Pack.create(**(values | fields))


def ledger_entry(for_pack: Pack, **fields: Any) -> LedgerEntry:
    values: dict[str, Any] = {
        "customer": for_pack.customer_id,
        "pack": for_pack,
        "kind": LedgerKind.PURCHASE,
        "minutes": for_pack.minutes,
        "created_at": AT,
    }
    return LedgerEntry.create(**(values | fields))


def session(for_customer: Customer, by: Technician, **fields: Any) -> Session:
    values: dict[str, Any] = {"customer": for_customer, "technician": by, "started_at": AT}
    return Session.create(**(values | fields))
