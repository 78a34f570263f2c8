"""Two desks at once on one database (P16a, P20): real processes, not threads.

Each desk times sessions for the same customer, paid from the same unit pack, and after each one
drafts and issues the day's invoice. Whatever the interleaving, invoice numbers are unique and
gapless, the pack is never overdrawn, every billed minute is either paid by the pack or invoiced
exactly once, and every ledger entry is accounted for. Runs on SQLite, and on PostgreSQL with
``BALCAO_TEST_PG``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from peewee import fn

from app.clock import ManualClock
from app.domain.states import InvoiceKind, InvoiceState, LedgerKind, SessionState
from app.services import invoices
from app.services.context import Desk
from app.store.models import Customer, Invoice, InvoiceLine, LedgerEntry, Session
from tests.services.b_fixtures import company, customer, lisbon, pack_total, sell_unit
from tests.store import factories

__all__ = ["company", "customer"]

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PER_DESK = 20
PACK_MINUTES = 300  # half of what the 2 × 20 sessions of 15 billed minutes need
BILLED_PER_SESSION = 15


def race(location: str, technician_id: int, customer_id: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.services.b_worker",
            "race",
            location,
            str(technician_id),
            str(customer_id),
            lisbon(2025, 3, 10, 9).isoformat(),
            str(PER_DESK),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_desks(location: str, customer_id: int) -> list[dict[str, Any]]:
    """Two desks, released together once both are ready; what each reports."""
    desks = [race(location, factories.technician().id, customer_id) for _ in range(2)]
    for desk in desks:
        assert desk.stdout is not None and desk.stdout.readline().strip() == "ready"
    for desk in desks:
        assert desk.stdin is not None
        desk.stdin.write("go\n")
        desk.stdin.flush()
    reports = []
    for desk in desks:
        out, errors = desk.communicate(timeout=120)
        assert desk.returncode == 0, errors
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def test_two_desks_stopping_sessions_and_issuing_invoices_at_once(
    db_location: str, desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, PACK_MINUTES)
    reports = run_desks(db_location, customer.id)

    # Whatever a desk left uninvoiced (its last draft lost a race) is invoiced now.
    clock.set(lisbon(2025, 3, 10, 18))
    last = invoices.draft_invoice(
        desk,
        customer_id=customer.id,
        period_start=clock.now().date(),
        period_end=clock.now().date(),
    )
    numbers = [number for report in reports for number in report["issued"]]
    if last.lines:
        numbers.append(invoices.issue_invoice(desk, last.id, last.version).number_text)
    else:
        invoices.delete_draft(desk, last.id, last.version)

    # Invoice numbers: unique and gapless.
    issued = Invoice.select().where(
        (Invoice.kind == InvoiceKind.INVOICE) & (Invoice.state == InvoiceState.ISSUED)
    )
    assert sorted(i.number for i in issued) == list(range(1, len(numbers) + 1))
    assert sorted(numbers) == sorted(f"FT 2025/{n}" for n in range(1, len(numbers) + 1))

    # Sessions: all billed alike; the pack paid exactly what it had, never more.
    stopped = list(Session.select().where(Session.state == SessionState.STOPPED))
    assert len(stopped) == 2 * PER_DESK
    assert sorted(s.id for s in stopped) == sorted(i for r in reports for i in r["stopped"])
    assert {s.inside_billed_minutes for s in stopped} == {BILLED_PER_SESSION}
    consumed = Counter[int]()
    for entry in LedgerEntry.select().where(LedgerEntry.kind == LedgerKind.CONSUMPTION):
        assert entry.session_id is not None and entry.pack_id == unit
        consumed[entry.session_id] -= entry.minutes
    for session in stopped:
        assert consumed[session.id] + session.uncovered_inside_minutes == BILLED_PER_SESSION
    assert sum(consumed.values()) == PACK_MINUTES
    assert pack_total(unit) == 0
    running = 0
    for entry in LedgerEntry.select().order_by(LedgerEntry.id):
        running += entry.minutes
        assert running >= 0
    kinds = Counter(e.kind for e in LedgerEntry.select())
    assert kinds == {LedgerKind.PURCHASE: 1, LedgerKind.CONSUMPTION: len(consumed)}

    # Every uncovered minute on exactly one issued invoice; the pack invoiced once.
    lines = list(
        InvoiceLine.select(InvoiceLine, Invoice.id)
        .join(Invoice)
        .where((Invoice.kind == InvoiceKind.INVOICE) & (Invoice.state == InvoiceState.ISSUED))
    )
    invoiced = Counter[int]()
    for line in lines:
        if line.session_id is not None:
            invoiced[line.session_id] += line.minutes
    for session in stopped:
        assert invoiced[session.id] == session.uncovered_inside_minutes
        assert (session.invoice_id is None) == (session.uncovered_inside_minutes == 0)
    assert sum(invoiced.values()) == 2 * PER_DESK * BILLED_PER_SESSION - PACK_MINUTES
    assert [line.pack_id for line in lines if line.pack_id is not None] == [unit]
    on_invoice = Invoice.select(fn.COUNT(Invoice.id)).where(Invoice.state == InvoiceState.DRAFT)
    assert on_invoice.scalar() == 0  # every losing draft was deleted
