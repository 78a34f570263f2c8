"""Hour packs: the sweeps, monthly allotments (P15) and expiry of lapsed balances (P14, P15).

See ``app.services.packs`` for the decisions behind them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from peewee import SQL, Case, ModelSelect, Value, chunked, fn

from app.domain.months import Month
from app.domain.packs import PackKind, covering, first_live_month, last_lapsed_day
from app.domain.states import LedgerKind
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.packs.types import SweepResult
from app.services.queries import rows_of
from app.services.settings.calendar import company_today
from app.store.database import locking
from app.store.models import LedgerEntry, Pack

# --- the sweeps -------------------------------------------------------------------------------
#
# Every minute they must cost next to nothing when there is nothing to do, on a ledger of a
# million entries: each first looks, read-only, for the few balances that may need an entry
# (index lookups, migration 4), and takes the write lock only when it found some. What they
# write is computed by the database under that lock (``INSERT … SELECT``), pack by pack.

#: How far back the minute sweep looks for balances that lapsed or were credited again; the sweep
#: at start (``thorough``) looks at every balance, so a desk asleep for longer misses nothing.
RECENT_DAYS = 7
#: Pack ids per ``IN (…)``: well under SQLite's limit of parameters per statement.
IDS_PER_QUERY = 500

# Correlated subqueries name the ledger again: one alias per role, so none clashes.
_Allotment = LedgerEntry.alias("allotment")
_Expiry = LedgerEntry.alias("expiry")
_Entry = LedgerEntry.alias("entry")
_Credit = LedgerEntry.alias("credit")

#: A balance: its pack and, for a monthly pack, its month.
_BalanceKey = tuple[int, date | None]


def _month_days(first: date, last: date) -> Iterator[date]:
    """The months from ``first``'s to ``last``'s, inclusive, as the ledger keeps them: their
    first days."""
    for month in Month.span(Month.of(first), Month.of(last)):
        yield month.first_day


def _month_number(day: date) -> int:
    """Months since year 0: consecutive months have consecutive numbers."""
    return Month.of(day).ordinal


def covers_month_filter(month: date) -> Any:
    """P15 as a filter: the monthly packs that give hours in ``month`` (its first day), from the
    domain's bounds (``covering``)."""
    bounds = covering(Month.of(month))
    return (Pack.starts_on <= bounds.latest_first) & (
        Pack.last_month.is_null() | (Pack.last_month >= bounds.earliest_last)
    )


def _same_month(column: Any, month: Any) -> Any:
    """``column`` names the month ``month`` (an expression or a date); ``None``: a unit pack's
    balance, whose entries have no month."""
    return column.is_null() if month is None else column == month


def _append_for_packs(
    pack_ids: Iterable[int],
    *,
    kind: LedgerKind,
    month: date | None,
    minutes: Any,
    now: datetime,
    condition: Any = None,
) -> int:
    """Appends an entry of ``minutes`` (an expression over the pack's row) to each of these packs
    that meets ``condition``, recorded by the program itself; returns how many were written.

    One ``INSERT … SELECT`` per few hundred packs: a month's allotments of every subscriber are
    written in a few statements, and the customer is the pack's by construction.
    """
    written = 0
    for chunk in chunked(sorted(pack_ids), IDS_PER_QUERY):
        where = Pack.id.in_(chunk) if condition is None else Pack.id.in_(chunk) & condition
        rows = (
            Pack.select(
                Pack.customer,
                Pack.id,
                Value(kind, converter=LedgerEntry.kind.db_value),
                minutes,
                Value(month, converter=LedgerEntry.month.db_value),
                Value(False, converter=LedgerEntry.outside.db_value),
                Value("", converter=LedgerEntry.reason.db_value),
                Value(now, converter=LedgerEntry.created_at.db_value),
            )
            .where(where)
            .order_by(Pack.id)
        )
        fields = [
            LedgerEntry.customer,
            LedgerEntry.pack,
            LedgerEntry.kind,
            LedgerEntry.minutes,
            LedgerEntry.month,
            LedgerEntry.outside,
            LedgerEntry.reason,
            LedgerEntry.created_at,
        ]
        written += int(LedgerEntry.insert_from(rows, fields).as_rowcount().execute())
    return written


