"""Sessions: the timer's use cases: start, pause, resume, stop; an edit of the times, an
administrator's correction, discarding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from app.domain import states as enums
from app.domain.assignment import assigned_by_session
from app.i18n import _
from app.services import changes, checks, packs
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.queries import locked_or_missing
from app.services.sessions.queries import session
from app.services.sessions.records import (
    bill_session,
    bill_unless_too_long,
    check_intervals,
    clear_billing,
    close_open_interval,
    missing_session,
    open_interval,
    refuse_if_invoiced,
    refuse_second_timer,
    replace_intervals,
    session_customer,
    stop_and_bill,
    stored_intervals,
    technician_of,
    warns_outside_hours,
)
from app.services.sessions.types import OPEN_STATES, Interval, PackDraw, SessionRecord
from app.services.settings.calendar import business_calendar, company_settings, company_zone
from app.services.settings.technicians import require_admin
from app.store.base import save_versioned
from app.store.models import Contact, Customer, Session

# --- the timer --------------------------------------------------------------------------------


def _result(
    session_id: int,
    done: Changes,
    *,
    warning: bool = False,
    intervals: Sequence[tuple[datetime, datetime | None]] | None = None,
    draws: Sequence[PackDraw] | None = None,
) -> SessionRecord:
    """The session as the use case left it. ``intervals``, ``draws``: all of its own, as just
    written (one query fewer each)."""
    known = None
    if intervals is not None:  # in UTC, as they are read back
        known = [
            Interval(start.astimezone(UTC), None if end is None else end.astimezone(UTC))
            for start, end in intervals
        ]
    found = session(session_id, intervals=known, draws=draws)
    return replace(found, outside_hours_warning=warning, changes=done)


def start_session(
    desk: Desk, *, customer_id: int | None = None, contact_id: int | None = None, note: str = ""
) -> SessionRecord:
    """Starts the timer of the technician at ``desk`` for a customer, or for a contact (whose
    customer it then is). One running session per technician (a paused one may wait). The first
    interval is written at once, so a crash loses nothing."""
    technician_id = technician_of(desk)
    with use_case():
        customer, contact = session_customer(customer_id, contact_id, lock_contact=True)
        calendar = business_calendar()
        technician_name = refuse_second_timer(technician_id, calendar.tz)
        now = desk.now()
        started = Session.create(
            customer=customer.id,
            contact=contact_id,
            technician=technician_id,
            state=enums.SessionState.RUNNING,
            started_at=now,
            note=checks.check_text("note", note, max_length=checks.LONG_TEXT, multiline=True),
        )
        open_interval(started, now)
        done = changes.note(desk, {Topic.SESSIONS}, started.id)
        if contact is not None:
            done |= _assign_by_session(desk, contact, technician_id)
        warning = warns_outside_hours(customer, now, calendar)
        if technician_name is None:  # not reached: the session's technician must exist
            return _result(started.id, done, warning=warning)
        at = now.astimezone(UTC)  # as the database gives it back
        # Its record from what was just written and read (no read back).
        return SessionRecord(
            id=started.id,
            version=started.version,
            customer_id=customer.id,
            customer_name=customer.name,
            contact_id=contact_id,
            contact_subject=None if contact is None else contact.subject,
            technician_id=technician_id,
            technician_name=technician_name,
            state=enums.SessionState.RUNNING,
            started_at=at,
            stopped_at=None,
            note=started.note,
            flagged_for_review=False,
            intervals=(Interval(at, None),),
            billing=None,
            invoice_id=None,
            invoice_number=None,
            outside_hours_warning=warning,
            recorded_by_hand=False,
            changes=done,
        )


def _assign_by_session(desk: Desk, contact: Contact, technician_id: int) -> Changes:
    """A contact without a technician gets the one who starts a session on it (issue 14)."""
    assigned = assigned_by_session(contact.state, contact.technician_id, technician_id)
    if assigned is None:
        return Changes()
    contact.technician_id = assigned
    save_versioned(contact, contact.version)
    return changes.note(desk, {Topic.CONTACTS}, contact.id)


def pause_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Pauses a running session: its open interval ends now."""
    with use_case():
        paused = locked_or_missing(Session, session_id, missing_session(session_id))
        if paused.state is not enums.SessionState.RUNNING:
            raise RuleError(_("Only a running session can be paused."))
        close_open_interval(paused, desk.now())
        paused.state = enums.SessionState.PAUSED
        save_versioned(paused, version)
        done = changes.note(desk, {Topic.SESSIONS}, paused.id)
        return _result(paused.id, done)


