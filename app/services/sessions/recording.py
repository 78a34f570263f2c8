"""Sessions: recording one after the fact (issue 14): a phone fix on the way in, a timer
forgotten. The technician types the start, the end and the pauses; the session is then stored,
billed, split and drawn from the packs exactly as a timed one at its stop (``stop_and_bill``:
P11–P16a), and marked ``recorded_by_hand``.

``preview_recorded_session`` makes the same checks and shows what the stop would bill and draw,
writing nothing; ``record_session`` saves it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, cast
from zoneinfo import ZoneInfo

from app.domain import states as enums
from app.i18n import _, format_datetime
from app.services import changes, checks
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.queries import get_or_missing
from app.services.sessions.queries import session
from app.services.sessions.records import (
    check_intervals,
    preview_billing,
    session_customer,
    stop_and_bill,
    technician_of,
)
from app.services.sessions.types import Interval, SessionPreview, SessionRecord
from app.services.settings.calendar import company_settings, company_zone
from app.store.database import locking
from app.store.models import (
    Contact,
    Customer,
    Session,
    SessionInterval,
    Technician,
)

Period = tuple[datetime, datetime]


@dataclass(frozen=True)
class _Checked:
    customer: Customer
    contact_id: int | None
    technician: Technician
    start: datetime
    end: datetime
    intervals: list[Period]


def active_periods(start: datetime, end: datetime, pauses: Sequence[Period]) -> list[Period]:
    """``start``–``end`` with the pauses taken out (pauses already checked: inside, in order,
    not overlapping). Pauses that touch leave no empty period between them."""
    periods = []
    at = start
    for pause_start, pause_end in pauses:
        if pause_start > at:
            periods.append((at, pause_start))
        at = max(at, pause_end)
    if end > at:
        periods.append((at, end))
    return periods


def _period(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{format_datetime(start, zone)}–{format_datetime(end, zone)}"


def _checked_times(
    start: datetime, end: datetime, pauses: Sequence[Period], now: datetime, zone: ZoneInfo
) -> list[Period]:
    """The active periods of start–end with its pauses, every time checked: aware, ending after
    it starts, not in the future, pauses inside and not overlapping."""
    for field, value in (("start", start), ("end", end)):
        if value.utcoffset() is None:
            raise InputError(_("A time must carry its time zone."), field=field)
        with checks.refusing():
            checks.instant(field, value)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise InputError(
            _("The session cannot end at {end}, before or when it starts at {start}.").format(
                end=format_datetime(end, zone), start=format_datetime(start, zone)
            ),
            field="end",
        )
    if end > now:
        raise InputError(
            _("The session cannot end at {end}: that is in the future.").format(
                end=format_datetime(end, zone)
            ),
            field="end",
        )
    ordered = []
    for typed_start, typed_end in pauses:
        if typed_start.utcoffset() is None or typed_end.utcoffset() is None:
            raise InputError(_("A time must carry its time zone."), field="pauses")
        pause_start, pause_end = typed_start.astimezone(UTC), typed_end.astimezone(UTC)
        if pause_end <= pause_start:
            raise InputError(
                _("A pause cannot end at {end}, before or when it starts at {start}.").format(
                    end=format_datetime(pause_end, zone), start=format_datetime(pause_start, zone)
                ),
                field="pauses",
            )
        if pause_start < start or pause_end > end:
            raise InputError(
                _("The pause {pause} is not inside the session ({session}).").format(
                    pause=_period(pause_start, pause_end, zone), session=_period(start, end, zone)
                ),
                field="pauses",
            )
        ordered.append((pause_start, pause_end))
    ordered.sort()
    for (first_start, first_end), (second_start, second_end) in pairwise(ordered):
        if second_start < first_end:
            raise InputError(
                _("Two pauses overlap: {first} and {second}.").format(
                    first=_period(first_start, first_end, zone),
                    second=_period(second_start, second_end, zone),
                ),
                field="pauses",
            )
    periods = active_periods(start, end, ordered)
    if not periods:
        raise InputError(
            _("The pauses take the whole session: there is no time left to record."),
            field="pauses",
        )
    # The edit's checks too, so a recorded session holds what an edited one may hold.
    return check_intervals(periods, now, zone)


def _technician(desk: Desk, technician_id: int | None) -> Technician:
    found = get_or_missing(
        Technician,
        technician_id if technician_id is not None else technician_of(desk),
        _("The technician {id} does not exist.").format(id=technician_id),
    )
    if not found.active:
        raise InputError(
            _("{technician} is no longer active: choose another technician.").format(
                technician=found.name
            ),
            field="technician",
        )
    return found


def refuse_overlap(technician: Technician, periods: Sequence[Period], now: datetime) -> None:
    """Refuses periods that overlap the technician's other sessions (stopped, paused or running;
    a running one up to now), naming the first one they clash with. A pause of another session
    is free time: a call taken while it was paused may be recorded."""
    first, last = periods[0][0], periods[-1][1]
    rows = (
        SessionInterval.select(
            SessionInterval.session,
            SessionInterval.started_at,
            SessionInterval.ended_at,
            Session.started_at.alias("session_start"),
            Session.stopped_at.alias("session_stop"),
            Customer.name.alias("customer_name"),
        )
        .join(Session, on=SessionInterval.session == Session.id)
        .join(Customer, on=Session.customer == Customer.id)
        .where(
            (Session.technician == technician.id)
            & (Session.state != enums.SessionState.DISCARDED)
            & (SessionInterval.started_at < last)
            & (SessionInterval.ended_at.is_null() | (SessionInterval.ended_at > first))
        )
        .order_by(SessionInterval.started_at)
        .namedtuples()
    )
    zone = company_zone()
    for row in cast(Any, rows):
        other_end = row.ended_at or max(now, row.started_at)
        if any(start < other_end and row.started_at < end for start, end in periods):
            if row.session_stop is None:
                when = _("since {start}, still open").format(
                    start=format_datetime(row.session_start, zone)
                )
            else:
                when = _period(row.session_start, row.session_stop, zone)
            raise RuleError(
                _(
                    "{technician} already has a session at that time: session {id} for "
                    "{customer}, {when}. Change the times or choose that session."
                ).format(
                    technician=technician.name,
                    id=row.session,
                    customer=row.customer_name,
                    when=when,
                )
            )


def _check(
    desk: Desk,
    *,
    customer_id: int | None,
    contact_id: int | None,
    technician_id: int | None,
    start: datetime,
    end: datetime,
    pauses: Sequence[Period],
) -> _Checked:
    zone = company_zone()
    now = desk.now()
    intervals = _checked_times(start, end, pauses, now, zone)
    customer, _contact = session_customer(customer_id, contact_id)
    technician = _technician(desk, technician_id)
    refuse_overlap(technician, intervals, now)
    return _Checked(customer, contact_id, technician, intervals[0][0], intervals[-1][1], intervals)


def preview_recorded_session(
    desk: Desk,
    *,
    customer_id: int | None = None,
    contact_id: int | None = None,
    technician_id: int | None = None,
    start: datetime,
    end: datetime,
    pauses: Sequence[Period] = (),
) -> SessionPreview:
    """What ``record_session`` would save with these fields: the same checks (a refusal is the
    same error) and the billing and draws its stop would make; writes nothing."""
    checked = _check(
        desk,
        customer_id=customer_id,
        contact_id=contact_id,
        technician_id=technician_id,
        start=start,
        end=end,
        pauses=pauses,
    )
    subject = None
    if checked.contact_id is not None:
        subject = Contact.get_by_id(checked.contact_id).subject
    return SessionPreview(
        customer_id=checked.customer.id,
        customer_name=checked.customer.name,
        contact_id=checked.contact_id,
        contact_subject=subject,
        technician_id=checked.technician.id,
        technician_name=checked.technician.name,
        started_at=checked.start,
        stopped_at=checked.end,
        intervals=tuple(Interval(s, e) for s, e in checked.intervals),
        billing=preview_billing(checked.customer.id, checked.intervals, company_settings()),
    )


def record_session(
    desk: Desk,
    *,
    customer_id: int | None = None,
    contact_id: int | None = None,
    technician_id: int | None = None,
    start: datetime,
    end: datetime,
    pauses: Sequence[Period] = (),
    note: str = "",
) -> SessionRecord:
    """Records a session after the fact for a customer, or a contact (whose customer it then
    is), by ``technician_id`` (default: the desk's): from ``start`` to ``end`` less ``pauses``.

    Stored as a timed session is at its stop (its periods, then ``stop_and_bill``: billed, drawn
    from the packs, or flagged if past the review limit) and marked as recorded by hand. Refused,
    with nothing written, if a time is wrong, in the future, or overlaps the technician's other
    sessions."""
    with use_case():
        # One technician's recordings one at a time, so two desks cannot both fill one hour.
        chosen = technician_id if technician_id is not None else technician_of(desk)
        list(locking(Technician.select(Technician.id).where(Technician.id == chosen)))
        checked = _check(
            desk,
            customer_id=customer_id,
            contact_id=contact_id,
            technician_id=chosen,
            start=start,
            end=end,
            pauses=pauses,
        )
        recorded = Session.create(
            customer=checked.customer.id,
            contact=checked.contact_id,
            technician=checked.technician.id,
            state=enums.SessionState.STOPPED,
            started_at=checked.start,
            note=checks.check_text("note", note, max_length=checks.LONG_TEXT, multiline=True),
            recorded_by_hand=True,
        )
        SessionInterval.insert_many(
            [{"session": recorded.id, "started_at": s, "ended_at": e} for s, e in checked.intervals]
        ).execute()
        # Its periods, stored and checked: no need to read them again.
        topics, draws = stop_and_bill(desk, recorded, checked.end, checked.intervals)
        recorded.save()
        done = changes.note(desk, topics, recorded.id)
        # A new session: its intervals (in UTC, from the checks) and draws are those just written.
        written = tuple(Interval(s, e) for s, e in checked.intervals)
        return replace(session(recorded.id, intervals=written, draws=draws or ()), changes=done)
