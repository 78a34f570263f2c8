"""The timer: work sessions, their intervals and their billing (P11–P13, P16a).

Crash safety: every start, pause and resume writes its interval at once, so after a crash (or
``kill -9``) the running session is found again with its intervals, and its elapsed time is
counted from the stored instants (``running_session``).

Billing is frozen at stop, in one transaction: the intervals are billed (``bill``: inside and
outside business hours, each rounded up to its block once per session), the billed minutes are
paid from the customer's balances usable on the session's start date (``allocate``: this month's
monthly hours, unit packs by expiry, free hours; one ``CONSUMPTION`` entry per draw), and what no
pack covered is kept on the session with the rates in force, for the invoice.

A session whose active time exceeds the review limit (``CompanySettings.session_review_hours``)
is not billed when stopped: it stays stopped and flagged for an administrator, who bills it with
``correct_session`` (usually after fixing its times). A session is changed only while it is not
on an invoice; re-billing first gives back what it drew, with reversing entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast
from zoneinfo import ZoneInfo

from peewee import Case, fn

from app.domain import states as enums
from app.domain.billing import BilledTime, active_time, bill, needs_review
from app.domain.calendar import BusinessCalendar
from app.domain.contract import effective_blocks, effective_rates
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.sla import Plan
from app.domain.states import LedgerKind
from app.i18n import _, format_datetime
from app.services import changes, checks, packs
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.labels import document_number
from app.services.queries import (
    customer_row,
    get_or_missing,
    locked_or_missing,
    sessions_with_names,
)
from app.services.settings import business_calendar, company_today, company_zone, require_admin
from app.store.base import save_versioned
from app.store.models import (
    CompanySettings,
    Contact,
    Customer,
    Invoice,
    LedgerEntry,
    Pack,
    Session,
    SessionInterval,
)

_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)
#: A running or paused session: the timer's states.
_OPEN_STATES = (enums.SessionState.RUNNING, enums.SessionState.PAUSED)

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
class SessionRecord:
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
    changes: Changes = field(default_factory=Changes, compare=False)

    @property
    def running(self) -> bool:
        return self.state is enums.SessionState.RUNNING

    def elapsed(self, now: datetime) -> timedelta:
        """Active time up to ``now`` (pauses excluded), on real UTC instants (P13)."""
        return active_time((i.started_at, _end(i, now)) for i in self.intervals)


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


# --- helpers ----------------------------------------------------------------------------------


def _end(interval: Interval, now: datetime) -> datetime:
    # A desk whose clock is slightly behind another's must not see a negative stretch.
    return interval.ended_at or max(now, interval.started_at)


@dataclass(frozen=True)
class _Terms:
    inside_block: timedelta
    outside_block: timedelta
    rate_inside: Decimal
    rate_outside: Decimal


def _billing_terms(customer: Customer, settings: CompanySettings) -> _Terms:
    """The blocks (P11) and rates (P16a) for this customer: each term the contract sets wins
    (P18), else the company's setting; an unset out-of-hours rate is the normal one."""
    contract = customer.contract_terms()
    inside_block, outside_block = effective_blocks(
        contract, settings.inside_block_minutes, settings.outside_block_minutes
    )
    rate_inside, rate_outside = effective_rates(
        contract, settings.rate_inside, settings.rate_outside
    )
    return _Terms(inside_block, outside_block, rate_inside, rate_outside)


def _missing_session(session_id: int) -> str:
    return _("The session {id} does not exist.").format(id=session_id)


def _technician_of(desk: Desk) -> int:
    if desk.technician_id is None:
        raise RuleError(_("A session is timed for a technician: choose who is at this desk."))
    return desk.technician_id


def _warns(customer: Customer, at: datetime, calendar: BusinessCalendar) -> bool:
    return not calendar.is_open(at) and customer.plan is not Plan.PRIORITY_24_7


def _refuse_second_timer(technician_id: int, zone: ZoneInfo) -> None:
    running = (
        Session.select(Session, Customer.name.alias("customer_name"))
        .join(Customer, on=Session.customer == Customer.id)
        .where(
            (Session.technician == technician_id) & (Session.state == enums.SessionState.RUNNING)
        )
        .objects()
        .first()
    )
    if running is not None:
        raise RuleError(
            _(
                "A session is already running for {customer} since {started}: pause or stop it "
                "before starting another."
            ).format(
                customer=running.customer_name,
                started=format_datetime(running.started_at, zone),
            )
        )


