"""The benchmark generator (``balcao demo --size large``), scaled down to 1/100.

It writes in bulk, not through the use cases, so these tests check what it wrote against the
services: the balances, billed time, draws, terms, grants and invoices the services' own read
models and use cases give on the same database must be what the build computed and stored.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from peewee import fn

from app.clock import ManualClock
from app.demo.large import LargeBuild, build_large_demo
from app.domain.billing import active_time
from app.domain.invoice import InvoiceLine, totals
from app.domain.packs import PackKind, allocate
from app.domain.sla import Channel, is_breached, response_terms
from app.domain.states import ContactState, InvoiceKind, InvoiceState, LedgerKind, SessionState
from app.services import compensation, contacts, customers, invoices, packs, sessions, settings
from app.services.context import Desk
from app.services.housekeeping import run_sweeps
from app.store.database import close_database, open_database
from app.store.models import (
    Contact,
    Invoice,
    InvoiceCounter,
    LedgerEntry,
    Session,
    SessionInterval,
    Technician,
)
from tests.services.conftest import database_state
from tests.store.fixtures import fresh_location

LISBON = ZoneInfo("Europe/Lisbon")
#: A Wednesday mid-morning in Lisbon: the build's "now".
NOW = datetime(2025, 3, 12, 10, 30, tzinfo=LISBON).astimezone(UTC)
TODAY = NOW.astimezone(LISBON).date()
SCALE = 0.01


def _quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LargeBuild]]:
    """The benchmark database at 1/100 of its size, ending at ``NOW``, read by the tests."""
    with fresh_location(tmp_path_factory.mktemp("large")) as location:
        open_database(location, clock=ManualClock(NOW))
        try:
            build = build_large_demo(location, NOW, _quiet, scale=SCALE)
        finally:
            close_database()
        yield location, build


@pytest.fixture
def large_db(large: tuple[str, LargeBuild]) -> Iterator[LargeBuild]:
    open_database(large[0], clock=ManualClock(NOW))
    yield large[1]
    close_database()


def _sample(items: list[int], count: int) -> list[int]:
    return sorted(random.Random(7).sample(items, min(count, len(items))))


# --- its shape ------------------------------------------------------------------------------------


def test_large_demo_has_the_benchmark_shape(large_db: LargeBuild) -> None:
    summary = large_db.summary
    assert summary.customers == 100
    assert summary.contacts == 2_000
    assert 90 <= summary.open_contacts <= 130  # a few of the waiting ones were rejected
    assert 2_900 <= summary.sessions <= 3_100
    # About a million entries at full size: a few per session and per subscriber-month.
    assert 7_000 <= summary.ledger_entries <= 13_000
    assert summary.invoices > 0 and summary.grants > 0
    kinds = {row.kind for row in LedgerEntry.select(LedgerEntry.kind).distinct()}
    assert kinds == set(LedgerKind)  # every movement, reversals and revocations too


def test_large_demo_no_technician_times_two_sessions_at_once(large_db: LargeBuild) -> None:
    by_technician: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    query = SessionInterval.select(
        SessionInterval.started_at, SessionInterval.ended_at, Session.technician.alias("by")
    ).join(Session)
    for row in query.objects():
        by_technician[row.by].append((row.started_at, row.ended_at))
    for spans in by_technician.values():
        spans.sort()
        assert all(later[0] >= earlier[1] for earlier, later in pairwise(spans))
    assert Session.select().where(Session.state == SessionState.RUNNING).count() == 0


# --- packs and the ledger (P14–P16a) --------------------------------------------------------------


def test_large_demo_leaves_nothing_for_the_sweeps(large_db: LargeBuild) -> None:
    """Every grant, allotment and expiry the window would record at start is there already."""
    before = database_state()
    assert not run_sweeps(Desk(ManualClock(NOW)), thorough=True)
    assert database_state() == before


def test_p16a_large_demo_balances_are_the_services_balances(large_db: LargeBuild) -> None:
    """What each customer can use today, summed by the packs service from the ledger, is what
    the build held at the end, balance by balance."""
    for account in large_db.accounts:
        found = packs.balances(account.id, TODAY)
        by_service = {
            (balance.pack_id, balance.month): balance.remaining
            for balance in found.all
            if balance.remaining
        }
        held = {key: balance.remaining for key, balance in account.balances.items()}
        assert by_service == {key: left for key, left in held.items() if left}, account.id
        assert all(balance.remaining >= 0 for balance in found.all)


def test_p16a_large_demo_ledger_never_below_zero(large_db: LargeBuild) -> None:
    running: dict[tuple[int, object], int] = defaultdict(int)
    for entry in LedgerEntry.select().order_by(LedgerEntry.created_at, LedgerEntry.id):
        running[(entry.pack_id, entry.month)] += entry.minutes
        assert running[(entry.pack_id, entry.month)] >= 0
    lapsed = (
        LedgerEntry.select(LedgerEntry.pack, LedgerEntry.month, fn.SUM(LedgerEntry.minutes))
        .where(LedgerEntry.month < TODAY.replace(day=1))
        .group_by(LedgerEntry.pack, LedgerEntry.month)
        .having(fn.SUM(LedgerEntry.minutes) != 0)
    )
    assert not lapsed.exists()  # P15: each past month ends at zero


# --- sessions (P11–P13, P16a) ---------------------------------------------------------------------


def _billed_ids() -> list[int]:
    query = Session.select(Session.id).where(Session.inside_billed_minutes.is_null(False))
    return [row.id for row in query]


def test_p11_large_demo_sessions_are_billed_as_the_service_bills(large_db: LargeBuild) -> None:
    """The session service's own billing of the stored intervals, with the customer's terms,
    gives the minutes and rates the build stored; what packs paid plus what is uncovered is
    what was billed."""
    company = settings.settings()
    for session_id in _sample(_billed_ids(), 400):
        found = sessions.session(session_id)
        assert found.billing is not None
        live = sessions.live_billing(session_id, NOW)
        billing = found.billing
        assert (billing.inside, billing.outside) == (live.inside, live.outside)
        assert billing.inside_billed_minutes == live.inside_billed // timedelta(minutes=1)
        assert billing.outside_billed_minutes == live.outside_billed // timedelta(minutes=1)
        contract = customers.customer(found.customer_id).contract
        assert billing.rate_inside == (contract.rate_inside or company.rate_inside)
        covered = sum(draw.minutes for draw in billing.draws)
        assert covered == billing.covered_minutes
        assert all(draw.minutes > 0 for draw in billing.draws)


def test_large_demo_flags_the_sessions_past_the_review_limit(large_db: LargeBuild) -> None:
    limit = timedelta(hours=settings.settings().session_review_hours)
    flagged = {row.id for row in sessions.sessions_to_review()}
    for row in Session.select().where(Session.state == SessionState.STOPPED):
        intervals = [
            (interval.started_at, interval.ended_at)
            for interval in SessionInterval.select().where(SessionInterval.session == row.id)
        ]
        assert (row.id in flagged) == (active_time(intervals) > limit)
        assert (row.id in flagged) == (row.inside_billed_minutes is None)


def test_p16a_large_demo_draws_are_what_allocate_gives(large_db: LargeBuild) -> None:
    """Each sampled session drew what ``allocate`` gives on the balances the packs service
    reads as they stood just before the draw."""
    corrected = {
        row.session_id
        for row in LedgerEntry.select(LedgerEntry.session).where(
            LedgerEntry.kind == LedgerKind.CORRECTION
        )
    }
    checked = 0
    for session_id in _sample([i for i in _billed_ids() if i not in corrected], 300):
        found = sessions.session(session_id)
        billing = found.billing
        assert billing is not None
        draws = list(LedgerEntry.select().where(LedgerEntry.session == session_id))
        on = found.started_at.astimezone(LISBON).date()
        drawn_at = found.stopped_at if not draws else draws[0].created_at
        assert drawn_at is not None
        if drawn_at.astimezone(LISBON).date() != on:
            continue  # a 24/7 night: the balances the service reads are those of that day
        after = packs.balance_at(found.customer_id, drawn_at)
        given_back: Counter[tuple[int, date | None]] = Counter()
        for entry in draws:
            given_back[(entry.pack_id, entry.month)] -= entry.minutes
        before = [
            replace(b.as_balance(), remaining=b.remaining + given_back[(b.pack_id, b.month)])
            for b in after.all
        ]
        allocation = allocate(
            billing.inside_billed_minutes, billing.outside_billed_minutes, before, on
        )
        assert [(d.key, d.kind, d.minutes, d.outside) for d in allocation.draws] == [
            (d.pack_id, d.kind, d.minutes, d.outside) for d in billing.draws
        ]
        assert (allocation.uncovered_inside, allocation.uncovered_outside) == (
            billing.uncovered_inside_minutes,
            billing.uncovered_outside_minutes,
        )
        checked += 1
    assert checked > 200


# --- contacts and compensation (P5–P10b, P17) -----------------------------------------------------


def test_large_demo_contacts_keep_the_terms_the_service_gives(large_db: LargeBuild) -> None:
    """The contacts service's assessment of each sampled contact, as received, gives the plan,
    registration, terms, compensation hours and rejection that the build froze (P19)."""
    desk = Desk(ManualClock(NOW))
    ids = [row.id for row in Contact.select(Contact.id)]
    for contact_id in _sample(ids, 400):
        row = contacts.contact(contact_id)
        preview = contacts.preview_contact_terms(
            desk,
            channel=row.channel,
            sender=row.sender_raw,
            received_at=row.received_at,
            customer_id=row.customer_id,
        )
        assert preview.customer_id == row.customer_id
        assert (preview.plan, preview.registered) == (row.plan_at_receipt, row.registered)
        assert preview.terms == row.terms
        assert preview.compensation_hours == row.compensation_hours
        assert (preview.state is ContactState.REJECTED) == (row.state is ContactState.REJECTED)


def test_large_demo_every_contact_keeps_the_domain_terms(large_db: LargeBuild) -> None:
    calendar = settings.business_calendar()
    for row in Contact.select().where(Contact.customer.is_null(False)):
        terms = response_terms(
            row.plan_at_receipt,
            row.channel,
            row.received_at,
            row.registered,
            calendar,
            contract=row.customer.contract_terms(),
        )
        assert (terms.guaranteed, terms.deadline, terms.target, terms.reason) == (
            row.guaranteed,
            row.deadline,
            row.target,
            row.reason,
        )
    assert Contact.select().where(Contact.state == ContactState.REJECTED).exists()
    assert Contact.select().where(Contact.channel == Channel.PRIORITY_PHONE).exists()


def test_p17_large_demo_grants_are_the_missed_guarantees(large_db: LargeBuild) -> None:
    revoked = 0
    granted_contacts = set()
    for account in large_db.accounts:
        for grant in compensation.grants_of_customer(account.id):
            row = contacts.contact(grant.contact_id)
            assert is_breached(row.terms, row.first_response_at, grant.granted_at)
            assert grant.hours == row.compensation_hours > 0
            assert packs.pack(grant.pack_id).minutes == grant.hours * 60
            granted_contacts.add(grant.contact_id)
            if grant.revoked:
                revoked += 1
                (revocation,) = packs.ledger(pack_id=grant.pack_id, kind=LedgerKind.REVOCATION)
                assert revocation.reverses_id == grant.entry_id
                assert revocation.minutes == -grant.hours * 60
    missed = {
        row.id
        for row in Contact.select().where(
            Contact.guaranteed & Contact.customer.is_null(False) & (Contact.deadline < NOW)
        )
        if is_breached(contacts.contact(row.id).terms, row.first_response_at, NOW)
    }
    assert missed == granted_contacts
    assert revoked


# --- invoices (P20, P21) --------------------------------------------------------------------------


def test_p20_large_demo_invoices_are_numbered_and_add_up(large_db: LargeBuild) -> None:
    numbers: dict[tuple[str, int], list[int]] = defaultdict(list)
    for row in (
        Invoice.select()
        .where(Invoice.state != InvoiceState.DRAFT)
        .order_by(Invoice.issued_at, Invoice.id)
    ):
        numbers[(row.series, row.year)].append(row.number)
        document = invoices.invoice(row.id)
        lines = [
            InvoiceLine(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                service_date=line.service_date,
                minutes=line.minutes,
                credit=line.quantity < 0,
            )
            for line in document.lines
        ]
        summed = totals(lines)
        assert (summed.net, summed.vat, summed.gross) == (
            document.net,
            document.vat,
            document.gross,
        )
    assert numbers
    for found in numbers.values():
        assert found == list(range(1, len(found) + 1))  # no gap, no repeat
    counters = {(row.series, row.year): row.last_number for row in InvoiceCounter.select()}
    assert counters == large_db.counters == {key: len(found) for key, found in numbers.items()}
    company = settings.settings()
    assert {series for series, _year in counters} == {
        company.invoice_series,
        company.credit_note_series,
    }
    invoiced = Session.select().where(Session.invoice.is_null(False))
    assert all(row.invoice.state is InvoiceState.ISSUED for row in invoiced)


def _line_key(line: invoices.DocumentLine) -> tuple[object, ...]:
    return (
        line.description,
        line.service_date,
        line.quantity,
        line.minutes,
        line.unit_price,
        line.vat_rate,
        line.net,
        line.pack_id,
        line.pack_month,
        line.session_id,
    )


def test_p20_large_demo_invoices_are_what_the_service_drafts(db_location: str) -> None:
    """Cancelled through the invoice service, a sampled invoice's customer and period draft
    again to the same lines and totals; the credit note and the new invoice take the next
    numbers of their series."""
    open_database(db_location, clock=ManualClock(NOW))
    build = build_large_demo(db_location, NOW, _quiet, scale=SCALE)
    admin = Technician.get(Technician.is_admin == True)  # noqa: E712 -- SQL
    desk = Desk(ManualClock(NOW), admin.id)
    issued = (
        Invoice.select()
        .where((Invoice.kind == InvoiceKind.INVOICE) & (Invoice.state == InvoiceState.ISSUED))
        .order_by(Invoice.id)
    )
    with_both = [
        row.id
        for row in issued
        if {line.pack_id is None for line in row.lines} == {True, False}  # packs and time
    ]
    counters = dict(build.counters)
    year = TODAY.year
    company = settings.settings()
    for invoice_id in _sample(with_both, 5):
        cancelled = invoices.invoice(invoice_id)
        assert cancelled.period_start is not None and cancelled.period_end is not None
        done = invoices.cancel_invoice(desk, invoice_id, cancelled.version, reason="Teste")
        note_key = (company.credit_note_series, year)
        counters[note_key] = counters.get(note_key, 0) + 1
        assert done.credit_note.number == counters[note_key]
        assert done.credit_note.gross == -cancelled.gross
        draft = invoices.draft_invoice(
            desk,
            customer_id=cancelled.customer_id,
            period_start=cancelled.period_start,
            period_end=cancelled.period_end,
        )
        assert Counter(map(_line_key, draft.lines)) == Counter(map(_line_key, cancelled.lines))
        assert (draft.net, draft.vat, draft.gross) == (
            cancelled.net,
            cancelled.vat,
            cancelled.gross,
        )
        again = invoices.issue_invoice(desk, draft.id, draft.version)
        invoice_key = (company.invoice_series, year)
        counters[invoice_key] = counters.get(invoice_key, 0) + 1
        assert again.number == counters[invoice_key]
    close_database()


def test_large_demo_database_takes_new_records(large_db: LargeBuild) -> None:
    """The ids given in bulk leave room for the program's own inserts (PostgreSQL sequences)."""
    clock = ManualClock(NOW)
    technician = Technician.select().first()
    created = customers.create_customer(
        Desk(clock, technician.id), name="Cliente Novo, Lda.", nif="509442013"
    )
    found = contacts.register_contact(
        Desk(clock, technician.id),
        channel=Channel.PHONE,
        sender="+351 912 000 111",
        subject="Primeiro contacto",
        customer_id=created.customer.id,
    )
    assert found.contact.customer_id == created.customer.id


def test_large_demo_monthly_packs_are_allotted_each_month_they_cover(
    large_db: LargeBuild,
) -> None:
    """P15: each subscription has one allotment per month from its first to its last (or this
    month), as ``covers_month`` says, and the build's subscriptions are the packs written."""
    subscribed = [a for a in large_db.accounts if a.subscription and a.subscription.pack_id]
    assert subscribed
    for account in subscribed:
        subscription = account.subscription
        assert subscription is not None and subscription.pack_id is not None
        info = packs.pack(subscription.pack_id)
        assert info.kind is PackKind.MONTHLY
        assert (info.starts_on, info.last_month) == (subscription.first, subscription.last)
        allotted = [
            entry.month
            for entry in packs.ledger(
                pack_id=info.id, kind=LedgerKind.MONTHLY_ALLOTMENT, limit=1000
            )
        ]
        month = subscription.first
        expected: list[date | None] = []
        while month <= TODAY:
            if subscription.covers(month):
                expected.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        assert sorted(m for m in allotted if m is not None) == expected
