"""Sessions: the steps the use cases share: the billing terms, the stored intervals and their
checks, billing a session (P11–P13, P16a) or flagging it for review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from peewee import JOIN

from app.domain import states as enums
from app.domain.billing import BilledTime, bill, needs_review
from app.domain.calendar import BusinessCalendar
from app.domain.contract import effective_blocks, effective_rates
from app.domain.packs import Allocation
from app.domain.sla import Plan
from app.i18n import _, format_datetime
from app.services import checks, packs
from app.services.changes import Topic
from app.services.context import Desk
from app.services.errors import InputError, RuleError
from app.services.labels import document_number
from app.services.queries import customer_row, get_or_missing, locked_or_missing
from app.services.sessions.types import MINUTE, SECOND, PackDraw, SessionBilling
from app.services.settings.calendar import business_calendar, company_settings, company_today
from app.store.models import (
    CompanySettings,
    Contact,
    Customer,
    Invoice,
    Session,
    SessionInterval,
    Technician,
)

# --- helpers ----------------------------------------------------------------------------------


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


def missing_session(session_id: int) -> str:
    return _("The session {id} does not exist.").format(id=session_id)


def technician_of(desk: Desk) -> int:
    if desk.technician_id is None:
        raise RuleError(_("A session is timed for a technician: choose who is at this desk."))
    return desk.technician_id


def warns_outside_hours(customer: Customer, at: datetime, calendar: BusinessCalendar) -> bool:
    return not calendar.is_open(at) and customer.plan is not Plan.PRIORITY_24_7


def refuse_second_timer(technician_id: int, zone: ZoneInfo) -> str | None:
    """Refuses a second running session of the technician. The technician's name (None: no
    such technician), read in the same query: a new session's record needs it."""
    running = Session.technician == Technician.id
    running &= Session.state == enums.SessionState.RUNNING
    found = (
        Technician.select(
            Technician.name,
            Session.id.alias("running_id"),
            Session.started_at,
            Customer.name.alias("customer_name"),
        )
        .join(Session, JOIN.LEFT_OUTER, on=running)
        .join(Customer, JOIN.LEFT_OUTER, on=Session.customer == Customer.id)
        .where(Technician.id == technician_id)
        .namedtuples()
        .first()
    )
    if found is None:
        return None
    if found.running_id is not None:
        raise RuleError(
            _(
                "A session is already running for {customer} since {started}: pause or stop it "
                "before starting another."
            ).format(
                customer=found.customer_name,
                started=format_datetime(found.started_at, zone),
            )
        )
    name: str = found.name
    return name


def open_interval(session: Session, at: datetime) -> None:
    SessionInterval.create(session=session.id, started_at=at)


def close_open_interval(session: Session, at: datetime) -> list[tuple[datetime, datetime]]:
    """Ends the session's open interval, if any, at ``at``; the session's intervals then, sorted
    (what ``stored_intervals`` would read again: one query fewer for a stop)."""
    intervals = []
    for row in SessionInterval.select().where(SessionInterval.session == session.id):
        if row.ended_at is None:
            row.ended_at = max(at, row.started_at)
            row.save()
        intervals.append((row.started_at, row.ended_at))
    return sorted(intervals)


def stored_intervals(session_id: int) -> list[tuple[datetime, datetime]]:
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


def bill_unless_too_long(
    desk: Desk,
    session: Session,
    intervals: Sequence[tuple[datetime, datetime]],
    settings: CompanySettings,
) -> tuple[PackDraw, ...] | None:
    """Bills the session, unless it ran past the review limit: then it is flagged and left
    unbilled, never billed silently. The draws recorded when billed (maybe none), else None."""
    if _needs_review(intervals, settings):
        session.flagged_for_review = True
        return None
    return bill_session(desk, session, intervals, settings)


def _pack_draws(allocation: Allocation, month_of: dict[int, date | None]) -> tuple[PackDraw, ...]:
    """The draws of an allocation as a session's record shows them (each pack once a side: the
    ledger's entries of a session, summed by pack, kind, side and month, are these)."""
    return tuple(
        PackDraw(
            pack_id=draw.key,
            kind=draw.kind,
            minutes=draw.minutes,
            outside=draw.outside,
            month=month_of[draw.key],
        )
        for draw in allocation.draws
    )