def _open_interval(session: Session, at: datetime) -> None:
    SessionInterval.create(session=session.id, started_at=at)


def _close_open_interval(session: Session, at: datetime) -> None:
    interval = SessionInterval.get_or_none(
        (SessionInterval.session == session.id) & SessionInterval.ended_at.is_null()
    )
    if interval is not None:
        interval.ended_at = max(at, interval.started_at)
        interval.save()


def _stored_intervals(session_id: int) -> list[tuple[datetime, datetime]]:
    """The closed intervals of a session (call once none is open)."""
    intervals = []
    for row in SessionInterval.select().where(SessionInterval.session == session_id):
        if row.ended_at is None:
            raise RuntimeError("the session still has an open interval")
        intervals.append((row.started_at, row.ended_at))
    return sorted(intervals)


def _needs_review(
    intervals: Sequence[tuple[datetime, datetime]], settings: CompanySettings
) -> bool:
    return needs_review(intervals, timedelta(hours=settings.session_review_hours))


def _bill_unless_too_long(
    desk: Desk,
    session: Session,
    intervals: Sequence[tuple[datetime, datetime]],
    settings: CompanySettings,
) -> bool:
    """Bills the session, unless it ran past the review limit: then it is flagged and left
    unbilled, never billed silently. Whether it was billed."""
    if _needs_review(intervals, settings):
        session.flagged_for_review = True
        return False
    _bill(desk, session, intervals, settings)
    return True


