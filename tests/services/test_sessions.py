"""The timer (P11–P13) and how a stopped session is paid from the packs (P16a)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from peewee import Database

from app import i18n
from app.clock import ManualClock
from app.domain import states
from app.domain.packs import PackKind
from app.domain.sla import Plan
from app.domain.states import LedgerKind
from app.services import packs, sessions
from app.services.changes import Topic
from app.services.context import Desk
from app.services.errors import ConflictError, InputError, NotFoundError, RuleError
from app.store.database import close_database, current_database, open_database
from app.store.models import CompanySettings, Customer, LedgerEntry, SessionInterval, Technician
from tests.services.b_fixtures import (
    RATE_INSIDE,
    RATE_OUTSIDE,
    company,
    customer,
    entry_count,
    lisbon,
    pack_total,
    sell_unit,
    timed,
)
from tests.store import factories

__all__ = ["company", "customer"]

Nothing = Callable[[], AbstractContextManager[None]]


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


# --- P11: blocks ----------------------------------------------------------------------------------


def test_p11_session_billed_in_15_minute_blocks_rounded_up(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 12 + 41 / 60)
    assert stopped.state is states.SessionState.STOPPED
    assert stopped.billing is not None
    assert stopped.billing.inside == timedelta(minutes=12, seconds=41)
    assert stopped.billing.inside_billed_minutes == 15
    assert stopped.billing.outside_billed_minutes == 0
    assert stopped.billing.uncovered_inside_minutes == 15


def test_p11_live_billing_shows_the_rounded_time_and_writes_nothing(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(timedelta(minutes=12, seconds=41))
    with nothing_written():
        live = sessions.live_billing(started.id, clock.now())
    assert live.elapsed == timedelta(minutes=12, seconds=41)
    assert live.inside_billed == minutes(15)
    assert live.total_billed == minutes(15)
    clock.advance(timedelta(minutes=2, seconds=20))
    assert sessions.live_billing(started.id, clock.now()).total_billed == minutes(30)


def test_p11_one_running_session_per_technician(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    sessions.start_session(desk, customer_id=customer.id)
    other = factories.customer(name="Talho Moderno")
    clock.advance(minutes(5))
    with nothing_written(), pytest.raises(RuleError, match="Padaria Central"):
        sessions.start_session(desk, customer_id=other.id)


def test_p11_a_paused_session_lets_another_start_but_not_resume_beside_it(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    first = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(minutes(5))
    first = sessions.pause_session(desk, first.id, first.version)
    second = sessions.start_session(desk, customer_id=factories.customer().id)
    assert sessions.running_session(desk.technician_id or 0) == second
    with pytest.raises(RuleError):
        sessions.resume_session(desk, first.id, first.version)
    open_ones = sessions.open_sessions(desk.technician_id or 0)
    assert [s.id for s in open_ones] == [second.id, first.id]


def test_p11_each_technician_has_a_timer_of_their_own(
    desk: Desk, clock: ManualClock, customer: Customer, admin: Technician
) -> None:
    mine = sessions.start_session(desk, customer_id=customer.id)
    theirs = sessions.start_session(Desk(clock, admin.id), customer_id=customer.id)
    assert sessions.running_session(admin.id) == theirs
    assert sessions.running_session(desk.technician_id or 0) == mine


def test_start_writes_its_interval_at_once(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    stored = SessionInterval.get(SessionInterval.session == started.id)
    assert (stored.started_at, stored.ended_at) == (clock.now(), None)
    assert started.changes.topics == {Topic.SESSIONS}
    clock.advance(timedelta(minutes=7, seconds=3))
    assert started.elapsed(clock.now()) == timedelta(minutes=7, seconds=3)


def test_running_session_survives_a_restart(
    desk: Desk, clock: ManualClock, customer: Customer, db_location: str
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    close_database()
    clock.advance(timedelta(hours=1, minutes=2))
    open_database(db_location)
    found = sessions.running_session(desk.technician_id or 0)
    assert found is not None
    assert found.id == started.id
    assert found.elapsed(clock.now()) == timedelta(hours=1, minutes=2)


# --- P12: splitting and pauses --------------------------------------------------------------------


def test_p12_session_across_closing_time(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 17, 50), 30)
    billing = stopped.billing
    assert billing is not None
    assert (billing.inside, billing.outside) == (minutes(10), minutes(20))
    assert (billing.inside_billed_minutes, billing.outside_billed_minutes) == (15, 30)
    assert billing.billed_minutes == 45
    assert (billing.uncovered_inside_minutes, billing.uncovered_outside_minutes) == (15, 30)
    assert (billing.rate_inside, billing.rate_outside) == (RATE_INSIDE, RATE_OUTSIDE)


def test_p12_session_across_the_lunch_break(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 12, 50), 80)
    assert stopped.billing is not None
    assert (stopped.billing.inside_billed_minutes, stopped.billing.outside_billed_minutes) == (
        30,
        60,
    )


def test_p12_pauses_are_not_billed_and_blocks_round_once_per_session(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    clock.set(lisbon(2025, 3, 10, 10))
    state = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(minutes(5))
    state = sessions.pause_session(desk, state.id, state.version)
    assert state.state is states.SessionState.PAUSED
    clock.advance(minutes(50))
    assert state.elapsed(clock.now()) == minutes(5)
    state = sessions.resume_session(desk, state.id, state.version)
    clock.advance(minutes(5))
    state = sessions.stop_session(desk, state.id, state.version)
    assert len(state.intervals) == 2
    assert state.elapsed(clock.now()) == minutes(10)
    assert state.billing is not None
    assert state.billing.inside_billed_minutes == 15  # 5 + 5 min, one block; not 2 × 15


def test_p12_stopping_a_paused_session_bills_only_its_intervals(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    state = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(minutes(20))
    state = sessions.pause_session(desk, state.id, state.version)
    clock.advance(timedelta(hours=3))
    state = sessions.stop_session(desk, state.id, state.version)
    assert state.billing is not None
    assert state.billing.inside == minutes(20)
    assert state.billing.inside_billed_minutes == 30


# --- P13 and the out-of-hours warning -------------------------------------------------------------


def test_p13_session_across_the_spring_clock_change(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    start, end = lisbon(2025, 3, 30, 0, 30), lisbon(2025, 3, 30, 3, 30)
    clock.set(start)
    state = sessions.start_session(desk, customer_id=customer.id)
    assert state.outside_hours_warning  # a Sunday night, and no 24/7 plan
    clock.set(end)
    state = sessions.stop_session(desk, state.id, state.version)
    assert state.billing is not None
    assert state.billing.outside == timedelta(hours=2)
    assert state.billing.outside_billed_minutes == 120


def test_outside_hours_warning_spares_the_24_7_customer(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    vip = factories.customer(name="Hotel Mar", plan=Plan.PRIORITY_24_7)
    clock.set(lisbon(2025, 3, 10, 21))
    assert sessions.outside_hours_warning(customer.id, clock.now())
    assert not sessions.outside_hours_warning(vip.id, clock.now())
    assert not sessions.start_session(desk, customer_id=vip.id).outside_hours_warning
    clock.set(lisbon(2025, 3, 11, 10))
    assert not sessions.outside_hours_warning(customer.id, clock.now())


# --- P16a: which balance pays --------------------------------------------------------------------


def test_p16a_session_draws_monthly_then_unit_then_free(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    monthly = packs.sell_pack(
        desk, customer_id=customer.id, kind=PackKind.MONTHLY, minutes=30, price=Decimal("20.00")
    ).pack.id
    later_unit = sell_unit(desk, customer.id, 30, on=date(2025, 1, 15))
    sooner_unit = sell_unit(desk, customer.id, 30, on=date(2024, 6, 1))
    free = factories.pack(
        customer, kind=PackKind.FREE, minutes=30, price=Decimal("0.00"), valid_until=None
    )
    factories.ledger_entry(free, kind=LedgerKind.COMPENSATION, minutes=30)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 135)
    assert stopped.billing is not None
    assert [(d.kind, d.pack_id, d.minutes) for d in stopped.billing.draws] == [
        (PackKind.MONTHLY, monthly, 30),
        (PackKind.UNIT, sooner_unit, 30),
        (PackKind.UNIT, later_unit, 30),
        (PackKind.FREE, free.id, 30),
    ]
    assert stopped.billing.uncovered_inside_minutes == 15
    assert stopped.billing.covered_minutes == 120
    assert packs.balances(customer.id, date(2025, 3, 10)).total_minutes == 0
    consumption = LedgerEntry.select().where(LedgerEntry.kind == LedgerKind.CONSUMPTION)
    assert sorted(e.minutes for e in consumption) == [-30, -30, -30, -30]
    assert {e.month for e in consumption if e.pack_id == monthly} == {date(2025, 3, 1)}


def test_p16a_packs_pay_out_of_hours_time_first(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 30)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 17, 50), 30)
    assert stopped.billing is not None
    assert [(d.pack_id, d.minutes, d.outside) for d in stopped.billing.draws] == [(unit, 30, True)]
    assert stopped.billing.uncovered_outside_minutes == 0
    assert stopped.billing.uncovered_inside_minutes == 15
    assert LedgerEntry.get(LedgerEntry.kind == LedgerKind.CONSUMPTION).outside


def test_p16a_uncovered_time_billed_at_rate(
    desk: Desk, clock: ManualClock, customer: Customer, company: CompanySettings
) -> None:
    # P18: the contract's rate wins; the out-of-hours rate it leaves unset is the company's.
    customer.rate_inside = Decimal("30.00")
    customer.save()
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 17, 50), 30)
    assert stopped.billing is not None
    assert (stopped.billing.rate_inside, stopped.billing.rate_outside) == (
        Decimal("30.00"),
        RATE_OUTSIDE,
    )
    # Without an out-of-hours rate anywhere, it is the normal rate.
    company.rate_outside = None
    company.save()
    other = factories.customer(name="Loja Nova")
    again = timed(desk, clock, other.id, lisbon(2025, 3, 11, 17, 50), 30)
    assert again.billing is not None
    assert again.billing.rate_outside == RATE_INSIDE
    # Frozen at stop: later settings change nothing.
    company.rate_inside = Decimal("99.00")
    company.save()
    assert sessions.session(again.id).billing == again.billing


def test_p16a_a_balance_never_goes_below_zero(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 20)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 40)
    assert stopped.billing is not None
    assert stopped.billing.covered_minutes == 20
    assert stopped.billing.uncovered_inside_minutes == 25
    assert pack_total(unit) == 0
    timed(desk, clock, customer.id, lisbon(2025, 3, 10, 11), 10)
    assert pack_total(unit) == 0


# --- review limit -------------------------------------------------------------------------------


def test_a_session_past_the_review_limit_is_flagged_not_billed(
    desk: Desk, admin_desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    sell_unit(desk, customer.id, 600)
    before = entry_count()
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 9), 10 * 60 + 1)
    assert stopped.flagged_for_review
    assert stopped.state is states.SessionState.STOPPED
    assert stopped.billing is None
    assert entry_count() == before
    assert [s.id for s in sessions.sessions_to_review()] == [stopped.id]
    with pytest.raises(RuleError):
        sessions.correct_session(desk, stopped.id, stopped.version)
    clock.set(lisbon(2025, 3, 11, 9))
    corrected = sessions.correct_session(
        admin_desk,
        stopped.id,
        stopped.version,
        [(lisbon(2025, 3, 10, 9), lisbon(2025, 3, 10, 10, 30))],
    )
    assert not corrected.flagged_for_review
    assert corrected.billing is not None
    assert corrected.billing.inside_billed_minutes == 90
    assert corrected.billing.covered_minutes == 90
    assert sessions.sessions_to_review() == ()


def test_an_administrator_may_confirm_a_long_session_as_it_is(
    desk: Desk, admin_desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 9), 11 * 60)
    confirmed = sessions.correct_session(admin_desk, stopped.id, stopped.version)
    assert confirmed.billing is not None
    assert confirmed.billing.billed_minutes == 8 * 60 + 3 * 60  # 09–20 h: 7 h in, 4 h out


def test_the_review_limit_is_a_setting(
    desk: Desk, clock: ManualClock, customer: Customer, company: CompanySettings
) -> None:
    company.session_review_hours = 1
    company.save()
    assert timed(desk, clock, customer.id, lisbon(2025, 3, 10, 9), 61).flagged_for_review
    assert not timed(desk, clock, customer.id, lisbon(2025, 3, 10, 11), 60).flagged_for_review


# --- edits, discards ------------------------------------------------------------------------------


def test_editing_the_times_reverses_the_draws_and_bills_again(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 60)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 45)
    first_draw = LedgerEntry.get(LedgerEntry.kind == LedgerKind.CONSUMPTION)
    assert pack_total(unit) == 15
    clock.set(lisbon(2025, 3, 10, 15))
    edited = sessions.edit_session(
        desk,
        stopped.id,
        stopped.version,
        intervals=[(lisbon(2025, 3, 10, 10), lisbon(2025, 3, 10, 10, 20))],
        note="Impressora",
    )
    assert edited.note == "Impressora"
    assert edited.billing is not None
    assert edited.billing.inside_billed_minutes == 30
    assert [(d.pack_id, d.minutes) for d in edited.billing.draws] == [(unit, 30)]
    assert pack_total(unit) == 30
    reversal = LedgerEntry.get(LedgerEntry.kind == LedgerKind.CORRECTION)
    assert (reversal.reverses_id, reversal.minutes) == (first_draw.id, 45)
    assert reversal.session_id == stopped.id
    assert LedgerEntry.get_by_id(first_draw.id).minutes == -45  # never changed
    assert edited.stopped_at == lisbon(2025, 3, 10, 10, 20)
    assert Topic.PACKS in edited.changes


@pytest.mark.parametrize(
    "case",
    [
        ([(lisbon(2025, 3, 10, 10, 30), lisbon(2025, 3, 10, 10))], "before"),
        ([(lisbon(2025, 3, 10, 10), lisbon(2025, 3, 10, 10))], "before"),
        (
            [
                (lisbon(2025, 3, 10, 9), lisbon(2025, 3, 10, 10)),
                (lisbon(2025, 3, 10, 9, 30), lisbon(2025, 3, 10, 11)),
            ],
            "overlap",
        ),
        ([(lisbon(2025, 3, 10, 11), lisbon(2025, 3, 12, 11))], "future"),
        ([], "at least one"),
    ],
)
def test_bad_session_times_are_refused_and_nothing_is_written(
    desk: Desk,
    clock: ManualClock,
    customer: Customer,
    nothing_written: Nothing,
    case: tuple[list[tuple[datetime, datetime]], str],
) -> None:
    intervals, complaint = case
    sell_unit(desk, customer.id, 60)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 45)
    clock.set(lisbon(2025, 3, 10, 15))
    i18n.set_language("en")
    with nothing_written(), pytest.raises(InputError, match=complaint) as refused:
        sessions.edit_session(desk, stopped.id, stopped.version, intervals=intervals)
    assert refused.value.field == "intervals"


def test_an_end_before_a_start_is_explained_in_portuguese(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 45)
    with pytest.raises(InputError) as refused:
        sessions.edit_session(
            desk,
            stopped.id,
            stopped.version,
            intervals=[(lisbon(2025, 3, 10, 10, 30), lisbon(2025, 3, 10, 10))],
        )
    assert "10/03/2025 10:00" in refused.value.message
    assert "10/03/2025 10:30" in refused.value.message


def test_times_change_only_once_stopped_and_a_note_any_time(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    running = sessions.start_session(desk, customer_id=customer.id, note="a")
    clock.advance(minutes(10))
    with pytest.raises(RuleError):
        sessions.edit_session(
            desk,
            running.id,
            running.version,
            intervals=[(lisbon(2025, 3, 10, 9), lisbon(2025, 3, 10, 9, 5))],
        )
    noted = sessions.edit_session(desk, running.id, running.version, note="  backups  ")
    assert noted.note == "backups"
    assert noted.state is states.SessionState.RUNNING
    assert noted.changes.topics == {Topic.SESSIONS}


def test_a_stale_version_is_a_conflict_and_writes_nothing(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(minutes(5))
    sessions.edit_session(desk, started.id, started.version, note="changed elsewhere")
    with nothing_written(), pytest.raises(ConflictError):
        sessions.stop_session(desk, started.id, started.version)


def test_discarding_a_running_session_bills_nothing(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    sell_unit(desk, customer.id, 60)
    before = entry_count()
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(minutes(3))
    discarded = sessions.discard_session(desk, started.id, started.version)
    assert discarded.state is states.SessionState.DISCARDED
    assert discarded.billing is None
    assert entry_count() == before
    assert sessions.running_session(desk.technician_id or 0) is None
    assert sessions.sessions_of_customer(customer.id) == ()
    assert [s.id for s in sessions.sessions_of_customer(customer.id, include_discarded=True)] == [
        started.id
    ]
    with pytest.raises(RuleError):
        sessions.discard_session(desk, discarded.id, discarded.version)


def test_discarding_a_billed_session_gives_its_minutes_back(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 60)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 20)
    assert pack_total(unit) == 30
    discarded = sessions.discard_session(desk, stopped.id, stopped.version)
    assert pack_total(unit) == 60
    assert discarded.billing is None
    assert Topic.PACKS in discarded.changes
    kinds = [e.kind for e in LedgerEntry.select().order_by(LedgerEntry.id)]
    assert kinds == [LedgerKind.PURCHASE, LedgerKind.CONSUMPTION, LedgerKind.CORRECTION]


# --- starting: customer and contact ---------------------------------------------------------------


def test_a_session_for_a_contact_is_for_its_customer(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    contact = factories.contact(customer, subject="Impressora não imprime")
    started = sessions.start_session(desk, contact_id=contact.id)
    assert (started.customer_id, started.contact_id) == (customer.id, contact.id)
    assert started.contact_subject == "Impressora não imprime"
    sessions.pause_session(desk, started.id, started.version)
    with pytest.raises(InputError) as refused:
        sessions.start_session(desk, contact_id=contact.id, customer_id=factories.customer().id)
    assert refused.value.field == "customer"


def test_a_session_needs_a_customer_a_technician_and_a_live_customer(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    with nothing_written():
        with pytest.raises(InputError) as refused:
            sessions.start_session(desk)
        assert refused.value.field == "customer"
        with pytest.raises(RuleError):
            sessions.start_session(Desk(clock, None), customer_id=customer.id)
        with pytest.raises(NotFoundError):
            sessions.start_session(desk, customer_id=9999)
    archived = factories.customer(name="Fechada", archived=True)
    with nothing_written(), pytest.raises(RuleError, match="Fechada"):
        sessions.start_session(desk, customer_id=archived.id)


def test_pausing_and_stopping_follow_the_states(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    with pytest.raises(RuleError):
        sessions.resume_session(desk, started.id, started.version)
    stopped = sessions.stop_session(desk, started.id, started.version)
    for refused in (sessions.pause_session, sessions.stop_session):
        with pytest.raises(RuleError):
            refused(desk, stopped.id, stopped.version)
    with pytest.raises(NotFoundError):
        sessions.session(12345)


# --- lists ----------------------------------------------------------------------------------------


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    database = current_database()
    seen: list[str] = []
    original = database.execute_sql

    def counting(sql: str, *args: object, **kwargs: object) -> object:
        seen.append(sql)
        return original(sql, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield seen
    finally:
        del database.execute_sql


def test_lists_by_month_use_the_company_time_zone(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    # 31 March 23:30 and 1 April 00:30 in Lisbon are both 31 March in UTC (summer time).
    march = timed(desk, clock, customer.id, lisbon(2025, 3, 31, 23, 30), 10)
    april = timed(desk, clock, customer.id, lisbon(2025, 4, 1, 0, 30), 10)
    assert [s.id for s in sessions.sessions_by_month(2025, 3)] == [march.id]
    assert [s.id for s in sessions.sessions_by_month(2025, 4)] == [april.id]
    assert [s.id for s in sessions.sessions_of_customer(customer.id, (2025, 4))] == [april.id]
    assert [s.id for s in sessions.sessions_of_customer(customer.id)] == [april.id, march.id]


def test_lists_carry_names_billing_and_draws_in_a_fixed_number_of_queries(
    desk: Desk, clock: ManualClock, customer: Customer, database: Database
) -> None:
    unit = sell_unit(desk, customer.id, 600)
    contact = factories.contact(customer, subject="Email em baixo")
    clock.set(lisbon(2025, 3, 10, 10))
    first = sessions.start_session(desk, contact_id=contact.id)
    clock.advance(minutes(20))
    sessions.stop_session(desk, first.id, first.version)
    with counted_queries() as few:
        rows = sessions.sessions_by_month(2025, 3)
    for hour in range(11, 17):
        timed(desk, clock, customer.id, lisbon(2025, 3, 11, hour), 20)
    with counted_queries() as many:
        more = sessions.sessions_by_month(2025, 3)
    assert len(more) == 7
    assert len(many) == len(few)
    row = rows[0]
    assert (row.customer_name, row.technician_name, row.contact_subject) == (
        "Padaria Central",
        Technician.get_by_id(desk.technician_id).name,
        "Email em baixo",
    )
    assert row.billing is not None
    assert [(d.pack_id, d.minutes, d.kind) for d in row.billing.draws] == [
        (unit, 30, PackKind.UNIT)
    ]


def test_session_queries_return_plain_frozen_values(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 20)
    found = sessions.session(stopped.id)
    with pytest.raises(AttributeError):
        found.note = "x"  # type: ignore[misc]
    assert found.intervals[0].started_at.tzinfo is UTC
    assert CompanySettings.current().session_review_hours == 10


def test_a_month_reads_by_pages_newest_first_with_its_count(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    made = [timed(desk, clock, customer.id, lisbon(2025, 3, day, 10), 10).id for day in (3, 4, 5)]
    discarded = timed(desk, clock, customer.id, lisbon(2025, 3, 6, 10), 10)
    sessions.discard_session(desk, discarded.id, discarded.version)
    timed(desk, clock, customer.id, lisbon(2025, 4, 1, 10), 10)
    newest_first = [s.id for s in sessions.sessions_by_month(2025, 3)]
    assert newest_first == made[::-1]
    pages = [
        [s.id for s in sessions.month_sessions_page(2025, 3, offset=offset, limit=2)]
        for offset in (0, 2, 4)
    ]
    assert pages == [newest_first[:2], newest_first[2:], []]
    assert sessions.count_sessions_by_month(2025, 3) == 3
    assert sessions.count_sessions_by_month(2025, 3, include_discarded=True) == 4
    assert [
        s.id for s in sessions.month_sessions_page(2025, 3, include_discarded=True, limit=1)
    ] == [discarded.id]
    assert sessions.count_sessions_to_review() == len(sessions.sessions_to_review()) == 0
