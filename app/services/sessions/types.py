"""Sessions: what the use cases return (a session with its intervals, draws and billing; what the
timer would bill now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain import states as enums
from app.domain.billing import active_time
from app.domain.packs import PackKind
from app.services.changes import Changed

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)
#: A running or paused session: the timer's states.
OPEN_STATES = (enums.SessionState.RUNNING, enums.SessionState.PAUSED)


def interval_end(interval: Interval, now: datetime) -> datetime:
    # A desk whose clock is slightly behind another's must not see a negative stretch.
    return interval.ended_at or max(now, interval.started_at)


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A stretch the timer ran; ``ended_at`` is ``None`` while it runs."""

    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class PackDraw:
    """Minutes of the session that a pack paid (net of reversals)."""

    pack_id: int
    kind: PackKind
    minutes: int
    outside: bool
    #: Monthly packs: the first day of the month the minutes came from.
    month: date | None


@dataclass(frozen=True)
class SessionBilling:
    """The billing frozen at stop (P11–P13, P16a)."""

    inside: timedelta  # real time inside business hours
    outside: timedelta
    inside_billed_minutes: int  # rounded up to the inside block
    outside_billed_minutes: int
    uncovered_inside_minutes: int  # what no pack paid: invoiced at ``rate_inside``
    uncovered_outside_minutes: int
    rate_inside: Decimal
    rate_outside: Decimal
    draws: tuple[PackDraw, ...]

    @property
    def billed_minutes(self) -> int:
        return self.inside_billed_minutes + self.outside_billed_minutes

    @property
    def uncovered_minutes(self) -> int:
        return self.uncovered_inside_minutes + self.uncovered_outside_minutes

    @property
    def covered_minutes(self) -> int:
        return self.billed_minutes - self.uncovered_minutes


@dataclass(frozen=True)
class SessionRecord(Changed):
    """A session as the window shows it: the timer, a row of the list, a detail view.

    ``state`` is the ``app.domain.states.SessionState`` (running, paused, stopped,
    discarded); ``billing`` is ``None`` until the session is billed (and for a flagged or
    discarded one).
    """

    id: int
    version: int
    customer_id: int
    customer_name: str
    contact_id: int | None
    contact_subject: str | None
    technician_id: int
    technician_name: str
    state: enums.SessionState
    started_at: datetime
    stopped_at: datetime | None
    note: str
    flagged_for_review: bool
    intervals: tuple[Interval, ...]
    billing: SessionBilling | None
    invoice_id: int | None
    #: The invoice's number as printed ("FT 2026/17"); ``None`` when not invoiced.
    invoice_number: str | None
    #: Set by ``start_session``/``resume_session``: the timer runs outside business hours for a
    #: customer without the 24/7 plan (the window warns: that time is billed as out-of-hours).
    outside_hours_warning: bool = False
    #: Recorded after the fact with ``record_session`` (start, end and pauses typed in), not
    #: timed; billed all the same (P11–P16a).
    recorded_by_hand: bool = False

    @property
    def running(self) -> bool:
        return self.state is enums.SessionState.RUNNING

    def elapsed(self, now: datetime) -> timedelta:
        """Active time up to ``now`` (pauses excluded), on real UTC instants (P13)."""
        return active_time((i.started_at, interval_end(i, now)) for i in self.intervals)


@dataclass(frozen=True)
class LiveBilling:
    """What the timer would bill if stopped now (no pack drawn, nothing written)."""

    elapsed: timedelta
    inside: timedelta
    outside: timedelta
    inside_billed: timedelta
    outside_billed: timedelta

    @property
    def total_billed(self) -> timedelta:
        return self.inside_billed + self.outside_billed


@dataclass(frozen=True)
class SessionPreview:
    """What a session recorded by hand would be once saved (``preview_recorded_session``):
    its periods and the billing the timer's stop would freeze, with the packs it would draw on;
    nothing written."""

    customer_id: int
    customer_name: str
    contact_id: int | None
    contact_subject: str | None
    technician_id: int
    technician_name: str
    started_at: datetime
    stopped_at: datetime
    #: The active periods: start to end with the pauses taken out.
    intervals: tuple[Interval, ...]
    #: ``None``: longer than the review limit, so it would be flagged for an administrator and
    #: not billed, as a timed session would.
    billing: SessionBilling | None

    @property
    def active(self) -> timedelta:
        """The time worked (pauses excluded), on real UTC instants (P13)."""
        return active_time((i.started_at, i.ended_at or i.started_at) for i in self.intervals)