def check_intervals(
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


def replace_intervals(session: Session, intervals: Sequence[tuple[datetime, datetime]]) -> None:
    SessionInterval.delete().where(SessionInterval.session == session.id).execute()
    SessionInterval.insert_many(
        [{"session": session.id, "started_at": s, "ended_at": e} for s, e in intervals]
    ).execute()
    session.started_at = intervals[0][0]
    session.stopped_at = max(end for _start, end in intervals)


def clear_billing(session: Session) -> None:
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


def billed_time(
    customer_id: int, intervals: Sequence[tuple[datetime, datetime]], settings: CompanySettings
) -> tuple[BilledTime, _Terms]:
    """The intervals billed with the customer's blocks (P11–P13), and the terms used."""
    terms = _billing_terms(Customer.get_by_id(customer_id), settings)
    billed = bill(intervals, business_calendar(settings), terms.inside_block, terms.outside_block)
    return billed, terms


def _billing(
    billed: BilledTime, terms: _Terms, allocation: Allocation, draws: tuple[PackDraw, ...]
) -> SessionBilling:
    return SessionBilling(
        inside=billed.inside,
        outside=billed.outside,
        inside_billed_minutes=billed.inside_billed // MINUTE,
        outside_billed_minutes=billed.outside_billed // MINUTE,
        uncovered_inside_minutes=allocation.uncovered_inside,
        uncovered_outside_minutes=allocation.uncovered_outside,
        rate_inside=terms.rate_inside,
        rate_outside=terms.rate_outside,
        draws=draws,
    )


def bill_session(
    desk: Desk,
    session: Session,
    intervals: Sequence[tuple[datetime, datetime]],
    settings: CompanySettings,
) -> tuple[PackDraw, ...]:
    """Bills the session's intervals and pays them from its customer's packs (one transaction
    with the caller's save of the session). The draws recorded."""
    billed, terms = billed_time(session.customer_id, intervals, settings)
    allocation, month_of = packs.draw_for_session(
        desk,
        customer_id=session.customer_id,
        session_id=session.id,
        contact_id=session.contact_id,
        inside_minutes=billed.inside_billed // MINUTE,
        outside_minutes=billed.outside_billed // MINUTE,
        on=company_today(session.started_at, settings),
        today=company_today(desk.now(), settings),
    )
    billing = _billing(billed, terms, allocation, ())
    session.inside_seconds = billing.inside // SECOND
    session.outside_seconds = billing.outside // SECOND
    session.inside_billed_minutes = billing.inside_billed_minutes
    session.outside_billed_minutes = billing.outside_billed_minutes
    session.uncovered_inside_minutes = billing.uncovered_inside_minutes
    session.uncovered_outside_minutes = billing.uncovered_outside_minutes
    session.rate_inside = billing.rate_inside
    session.rate_outside = billing.rate_outside
    session.flagged_for_review = False
    return _pack_draws(allocation, month_of)


def preview_billing(
    customer_id: int, intervals: Sequence[tuple[datetime, datetime]], settings: CompanySettings
) -> SessionBilling | None:
    """What ``bill_unless_too_long`` would freeze for these intervals, with the draws it would
    record; reads only. ``None``: past the review limit, the session would be flagged instead."""
    if _needs_review(intervals, settings):
        return None
    billed, terms = billed_time(customer_id, intervals, settings)
    allocation, month_of = packs.plan_draws(
        customer_id,
        billed.inside_billed // MINUTE,
        billed.outside_billed // MINUTE,
        company_today(min(start for start, _end in intervals)),
        pending_allotments=True,
    )
    return _billing(billed, terms, allocation, _pack_draws(allocation, month_of))


def stop_and_bill(
    desk: Desk,
    session: Session,
    stopped_at: datetime,
    intervals: Sequence[tuple[datetime, datetime]] | None = None,
) -> tuple[set[Topic], tuple[PackDraw, ...] | None]:
    """The stop of a session whose intervals are all stored and closed: stopped at
    ``stopped_at`` and billed, or flagged if too long (the caller saves it). What changed, and
    the draws recorded (None: flagged, not billed), from which its result is made.
    ``intervals``: the stored ones, when the caller has just read them (one query fewer)."""
    session.state = enums.SessionState.STOPPED
    session.stopped_at = max(stopped_at, session.started_at)
    if intervals is None:
        intervals = stored_intervals(session.id)
    draws = bill_unless_too_long(desk, session, intervals, company_settings())
    return ({Topic.SESSIONS} if draws is None else {Topic.SESSIONS, Topic.PACKS}), draws


def session_customer(
    customer_id: int | None, contact_id: int | None, *, lock_contact: bool = False
) -> tuple[Customer, Contact | None]:
    """The customer a session is for: the one chosen, or the contact's; never an archived one.
    With the contact, read (and locked, with ``lock_contact``: the timer may assign it)."""
    contact = None
    if contact_id is not None:
        missing = _("The contact {id} does not exist.").format(id=contact_id)
        read = locked_or_missing if lock_contact else get_or_missing
        contact = read(Contact, contact_id, missing)
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
    return customer, contact


def refuse_if_invoiced(session: Session) -> None:
    if session.invoice_id is not None:
        invoice = Invoice.get_by_id(session.invoice_id)
        raise RuleError(
            _(
                "This session is on invoice {number}: it cannot change unless that invoice is "
                "cancelled with a credit note."
            ).format(number=document_number(invoice.series, invoice.year, invoice.number))
        )
