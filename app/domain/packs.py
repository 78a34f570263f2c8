"""Hour packs (P14–P16a): validity of unit, monthly and free hours, and which balance pays.

Balances are whole minutes. The store turns its ledger into ``Balance`` values; ``allocate``
decides which of them pay for a session's billed time, and the store records each ``Draw`` as a
ledger entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from app.domain.calendar import start_of_day
from app.domain.months import Month
from app.i18n import _


class PackKind(StrEnum):
    UNIT = "unit"  # P14
    MONTHLY = "monthly"  # P15
    FREE = "free"  # P16, granted by P17


# P16a: the order in which kinds of balance pay.
_KIND_RANK = {PackKind.MONTHLY: 0, PackKind.UNIT: 1, PackKind.FREE: 2}


# --- P14: unit packs ---------------------------------------------------------------------------


def unit_pack_valid_until(purchased_on: date) -> date:
    """P14: the last day a unit pack can be used (inclusive): the same date a year later.

    A pack bought on 29 February is valid until 28 February of the next year.
    """
    return purchased_on + relativedelta(years=1)


def last_lapsed_day(today: date) -> date:
    """P14, P15: a balance whose last day is this one or earlier has lapsed by ``today`` (its
    last day is over); the sweeps and the balance queries filter with this bound."""
    return today - timedelta(days=1)


#: A unit pack whose last day is this close is flagged as expiring soon.
EXPIRY_WARNING_DAYS = 30


def warning_horizon(on: date, within_days: int = EXPIRY_WARNING_DAYS) -> date:
    """P14: the last day a unit pack may end on, seen on ``on``, to be flagged as expiring soon;
    the services filter with this bound."""
    return on + timedelta(days=within_days)


def expiring_soon(valid_until: date, on: date) -> bool:
    """P14: a unit pack still usable on ``on`` whose last day is near (``EXPIRY_WARNING_DAYS``)."""
    return not lapsed(valid_until, on) and valid_until <= warning_horizon(on)


def lapsed(valid_until: date, today: date) -> bool:
    """P14, P15: whether a balance whose last day is ``valid_until`` has lapsed by ``today``."""
    return valid_until <= last_lapsed_day(today)


# --- P15: monthly packs ------------------------------------------------------------------------


def month_key(day: date) -> Month:
    return Month.of(day)


def month_bounds(month: Month) -> tuple[date, date]:
    """The first and the last day of a calendar month."""
    return month.first_day, month.last_day


@dataclass(frozen=True)
class Covering:
    """P15: the bounds a subscription's first and last months (stored as their first days) must
    meet to give hours in a month: the first began by ``latest_first``, the last (if any) is not
    before ``earliest_last``."""

    latest_first: date
    earliest_last: date


def covering(month: Month) -> Covering:
    """P15: which subscriptions give hours in ``month`` (the services filter with these bounds)."""
    return Covering(latest_first=month.first_day, earliest_last=month.first_day)


def covered_months(first: Month, last: Month) -> tuple[tuple[Month, Covering], ...]:
    """P15: each month from ``first`` to ``last`` (inclusive) with the bounds of the
    subscriptions that give hours in it: the sweeps join a pack to the months it is allotted or
    lapses in, in one statement, from these rows."""
    return tuple((month, covering(month)) for month in Month.span(first, last))


def covers_month(first: Month, last: Month | None, month: Month) -> bool:
    """Whether a subscription from ``first`` to ``last`` (inclusive; ``None`` = open-ended) gives
    hours in ``month`` (P15)."""
    bounds = covering(month)
    if first.first_day > bounds.latest_first:
        return False
    return last is None or last.first_day >= bounds.earliest_last


# --- balances and their use (P16a) -------------------------------------------------------------


def balance_after(remaining: int, change: int) -> int:
    """A balance after a ledger movement (negative = a draw); it never goes below zero (P16a)."""
    after = remaining + change
    if after < 0:
        raise ValueError(
            _("A balance of {remaining} min cannot pay {minutes} min.").format(
                remaining=remaining, minutes=-change
            )
        )
    return after


@dataclass(frozen=True)
class Balance:
    """What is left of one pack (for a monthly pack: of one month of it), in minutes."""

    key: int
    kind: PackKind
    remaining: int
    valid_from: date
    #: The last day it can be used, inclusive; ``None`` never expires (free hours, P16).
    valid_until: date | None

    def __post_init__(self) -> None:
        if self.remaining < 0:
            raise ValueError(_("A pack balance cannot be negative."))
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(_("A pack cannot expire before it becomes valid."))


def usable(balance: Balance, on: date) -> bool:
    """Already valid on ``on``, not yet expired, and something left."""
    if on < balance.valid_from:
        return False
    if balance.valid_until is not None and lapsed(balance.valid_until, on):
        return False
    return balance.remaining > 0


def payment_order(kind: PackKind, valid_until: date | None) -> tuple[int, date]:
    """P16a: where a balance pays in turn: monthly hours, then unit packs by expiry (oldest
    first), then free hours."""
    return (_KIND_RANK[PackKind(kind)], date.max if valid_until is None else valid_until)


def _payment_order(balance: Balance) -> tuple[int, date, date, int]:
    return (*payment_order(balance.kind, balance.valid_until), balance.valid_from, balance.key)


@dataclass(frozen=True)
class Draw:
    """Minutes taken from one balance; ``outside`` when they pay out-of-hours time."""

    key: int
    kind: PackKind
    minutes: int
    outside: bool


@dataclass(frozen=True)
class Allocation:
    draws: tuple[Draw, ...]
    uncovered_inside: int  # billed at the hourly rate
    uncovered_outside: int  # billed at the out-of-hours rate

    @property
    def covered_inside(self) -> int:
        return sum(draw.minutes for draw in self.draws if not draw.outside)

    @property
    def covered_outside(self) -> int:
        return sum(draw.minutes for draw in self.draws if draw.outside)

    @property
    def covered(self) -> int:
        return self.covered_inside + self.covered_outside

    @property
    def uncovered(self) -> int:
        return self.uncovered_inside + self.uncovered_outside


def allocate(
    inside_minutes: int, outside_minutes: int, balances: Iterable[Balance], on: date
) -> Allocation:
    """P16a: which balances pay ``inside_minutes`` and ``outside_minutes`` of billed time on ``on``.

    Balances pay in the order of ``_payment_order``; the out-of-hours minutes are paid first, then
    the inside ones, so the dearer time is the one covered. No balance is overdrawn, expired or
    not-yet-valid balances are skipped, and what no balance pays stays uncovered.
    """
    if inside_minutes < 0 or outside_minutes < 0:
        raise ValueError(_("Billed time cannot be negative."))
    payers = sorted((b for b in balances if usable(b, on)), key=_payment_order)
    seen = {(b.kind, b.key) for b in payers}
    if len(seen) != len(payers):
        # The ledger could not tell which of them a draw came from.
        raise ValueError(_("Two usable pack balances have the same key."))
    left = [b.remaining for b in payers]
    draws: list[Draw] = []
    uncovered_outside = _pay(outside_minutes, True, payers, left, draws)
    uncovered_inside = _pay(inside_minutes, False, payers, left, draws)
    return Allocation(tuple(draws), uncovered_inside, uncovered_outside)


def _pay(
    minutes: int, outside: bool, payers: list[Balance], left: list[int], draws: list[Draw]
) -> int:
    """Takes ``minutes`` from ``payers`` in order, updating ``left`` and ``draws``; returns the
    minutes nobody paid."""
    for i, payer in enumerate(payers):
        if not minutes:
            break
        taken = min(minutes, left[i])
        if taken:
            draws.append(Draw(payer.key, payer.kind, taken, outside))
            left[i] -= taken
            minutes -= taken
    return minutes


# --- validity of a balance, and when it lapses (P14–P16) ---------------------------------------


def balance_validity(
    kind: PackKind, starts_on: date, valid_until: date | None, on: date
) -> tuple[date, date | None]:
    """The first and last day (inclusive; ``None``: never ends) that a pack's balance can pay,
    as it stands on ``on``: a unit pack from its start to its last day (P14); a monthly pack,
    the month of ``on`` only, since unused hours do not carry over (P15); free hours from their
    grant, for ever (P16)."""
    kind = PackKind(kind)
    if kind is PackKind.MONTHLY:
        return month_bounds(Month.of(on))
    if kind is PackKind.UNIT and valid_until is None:
        raise ValueError("a unit pack needs its last day")
    return starts_on, valid_until if kind is PackKind.UNIT else None


def lapses_at(valid_until: date, tz: ZoneInfo) -> datetime:
    """P14, P15: the instant, in UTC, a balance whose last day is ``valid_until`` lapses: the
    start of the next day in the company's time zone; what it still holds then expires."""
    return start_of_day(valid_until + timedelta(days=1), tz)


def first_live_month(today: date) -> date:
    """P15: the first day of the month whose monthly hours can still be used on ``today``;
    every earlier month of a subscription has lapsed."""
    return Month.of(today).first_day
