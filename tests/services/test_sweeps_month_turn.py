"""The month turn (P14, P15) is set-based: one statement per kind of entry, whatever the number of
customers, writing exactly the entries worked out by hand; two desks sweeping at once write each
entry once. Runs on SQLite, and on PostgreSQL with ``BALCAO_TEST_PG``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from peewee import Database, fn

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.states import LedgerKind
from app.services import packs
from app.services.context import Desk
from app.services.housekeeping import run_sweeps
from app.services.packs import sweeps
from app.services.queries import rows_of
from app.store.database import current_database, write_transaction
from app.store.models import LedgerEntry
from tests.services.b_fixtures import company, lisbon, sell_unit, timed
from tests.store import factories
from tests.store.fixtures import on_postgres
from tests.store.queries import count_queries

__all__ = ["company"]

#: The month turns: half a minute into 1 March 2025, Lisbon time (UTC in winter).
TURN = lisbon(2025, 3, 1) + timedelta(seconds=30)
FEBRUARY = date(2025, 2, 1)
MARCH = date(2025, 3, 1)

#: (customer, pack, kind, month, minutes) of one entry the program writes by itself.
Entry = tuple[int, int, LedgerKind, date | None, int]


def sell_monthly(desk: Desk, customer_id: int, minutes: int, **fields: object) -> int:
    sold = packs.sell_pack(
        desk,
        customer_id=customer_id,
        kind=PackKind.MONTHLY,
        minutes=minutes,
        price=Decimal("50.00"),
        **fields,  # type: ignore[arg-type]
    )
    return sold.pack.id


def written_since(last_id: int) -> list[tuple[Entry, datetime, int | None]]:
    query = (
        LedgerEntry.select(
            LedgerEntry.customer,
            LedgerEntry.pack,
            LedgerEntry.kind,
            LedgerEntry.month,
            LedgerEntry.minutes,
            LedgerEntry.created_at,
            LedgerEntry.created_by,
        )
        .where(LedgerEntry.id > last_id)
        .order_by(LedgerEntry.id)
        .tuples()
    )
    return [
        ((customer, pack, LedgerKind(kind), month, minutes), created_at, created_by)
        for customer, pack, kind, month, minutes, created_at, created_by in rows_of(query)
    ]


def last_entry_id() -> int:
    return int(LedgerEntry.select(fn.COALESCE(fn.MAX(LedgerEntry.id), 0)).scalar())


@pytest.fixture
def february(
    company: object, desk: Desk, clock: ManualClock
) -> Callable[[], tuple[Desk, set[Entry]]]:
    """Customers with every kind of pack, used in February 2025 and settled on its last minute;
    returns the program's desk and the entries the month turn must write, worked out by hand."""

    def build() -> tuple[Desk, set[Entry]]:
        clock.set(lisbon(2025, 2, 3, 10))
        a, b, c, d, e, f = (factories.customer(name=f"Cliente {n}") for n in "ABCDEF")
        # A: 60 min a month since January, 30 of February's used: 30 lapse, March is allotted.
        a_monthly = sell_monthly(desk, a.id, 60, purchased_on=date(2025, 1, 6))
        timed(desk, clock, a.id, lisbon(2025, 2, 10, 10), 30)
        # B: 120 min a month, January and February only: February's 120 lapse, no March.
        b_monthly = sell_monthly(
            desk, b.id, 120, purchased_on=date(2025, 1, 6), last_month=FEBRUARY
        )
        # C: bought in February for March on: March is allotted, nothing lapses.
        clock.set(lisbon(2025, 2, 12, 10))
        c_monthly = sell_monthly(desk, c.id, 90, starts_on=MARCH)
        # D: a unit pack whose last day is 28 February, 45 of its 120 min used: 75 lapse.
        d_unit = sell_unit(desk, d.id, 120, on=date(2024, 2, 28))
        timed(desk, clock, d.id, lisbon(2025, 2, 13, 10), 45)
        # E: a unit pack still valid and free hours (they never lapse): nothing.
        sell_unit(desk, e.id, 600, on=date(2025, 2, 3))
        free = factories.pack(e, kind=PackKind.FREE, minutes=120, valid_until=None)
        factories.ledger_entry(free, kind=LedgerKind.COMPENSATION, minutes=120)
        # F: 30 min a month, February's all used: nothing lapses, March is allotted.
        f_monthly = sell_monthly(desk, f.id, 30, purchased_on=date(2025, 2, 3))
        timed(desk, clock, f.id, lisbon(2025, 2, 14, 10), 30)
        clock.set(TURN - timedelta(minutes=1))
        run_sweeps(desk, thorough=True)
        expected = {
            (a.id, a_monthly, LedgerKind.MONTHLY_ALLOTMENT, MARCH, 60),
            (c.id, c_monthly, LedgerKind.MONTHLY_ALLOTMENT, MARCH, 90),
            (f.id, f_monthly, LedgerKind.MONTHLY_ALLOTMENT, MARCH, 30),
            (a.id, a_monthly, LedgerKind.EXPIRY, FEBRUARY, -30),
            (b.id, b_monthly, LedgerKind.EXPIRY, FEBRUARY, -120),
            (d.id, d_unit, LedgerKind.EXPIRY, None, -75),
        }
        clock.set(TURN)
        return desk, expected

    return build


