"""Billing of session time (P11–P13): inside and outside business hours, each rounded up once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.calendar import BusinessCalendar, elapsed
from app.i18n import _

INSIDE_BLOCK = timedelta(minutes=15)  # P11
OUTSIDE_BLOCK = timedelta(minutes=30)  # P11


@dataclass(frozen=True)
class BilledTime:
    inside: timedelta  # real time inside business hours
    outside: timedelta  # real time outside them
    inside_billed: timedelta  # ``inside`` rounded up to the inside block
    outside_billed: timedelta

    @property
    def total(self) -> timedelta:
        return self.inside_billed + self.outside_billed

    @property
    def actual(self) -> timedelta:
        return self.inside + self.outside


def round_up(duration: timedelta, block: timedelta) -> timedelta:
    """``duration`` rounded up to a whole number of blocks; zero stays zero (P12)."""
    if block <= timedelta(0):
        raise ValueError(_("A billing block must be longer than zero."))
    if duration < timedelta(0):
        raise ValueError(_("A duration cannot be negative."))
    blocks = -(-duration // block)  # ceiling division on timedeltas
    return block * blocks


def bill(
    intervals: Iterable[tuple[datetime, datetime]],
    calendar: BusinessCalendar,
    inside_block: timedelta = INSIDE_BLOCK,
    outside_block: timedelta = OUTSIDE_BLOCK,
) -> BilledTime:
    """Bill a session's active intervals (pauses already excluded).

    Each interval is split at the business-hours boundaries; the inside total and the outside
    total are rounded up to their block once per session (P12), on real elapsed time (P13).
    """
    inside = outside = timedelta(0)
    for start, end in intervals:
        part_inside, part_outside = calendar.split(start, end)
        inside += part_inside
        outside += part_outside
    return BilledTime(
        inside=inside,
        outside=outside,
        inside_billed=round_up(inside, inside_block),
        outside_billed=round_up(outside, outside_block),
    )


def active_time(intervals: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """The time a session's timer ran: its intervals' real elapsed time, pauses excluded (P12,
    P13)."""
    return sum((elapsed(start, end) for start, end in intervals), timedelta(0))


def needs_review(intervals: Iterable[tuple[datetime, datetime]], limit: timedelta) -> bool:
    """A session that ran longer than ``limit`` (the company's review limit) is flagged for an
    administrator's review instead of being billed: a timer left running must never be billed
    silently."""
    return active_time(intervals) > limit
