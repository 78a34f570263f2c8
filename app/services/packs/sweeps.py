"""Hour packs: the sweeps, monthly allotments (P15) and expiry of lapsed balances (P14, P15).

See ``app.services.packs`` for the decisions behind them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from peewee import SQL, Case, Database, ModelSelect, Select, SelectBase, Value, ValuesList, fn

from app.domain.months import Month
from app.domain.packs import PackKind, covered_months, covering, first_live_month, last_lapsed_day
from app.domain.states import LedgerKind
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.packs.types import SweepResult
from app.services.queries import rows_of
from app.services.settings.calendar import company_today
from app.services.sweep_lock import claim_sweep
from app.store.database import current_database, is_sqlite, locking
from app.store.models import LedgerEntry, Pack

# --- the sweeps -------------------------------------------------------------------------------
#
# Set-based: each kind of entry a sweep writes (a month's allotment, a month's lapse, a unit
# pack's expiry) is one ``INSERT … SELECT`` for every pack at once, however many customers there
# are. Each writes only what is still missing when it runs (``NOT EXISTS`` an allotment, minutes
# still left, summed under the lock), so a desk that sweeps after another writes nothing twice;
# on PostgreSQL the second desk does not even wait (``app.services.sweep_lock``).
#
# Every minute they must cost next to nothing when there is nothing to do: the same ``SELECT``,
# read-only and stopped at its first row, over what may have changed since this program's last
# sweep of the database (``_Marks``); the write lock is taken only when it found something.

#: How far back the minute sweep looks for balances that lapsed or were credited again; the sweep
#: at start (``thorough``) looks at every balance, so a desk asleep for longer misses nothing.
RECENT_DAYS = 7

# Correlated subqueries name the ledger again: one alias per role, so none clashes.
_Allotment = LedgerEntry.alias("allotment")
_Expiry = LedgerEntry.alias("expiry")
_Entry = LedgerEntry.alias("entry")
_Credit = LedgerEntry.alias("credit")

#: The columns every sweep's ``INSERT … SELECT`` fills, in its select list's order.
_FIELDS = [
    LedgerEntry.customer,
    LedgerEntry.pack,
    LedgerEntry.kind,
    LedgerEntry.minutes,
    LedgerEntry.month,
    LedgerEntry.outside,
    LedgerEntry.reason,
    LedgerEntry.created_at,
]


@dataclass
class _Marks:
    """What this program's sweeps of one database found settled, as they ran: every monthly pack
    allotted up to ``allotted_through`` (a month's first day), every balance whose last day is
    ``lapsed_through`` or earlier expired. Afterwards only a credit can give such a balance
    minutes again (a sale or an allotment recorded late, a reversal), and the minute sweep looks
    at every recent credit; so it need not look at those balances again. Kept in memory: a
    program that starts sweeps everything (``thorough``) once."""

    allotted_through: date | None = None
    lapsed_through: date | None = None


_marks: WeakKeyDictionary[Database, _Marks] = WeakKeyDictionary()


def _marks_here() -> _Marks:
    return _marks.setdefault(current_database(), _Marks())


def forget_marks() -> None:
    """As if this program had just started: its next sweeps look at every balance their
    ``RECENT_DAYS`` cover (tests and benchmarks: another desk's program)."""
    _marks.pop(current_database(), None)


def covers_month_filter(month: date) -> Any:
    """P15 as a filter: the monthly packs that give hours in ``month`` (its first day), from the
    domain's bounds (``covering``)."""
    bounds = covering(Month.of(month))
    return (Pack.starts_on <= bounds.latest_first) & (
        Pack.last_month.is_null() | (Pack.last_month >= bounds.earliest_last)
    )


def _date(day: date | None) -> Any:
    return Value(day, converter=LedgerEntry.month.db_value)


class _Months:
    """The months from ``first`` to ``last`` as a table of the statement (``VALUES``), each with
    the domain's bounds of the subscriptions that give hours in it (P15)."""

    def __init__(self, first: Month, last: Month) -> None:
        rows = [
            (_date(month.first_day), _date(bounds.latest_first), _date(bounds.earliest_last))
            for month, bounds in covered_months(first, last)
        ]
        self.table = ValuesList(rows, alias="months")
        # SQLite and PostgreSQL both name the columns of a VALUES list column1, column2…
        self.month = self.table.c.column1
        self.covers = (Pack.starts_on <= self.table.c.column2) & (
            Pack.last_month.is_null() | (Pack.last_month >= self.table.c.column3)
        )


def _entries(
    kind: LedgerKind,
    minutes: Any,
    month: Any,
    now: datetime,
    *,
    customer: Any = Pack.customer,
    pack: Any = Pack.id,
) -> list[Any]:
    """The select list of an ``INSERT … SELECT`` of the program's own entries of ``kind`` for
    the packs of the query (``_FIELDS``'s order)."""
    return [
        customer,
        pack,
        Value(kind, converter=LedgerEntry.kind.db_value),
        minutes,
        month,
        Value(False, converter=LedgerEntry.outside.db_value),
        Value("", converter=LedgerEntry.reason.db_value),
        Value(now, converter=LedgerEntry.created_at.db_value),
    ]


def _insert(rows: SelectBase) -> int:
    """Appends the entries ``rows`` selects; how many were written."""
    return int(LedgerEntry.insert_from(rows, _FIELDS).as_rowcount().execute())


# --- monthly allotments (P15) -----------------------------------------------------------------


def _allotments_due(
    last: date, *, customer_id: int | None = None, pack_ids: list[int] | None = None
) -> Any:
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
    due = (Pack.kind == PackKind.MONTHLY) & (Pack.starts_on <= last) & ~fn.EXISTS(allotted)
    if customer_id is not None:
        due &= Pack.customer == customer_id
    if pack_ids is not None:
        due &= Pack.id.in_(pack_ids)
    return due


def _month_ordinal(day: Any) -> Any:
    """Months since the year 0 of a date in SQL (``Month.ordinal``): consecutive months have
    consecutive numbers. SQLite keeps a date as ISO text."""
    if is_sqlite():
        return fn.substr(day, 1, 4).cast("INTEGER") * 12 + fn.substr(day, 6, 2).cast("INTEGER")
    return fn.date_part("year", day) * 12 + fn.date_part("month", day)


def _allotment_rows(due: Any, first: date, last: date, now: datetime) -> Select:
    """Every month from ``first``'s to ``last`` that a due pack covers and has no allotment of:
    one ``MONTHLY_ALLOTMENT`` of the pack's minutes each, month by month, pack by pack.

    A pack's allotments are one unbroken run from its first month (this module records them so),
    so only the months after its last allotted one are looked at: a few index lookups a pack, not
    one a month of its history. A pack left with a hole by another program (fewer months allotted
    than its run spans) has every month looked at, and the hole filled."""
    allotment = (_Allotment.kind == LedgerKind.MONTHLY_ALLOTMENT) & (_Allotment.pack == Pack.id)
    top = _Allotment.select(fn.MAX(_Allotment.month)).where(allotment & (_Allotment.month <= last))
    allotted = _Allotment.select(fn.COUNT(fn.DISTINCT(_Allotment.month))).where(
        allotment & (_Allotment.month >= Pack.starts_on) & (_Allotment.month <= last)
    )
    # Materialized: each pack's last allotted month and count are looked up once, not once a
    # month of its history.
    packs = (
        Pack.select(
            Pack.id,
            Pack.customer,
            Pack.minutes,
            Pack.starts_on,
            Pack.last_month,
            top.alias("top"),
            allotted.alias("allotted"),
        )
        .where(due)
        .cte("due_packs", materialized=True)
    )
    months = _Months(Month.of(first), Month.of(last))
    covers = (packs.c.starts_on <= months.table.c.column2) & (
        packs.c.last_month.is_null() | (packs.c.last_month >= months.table.c.column3)
    )
    allotted_then = _Allotment.select(SQL("1")).where(
        (_Allotment.kind == LedgerKind.MONTHLY_ALLOTMENT)
        & (_Allotment.pack == packs.c.id)
        & (_Allotment.month == months.month)
    )
    return (
        Select(
            from_list=[packs, months.table],
            columns=_entries(
                LedgerKind.MONTHLY_ALLOTMENT,
                packs.c.minutes,
                months.month,
                now,
                customer=packs.c.customer_id,
                pack=packs.c.id,
            ),
        )
        .where(
            covers
            & (
                packs.c.top.is_null()
                | (months.month > packs.c.top)  # none allotted after its last allotted month
                | (
                    # fewer months allotted than its run spans: a hole, filled month by month
                    (
                        packs.c.allotted
                        < _month_ordinal(packs.c.top) - _month_ordinal(packs.c.starts_on) + 1
                    )
                    & ~fn.EXISTS(allotted_then)
                )
            )
        )
        .order_by(months.month, packs.c.id)
        .with_cte(packs)
    )


def record_allotments(
    desk: Desk,
    *,
    until: date,
    customer_id: int | None = None,
    pack_ids: Iterable[int] | None = None,
) -> int:
    """Records the missing ``MONTHLY_ALLOTMENT`` entries of monthly packs, up to ``until``'s
    month: the packs that lack one are locked (against a draw at another desk), then one
    statement writes every month still missing. A step of a use case (inside its transaction)."""
    last = Month.of(until).first_day
    ids = None if pack_ids is None else list(pack_ids)
    due = _allotments_due(last, customer_id=customer_id, pack_ids=ids)
    locked = locking(Pack.select(Pack.id, Pack.starts_on).where(due).order_by(Pack.id))
    starts = [starts_on for _pack_id, starts_on in rows_of(locked.tuples())]
    if not starts:
        return 0
    # The statement reads the ledger again: another desk may have recorded some meanwhile.
    return _insert(_allotment_rows(due, min(starts), last, desk.now()))


def _allotments_pending(last: date) -> bool:
    """Whether some monthly pack lacks an allotment up to the month ``last`` (read-only)."""
    return bool(Pack.select(SQL("1")).where(_allotments_due(last)).exists())


def ensure_monthly_allotments(desk: Desk, on: date | None = None) -> SweepResult:
    """Credits every monthly pack with the hours of each month begun by ``on`` (default and
    latest: today, in the company's time zone) that it has not been credited yet. Idempotent;
    when nothing is due it only reads (no write lock)."""
    today = company_today(desk.now())
    until = min(on or today, today)
    last = Month.of(until).first_day
    marks = _marks_here()
    if marks.allotted_through is not None and marks.allotted_through >= last:
        return SweepResult(0)  # this month's allotments found done, and no sale skips them
    if not _allotments_pending(last):
        marks.allotted_through = last
        return SweepResult(0)
    with use_case():
        if not claim_sweep():
            return SweepResult(0)  # another desk is recording them
        written = record_allotments(desk, until=until)
        done = changes.note(desk, {Topic.PACKS}) if written else Changes()
    marks.allotted_through = last
    return SweepResult(written, changes=done)


# --- expiry of lapsed balances (P14, P15) -----------------------------------------------------


def _same_month(column: Any, month: Any) -> Any:
    """``column`` names the month ``month`` (an expression or a date); ``None``: a unit pack's
    balance, whose entries have no month."""
    return column.is_null() if month is None else column == month


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
    #: ``None``: every lapsed balance (the thorough sweep); else only those whose last day is
    #: this day or later, or that were credited after ``credited_since``.
    lapsed_since: date | None
    credited_since: datetime | None

    @property
    def this_month(self) -> date:
        return first_live_month(self.today)

    @property
    def last_day(self) -> date:
        return last_lapsed_day(self.today)


def _credits(lapse: _Lapse) -> Any:
    """The credits that may have given a lapsed balance minutes after its expiry: the minute
    sweep's, those of the last days (from their own index, whose condition is repeated in
    literals so that SQLite uses it; free hours never lapse: left out); the thorough sweep's,
    every correction (the only credit that can follow an expiry: a purchase or an allotment opens
    its balance)."""
    if lapse.credited_since is None:
        return (_Credit.kind == LedgerKind.CORRECTION) & (_Credit.minutes > 0)
    return (
        (_Credit.created_at >= lapse.credited_since)
        & (_Credit.minutes > SQL("0"))
        & (_Credit.kind != SQL(f"'{LedgerKind.COMPENSATION.value}'"))
    )


def _unit_candidates(lapse: _Lapse) -> SelectBase:
    """Unit packs past their last day (P14) never expired, and those credited after their
    expiry: ``pack_id``."""
    # Only unit packs have a last day. A subquery, not a join: the few credits lead.
    past_last_day = Pack.select(SQL("1")).where(
        (Pack.id == _Credit.pack) & (Pack.valid_until <= lapse.last_day)
    )
    credited = _Credit.select(_Credit.pack.alias("pack_id")).where(
        _credits(lapse)
        & _Credit.month.is_null()
        & fn.EXISTS(past_last_day)
        & _not_expired(_Credit.pack, None, after=_Credit.id)
    )
    if lapse.lapsed_since is not None and lapse.lapsed_since > lapse.last_day:
        return credited
    lapsed = Pack.select(Pack.id.alias("pack_id")).where(
        (Pack.kind == PackKind.UNIT)
        & (Pack.valid_until <= lapse.last_day)
        & _not_expired(Pack.id, None)
    )
    if lapse.lapsed_since is not None:
        lapsed = lapsed.where(Pack.valid_until >= lapse.lapsed_since)
    return lapsed | credited


def _monthly_candidates(lapse: _Lapse) -> SelectBase:
    """Past months of monthly packs (P15) never expired, and those credited after their expiry:
    ``pack_id, month``."""
    credited = _Credit.select(_Credit.pack.alias("pack_id"), _Credit.month.alias("month")).where(
        _credits(lapse)
        & (_Credit.month < lapse.this_month)
        & _not_expired(_Credit.pack, _Credit.month, after=_Credit.id)
    )
    if lapse.lapsed_since is None:
        # Every past month: one per allotment entry.
        allotted = _Allotment.select(
            _Allotment.pack.alias("pack_id"), _Allotment.month.alias("month")
        ).where(
            (_Allotment.kind == LedgerKind.MONTHLY_ALLOTMENT)
            & (_Allotment.month < lapse.this_month)
            & _not_expired(_Allotment.pack, _Allotment.month)
        )
        return allotted | credited
    first = Month.of(lapse.lapsed_since)
    last = Month.of(lapse.this_month).previous()
    if first > last:
        return credited
    months = _Months(first, last)
    lapsed = (
        Pack.select(Pack.id.alias("pack_id"), months.month.alias("month"))
        .join(months.table, on=months.covers)
        .where((Pack.kind == PackKind.MONTHLY) & _not_expired(Pack.id, months.month))
    )
    return lapsed | credited


def _unit_expiries(lapse: _Lapse, now: datetime) -> ModelSelect[Pack]:
    """One ``EXPIRY`` of what is left of each unit pack in sight that still holds minutes."""
    found = _unit_candidates(lapse).alias("found")
    left = _left(Pack.id, None)
    return (
        Pack.select(*_entries(LedgerKind.EXPIRY, 0 - left, _date(None), now))
        .join(found, on=(Pack.id == found.c.pack_id))
        .where(left > 0)
        .order_by(Pack.id)
    )


def _monthly_expiries(lapse: _Lapse, now: datetime) -> ModelSelect[Pack]:
    """One ``EXPIRY`` of what is left of each month in sight of a monthly pack, month by month."""
    found = _monthly_candidates(lapse).alias("found")
    left = _left(Pack.id, found.c.month)
    return (
        Pack.select(*_entries(LedgerKind.EXPIRY, 0 - left, found.c.month, now))
        .join(found, on=(Pack.id == found.c.pack_id))
        .where(left > 0)
        .order_by(found.c.month, Pack.id)
    )


def _lapse_in_sight(desk: Desk, *, thorough: bool) -> _Lapse:
    now = desk.now()
    today = company_today(now)
    if thorough:
        return _Lapse(today, lapsed_since=None, credited_since=None)
    since = today - timedelta(days=RECENT_DAYS)
    settled = _marks_here().lapsed_through
    if settled is not None:
        since = max(since, settled + timedelta(days=1))
    return _Lapse(today, lapsed_since=since, credited_since=now - timedelta(days=RECENT_DAYS))


def _has_rows(query: ModelSelect[Pack]) -> bool:
    return bool(query.exists())


def expire_packs(desk: Desk, *, thorough: bool = False) -> SweepResult:
    """Records an ``EXPIRY`` entry for what is left of each lapsed balance: a unit pack after the
    end of its last day (P14, company time zone) and each past month of a monthly pack (P15).
    Idempotent: a balance at zero needs nothing.

    By default (every minute) it looks at the balances that lapsed in the last ``RECENT_DAYS``
    (fewer: those that lapsed since this program's last sweep, ``_Marks``) and at those credited
    in that time; ``thorough`` (at start) at every lapsed balance, so that what lapsed while no
    desk was sweeping expires too. When nothing is left it only reads.
    """
    now = desk.now()
    lapse = _lapse_in_sight(desk, thorough=thorough)
    unit = _unit_expiries(lapse, now)
    monthly = _monthly_expiries(lapse, now)
    marks = _marks_here()
    if not (_has_rows(unit) or _has_rows(monthly)):
        marks.lapsed_through = max(marks.lapsed_through or date.min, lapse.last_day)
        return SweepResult(0)  # the usual case: no write lock taken
    with use_case():
        if not claim_sweep():
            return SweepResult(0)  # another desk is expiring them
        # Their packs locked first (against a session drawing at another desk), then each
        # balance summed again by the statements.
        unit_keys = _unit_candidates(lapse).alias("unit_found")
        monthly_keys = _monthly_candidates(lapse).alias("monthly_found")
        in_sight = Pack.id.in_(unit_keys.select_from(unit_keys.c.pack_id)) | Pack.id.in_(
            monthly_keys.select_from(monthly_keys.c.pack_id)
        )
        list(locking(Pack.select(Pack.id).where(in_sight).order_by(Pack.id)).tuples())
        written = _insert(unit) + _insert(monthly)
        done = changes.note(desk, {Topic.PACKS}) if written else Changes()
    marks.lapsed_through = max(marks.lapsed_through or date.min, lapse.last_day)
    return SweepResult(written, changes=done)
