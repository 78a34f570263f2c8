"""The columns of the Sessions lists (the sessions of a month, those to review): what each cell
shows, its colours and sort key, and the sample texts the columns are sized by."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtGui import QColor

from app.domain import states
from app.i18n import _, format_clock, format_datetime, format_duration
from app.services import sessions
from app.services.labels import session_state_label
from app.services.sessions import SessionRecord
from ui.table_model import RIGHT, Column
from ui.widgets import DATETIME_SAMPLE, DURATION_SAMPLE

_NONE = "—"
_REVIEW_COLOURS = (QColor("#7a4b00"), QColor("#fff1cc"))
_DISCARDED_COLOURS = (QColor("#8a8a8a"), None)

#: Columns of the month's table, by position (the real time repaints every second).
CUSTOMER_COLUMN, CONTACT_COLUMN, REAL_TIME_COLUMN = 1, 2, 5


def _real_time_column(real_time: Callable[[SessionRecord], timedelta]) -> Column[SessionRecord]:
    """The session's time as ``real_time`` measures it (up to now, or to its stop)."""
    return Column(
        _("Real time"),
        lambda s: format_clock(real_time(s)),
        lambda s: real_time(s).total_seconds(),
        RIGHT,
    )


def _minutes(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def is_open(state: SessionRecord) -> bool:
    return state.state in (states.SessionState.RUNNING, states.SessionState.PAUSED)


def state_text(state: SessionRecord) -> str:
    if state.flagged_for_review and state.state is states.SessionState.STOPPED:
        return _("To review")
    return session_state_label(state.state)


def _colours(state: SessionRecord) -> tuple[QColor | None, QColor | None]:
    if state.flagged_for_review and state.state is states.SessionState.STOPPED:
        return _REVIEW_COLOURS
    if state.state is states.SessionState.DISCARDED:
        return _DISCARDED_COLOURS
    return (None, None)


def _billed(state: SessionRecord, value: Callable[[sessions.SessionBilling], int]) -> str:
    return _NONE if state.billing is None else _minutes(value(state.billing))


def _billed_key(state: SessionRecord, value: Callable[[sessions.SessionBilling], int]) -> int:
    return -1 if state.billing is None else value(state.billing)


# Sort keys are numbers or text: the proxy cannot compare Python datetimes.


def month_columns(
    zone: Callable[[], ZoneInfo], now: Callable[[], datetime]
) -> list[Column[SessionRecord]]:
    """Date, customer, contact, technician, state, real time, inside/outside, billed, paid by
    packs, uncovered, invoice, and the mark of a session recorded by hand."""

    def real_time(state: SessionRecord) -> timedelta:
        return state.elapsed(now())

    def inside_outside(state: SessionRecord) -> str:
        if state.billing is None:
            return _NONE
        return _("{inside} / {outside}").format(
            inside=format_clock(state.billing.inside), outside=format_clock(state.billing.outside)
        )

    return [
        Column(
            _("Date"),
            lambda s: format_datetime(s.started_at, zone()),
            lambda s: s.started_at.timestamp(),
        ),
        Column(_("Customer"), lambda s: s.customer_name),
        Column(
            _("Contact"),
            lambda s: s.contact_subject or _NONE,
            tooltip=lambda s: s.contact_subject or "",
        ),
        Column(_("Technician"), lambda s: s.technician_name),
        Column(_("State"), state_text, colours=_colours),
        _real_time_column(real_time),
        Column(
            _("Inside / outside"),
            inside_outside,
            lambda s: s.billing.inside.total_seconds() if s.billing else -1.0,
            RIGHT,
            tooltip=lambda s: _("Real time inside / outside business hours"),
        ),
        Column(
            _("Billed"),
            lambda s: _billed(s, lambda b: b.billed_minutes),
            lambda s: _billed_key(s, lambda b: b.billed_minutes),
            RIGHT,
        ),
        Column(
            _("Paid by packs"),
            lambda s: _billed(s, lambda b: b.covered_minutes),
            lambda s: _billed_key(s, lambda b: b.covered_minutes),
            RIGHT,
        ),
        Column(
            _("Uncovered"),
            lambda s: _billed(s, lambda b: b.uncovered_minutes),
            lambda s: _billed_key(s, lambda b: b.uncovered_minutes),
            RIGHT,
        ),
        Column(
            _("Invoice"),
            lambda s: s.invoice_number or "",
            lambda s: s.invoice_number or "",
        ),
        Column(
            _("How recorded"),
            recorded_text,
            recorded_text,
            tooltip=lambda s: recorded_tooltip() if s.recorded_by_hand else "",
        ),
    ]


def recorded_text(state: SessionRecord) -> str:
    """The mark of a session recorded by hand after the fact (empty for a timed one)."""
    return _("By hand") if state.recorded_by_hand else ""


def recorded_tooltip() -> str:
    return _("Recorded by hand after the fact, not timed")


def review_columns(zone: Callable[[], ZoneInfo]) -> list[Column[SessionRecord]]:
    def real_time(state: SessionRecord) -> timedelta:
        return state.elapsed(state.stopped_at or state.started_at)

    return [
        Column(
            _("Started"),
            lambda s: format_datetime(s.started_at, zone()),
            lambda s: s.started_at.timestamp(),
        ),
        Column(
            _("Stopped"),
            lambda s: format_datetime(s.stopped_at, zone()) if s.stopped_at else _NONE,
            lambda s: (s.stopped_at or s.started_at).timestamp(),
        ),
        Column(_("Customer"), lambda s: s.customer_name),
        Column(_("Contact"), lambda s: s.contact_subject or _NONE),
        Column(_("Technician"), lambda s: s.technician_name),
        _real_time_column(real_time),
        Column(
            _("Periods"),
            lambda s: str(len(s.intervals)),
            lambda s: len(s.intervals),
            RIGHT,
        ),
    ]


def _state_sample() -> str:
    """The longest state a session's row shows."""
    labels = [session_state_label(state) for state in states.SessionState]
    return max([*labels, _("To review")], key=len)


def month_samples() -> tuple[str, ...]:
    """What the month's columns are as wide as ("": a column that stretches)."""
    return (
        DATETIME_SAMPLE,
        "",
        "",
        "x" * 12,
        _state_sample(),
        "00:00:00",
        _("{inside} / {outside}").format(inside="0:00:00", outside="0:00:00"),
        DURATION_SAMPLE,
        DURATION_SAMPLE,
        DURATION_SAMPLE,
        "FT 0000/000",
        max(_("How recorded"), _("By hand"), key=len),
    )


def review_samples() -> tuple[str, ...]:
    return (DATETIME_SAMPLE, DATETIME_SAMPLE, "", "", "x" * 12, "00:00:00", "000")
