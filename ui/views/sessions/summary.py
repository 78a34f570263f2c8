"""What a session billed and where it was taken from: the packs it drew on, what stays uncovered.

Shown after a stop, and for the session chosen in the lists.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.domain import states
from app.domain.packs import PackKind
from app.i18n import (
    _,
    format_clock,
    format_date,
    format_datetime,
    format_duration,
    format_money,
    format_month,
)
from app.services import packs
from app.services.labels import pack_kind_label
from app.services.sessions import PackDraw, SessionBilling, SessionRecord


def _minutes(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def draw_source(draw: PackDraw, zone: ZoneInfo) -> str:
    """Which balance paid: "Monthly pack of November 2026", "Unit pack valid until 3/3/2027"…"""
    kind = pack_kind_label(draw.kind)
    if draw.kind is PackKind.MONTHLY and draw.month is not None:
        return _("{kind} of {month}").format(
            kind=kind, month=format_month(draw.month.year, draw.month.month)
        )
    if draw.kind is PackKind.UNIT:
        valid_until = packs.pack(draw.pack_id).valid_until
        if valid_until is not None:
            return _("{kind} valid until {date}").format(kind=kind, date=format_date(valid_until))
    return kind


def summary_lines(state: SessionRecord, zone: ZoneInfo) -> list[str]:
    """The session's billing in sentences, one a line."""
    lines = [
        _("{customer} — started {started}").format(
            customer=state.customer_name, started=format_datetime(state.started_at, zone)
        )
    ]
    if state.state is states.SessionState.DISCARDED:
        return [*lines, _("Discarded: it is not billed.")]
    if state.state in (states.SessionState.RUNNING, states.SessionState.PAUSED):
        return [*lines, _("Still open: it is billed when stopped.")]
    billing = state.billing
    if billing is None:
        real = state.elapsed(state.stopped_at or state.started_at)
        return [
            *lines,
            _("Real time: {total}.").format(total=format_clock(real)),
            _(
                "Longer than the review limit: not billed until an administrator checks "
                "its times (Sessions to review)."
            ),
        ]
    lines += billing_lines(billing, zone)
    if state.recorded_by_hand:
        lines.append(_("Recorded by hand after the fact, not timed."))
    if state.invoice_number is not None:
        lines.append(_("On invoice {number}.").format(number=state.invoice_number))
    return lines


def billing_lines(billing: SessionBilling, zone: ZoneInfo) -> list[str]:
    """What a session bills and which packs pay it, in sentences: after a stop, for a session of
    the lists, and in the preview of a session recorded by hand."""
    lines = [
        _("Real time {total}: inside business hours {inside}, outside {outside}.").format(
            total=format_clock(billing.inside + billing.outside),
            inside=format_clock(billing.inside),
            outside=format_clock(billing.outside),
        ),
        _("Billed {total}: {inside} inside business hours + {outside} outside.").format(
            total=_minutes(billing.billed_minutes),
            inside=_minutes(billing.inside_billed_minutes),
            outside=_minutes(billing.outside_billed_minutes),
        ),
    ]
    for draw in billing.draws:
        if draw.outside:
            template = _("Taken from {source}: {minutes} outside hours.")
        else:
            template = _("Taken from {source}: {minutes}.")
        lines.append(
            template.format(source=draw_source(draw, zone), minutes=_minutes(draw.minutes))
        )
    if not billing.draws and billing.billed_minutes:
        lines.append(_("No pack covered this session."))
    if billing.uncovered_inside_minutes:
        lines.append(
            _("Not covered inside business hours: {minutes}, to invoice at {rate} an hour.").format(
                minutes=_minutes(billing.uncovered_inside_minutes),
                rate=format_money(billing.rate_inside),
            )
        )
    if billing.uncovered_outside_minutes:
        lines.append(
            _(
                "Not covered outside business hours: {minutes}, to invoice at {rate} an hour."
            ).format(
                minutes=_minutes(billing.uncovered_outside_minutes),
                rate=format_money(billing.rate_outside),
            )
        )
    if not billing.uncovered_minutes:
        lines.append(_("Nothing left to invoice."))
    return lines


class BillingSummary(QFrame):
    """A small panel with a session's billing and allocation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("billingSummary")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(_("Billing of the session"))
        self.heading = QLabel(_("Billing of the session"))
        self.heading.setStyleSheet("font-weight: 600;")
        self.text = QLabel(_("Stop a session, or choose one in the list, to see its billing."))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        self.session_id: int | None = None

    def show_session(self, state: SessionRecord, zone: ZoneInfo, *, just_stopped: bool) -> None:
        self.session_id = state.id
        self.heading.setText(
            _("Session stopped — billing") if just_stopped else _("Billing of the session")
        )
        self.text.setText("\n".join(summary_lines(state, zone)))

    def clear(self) -> None:
        self.session_id = None
        self.heading.setText(_("Billing of the session"))
        self.text.setText(_("Stop a session, or choose one in the list, to see its billing."))
