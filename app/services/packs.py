"""Hour packs (P14–P16a): selling them, their balances, and every movement of the ledger.

A balance is never stored: it is the sum of the pack's ledger entries (for a monthly pack, of the
entries of one month), computed with aggregate queries. The ledger is append-only; a mistake is
put right by a reversing entry (``LedgerKind.CORRECTION`` with ``reverses``).

Decisions:
- Monthly packs (P15) are credited lazily, one ``MONTHLY_ALLOTMENT`` entry per pack and month
  (``month`` = its first day), by ``ensure_monthly_allotments``: the window runs it at start and
  every minute, and every draw runs it first. ``balances`` already counts the current month of a
  subscription whose allotment the sweep has not recorded yet, so the display never dips at
  midnight on the 1st.
- What a month leaves unused lapses with the month (no carry-over). ``expire_packs`` records it as
  an ``EXPIRY`` entry of that month, as it does for a unit pack past its last day (P14), so that
  the ledger explains every minute and a pack's entries always sum to what it can still pay.
  An expiry is recorded once per balance; a later reversal that gives minutes back to a lapsed
  balance (a session edited afterwards) is expired again by the next sweep. The minute sweep
  looks only at what lapsed or was credited in the last ``RECENT_DAYS``; the sweep at start
  (``thorough``) at every balance, for what lapsed while no desk was sweeping.
- Free hours (P16) never expire; they are granted and revoked by ``app.services.compensation``.
- Correcting an entry by hand (``correct_entry``) is for administrators only, as revoking a
  compensation is (P17): it changes what a customer has paid for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from peewee import JOIN, SQL, Case, ModelSelect, Value, chunked, fn

from app.domain.months import Month
from app.domain.packs import (
    Allocation,
    Balance,
    PackKind,
    allocate,
    balance_after,
    balance_validity,
    covering,
    first_live_month,
    last_lapsed_day,
    unit_pack_valid_until,
)
from app.domain.states import LedgerKind
from app.domain.validation import MAX_AMOUNT, MAX_PACK_MINUTES
from app.i18n import _, format_minutes_as_hours
from app.services import changes, checks
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.queries import get_or_missing, locked_or_missing
from app.services.settings import company_today, require_admin
from app.store.base import save_versioned
from app.store.database import current_database, locking
from app.store.models import Customer, LedgerEntry, Pack, Technician

#: A unit pack whose last day is this close is flagged as expiring soon.
EXPIRY_WARNING_DAYS = 30
#: The ledger page a view fetches at a time.
LEDGER_PAGE = 500


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackInfo:
    id: int
    version: int
    customer_id: int
    kind: PackKind
    #: Minutes bought (unit), given each month (monthly) or granted (free).
    minutes: int
    #: Net price; per month for a monthly pack.
    price: Decimal
    purchased_on: date
    starts_on: date
    #: Unit packs: the last usable day, inclusive (P14).
    valid_until: date | None
    #: Monthly packs: the first day of the last month; ``None`` while the subscription runs.
    last_month: date | None
    note: str
    created_at: datetime


@dataclass(frozen=True)
class PackResult:
    pack: PackInfo
    changes: Changes


@dataclass(frozen=True)
class PackBalance:
    """What one pack can still pay on a given day (a monthly pack: in that day's month)."""

    pack_id: int
    kind: PackKind
    #: What the pack gives: its hours (unit), one month's hours (monthly), the free hours.
    minutes: int
    remaining: int
    valid_from: date
    #: The last usable day; the month's last day for a monthly pack; ``None``: never expires.
    valid_until: date | None
    #: Monthly packs: the first day of the month this balance belongs to.
    month: date | None
    #: A unit pack with minutes left whose last day is within ``EXPIRY_WARNING_DAYS``.
    expiring_soon: bool

    @property
    def used(self) -> int:
        """Minutes drawn from what the pack gives (never below 0: a correction may add some)."""
        return max(self.minutes - self.remaining, 0)

    def as_balance(self) -> Balance:
        """The domain's view of it, for ``allocate``."""
        return Balance(
            key=self.pack_id,
            kind=self.kind,
            remaining=self.remaining,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


@dataclass(frozen=True)
class CustomerBalances:
    """A customer's balances usable on ``on``, each list in the order they pay (P16a)."""

    customer_id: int
    on: date
    monthly: tuple[PackBalance, ...]
    unit: tuple[PackBalance, ...]
    free: tuple[PackBalance, ...]

    @property
    def monthly_minutes(self) -> int:
        return sum(balance.remaining for balance in self.monthly)

    @property
    def monthly_given(self) -> int:
        """What the monthly packs give in the month of ``on``."""
        return sum(balance.minutes for balance in self.monthly)

    @property
    def monthly_used(self) -> int:
        """What was drawn from them in that month (never below 0)."""
        return max(self.monthly_given - self.monthly_minutes, 0)

    @property
    def unit_minutes(self) -> int:
        return sum(balance.remaining for balance in self.unit)

    @property
    def free_minutes(self) -> int:
        return sum(balance.remaining for balance in self.free)

    @property
    def total_minutes(self) -> int:
        return self.monthly_minutes + self.unit_minutes + self.free_minutes

    @property
    def all(self) -> tuple[PackBalance, ...]:
        return self.monthly + self.unit + self.free


@dataclass(frozen=True)
class ExpiringPack:
    customer_id: int
    customer_name: str
    pack_id: int
    valid_until: date
    minutes: int
    remaining: int


@dataclass(frozen=True)
class LedgerRow:
    """One ledger entry with who, when and why."""

    id: int
    created_at: datetime
    customer_id: int
    customer_name: str
    pack_id: int
    pack_kind: PackKind
    kind: LedgerKind
    #: Signed: credits positive, debits negative.
    minutes: int
    #: Monthly packs: the first day of the month the entry belongs to.
    month: date | None
    #: A consumption (or its reversal) that paid out-of-hours time.
    outside: bool
    session_id: int | None
    contact_id: int | None
    #: The entry this one reverses, and the entry that reversed this one.
    reverses_id: int | None
    reversed_by_id: int | None
    reason: str
    #: ``None``: recorded by the program itself (a sweep, a compensation).
    created_by_id: int | None
    created_by_name: str | None


@dataclass(frozen=True)
class SweepResult:
    """What a sweep recorded: entries written (0 when there was nothing to do)."""

    entries: int
    changes: Changes


@dataclass(frozen=True)
class EntryCorrected:
    correction: LedgerRow
    changes: Changes


# --- helpers ----------------------------------------------------------------------------------


def rows_of(query: Any) -> Iterator[Any]:
    """The rows of a query that selects more than its model's columns (aliases, aggregates)."""
    yield from query


def first_of_month(day: date) -> date:
    """A month as the store keeps it: its first day."""
    return Month.of(day).first_day


def months(first: date, last: date) -> Iterator[date]:
    """The first days of the months from ``first``'s to ``last``'s, inclusive."""
    for month in Month.span(Month.of(first), Month.of(last)):
        yield month.first_day


def _info(pack: Pack) -> PackInfo:
    return PackInfo(
        id=pack.id,
        version=pack.version,
        customer_id=pack.customer_id,
        kind=pack.kind,
        minutes=pack.minutes,
        price=pack.price,
        purchased_on=pack.purchased_on,
        starts_on=pack.starts_on,
        valid_until=pack.valid_until,
        last_month=pack.last_month,
        note=pack.note,
        created_at=pack.created_at,
    )


def _missing_pack(pack_id: int) -> str:
    return _("The pack {id} does not exist.").format(id=pack_id)


def customer_row(customer_id: int) -> Customer:
    """The customer's row, or ``NotFoundError`` (for the use cases of packs, sessions, invoices)."""
    return get_or_missing(
        Customer, customer_id, _("The customer {id} does not exist.").format(id=customer_id)
    )


def _require_transaction() -> None:
    # The draws and reversals below are steps of a caller's use case, never use cases of their own.
    if not current_database().in_transaction():
        raise RuntimeError("this runs inside the caller's use_case()")


# --- selling ----------------------------------------------------------------------------------


def _check_sale(minutes: int, price: Decimal, kind: PackKind) -> None:
    """Raises ``ValidationError`` (run it inside the use case) or ``InputError``."""
    if kind is PackKind.FREE:
        raise InputError(_("Free hours are granted by a missed guarantee, not sold."), field="kind")
    minutes = checks.whole(
        "minutes",
        minutes,
        minimum=-MAX_PACK_MINUTES,
        maximum=MAX_PACK_MINUTES,
        shown=format_minutes_as_hours,
    )
    if minutes <= 0:
        raise InputError(_("A pack must have more than zero hours."), field="minutes")
    price = checks.number("price", price, maximum=MAX_AMOUNT, money=True)
    if price < 0:
        raise InputError(_("The price of a pack cannot be negative."), field="price")
    if price != price.quantize(Decimal("0.01")):
        raise InputError(_("A price has at most two decimal places (cents)."), field="price")


def sell_pack(
    desk: Desk,
    *,
    customer_id: int,
    kind: PackKind,
    minutes: int,
    price: Decimal,
    purchased_on: date | None = None,
    starts_on: date | None = None,
    last_month: date | None = None,
    note: str = "",
) -> PackResult:
    """Sells a unit pack (P14) or a monthly subscription (P15) to a customer.

    ``minutes``: the hours bought (unit) or given each month (monthly), as minutes
    (``validation.parse_hours`` reads what the technician typed). ``price``: net; per month for a
    monthly pack. ``purchased_on``: today when omitted; may be in the past (recording an earlier
    sale), never in the future.

    Unit: valid from ``starts_on`` (default: the purchase date) until ``unit_pack_valid_until``;
    its ``PURCHASE`` entry is recorded now. Monthly: ``starts_on`` and ``last_month`` name months
    (any day of them); the first month is not before the purchase; ``last_month`` ``None`` runs
    until ended (``end_monthly_pack``). The allotments of the months already begun are recorded
    at once.
    """
    with use_case():
        _check_sale(minutes, price, kind)
        for field, day in (
            ("purchased_on", purchased_on),
            ("starts_on", starts_on),
            ("last_month", last_month),
        ):
            if day is not None:
                checks.day(field, day)
        text = checks.check_text("note", note)
        customer_row(customer_id)
        today = company_today(desk.now())
        bought = purchased_on or today
        if bought > today:
            raise InputError(_("The purchase date cannot be in the future."), field="purchased_on")
        valid_until: date | None = None
        if kind is PackKind.UNIT:
            valid_until = unit_pack_valid_until(bought)
            first = starts_on or bought
            if not bought <= first <= valid_until:
                raise InputError(
                    _("A unit pack starts between its purchase and its last day."),
                    field="starts_on",
                )
            last = None
        else:
            first = first_of_month(starts_on or bought)
            if first < first_of_month(bought):
                raise InputError(
                    _("A monthly pack cannot start before the month it is bought in."),
                    field="starts_on",
                )
            last = None if last_month is None else first_of_month(last_month)
            if last is not None and last < first:
                raise InputError(
                    _("The last month of a monthly pack cannot come before its first."),
                    field="last_month",
                )
        pack = Pack.create(
            customer=customer_id,
            kind=kind,
            minutes=minutes,
            price=price,
            purchased_on=bought,
            starts_on=first,
            valid_until=valid_until,
            last_month=last,
            note=text,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
        if kind is PackKind.UNIT:
            LedgerEntry.create(
                customer=customer_id,
                pack=pack,
                kind=LedgerKind.PURCHASE,
                minutes=minutes,
                created_at=desk.now(),
                created_by=desk.technician_id,
            )
        else:
            _record_allotments(desk, until=today, pack_ids=[pack.id])
        done = changes.note(desk, {Topic.PACKS}, pack.id)
        return PackResult(_info(pack), done)


def end_monthly_pack(desk: Desk, pack_id: int, version: int, *, last_month: date) -> PackResult:
    """Ends a monthly subscription after ``last_month`` (any day of it).

    The months already begun are not taken back (P15, no refunds): ``last_month`` cannot be
    before the current month.
    """
    with use_case():
        pack = locked_or_missing(Pack, pack_id, _missing_pack(pack_id))
        if pack.kind is not PackKind.MONTHLY:
            raise RuleError(_("Only a monthly pack has a last month."))
        last = first_of_month(checks.day("last_month", last_month))
        this_month = first_of_month(company_today(desk.now()))
        if last < max(this_month, pack.starts_on):
            raise InputError(
                _("A subscription can end this month at the earliest: {month}.").format(
                    month=max(this_month, pack.starts_on).strftime("%m/%Y")
                ),
                field="last_month",
            )
        pack.last_month = last
        save_versioned(pack, version, only=[Pack.last_month])
        done = changes.note(desk, {Topic.PACKS}, pack.id)
        return PackResult(_info(pack), done)


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
_IDS_PER_QUERY = 500

# Correlated subqueries name the ledger again: one alias per role, so none clashes.
_Allotment = LedgerEntry.alias("allotment")
_Expiry = LedgerEntry.alias("expiry")
_Entry = LedgerEntry.alias("entry")
_Credit = LedgerEntry.alias("credit")

#: A balance: its pack and, for a monthly pack, its month.
_BalanceKey = tuple[int, date | None]


def _month_number(day: date) -> int:
    """Months since year 0: consecutive months have consecutive numbers."""
    return Month.of(day).ordinal


def _covers(month: date) -> Any:
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
    for chunk in chunked(sorted(pack_ids), _IDS_PER_QUERY):
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
    for chunk in chunked([pack.id for pack in due], _IDS_PER_QUERY):
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
            for month in months(pack.starts_on, min(last, pack.last_month or last)):
                if (pack.id, month) not in allotted:
                    missing.setdefault(month, []).append(pack.id)
    return missing


def _record_allotments(
    desk: Desk,
    *,
    until: date,
    customer_id: int | None = None,
    pack_ids: Iterable[int] | None = None,
) -> int:
    """Records the missing ``MONTHLY_ALLOTMENT`` entries of monthly packs, up to ``until``'s
    month. The packs that lack one are locked, then read again: two desks never allot one month
    twice. A step of a use case (inside its transaction)."""
    last = first_of_month(until)
    due_query = _allotments_due(last, customer_id=customer_id, pack_ids=pack_ids)
    locked = [pack.id for pack in locking(due_query.select(Pack.id))]
    if not locked:
        return 0
    # Read again after the locks: another desk may have recorded them meanwhile.
    due = [
        pack
        for chunk in chunked(locked, _IDS_PER_QUERY)
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
    if not _allotments_due(first_of_month(until)).exists():
        return SweepResult(0, Changes())
    with use_case():
        written = _record_allotments(desk, until=until)
        done = changes.note(desk, {Topic.PACKS}) if written else Changes()
        return SweepResult(written, done)


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
    for month in months(first_of_month(lapse.lapsed_since), lapse.this_month):
        if month >= lapse.this_month:
            break
        query = Pack.select(Pack.id, _left(Pack.id, month)).where(
            (Pack.kind == PackKind.MONTHLY) & _covers(month) & _not_expired(Pack.id, month)
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
    for chunk in chunked(credit_ids, _IDS_PER_QUERY):
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
        return SweepResult(0, Changes())  # the usual case: no write lock taken
    with use_case():
        for chunk in chunked(sorted({pack_id for pack_id, _month in found}), _IDS_PER_QUERY):
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
        return SweepResult(written, done)


# --- balances ---------------------------------------------------------------------------------


def _pack_balances(
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
    month = first_of_month(on)
    packs_query = Pack.select().where(
        (Pack.customer == customer_id)
        & (Pack.starts_on <= on)
        & (
            ((Pack.kind == PackKind.UNIT) & (Pack.valid_until > last_lapsed_day(on)))
            | ((Pack.kind == PackKind.MONTHLY) & _covers(month))
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
                    and valid_until <= on + timedelta(days=EXPIRY_WARNING_DAYS)
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
    found = _pack_balances(customer_id, on, pending_allotments=True)
    return _customer_balances(customer_id, on, found)


def balance_at(customer_id: int, at: datetime) -> CustomerBalances:
    """The balances as the ledger stood at the instant ``at`` (for statements): only the packs
    and entries recorded by then count, validity as of that day."""
    customer_row(customer_id)
    on = company_today(at)
    return _customer_balances(customer_id, on, _pack_balances(customer_id, on, recorded_until=at))


def expiring_packs(on: date, within_days: int = EXPIRY_WARNING_DAYS) -> tuple[ExpiringPack, ...]:
    """Unit packs of every customer with minutes left whose last day falls within
    ``within_days`` of ``on``, soonest first."""
    left = fn.SUM(LedgerEntry.minutes)
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
        .switch(Pack)
        .join(LedgerEntry)
        .where(
            (Pack.kind == PackKind.UNIT)
            & (Pack.starts_on <= on)
            & (Pack.valid_until > last_lapsed_day(on))
            & (Pack.valid_until <= on + timedelta(days=within_days))
        )
        .group_by(Pack.id, Customer.id, Customer.name, Pack.valid_until, Pack.minutes)
        .having(left > 0)
        .order_by(Pack.valid_until, Pack.id)
    )
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
    return _info(get_or_missing(Pack, pack_id, _missing_pack(pack_id)))


def packs_of_customer(customer_id: int) -> tuple[PackInfo, ...]:
    """Every pack the customer ever had, newest first."""
    query = Pack.select().where(Pack.customer == customer_id)
    return tuple(_info(p) for p in query.order_by(Pack.purchased_on.desc(), Pack.id.desc()))


# --- the ledger -------------------------------------------------------------------------------


def _ledger_rows(query_filter: object | None, *, limit: int, offset: int) -> tuple[LedgerRow, ...]:
    reversal = LedgerEntry.alias("reversal")
    query = (
        LedgerEntry.select(
            LedgerEntry,
            Customer.name.alias("customer_name"),
            Pack.kind.alias("pack_kind"),
            Technician.name.alias("created_by_name"),
            reversal.id.alias("reversed_by_id"),
        )
        .join(Customer, on=LedgerEntry.customer == Customer.id)
        .switch(LedgerEntry)
        .join(Pack, on=LedgerEntry.pack == Pack.id)
        .switch(LedgerEntry)
        .join(Technician, JOIN.LEFT_OUTER, on=LedgerEntry.created_by == Technician.id)
        .switch(LedgerEntry)
        .join(reversal, JOIN.LEFT_OUTER, on=reversal.reverses == LedgerEntry.id)
    )
    if query_filter is not None:
        query = query.where(query_filter)
    query = query.order_by(LedgerEntry.id.desc()).limit(limit).offset(offset)
    return tuple(
        LedgerRow(
            id=row.id,
            created_at=row.created_at,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            pack_id=row.pack_id,
            pack_kind=PackKind(row.pack_kind),
            kind=row.kind,
            minutes=row.minutes,
            month=row.month,
            outside=row.outside,
            session_id=row.session_id,
            contact_id=row.contact_id,
            reverses_id=row.reverses_id,
            reversed_by_id=row.reversed_by_id,
            reason=row.reason,
            created_by_id=row.created_by_id,
            created_by_name=row.created_by_name,
        )
        for row in rows_of(query.objects())
    )


def ledger(
    customer_id: int | None = None,
    pack_id: int | None = None,
    kind: LedgerKind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    limit: int = LEDGER_PAGE,
    offset: int = 0,
) -> tuple[LedgerRow, ...]:
    """Ledger entries, newest first, filtered by customer, pack, kind and ``[since, until)``."""
    conditions = []
    if customer_id is not None:
        conditions.append(LedgerEntry.customer == customer_id)
    if pack_id is not None:
        conditions.append(LedgerEntry.pack == pack_id)
    if kind is not None:
        conditions.append(LedgerEntry.kind == kind)
    if since is not None:
        conditions.append(LedgerEntry.created_at >= since)
    if until is not None:
        conditions.append(LedgerEntry.created_at < until)
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return _ledger_rows(combined, limit=limit, offset=offset)


def _pack_sum(entry: LedgerEntry) -> int:
    """The balance the entry counts in: its pack's, or for a monthly pack its month's."""
    query = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.minutes), 0)).where(
        LedgerEntry.pack == entry.pack_id
    )
    if entry.month is not None:
        query = query.where(LedgerEntry.month == entry.month)
    return int(query.scalar())


def correct_entry(desk: Desk, entry_id: int, reason: str) -> EntryCorrected:
    """Reverses a ledger entry recorded by mistake (a pack sold twice, a wrong allotment) with a
    ``CORRECTION`` entry of the opposite minutes. Administrators only; a written reason is
    required. A session's entries are corrected by editing or discarding the session, a
    compensation by revoking it; an entry is reversed at most once; no balance goes negative."""
    with use_case():
        why = checks.check_text("reason", reason, max_length=checks.LONG_TEXT, multiline=True)
        if not why:
            raise InputError(_("Write why the entry is corrected."), field="reason")
        require_admin(desk)
        entry = get_or_missing(
            LedgerEntry, entry_id, _("The ledger entry {id} does not exist.").format(id=entry_id)
        )
        if entry.session_id is not None:
            raise RuleError(
                _("This entry belongs to a session: edit or discard the session instead.")
            )
        if entry.kind in (LedgerKind.COMPENSATION, LedgerKind.REVOCATION):
            raise RuleError(
                _("Free hours of a missed guarantee are taken back by revoking the compensation.")
            )
        list(locking(Pack.select(Pack.id).where(Pack.id == entry.pack_id)))
        if LedgerEntry.select().where(LedgerEntry.reverses == entry.id).exists():
            raise RuleError(_("This entry has already been reversed."))
        try:
            balance_after(_pack_sum(entry), -entry.minutes)
        except ValueError as error:
            raise RuleError(
                _("Reversing this entry would leave the pack below zero: {detail}").format(
                    detail=error
                )
            ) from error
        correction = LedgerEntry.create(
            customer=entry.customer_id,
            pack=entry.pack_id,
            kind=LedgerKind.CORRECTION,
            minutes=-entry.minutes,
            month=entry.month,
            outside=entry.outside,
            contact=entry.contact_id,
            reverses=entry.id,
            reason=why,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
        done = changes.note(desk, {Topic.PACKS}, entry.pack_id)
        (row,) = _ledger_rows(LedgerEntry.id == correction.id, limit=1, offset=0)
        return EntryCorrected(row, done)


# --- steps of the session use cases -----------------------------------------------------------


def draw_for_session(
    desk: Desk,
    *,
    customer_id: int,
    session_id: int,
    contact_id: int | None,
    inside_minutes: int,
    outside_minutes: int,
    on: date,
) -> Allocation:
    """Pays a session's billed minutes from the customer's balances usable on ``on`` (P16a) and
    records a ``CONSUMPTION`` entry per draw. A step of a session use case (inside its
    ``use_case()``): the customer's pack rows are locked first, so no balance is ever overdrawn
    by two desks at once, and this month's allotments are recorded before anything is drawn."""
    _require_transaction()
    list(locking(Pack.select(Pack.id).where(Pack.customer == customer_id).order_by(Pack.id)))
    _record_allotments(desk, until=company_today(desk.now()), customer_id=customer_id)
    found = _pack_balances(customer_id, on)
    allocation = allocate(inside_minutes, outside_minutes, [b.as_balance() for b in found], on)
    month_of = {b.pack_id: b.month for b in found}
    for draw in allocation.draws:
        LedgerEntry.create(
            customer=customer_id,
            pack=draw.key,
            kind=LedgerKind.CONSUMPTION,
            minutes=-draw.minutes,
            month=month_of[draw.key],
            outside=draw.outside,
            session=session_id,
            contact=contact_id,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
    return allocation


def reverse_session_draws(desk: Desk, session_id: int, reason: str) -> int:
    """Gives back what a session drew, with one reversing entry per draw not yet reversed; a step
    of a session use case. Returns the number of entries reversed."""
    _require_transaction()
    already = LedgerEntry.select(LedgerEntry.reverses).where(LedgerEntry.reverses.is_null(False))
    draws = list(
        LedgerEntry.select()
        .where(
            (LedgerEntry.session == session_id)
            & (LedgerEntry.kind == LedgerKind.CONSUMPTION)
            & LedgerEntry.id.not_in(already)
        )
        .order_by(LedgerEntry.id)
    )
    if not draws:
        return 0
    list(
        locking(
            Pack.select(Pack.id).where(Pack.id.in_({d.pack_id for d in draws})).order_by(Pack.id)
        )
    )
    for draw in draws:
        LedgerEntry.create(
            customer=draw.customer_id,
            pack=draw.pack_id,
            kind=LedgerKind.CORRECTION,
            minutes=-draw.minutes,
            month=draw.month,
            outside=draw.outside,
            session=session_id,
            contact=draw.contact_id,
            reverses=draw.id,
            reason=reason,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
    return len(draws)