def _check_intervals(
    intervals: Sequence[tuple[datetime, datetime]], now: datetime, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Intervals as typed in an edit: at least one, each ending after it starts, none
    overlapping another, none ending in the future. Sorted by start."""
    if not intervals:
        raise InputError(_("A session needs at least one period of time."), field="intervals")
    for start, end in intervals:
        if start.utcoffset() is None or end.utcoffset() is None:
            raise InputError(_("A time must carry its time zone."), field="intervals")
        checks.instant("intervals", start)
        checks.instant("intervals", end)
        if end <= start:
            raise InputError(
                _("A period cannot end at {end}, before or when it starts at {start}.").format(
                    end=format_datetime(end, zone), start=format_datetime(start, zone)
                ),
                field="intervals",
            )
        if end > now:
            raise InputError(
                _("A period cannot end at {end}: that is in the future.").format(
                    end=format_datetime(end, zone)
                ),
                field="intervals",
            )
    ordered = sorted((start.astimezone(UTC), end.astimezone(UTC)) for start, end in intervals)
    for (first_start, first_end), (second_start, second_end) in pairwise(ordered):
        if second_start < first_end:
            raise InputError(
                _("Two periods overlap: {first} and {second}.").format(
                    first=_period_text(first_start, first_end, zone),
                    second=_period_text(second_start, second_end, zone),
                ),
                field="intervals",
            )
    return ordered


def _period_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{format_datetime(start, zone)}–{format_datetime(end, zone)}"


def _replace_intervals(session: Session, intervals: Sequence[tuple[datetime, datetime]]) -> None:
    SessionInterval.delete().where(SessionInterval.session == session.id).execute()
    SessionInterval.insert_many(
        [{"session": session.id, "started_at": s, "ended_at": e} for s, e in intervals]
    ).execute()
    session.started_at = intervals[0][0]
    session.stopped_at = max(end for _start, end in intervals)


def _clear_billing(session: Session) -> None:
    for name in (
        "inside_seconds",
        "outside_seconds",
        "inside_billed_minutes",
        "outside_billed_minutes",
        "uncovered_inside_minutes",
        "uncovered_outside_minutes",
        "rate_inside",
        "rate_outside",
    ):
        setattr(session, name, None)


def _billed_time(
    customer_id: int, intervals: Sequence[tuple[datetime, datetime]], settings: CompanySettings
) -> tuple[BilledTime, _Terms]:
    """The intervals billed with the customer's blocks (P11–P13), and the terms used."""
    terms = _billing_terms(Customer.get_by_id(customer_id), settings)
    billed = bill(intervals, business_calendar(), terms.inside_block, terms.outside_block)
    return billed, terms


def _bill(
    desk: Desk,
    session: Session,
    intervals: Sequence[tuple[datetime, datetime]],
    settings: CompanySettings,
) -> None:
    """Bills the session's intervals and pays them from its customer's packs (one transaction
    with the caller's save of the session)."""
    billed, terms = _billed_time(session.customer_id, intervals, settings)
    allocation = packs.draw_for_session(
        desk,
        customer_id=session.customer_id,
        session_id=session.id,
        contact_id=session.contact_id,
        inside_minutes=billed.inside_billed // _MINUTE,
        outside_minutes=billed.outside_billed // _MINUTE,
        on=company_today(session.started_at),
    )
    session.inside_seconds = billed.inside // _SECOND
    session.outside_seconds = billed.outside // _SECOND
    session.inside_billed_minutes = billed.inside_billed // _MINUTE
    session.outside_billed_minutes = billed.outside_billed // _MINUTE
    session.uncovered_inside_minutes = allocation.uncovered_inside
    session.uncovered_outside_minutes = allocation.uncovered_outside
    session.rate_inside = terms.rate_inside
    session.rate_outside = terms.rate_outside
    session.flagged_for_review = False


def _refuse_if_invoiced(session: Session) -> None:
    if session.invoice_id is not None:
        invoice = Invoice.get_by_id(session.invoice_id)
        raise RuleError(
            _(
                "This session is on invoice {number}: it cannot change unless that invoice is "
                "cancelled with a credit note."
            ).format(number=document_number(invoice.series, invoice.year, invoice.number))
        )


# --- reading ----------------------------------------------------------------------------------


def _states(condition: Any, *, newest_first: bool = True) -> list[SessionRecord]:
    """Sessions matching ``condition`` with everything the window shows, in three queries
    whatever their number (a month of a busy desk is thousands): plain tuples, no model objects."""
    order = (
        (Session.started_at.desc(), Session.id.desc())
        if newest_first
        else (Session.started_at, Session.id)
    )
    rows = list(sessions_with_names().where(condition).order_by(*order).namedtuples())
    if not rows:
        return []
    ids = [row.id for row in rows]
    intervals: dict[int, list[Interval]] = defaultdict(list)
    stored = (
        SessionInterval.select(
            SessionInterval.session, SessionInterval.started_at, SessionInterval.ended_at
        )
        .where(SessionInterval.session.in_(ids))
        .order_by(SessionInterval.session, SessionInterval.started_at)
        .tuples()
    )
    for session_id, started_at, ended_at in cast(
        Iterable[tuple[int, datetime, datetime | None]], stored
    ):
        intervals[session_id].append(Interval(started_at, ended_at))
    draws = _draws(ids)
    return [_state(row, tuple(intervals[row.id]), tuple(draws[row.id])) for row in rows]


def _draws(session_ids: list[int]) -> dict[int, list[PackDraw]]:
    """What packs paid for each of these sessions (consumptions net of corrections), in the
    order they were paid."""
    # The kinds are picked inside the sum, not in WHERE: a condition on the kind leads SQLite to
    # the kind's index (every consumption ever) instead of the session's (a few rows each).
    paid = Case(
        None, [(LedgerEntry.kind.in_([LedgerKind.CONSUMPTION, LedgerKind.CORRECTION]), 1)], 0
    )
    taken = fn.SUM(LedgerEntry.minutes * paid)
    grouped = (
        LedgerEntry.select(
            LedgerEntry.session,
            LedgerEntry.pack,
            Pack.kind,
            LedgerEntry.outside,
            LedgerEntry.month,
            taken,
        )
        .join(Pack, on=LedgerEntry.pack == Pack.id)
        .where(LedgerEntry.session.in_(session_ids))
        .group_by(
            LedgerEntry.session, LedgerEntry.pack, Pack.kind, LedgerEntry.outside, LedgerEntry.month
        )
        .having(taken != 0)
        .order_by(LedgerEntry.session, fn.MIN(LedgerEntry.id))  # the order they were paid in
        .tuples()
    )
    draws: dict[int, list[PackDraw]] = defaultdict(list)
    for session_id, pack_id, pack_kind, outside, month, minutes in cast(
        Iterable[tuple[int, int, str, bool, date | None, int]], grouped
    ):
        draws[session_id].append(
            PackDraw(
                pack_id=pack_id,
                kind=PackKind(pack_kind),
                minutes=-int(minutes),
                outside=outside,
                month=month,
            )
        )
    return draws


def _state(row: Any, intervals: tuple[Interval, ...], draws: tuple[PackDraw, ...]) -> SessionRecord:
    """A row of ``sessions_with_names`` (as a named tuple: a foreign key is named after its
    field, ``customer`` for ``customer_id``)."""
    billing = None
    if row.uncovered_inside_minutes is not None and row.state is enums.SessionState.STOPPED:
        billing = SessionBilling(
            inside=row.inside_seconds * _SECOND,
            outside=row.outside_seconds * _SECOND,
            inside_billed_minutes=row.inside_billed_minutes,
            outside_billed_minutes=row.outside_billed_minutes,
            uncovered_inside_minutes=row.uncovered_inside_minutes,
            uncovered_outside_minutes=row.uncovered_outside_minutes,
            rate_inside=row.rate_inside,
            rate_outside=row.rate_outside,
            draws=draws,
        )
    return SessionRecord(
        id=row.id,
        version=row.version,
        customer_id=row.customer,
        customer_name=row.customer_name,
        contact_id=row.contact,
        contact_subject=row.contact_subject,
        technician_id=row.technician,
        technician_name=row.technician_name,
        state=row.state,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        note=row.note,
        flagged_for_review=row.flagged_for_review,
        intervals=intervals,
        billing=billing,
        invoice_id=row.invoice,
        invoice_number=document_number(row.invoice_series, row.invoice_year, row.invoice_no),
    )


def session(session_id: int) -> SessionRecord:
    """One session with its intervals, billing and draws."""
    found = _states(Session.id == session_id)
    if not found:
        get_or_missing(Session, session_id, _missing_session(session_id))
    return found[0]


def running_session(technician_id: int) -> SessionRecord | None:
    """The technician's running session, if any: after a restart or a crash the timer resumes
    from it (its intervals are stored, so ``elapsed(now)`` is right)."""
    found = _states(
        (Session.technician == technician_id) & (Session.state == enums.SessionState.RUNNING)
    )
    return found[0] if found else None


def open_sessions(technician_id: int) -> tuple[SessionRecord, ...]:
    """The technician's running and paused sessions, the running one first."""
    found = _states((Session.technician == technician_id) & Session.state.in_(_OPEN_STATES))
    return tuple(sorted(found, key=lambda s: not s.running))


def _in_month(year: int, month: int) -> Any:
    start, end = Month(year, month).instants(company_zone())
    return (Session.started_at >= start) & (Session.started_at < end)


def sessions_of_customer(
    customer_id: int, month: tuple[int, int] | None = None, *, include_discarded: bool = False
) -> tuple[SessionRecord, ...]:
    """A customer's sessions, newest first; ``month`` ``(year, month)``: only those started in
    that month (company time zone)."""
    condition = Session.customer == customer_id
    if month is not None:
        condition &= _in_month(*month)
    if not include_discarded:
        condition &= Session.state != enums.SessionState.DISCARDED
    return tuple(_states(condition))


def sessions_by_month(
    year: int, month: int, *, include_discarded: bool = False
) -> tuple[SessionRecord, ...]:
    """Every session started in a month (company time zone), newest first."""
    condition = _in_month(year, month)
    if not include_discarded:
        condition &= Session.state != enums.SessionState.DISCARDED
    return tuple(_states(condition))


def sessions_to_review() -> tuple[SessionRecord, ...]:
    """Stopped sessions flagged as too long, waiting for an administrator (``correct_session``)."""
    return tuple(
        _states(
            Session.flagged_for_review & (Session.state == enums.SessionState.STOPPED),
            newest_first=False,
        )
    )


def outside_hours_warning(customer_id: int, at: datetime) -> bool:
    """Whether timing ``customer_id`` at ``at`` deserves the warning: outside business hours,
    and the customer has no 24/7 plan (the time is billed at the out-of-hours block and rate)."""
    customer = customer_row(customer_id)
    return _warns(customer, at, business_calendar())


def live_billing(session_id: int, now: datetime) -> LiveBilling:
    """For the timer display: elapsed time, inside/outside so far and what would be billed with
    the blocks rounded up (12:41 inside → 15 min). Reads only."""
    found = get_or_missing(Session, session_id, _missing_session(session_id))
    intervals = [
        (row.started_at, _end(Interval(row.started_at, row.ended_at), now))
        for row in SessionInterval.select().where(SessionInterval.session == session_id)
    ]
    billed, _terms = _billed_time(found.customer_id, intervals, CompanySettings.current())
    return LiveBilling(
        elapsed=billed.actual,
        inside=billed.inside,
        outside=billed.outside,
        inside_billed=billed.inside_billed,
        outside_billed=billed.outside_billed,
    )


# --- the timer --------------------------------------------------------------------------------


def _result(session_id: int, done: Changes, *, warning: bool = False) -> SessionRecord:
    return replace(session(session_id), outside_hours_warning=warning, changes=done)


def start_session(
    desk: Desk, *, customer_id: int | None = None, contact_id: int | None = None, note: str = ""
) -> SessionRecord:
    """Starts the timer of the technician at ``desk`` for a customer, or for a contact (whose
    customer it then is). One running session per technician (a paused one may wait). The first
    interval is written at once, so a crash loses nothing."""
    technician_id = _technician_of(desk)
    with use_case():
        if contact_id is not None:
            contact = get_or_missing(
                Contact, contact_id, _("The contact {id} does not exist.").format(id=contact_id)
            )
            if customer_id is None:
                customer_id = contact.customer_id
            elif contact.customer_id not in (None, customer_id):
                raise InputError(_("This contact belongs to another customer."), field="customer")
        if customer_id is None:
            raise InputError(_("Choose the customer the session is for."), field="customer")
        customer = customer_row(customer_id)
        if customer.archived:
            raise RuleError(
                _("{customer} is archived: restore the customer before timing work.").format(
                    customer=customer.name
                )
            )
        calendar = business_calendar()
        _refuse_second_timer(technician_id, calendar.tz)
        now = desk.now()
        started = Session.create(
            customer=customer_id,
            contact=contact_id,
            technician=technician_id,
            state=enums.SessionState.RUNNING,
            started_at=now,
            note=checks.check_text("note", note, max_length=checks.LONG_TEXT, multiline=True),
        )
        _open_interval(started, now)
        done = changes.note(desk, {Topic.SESSIONS}, started.id)
        return _result(started.id, done, warning=_warns(customer, now, calendar))


def pause_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Pauses a running session: its open interval ends now."""
    with use_case():
        paused = locked_or_missing(Session, session_id, _missing_session(session_id))
        if paused.state is not enums.SessionState.RUNNING:
            raise RuleError(_("Only a running session can be paused."))
        _close_open_interval(paused, desk.now())
        paused.state = enums.SessionState.PAUSED
        save_versioned(paused, version)
        done = changes.note(desk, {Topic.SESSIONS}, paused.id)
        return _result(paused.id, done)


def resume_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Resumes a paused session with a new interval from now, if its technician has no other
    session running."""
    with use_case():
        resumed = locked_or_missing(Session, session_id, _missing_session(session_id))
        if resumed.state is not enums.SessionState.PAUSED:
            raise RuleError(_("Only a paused session can be resumed."))
        calendar = business_calendar()
        _refuse_second_timer(resumed.technician_id, calendar.tz)
        now = desk.now()
        _open_interval(resumed, now)
        resumed.state = enums.SessionState.RUNNING
        save_versioned(resumed, version)
        done = changes.note(desk, {Topic.SESSIONS}, resumed.id)
        warning = _warns(Customer.get_by_id(resumed.customer_id), now, calendar)
        return _result(resumed.id, done, warning=warning)


def stop_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Stops a running or paused session and bills it, all in one transaction: billed time
    (P11–P13), draws on the customer's packs (P16a), uncovered minutes and rates frozen.

    A session longer than the review limit is stopped and flagged, not billed (no ledger entry):
    an administrator bills it with ``correct_session``.
    """
    with use_case():
        stopped = locked_or_missing(Session, session_id, _missing_session(session_id))
        if stopped.state not in _OPEN_STATES:
            raise RuleError(_("This session is not running nor paused: it cannot be stopped."))
        now = desk.now()
        _close_open_interval(stopped, now)
        stopped.state = enums.SessionState.STOPPED
        stopped.stopped_at = max(now, stopped.started_at)
        intervals = _stored_intervals(stopped.id)
        settings = CompanySettings.current()
        topics = {Topic.SESSIONS}
        if _bill_unless_too_long(desk, stopped, intervals, settings):
            topics.add(Topic.PACKS)
        save_versioned(stopped, version)
        done = changes.note(desk, topics, stopped.id)
        return _result(stopped.id, done)


def edit_session(
    desk: Desk,
    session_id: int,
    version: int,
    *,
    intervals: Sequence[tuple[datetime, datetime]] | None = None,
    note: str | None = None,
) -> SessionRecord:
    """Changes a session's note and, once stopped, its intervals, while it is not invoiced.

    New intervals re-bill it: what it drew is given back with reversing entries (never by
    changing an entry), then it is billed again. Intervals must each end after they start,
    must not overlap, nor end in the future; if their total passes the review limit the session
    is flagged and left unbilled.
    """
    with use_case():
        edited = locked_or_missing(Session, session_id, _missing_session(session_id))
        if edited.state is enums.SessionState.DISCARDED:
            raise RuleError(_("A discarded session cannot be edited."))
        _refuse_if_invoiced(edited)
        if note is not None:
            edited.note = checks.check_text(
                "note", note, max_length=checks.LONG_TEXT, multiline=True
            )
        topics = {Topic.SESSIONS}
        if intervals is not None:
            if edited.state is not enums.SessionState.STOPPED:
                raise RuleError(_("Stop the session before changing its times."))
            settings = CompanySettings.current()
            checked = _check_intervals(intervals, desk.now(), company_zone())
            _replace_intervals(edited, checked)
            packs.reverse_session_draws(desk, edited.id, _("The session's times were changed."))
            _clear_billing(edited)
            _bill_unless_too_long(desk, edited, checked, settings)
            topics.add(Topic.PACKS)  # the reversed draws changed balances either way
        save_versioned(edited, version)
        done = changes.note(desk, topics, edited.id)
        return _result(edited.id, done)


def correct_session(
    desk: Desk,
    session_id: int,
    version: int,
    intervals: Sequence[tuple[datetime, datetime]] | None = None,
) -> SessionRecord:
    """An administrator's review of a session flagged as too long: its times are replaced by
    ``intervals`` (``None``: the recorded times are right) and it is billed, whatever its
    length, since an administrator has now confirmed it."""
    with use_case():
        require_admin(desk)
        reviewed = locked_or_missing(Session, session_id, _missing_session(session_id))
        if not (reviewed.flagged_for_review and reviewed.state is enums.SessionState.STOPPED):
            raise RuleError(_("This session is not waiting for a review."))
        _refuse_if_invoiced(reviewed)
        if intervals is None:
            checked = _stored_intervals(reviewed.id)
        else:
            checked = _check_intervals(intervals, desk.now(), company_zone())
            _replace_intervals(reviewed, checked)
        _bill(desk, reviewed, checked, CompanySettings.current())
        save_versioned(reviewed, version)
        done = changes.note(desk, {Topic.SESSIONS, Topic.PACKS}, reviewed.id)
        return _result(reviewed.id, done)


def discard_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Discards a session started by mistake: never billed; if it was, what it drew goes back
    to the packs with reversing entries. Kept for audit; not possible once invoiced."""
    with use_case():
        discarded = locked_or_missing(Session, session_id, _missing_session(session_id))
        if discarded.state is enums.SessionState.DISCARDED:
            raise RuleError(_("This session is already discarded."))
        _refuse_if_invoiced(discarded)
        now = desk.now()
        _close_open_interval(discarded, now)
        topics = {Topic.SESSIONS}
        if packs.reverse_session_draws(desk, discarded.id, _("The session was discarded.")):
            topics.add(Topic.PACKS)
        _clear_billing(discarded)
        discarded.state = enums.SessionState.DISCARDED
        discarded.stopped_at = discarded.stopped_at or max(now, discarded.started_at)
        discarded.flagged_for_review = False
        save_versioned(discarded, version)
        done = changes.note(desk, topics, discarded.id)
        return _result(discarded.id, done)