def test_p14_p15_the_month_turn_writes_the_entries_worked_out_by_hand(
    february: Callable[[], tuple[Desk, set[Entry]]],
) -> None:
    desk, expected = february()
    before = last_entry_id()

    with count_queries() as run:
        assert run_sweeps(desk)
    inserts = [sql for sql in run if sql.startswith('INSERT INTO "ledger_entry"')]

    written = written_since(before)
    assert {entry for entry, _at, _by in written} == expected
    assert len(written) == len(expected)
    assert {(at, by) for _entry, at, by in written} == {(TURN, None)}
    # One statement per kind of entry: the allotments, the unit packs' and the months' expiry.
    assert len(inserts) == 3
    assert not run_sweeps(desk)


def test_p14_p15_a_desk_that_sweeps_after_another_writes_nothing_twice(
    february: Callable[[], tuple[Desk, set[Entry]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another desk's program found work to do before this one's sweep committed: its own
    statements find nothing missing any more (another process: no marks of this one's sweep)."""
    desk, expected = february()
    before = last_entry_id()
    run_sweeps(desk)
    sweeps.forget_marks()
    monkeypatch.setattr(sweeps, "_has_rows", lambda _query: True)
    monkeypatch.setattr(sweeps, "_allotments_pending", lambda _last: True)

    assert packs.ensure_monthly_allotments(desk).entries == 0
    assert packs.expire_packs(desk).entries == 0
    assert len(written_since(before)) == len(expected)


def test_p14_p15_two_desks_turning_the_month_at_once_write_each_entry_once(
    february: Callable[[], tuple[Desk, set[Entry]]],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two threads, each with its own connection, both past the read-only look (both found work)
    before either writes: SQLite makes the second wait for the first, PostgreSQL's advisory lock
    makes it skip; either way every entry is written once."""
    _desk, expected = february()
    before = last_entry_id()
    both_looked = threading.Barrier(2, timeout=10)
    real_use_case = sweeps.use_case

    @contextmanager
    def after_both_looked() -> Iterator[None]:
        # Broken: the other desk found nothing left to do, so it never comes.
        with suppress(threading.BrokenBarrierError):
            both_looked.wait()
        with real_use_case():
            yield

    monkeypatch.setattr(sweeps, "use_case", after_both_looked)
    errors: list[BaseException] = []

    def desk_sweeps() -> None:
        try:
            packs.ensure_monthly_allotments(Desk(clock))
            packs.expire_packs(Desk(clock))
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
            both_looked.abort()
        finally:
            current_database().close()

    desks = [threading.Thread(target=desk_sweeps) for _ in range(2)]
    for thread in desks:
        thread.start()
    for thread in desks:
        thread.join(timeout=60)
    assert not errors
    written = [entry for entry, _at, _by in written_since(before)]
    assert sorted(written, key=repr) == sorted(expected, key=repr)


@pytest.mark.skipif(not on_postgres(), reason="the advisory lock is PostgreSQL's")
def test_a_desk_skips_the_sweep_while_another_desk_holds_the_sweep_lock(
    february: Callable[[], tuple[Desk, set[Entry]]], database: Database
) -> None:
    from app.services.sweep_lock import claim_sweep

    desk, expected = february()
    before = last_entry_id()
    holding, done = threading.Event(), threading.Event()
    claimed: list[bool] = []

    def other_desk() -> None:
        try:
            with write_transaction():
                claimed.append(claim_sweep())
                holding.set()
                done.wait(timeout=30)
        finally:
            current_database().close()

    thread = threading.Thread(target=other_desk)
    thread.start()
    try:
        assert holding.wait(timeout=30) and claimed == [True]
        assert packs.ensure_monthly_allotments(desk).entries == 0
        assert packs.expire_packs(desk).entries == 0
        assert written_since(before) == []
    finally:
        done.set()
        thread.join(timeout=30)
    assert run_sweeps(desk)
    assert {entry for entry, _at, _by in written_since(before)} == expected