def _allotments_due(
    last: date, *, customer_id: int | None = None, pack_ids: Iterable[int] | None = None
) -> ModelSelect[Pack]:
    """Monthly packs begun by the month ``last`` whose last month due (``last``, or the pack's
    own last month when it ended before) has no allotment yet.

    Allotments are recorded from a pack's first month on, each month once and in order (here, and
    nowhere else), so the last month due tells whether any is missing: one index lookup a pack.
    """
    final = Case(None, [(Pack.last_month < last, Pack.last_month)], last)
    allotted = _Allotment.select(SQL("1")).where(
        (_Allotment.kind == LedgerKind.MONTHLY_ALLOTMENT)
        & (_Allotment.pack == Pack.id)
        & (_Allotment.month == final)
    )
    query = Pack.select(Pack.id, Pack.starts_on, Pack.last_month).where(
        (Pack.kind == PackKind.MONTHLY) & (Pack.starts_on <= last) & ~fn.EXISTS(allotted)
    )
    if customer_id is not None:
        query = query.where(Pack.customer == customer_id)
    if pack_ids is not None:
        query = query.where(Pack.id.in_(list(pack_ids)))
    return query.order_by(Pack.id)


def _missing_months(due: list[Pack], last: date) -> dict[date, list[int]]:
    """The packs of ``due`` that lack each month, up to ``last``. Read from each pack's count,
    first and last month allotted; month by month for a pack whose allotments are not one
    unbroken run from its first month (left so by another program, never by this one)."""
    found: dict[int, tuple[int, date, date]] = {}
    for chunk in chunked([pack.id for pack in due], IDS_PER_QUERY):
        query = (
            LedgerEntry.select(
                LedgerEntry.pack,
                fn.COUNT(fn.DISTINCT(LedgerEntry.month)),
                fn.MIN(LedgerEntry.month),
                fn.MAX(LedgerEntry.month),
            )
            .where(
                (LedgerEntry.kind == LedgerKind.MONTHLY_ALLOTMENT)
                & LedgerEntry.pack.in_(chunk)
                & (LedgerEntry.month <= last)
            )
            .group_by(LedgerEntry.pack)
        )
        found.update(
            (pack_id, (count, low, high)) for pack_id, count, low, high in rows_of(query.tuples())
        )
    missing: dict[date, list[int]] = {}
    irregular: list[Pack] = []
    for pack in due:
        first = _month_number(pack.starts_on)
        final = _month_number(min(last, pack.last_month or last))
        if pack.id in found:
            count, low, high = found[pack.id]
            if not (
                _month_number(low) == first
                and _month_number(high) <= final
                and count == _month_number(high) - first + 1
            ):
                irregular.append(pack)
                continue
            first += count  # the unbroken run allotted so far
        for number in range(first, final + 1):
            missing.setdefault(Month.from_ordinal(number).first_day, []).append(pack.id)
    if irregular:
        allotted = set(
            rows_of(
                LedgerEntry.select(LedgerEntry.pack, LedgerEntry.month)
                .where(
                    (LedgerEntry.kind == LedgerKind.MONTHLY_ALLOTMENT)
                    & LedgerEntry.pack.in_([pack.id for pack in irregular])
                )
                .tuples()
            )
        )
        for pack in irregular:
            for month in _month_days(pack.starts_on, min(last, pack.last_month or last)):
                if (pack.id, month) not in allotted:
                    missing.setdefault(month, []).append(pack.id)
    return missing


def record_allotments(
    desk: Desk,
    *,
    until: date,
    customer_id: int | None = None,
    pack_ids: Iterable[int] | None = None,
) -> int:
    """Records the missing ``MONTHLY_ALLOTMENT`` entries of monthly packs, up to ``until``'s
    month. The packs that lack one are locked, then read again: two desks never allot one month
    twice. A step of a use case (inside its transaction)."""
    last = Month.of(until).first_day
    due_query = _allotments_due(last, customer_id=customer_id, pack_ids=pack_ids)
    locked = [pack.id for pack in locking(due_query.select(Pack.id))]
    if not locked:
        return 0
    # Read again after the locks: another desk may have recorded them meanwhile.
    due = [
        pack
        for chunk in chunked(locked, IDS_PER_QUERY)
        for pack in due_query.where(Pack.id.in_(chunk))
    ]
    return sum(
        _append_for_packs(
            packs_missing,
            kind=LedgerKind.MONTHLY_ALLOTMENT,
            month=month,
            minutes=Pack.minutes,
            now=desk.now(),
        )
        for month, packs_missing in sorted(_missing_months(due, last).items())
    )


