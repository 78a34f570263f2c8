"""Hour packs: what a customer can use on a day, as it stands now or stood at an instant."""

from __future__ import annotations

from datetime import date, datetime

from peewee import Case, fn

from app.domain.months import Month
from app.domain.packs import (
    EXPIRY_WARNING_DAYS,
    PackKind,
    balance_validity,
    expiring_soon,
    last_lapsed_day,
    warning_horizon,
)
from app.domain.states import LedgerKind
from app.services.packs.sweeps import covers_month_filter
from app.services.packs.types import (
    CustomerBalances,
    ExpiringPack,
    PackBalance,
    PackInfo,
    info_of,
    missing_pack,
)
from app.services.queries import customer_row, get_or_missing, rows_of
from app.services.settings.calendar import company_today
from app.store.models import Customer, LedgerEntry, Pack

# --- balances ---------------------------------------------------------------------------------


def pack_balances(
    customer_id: int,
    on: date,
    *,
    recorded_until: datetime | None = None,
    pending_allotments: bool = False,
) -> list[PackBalance]:
    """The customer's packs usable on ``on`` and what each can still pay.

    ``recorded_until``: count only the packs and entries recorded by then (a statement).
    ``pending_allotments``: count this month's allotment of a subscription even before the sweep
    records it (for display; draws always record it first).
    """
    month = Month.of(on).first_day
    packs_query = Pack.select().where(
        (Pack.customer == customer_id)
        & (Pack.starts_on <= on)
        & (
            ((Pack.kind == PackKind.UNIT) & (Pack.valid_until > last_lapsed_day(on)))
            | ((Pack.kind == PackKind.MONTHLY) & covers_month_filter(month))
            | (Pack.kind == PackKind.FREE)
        )
    )
    entries_query = LedgerEntry.select(
        LedgerEntry.pack,
        fn.SUM(LedgerEntry.minutes).alias("total"),
        fn.COUNT(Case(None, [(LedgerEntry.kind == LedgerKind.MONTHLY_ALLOTMENT, 1)])).alias(
            "allotted"
        ),
    ).where(
        (LedgerEntry.customer == customer_id)
        & (LedgerEntry.month.is_null() | (LedgerEntry.month == month))
    )
    if recorded_until is not None:
        packs_query = packs_query.where(Pack.created_at <= recorded_until)
        entries_query = entries_query.where(LedgerEntry.created_at <= recorded_until)
    sums = {
        row.pack_id: (int(row.total), int(row.allotted))
        for row in rows_of(entries_query.group_by(LedgerEntry.pack))
    }
    found = []
    for pack in packs_query:
        total, allotted = sums.get(pack.id, (0, 0))
        valid_from, valid_until = balance_validity(pack.kind, pack.starts_on, pack.valid_until, on)
        pack_month = None
        if pack.kind is PackKind.MONTHLY:
            pack_month = month
            if pending_allotments and not allotted:
                total += pack.minutes
        found.append(
            PackBalance(
                pack_id=pack.id,
                kind=pack.kind,
                minutes=pack.minutes,
                remaining=total,
                valid_from=valid_from,
                valid_until=valid_until,
                month=pack_month,
                expiring_soon=(
                    pack.kind is PackKind.UNIT
                    and total > 0
                    and valid_until is not None
                    and expiring_soon(valid_until, on)
                ),
            )
        )
    # Soonest expiry first within each kind (``allocate`` orders the kinds itself, P16a).
    found.sort(key=lambda b: (b.valid_until or date.max, b.valid_from, b.pack_id))
    return found


def _customer_balances(customer_id: int, on: date, found: list[PackBalance]) -> CustomerBalances:
    return CustomerBalances(
        customer_id=customer_id,
        on=on,
        monthly=tuple(b for b in found if b.kind is PackKind.MONTHLY),
        unit=tuple(b for b in found if b.kind is PackKind.UNIT),
        free=tuple(b for b in found if b.kind is PackKind.FREE),
    )


def balances(customer_id: int, on: date) -> CustomerBalances:
    """What the customer can use on ``on``: this month's monthly hours, each unit pack valid
    that day (with its last day; expiring soon flagged) and the free hours."""
    customer_row(customer_id)
    found = pack_balances(customer_id, on, pending_allotments=True)
    return _customer_balances(customer_id, on, found)


def balance_at(customer_id: int, at: datetime) -> CustomerBalances:
    """The balances as the ledger stood at the instant ``at`` (for statements): only the packs
    and entries recorded by then count, validity as of that day."""
    customer_row(customer_id)
    on = company_today(at)
    return _customer_balances(customer_id, on, pack_balances(customer_id, on, recorded_until=at))


def expiring_packs(
    on: date,
    within_days: int = EXPIRY_WARNING_DAYS,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[ExpiringPack, ...]:
    """Unit packs of every customer with minutes left whose last day falls within
    ``within_days`` of ``on``, soonest first (the pack's id breaks ties); ``offset``/``limit``:
    one page of them (one query a page)."""
    # The balance of each pack expiring soon, summed along the ledger's index on the pack: a
    # join and GROUP BY let PostgreSQL's planner read the whole ledger (a million rows).
    left = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.minutes), 0)).where(
        LedgerEntry.pack == Pack.id
    )
    rows = (
        Pack.select(
            Pack.id,
            Customer.id,
            Customer.name,
            Pack.valid_until,
            Pack.minutes,
            left.alias("left"),
        )
        .join(Customer)
        .where(
            (Pack.kind == PackKind.UNIT)
            & (Pack.starts_on <= on)
            & (Pack.valid_until > last_lapsed_day(on))
            & (Pack.valid_until <= warning_horizon(on, within_days))
            & (left > 0)
        )
        .order_by(Pack.valid_until, Pack.id)
    )
    if limit is not None:
        rows = rows.limit(limit).offset(offset)
    return tuple(
        ExpiringPack(
            customer_id=row.customer.id,
            customer_name=row.customer.name,
            pack_id=row.id,
            valid_until=row.valid_until,
            minutes=row.minutes,
            remaining=int(row.left),
        )
        for row in rows_of(rows)
    )


def pack(pack_id: int) -> PackInfo:
    return info_of(get_or_missing(Pack, pack_id, missing_pack(pack_id)))


def packs_of_customer(customer_id: int) -> tuple[PackInfo, ...]:
    """Every pack the customer ever had, newest first."""
    query = Pack.select().where(Pack.customer == customer_id)
    return tuple(info_of(p) for p in query.order_by(Pack.purchased_on.desc(), Pack.id.desc()))