def resume_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Resumes a paused session with a new interval from now, if its technician has no other
    session running."""
    with use_case():
        resumed = locked_or_missing(Session, session_id, missing_session(session_id))
        if resumed.state is not enums.SessionState.PAUSED:
            raise RuleError(_("Only a paused session can be resumed."))
        calendar = business_calendar()
        refuse_second_timer(resumed.technician_id, calendar.tz)
        now = desk.now()
        open_interval(resumed, now)
        resumed.state = enums.SessionState.RUNNING
        save_versioned(resumed, version)
        done = changes.note(desk, {Topic.SESSIONS}, resumed.id)
        warning = warns_outside_hours(Customer.get_by_id(resumed.customer_id), now, calendar)
        return _result(resumed.id, done, warning=warning)


def stop_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Stops a running or paused session and bills it, all in one transaction: billed time
    (P11–P13), draws on the customer's packs (P16a), uncovered minutes and rates frozen.

    A session longer than the review limit is stopped and flagged, not billed (no ledger entry):
    an administrator bills it with ``correct_session``.
    """
    with use_case():
        stopped = locked_or_missing(Session, session_id, missing_session(session_id))
        if stopped.state not in OPEN_STATES:
            raise RuleError(_("This session is not running nor paused: it cannot be stopped."))
        now = desk.now()
        intervals = close_open_interval(stopped, now)
        # The same stop as a session recorded by hand.
        topics, draws = stop_and_bill(desk, stopped, now, intervals)
        save_versioned(stopped, version)
        done = changes.note(desk, topics, stopped.id)
        # A running or paused session was never billed: what it drew now (maybe nothing, or
        # flagged: None) is all it drew.
        return _result(stopped.id, done, intervals=intervals, draws=draws or ())


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
        edited = locked_or_missing(Session, session_id, missing_session(session_id))
        if edited.state is enums.SessionState.DISCARDED:
            raise RuleError(_("A discarded session cannot be edited."))
        refuse_if_invoiced(edited)
        if note is not None:
            edited.note = checks.check_text(
                "note", note, max_length=checks.LONG_TEXT, multiline=True
            )
        topics = {Topic.SESSIONS}
        if intervals is not None:
            if edited.state is not enums.SessionState.STOPPED:
                raise RuleError(_("Stop the session before changing its times."))
            settings = company_settings()
            checked = check_intervals(intervals, desk.now(), company_zone())
            replace_intervals(edited, checked)
            packs.reverse_session_draws(desk, edited.id, _("The session's times were changed."))
            clear_billing(edited)
            bill_unless_too_long(desk, edited, checked, settings)
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
        reviewed = locked_or_missing(Session, session_id, missing_session(session_id))
        if not (reviewed.flagged_for_review and reviewed.state is enums.SessionState.STOPPED):
            raise RuleError(_("This session is not waiting for a review."))
        refuse_if_invoiced(reviewed)
        if intervals is None:
            checked = stored_intervals(reviewed.id)
        else:
            checked = check_intervals(intervals, desk.now(), company_zone())
            replace_intervals(reviewed, checked)
        bill_session(desk, reviewed, checked, company_settings())
        save_versioned(reviewed, version)
        done = changes.note(desk, {Topic.SESSIONS, Topic.PACKS}, reviewed.id)
        return _result(reviewed.id, done)


def discard_session(desk: Desk, session_id: int, version: int) -> SessionRecord:
    """Discards a session started by mistake: never billed; if it was, what it drew goes back
    to the packs with reversing entries. Kept for audit; not possible once invoiced."""
    with use_case():
        discarded = locked_or_missing(Session, session_id, missing_session(session_id))
        if discarded.state is enums.SessionState.DISCARDED:
            raise RuleError(_("This session is already discarded."))
        refuse_if_invoiced(discarded)
        now = desk.now()
        close_open_interval(discarded, now)
        topics = {Topic.SESSIONS}
        if packs.reverse_session_draws(desk, discarded.id, _("The session was discarded.")):
            topics.add(Topic.PACKS)
        clear_billing(discarded)
        discarded.state = enums.SessionState.DISCARDED
        discarded.stopped_at = discarded.stopped_at or max(now, discarded.started_at)
        discarded.flagged_for_review = False
        save_versioned(discarded, version)
        done = changes.note(desk, topics, discarded.id)
        return _result(discarded.id, done)