def ensure_monthly_allotments(desk: Desk, on: date | None = None) -> SweepResult:
    """Credits every monthly pack with the hours of each month begun by ``on`` (default and
    latest: today, in the company's time zone) that it has not been credited yet. Idempotent;
    when nothing is due it only reads (no write lock)."""
    today = company_today(desk.now())
    until = min(on or today, today)
    if not _allotments_due(Month.of(until).first_day).exists():
        return SweepResult(0)
    with use_case():
        written = record_allotments(desk, until=until)
        done = changes.note(desk, {Topic.PACKS}) if written else Changes()
        return SweepResult(written, changes=done)


def _left(pack: Any, month: Any) -> Any:
    """What a balance holds now: the sum of its entries, as a correlated subquery."""
    total = _Entry.select(fn.SUM(_Entry.minutes)).where(
        (_Entry.pack == pack) & _same_month(_Entry.month, month)
    )
    return fn.COALESCE(total, 0)


def _not_expired(pack: Any, month: Any, *, after: Any = None) -> Any:
    """The balance has no ``EXPIRY`` entry (recorded after the entry ``after``, if given)."""
    condition = (
        (_Expiry.kind == LedgerKind.EXPIRY)
        & (_Expiry.pack == pack)
        & _same_month(_Expiry.month, month)
    )
    if after is not None:
        condition &= _Expiry.id > after
    return ~fn.EXISTS(_Expiry.select(SQL("1")).where(condition))


@dataclass(frozen=True)
class _Lapse:
    """Which balances an expiry sweep looks at (see ``expire_packs``)."""

    today: date
    #: ``None``: every lapsed balance (the thorough sweep); else only those that lapsed on or
    #: after this day, or were credited after ``credited_since``.
    lapsed_since: date | None
    credited_since: datetime | None

    @property
    def this_month(self) -> date:
        return first_live_month(self.today)


def _unit_leftovers(lapse: _Lapse) -> Iterator[tuple[int, date | None, int]]:
    """Unit packs past their last day (P14) that were never expired."""
    query = Pack.select(Pack.id, _left(Pack.id, None)).where(
        (Pack.kind == PackKind.UNIT)
        & (Pack.valid_until <= last_lapsed_day(lapse.today))
        & _not_expired(Pack.id, None)
    )
    if lapse.lapsed_since is not None:
        query = query.where(Pack.valid_until >= lapse.lapsed_since)
    for pack_id, left in rows_of(query.tuples()):
        yield pack_id, None, int(left)


def _monthly_leftovers(lapse: _Lapse) -> Iterator[tuple[int, date | None, int]]:
    """Past months of monthly packs (P15) that were never expired."""
    if lapse.lapsed_since is None:
        # Every past month: one per allotment entry.
        allotments = _Allotment.select(
            _Allotment.pack, _Allotment.month, _left(_Allotment.pack, _Allotment.month)
        ).where(
            (_Allotment.kind == LedgerKind.MONTHLY_ALLOTMENT)
            & (_Allotment.month < lapse.this_month)
            & _not_expired(_Allotment.pack, _Allotment.month)
        )
        for pack_id, month, left in rows_of(allotments.tuples()):
            yield pack_id, month, int(left)
        return
    for month in _month_days(lapse.lapsed_since, lapse.this_month):
        if month >= lapse.this_month:
            break
        query = Pack.select(Pack.id, _left(Pack.id, month)).where(
            (Pack.kind == PackKind.MONTHLY)
            & covers_month_filter(month)
            & _not_expired(Pack.id, month)
        )
        for pack_id, left in rows_of(query.tuples()):
            yield pack_id, month, int(left)


