"""Sessions: reading them: one session, the running one, a customer's, a month's, those to review,
and what the timer would bill now."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from peewee import Case, fn

from app.domain import states as enums
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.states import LedgerKind
from app.services.labels import document_number
from app.services.queries import customer_row, get_or_missing, sessions_with_names
from app.services.sessions.records import billed_time, missing_session, warns_outside_hours
from app.services.sessions.types import (
    OPEN_STATES,
    SECOND,
    Interval,
    LiveBilling,
    PackDraw,
    SessionBilling,
    SessionRecord,
    interval_end,
)
from app.services.settings.calendar import business_calendar, company_settings, company_zone
from app.store.models import LedgerEntry, Pack, Session, SessionInterval

# --- reading ----------------------------------------------------------------------------------


#: The sessions a list reads at a time (a page: the rows a table shows, and some to scroll).
SESSIONS_PAGE = 100


def _states(
    condition: Any,
    *,
    newest_first: bool = True,
    offset: int = 0,
    limit: int | None = None,
) -> list[SessionRecord]:
    """Sessions matching ``condition`` with everything the window shows, in three queries
    whatever their number (a month of a busy desk is thousands): plain tuples, no model objects.
    ``offset``/``limit``: one page of them in that order (the id breaks ties, so pages neither
    repeat nor skip a session)."""
    order = (
        (Session.started_at.desc(), Session.id.desc())
        if newest_first
        else (Session.started_at, Session.id)
    )
    query = sessions_with_names().where(condition).order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = list(query.namedtuples())
    if not rows:
        return []
    ids = [row.id for row in rows]
    intervals = _intervals(ids)
    draws = _draws(ids)
    return [_state(row, tuple(intervals[row.id]), tuple(draws[row.id])) for row in rows]


def _intervals(session_ids: list[int]) -> dict[int, list[Interval]]:
    """The intervals of each of these sessions, in the order they started."""
    intervals: dict[int, list[Interval]] = defaultdict(list)
    stored = (
        SessionInterval.select(
            SessionInterval.session, SessionInterval.started_at, SessionInterval.ended_at
        )
        .where(SessionInterval.session.in_(session_ids))
        .order_by(SessionInterval.session, SessionInterval.started_at)
        .tuples()
    )
    for session_id, started_at, ended_at in cast(
        Iterable[tuple[int, datetime, datetime | None]], stored
    ):
        intervals[session_id].append(Interval(started_at, ended_at))
    return intervals


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
            inside=row.inside_seconds * SECOND,
            outside=row.outside_seconds * SECOND,
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
        recorded_by_hand=row.recorded_by_hand,
    )


def session(
    session_id: int,
    *,
    intervals: Sequence[Interval] | None = None,
    draws: Sequence[PackDraw] | None = None,
) -> SessionRecord:
    """One session with its intervals, billing and draws. ``intervals``, ``draws``: all of the
    session's, as a use case has just written them (one query fewer each, for its result)."""
    if intervals is None and draws is None:
        found = _states(Session.id == session_id)
        if not found:
            get_or_missing(Session, session_id, missing_session(session_id))
        return found[0]
    row = sessions_with_names().where(Session.id == session_id).namedtuples().first()
    if row is None:
        get_or_missing(Session, session_id, missing_session(session_id))
    if intervals is None:
        intervals = _intervals([session_id])[session_id]
    if draws is None:
        draws = _draws([session_id])[session_id]
    return _state(row, tuple(intervals), tuple(draws))


def running_session(technician_id: int) -> SessionRecord | None:
    """The technician's running session, if any: after a restart or a crash the timer resumes
    from it (its intervals are stored, so ``elapsed(now)`` is right)."""
    found = _states(
        (Session.technician == technician_id) & (Session.state == enums.SessionState.RUNNING)
    )
    return found[0] if found else None


def open_sessions(technician_id: int) -> tuple[SessionRecord, ...]:
    """The technician's running and paused sessions, the running one first."""
    found = _states((Session.technician == technician_id) & Session.state.in_(OPEN_STATES))
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
    return tuple(_states(_of_month(year, month, include_discarded)))


def _of_month(year: int, month: int, include_discarded: bool) -> Any:
    condition = _in_month(year, month)
    if not include_discarded:
        condition &= Session.state != enums.SessionState.DISCARDED
    return condition


def month_sessions_page(
    year: int,
    month: int,
    *,
    include_discarded: bool = False,
    offset: int = 0,
    limit: int = SESSIONS_PAGE,
) -> tuple[SessionRecord, ...]:
    """One page of ``sessions_by_month`` (newest first, as it orders them): the rows from
    ``offset``, at most ``limit``; three queries a page, by the index on the start."""
    return tuple(_states(_of_month(year, month, include_discarded), offset=offset, limit=limit))


def count_sessions_by_month(year: int, month: int, *, include_discarded: bool = False) -> int:
    """How many sessions ``sessions_by_month`` would list: one aggregate query."""
    return int(Session.select().where(_of_month(year, month, include_discarded)).count())


def count_sessions_to_review() -> int:
    """How many sessions ``sessions_to_review`` would list: one aggregate query."""
    return int(Session.select().where(_to_review()).count())


def _to_review() -> Any:
    return Session.flagged_for_review & (Session.state == enums.SessionState.STOPPED)


def sessions_to_review() -> tuple[SessionRecord, ...]:
    """Stopped sessions flagged as too long, waiting for an administrator (``correct_session``)."""
    return tuple(_states(_to_review(), newest_first=False))


def outside_hours_warning(customer_id: int, at: datetime) -> bool:
    """Whether timing ``customer_id`` at ``at`` deserves the warning: outside business hours,
    and the customer has no 24/7 plan (the time is billed at the out-of-hours block and rate)."""
    customer = customer_row(customer_id)
    return warns_outside_hours(customer, at, business_calendar())


def live_billing(session_id: int, now: datetime) -> LiveBilling:
    """For the timer display: elapsed time, inside/outside so far and what would be billed with
    the blocks rounded up (12:41 inside → 15 min). Reads only."""
    found = get_or_missing(Session, session_id, missing_session(session_id))
    intervals = [
        (row.started_at, interval_end(Interval(row.started_at, row.ended_at), now))
        for row in SessionInterval.select().where(SessionInterval.session == session_id)
    ]
    billed, _terms = billed_time(found.customer_id, intervals, company_settings())
    return LiveBilling(
        elapsed=billed.actual,
        inside=billed.inside,
        outside=billed.outside,
        inside_billed=billed.inside_billed,
        outside_billed=billed.outside_billed,
    )