def _credited_leftovers(lapse: _Lapse) -> Iterator[tuple[int, date | None, int]]:
    """Lapsed balances given minutes after their expiry (or before any): a reversal of a draw or
    of an expiry, a sale or an allotment recorded late. The minute sweep looks at the credits
    recorded lately, the thorough one at every correction (the only credit that can follow an
    expiry: a purchase or an allotment opens its balance)."""
    if lapse.credited_since is None:
        yield from _credited_balances(lapse, _Credit.kind == LedgerKind.CORRECTION)
        return
    # The credits of the last days first, from their own index (free hours never lapse: left
    # out; literals, as in the index's condition, so that SQLite uses it); then their balances.
    lately = _Credit.select(_Credit.id).where(
        (_Credit.created_at >= lapse.credited_since)
        & (_Credit.minutes > SQL("0"))
        & (_Credit.kind != SQL(f"'{LedgerKind.COMPENSATION.value}'"))
        & (_Credit.month.is_null() | (_Credit.month < lapse.this_month))
    )
    credit_ids = [credit.id for credit in lately]
    for chunk in chunked(credit_ids, IDS_PER_QUERY):
        yield from _credited_balances(lapse, _Credit.id.in_(chunk))


def _credited_balances(lapse: _Lapse, which: Any) -> Iterator[tuple[int, date | None, int]]:
    """The lapsed balances of the credits ``which`` (positive entries) that no expiry followed."""
    credit = which & (_Credit.minutes > 0)
    # Only unit packs have a last day. A subquery, not a join: the few credits lead, not the packs.
    past_last_day = Pack.select(SQL("1")).where(
        (Pack.id == _Credit.pack) & (Pack.valid_until <= last_lapsed_day(lapse.today))
    )
    unit = _Credit.select(_Credit.pack, _left(_Credit.pack, None)).where(
        credit
        & _Credit.month.is_null()
        & fn.EXISTS(past_last_day)
        & _not_expired(_Credit.pack, None, after=_Credit.id)
    )
    for pack_id, left in rows_of(unit.tuples()):
        yield pack_id, None, int(left)
    monthly = _Credit.select(_Credit.pack, _Credit.month, _left(_Credit.pack, _Credit.month)).where(
        credit
        & (_Credit.month < lapse.this_month)
        & _not_expired(_Credit.pack, _Credit.month, after=_Credit.id)
    )
    for pack_id, month, left in rows_of(monthly.tuples()):
        yield pack_id, month, int(left)


def _leftovers(lapse: _Lapse) -> set[_BalanceKey]:
    """The lapsed balances in the sweep's sight that still hold minutes."""
    return {
        (pack_id, month)
        for source in (_unit_leftovers, _monthly_leftovers, _credited_leftovers)
        for pack_id, month, left in source(lapse)
        if left > 0
    }


def expire_packs(desk: Desk, *, thorough: bool = False) -> SweepResult:
    """Records an ``EXPIRY`` entry for what is left of each lapsed balance: a unit pack after the
    end of its last day (P14, company time zone) and each past month of a monthly pack (P15).
    Idempotent: a balance at zero needs nothing.

    By default (every minute) it looks at the balances that lapsed in the last ``RECENT_DAYS``
    and at those credited in that time; ``thorough`` (at start) at every lapsed balance, so that
    what lapsed while no desk was sweeping expires too. When nothing is left it only reads.
    """
    now = desk.now()
    today = company_today(now)
    if thorough:
        lapse = _Lapse(today, lapsed_since=None, credited_since=None)
    else:
        lapse = _Lapse(
            today,
            lapsed_since=today - timedelta(days=RECENT_DAYS),
            credited_since=now - timedelta(days=RECENT_DAYS),
        )
    found = _leftovers(lapse)
    if not found:
        return SweepResult(0)  # the usual case: no write lock taken
    with use_case():
        for chunk in chunked(sorted({pack_id for pack_id, _month in found}), IDS_PER_QUERY):
            list(locking(Pack.select(Pack.id).where(Pack.id.in_(chunk)).order_by(Pack.id)))
        by_month: dict[date | None, list[int]] = {}
        for pack_id, month in found:
            by_month.setdefault(month, []).append(pack_id)
        written = 0
        for month, pack_ids in sorted(by_month.items(), key=lambda item: item[0] or date.min):
            # What is left is summed again under the lock: another desk may have expired it.
            left = _left(Pack.id, month)
            written += _append_for_packs(
                pack_ids,
                kind=LedgerKind.EXPIRY,
                month=month,
                minutes=0 - left,
                now=now,
                condition=left > 0,
            )
        done = changes.note(desk, {Topic.PACKS}) if written else Changes()
        return SweepResult(written, changes=done)
