"""How a contact shows in the queue and in the rejected list: columns, colours, order, search.

Every cell is computed from a ``ContactRow`` of ``app.services.contacts`` and, for the countdown,
the instant it shows (``Countdown``: set once per tick, so that every cell of a repaint agrees,
and each countdown cell is computed once per tick however many roles the painter asks for).
The policy is asked of ``app.domain.sla`` (urgency, reasons, labels); nothing is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.sla import Channel, Reason, Urgency, UrgencySchedule, urgency_schedule
from app.domain.states import ContactState
from app.i18n import _, format_countdown, format_datetime, ngettext
from app.services.contacts import ContactRow
from app.services.labels import channel_label, contact_state_label, reason_short, reason_text
from ui.table_model import LEFT, RIGHT, SORT_ROLE, Column, RowTableModel, sortable
from ui.views.queue.painting import PaintedCell

Index = QModelIndex | QPersistentModelIndex

#: What the search field matches: the words of a row, answered by the first column only, so that
#: a tick (which changes the display of that column) never makes the proxy filter again.
FILTER_ROLE = Qt.ItemDataRole.UserRole + 10

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
#: Roles answered from a cell's ``PaintedCell`` (what ``CellDelegate`` paints).
_PAINTED_ROLES = frozenset({_DISPLAY, _FOREGROUND, _BACKGROUND, _ALIGNMENT})
#: Roles the painter asks of every cell and no column answers: answered at once.
_UNANSWERED = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.SizeHintRole,
        Qt.ItemDataRole.StatusTipRole,
        Qt.ItemDataRole.WhatsThisRole,
    )
)

#: (text, background) by urgency; the same hues as the window's banner.
_WARNING = (QColor("#6b4a00"), QColor("#fff1cc"))
_BREACHED = (QColor("#7a1010"), QColor("#fde2e1"))
_QUIET = (QColor("#5f6368"), None)  # no deadline to watch: indicative target, no guarantee
_PLAIN: tuple[QColor | None, QColor | None] = (None, None)
_GRANTED = (QColor("#1b5e20"), None)
_REVOKED = (QColor("#5f6368"), None)

#: The queue's groups (timed, untimed, answered) each sort after the one before, whatever
#: their due instants.
_GROUP_OFFSET = 10**12


def _brush(colour: QColor | None) -> QBrush | None:
    return None if colour is None else QBrush(colour)


#: Urgency schedules kept for the rows painted lately; beyond, the cache starts again.
_SCHEDULES_KEPT = 2_000


class Countdown:
    """The instant the queue's countdowns show, and their cells at that instant."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._cells: dict[int, tuple[ContactRow, PaintedCell]] = {}
        self._brushes: dict[Urgency, tuple[QBrush | None, QBrush | None]] = {}
        #: Each row's urgency schedule: its colour at every tick in two comparisons.
        self._schedules: dict[int, tuple[ContactRow, UrgencySchedule]] = {}

    def set_now(self, now: datetime) -> None:
        if now != self.now:
            self.now = now
            self._cells.clear()  # only the rows painted since are computed again

    def urgency(self, row: ContactRow) -> Urgency:
        """The colour of the row's countdown at the instant shown (``app.domain.sla``): none
        once answered."""
        if not waiting(row):
            return Urgency.NONE
        cached = self._schedules.get(row.id)
        if cached is None or cached[0] is not row:
            if len(self._schedules) >= _SCHEDULES_KEPT:
                self._schedules.clear()
            cached = self._schedules[row.id] = (row, urgency_schedule(row.terms, row.received_at))
        return cached[1].at(self.now)

    def cell(self, row: ContactRow) -> PaintedCell:
        cached = self._cells.get(row.id)
        if cached is not None and cached[0] is row:
            return cached[1]
        level = self.urgency(row)
        brushes = self._brushes.get(level)
        if brushes is None:
            text, background = urgency_colours(level)
            brushes = self._brushes[level] = (_brush(text), _brush(background))
        fresh = PaintedCell(time_left_text(row, self.now), *brushes)
        self._cells[row.id] = (row, fresh)
        return fresh


# --- words ------------------------------------------------------------------------------------


def waiting(row: ContactRow) -> bool:
    """Still waiting for its first response: the only contacts with a live countdown."""
    return row.state is ContactState.OPEN


def customer_text(row: ContactRow) -> str:
    return row.customer_name or _("(unknown)")


def time_left_text(row: ContactRow, now: datetime) -> str:
    """``faltam 3 h 12 min``, ``excedido há 5 min``, ``indicativo: 02/12/2026 18:00``…"""
    if not waiting(row):
        return contact_state_label(row.state)  # the countdown stops with the first response
    if row.deadline is not None:
        return format_countdown(row.time_left(now))
    if row.target is not None:
        return _("indicative: {when}").format(when=format_datetime(row.target))
    return _("no guarantee")


def time_left_tooltip(row: ContactRow) -> str:
    lines = [reason_text(row.reason)]
    if row.deadline is not None:
        lines.append(_("Deadline: {when}").format(when=format_datetime(row.deadline)))
    elif row.target is not None:
        lines.append(
            _("Indicative target, not a deadline: {when}").format(when=format_datetime(row.target))
        )
    if row.first_response_at is not None:
        lines.append(
            _("First response: {when}").format(when=format_datetime(row.first_response_at))
        )
    return "\n".join(lines)


def urgency_colours(level: Urgency) -> tuple[QColor | None, QColor | None]:
    """The countdown's (text, background) colours: amber, red, grey without a deadline."""
    if level is Urgency.BREACHED:
        return _BREACHED
    if level is Urgency.WARNING:
        return _WARNING
    if level is Urgency.NONE:
        return _QUIET
    return _PLAIN


def compensation_text_of(hours: int, *, revoked: bool) -> str:
    if revoked:
        revoked_text = ngettext(
            "{count} free hour (revoked)", "{count} free hours (revoked)", hours
        )
        return revoked_text.format(count=hours)
    return ngettext("{count} free hour", "{count} free hours", hours).format(count=hours)


def compensation_text(row: ContactRow) -> str:
    """P17: the free hours this contact's missed deadline gave its customer."""
    if row.granted_hours is None:
        return ""
    return compensation_text_of(row.granted_hours, revoked=row.grant_revoked)


def compensation_tooltip(row: ContactRow) -> str:
    if row.granted_hours is None:
        return ""
    text = ngettext(
        "The deadline was missed: the customer was granted {count} hour of free support.",
        "The deadline was missed: the customer was granted {count} hours of free support.",
        row.granted_hours,
    ).format(count=row.granted_hours)
    if row.grant_revoked_at is not None:
        text += "\n" + _("Revoked on {when}.").format(when=format_datetime(row.grant_revoked_at))
    return text


def compensation_colours(row: ContactRow) -> tuple[QColor | None, QColor | None]:
    return _REVOKED if row.grant_revoked else _GRANTED


def search_text(row: ContactRow) -> str:
    """The words the search field looks in."""
    return " ".join(
        (
            customer_text(row),
            row.sender,
            row.subject,
            channel_label(row.channel),
            contact_state_label(row.state),
            reason_short(row.reason),
            row.technician_name or "",
        )
    )


# --- order ------------------------------------------------------------------------------------


def _seconds(at: datetime) -> int:
    return int(at.astimezone(UTC).timestamp())


def queue_order(row: ContactRow) -> int:
    """The queue's order (``app.domain.queue``: group, then due), as one integer the proxy
    compares quickly; ties keep the service's order (by id)."""
    group, due, _key = row.queue_key
    return group * _GROUP_OFFSET + _seconds(due)


def _received_order(row: ContactRow) -> int:
    return _seconds(row.received_at)


def _deadline_order(row: ContactRow) -> int:
    return _seconds(row.deadline) if row.deadline is not None else _GROUP_OFFSET


# --- the models -------------------------------------------------------------------------------


class ContactTableModel(RowTableModel[ContactRow]):
    """The shared row model, with fast paths for what is asked most: the sort key (the proxy
    asks for it at every comparison), each cell's ``PaintedCell`` (what ``CellDelegate`` paints,
    kept while its row is the same; the countdown column's from its ``Countdown``, which
    changes every second), and ``FILTER_ROLE`` (a row's searchable words)."""

    def __init__(
        self,
        columns: list[Column[ContactRow]],
        parent: QObject | None = None,
        *,
        countdown: Countdown | None = None,
        countdown_column: int = 0,
    ) -> None:
        super().__init__(columns, key=lambda row: row.id, parent=parent)
        self._sort_keys = [column.sort_key or column.display for column in columns]
        self._sorted: dict[tuple[int, int], tuple[ContactRow, Any]] = {}
        #: Per contact: the row its cells were made from, and each column's cell.
        self._cells: dict[int, tuple[ContactRow, dict[int, PaintedCell]]] = {}
        self._countdown = countdown
        self._countdown_column = countdown_column if countdown is not None else -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in _UNANSWERED:
            return None
        position, column = index.row(), index.column()  # -1 for an invalid index
        cell = self.painted(position, column) if role in _PAINTED_ROLES else None
        if cell is not None:
            return {
                _DISPLAY: cell.text,
                _FOREGROUND: cell.foreground,
                _BACKGROUND: cell.background,
                _ALIGNMENT: int(cell.align),
            }[role]
        if not (0 <= position < self.rowCount() and 0 <= column < len(self._sort_keys)):
            return None
        row = self.row_at(position)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == FILTER_ROLE:
            return search_text(row)
        return super().data(index, role)

    def painted(self, position: int, column: int) -> PaintedCell | None:
        """What the cell at ``position`` (a row of this model) and ``column`` shows."""
        rows = self._rows  # not ``rows()``, a copy
        if not (0 <= position < len(rows) and 0 <= column < len(self._sort_keys)):
            return None
        row = rows[position]
        if column == self._countdown_column:
            assert self._countdown is not None
            return self._countdown.cell(row)
        read = self._cells.get(row.id)
        if read is None or read[0] is not row:
            read = self._cells[row.id] = (row, {})
        cell = read[1].get(column)
        if cell is None:
            spec = self._columns[column]
            text, background = spec.colours(row) if spec.colours else (None, None)
            cell = PaintedCell(spec.display(row), _brush(text), _brush(background), spec.align)
            read[1][column] = cell
        return cell

    def _sort_key(self, row: ContactRow, column: int) -> Any:
        """A row's sort key, kept while the row is the same: sorting 10,000 rows asks for it
        a few hundred thousand times."""
        cached = self._sorted.get((row.id, column))
        if cached is not None and cached[0] is row:
            return cached[1]
        key = sortable(self._sort_keys[column](row))
        self._sorted[(row.id, column)] = (row, key)
        return key

    def set_rows(self, rows: Iterable[ContactRow]) -> None:
        fresh = list(rows)
        kept = {row.id for row in fresh}
        self._sorted = {key: value for key, value in self._sorted.items() if key[0] in kept}
        self._cells = {key: value for key, value in self._cells.items() if key in kept}
        super().set_rows(fresh)


class QueueColumn:
    """Column numbers of the queue."""

    TIME_LEFT = 0
    CUSTOMER = 1
    CHANNEL = 2
    SENDER = 3
    SUBJECT = 4
    RECEIVED = 5
    DEADLINE = 6
    STATE = 7
    GUARANTEE = 8
    COMPENSATION = 9
    TECHNICIAN = 10  # shown after the customer (``QueueView``)


def _deadline_text(row: ContactRow) -> str:
    return format_datetime(row.deadline) if row.deadline is not None else ""


def queue_columns(clock: Countdown) -> list[Column[ContactRow]]:
    """The queue's columns; the countdown's cells come from ``clock`` (and ``ContactTableModel``
    answers them straight from it)."""
    return [
        Column(
            _("Time left"),
            lambda row: clock.cell(row).text,
            queue_order,
            tooltip=time_left_tooltip,
            colours=lambda row: urgency_colours(clock.urgency(row)),
        ),
        Column(_("Customer"), customer_text),
        Column(
            _("Channel"),
            lambda row: channel_label(row.channel),
            tooltip=lambda row: channel_label(row.channel),
        ),
        Column(_("Sender"), lambda row: row.sender, tooltip=lambda row: row.sender),
        Column(_("Subject"), lambda row: row.subject, tooltip=lambda row: row.subject),
        Column(_("Received"), lambda row: format_datetime(row.received_at), _received_order),
        Column(_("Deadline"), _deadline_text, _deadline_order),
        Column(_("State"), lambda row: contact_state_label(row.state)),
        Column(
            _("Guarantee"),
            lambda row: reason_short(row.reason),
            tooltip=lambda row: reason_text(row.reason),
        ),
        Column(
            _("Free hours"),
            compensation_text,
            lambda row: row.granted_hours or 0,
            align=RIGHT,
            tooltip=compensation_tooltip,
            colours=compensation_colours,
        ),
        Column(_("Technician"), technician_text, tooltip=technician_text),
    ]


def technician_text(row: ContactRow) -> str:
    """Who looks after the contact (issue 14); empty while nobody does."""
    return row.technician_name or ""


class RejectedColumn:
    RECEIVED = 0
    CHANNEL = 1
    SENDER = 2
    CUSTOMER = 3
    SUBJECT = 4
    REASON = 5


def rejected_columns() -> list[Column[ContactRow]]:
    return [
        Column(_("Received"), lambda row: format_datetime(row.received_at), _received_order),
        Column(_("Channel"), lambda row: channel_label(row.channel)),
        Column(_("Sender"), lambda row: row.sender, tooltip=lambda row: row.sender),
        Column(_("Customer"), customer_text),
        Column(_("Subject"), lambda row: row.subject, tooltip=lambda row: row.subject),
        Column(
            _("Reason"),
            lambda row: reason_text(row.reason),
            tooltip=lambda row: reason_text(row.reason),
            align=LEFT,
        ),
    ]


# --- widths -----------------------------------------------------------------------------------

#: Texts as wide as a column usually needs, to size the columns in the language shown; the
#: names stand for "a long customer name" and "a long address" (elided beyond, with a tooltip).
_SAMPLE_AT = datetime(2026, 12, 30, 18, 0, tzinfo=UTC)
_SAMPLE_NAME = "Clínica Dentária Sorris"
_SAMPLE_SENDER = "secretaria@marquesadv."


#: A column whose samples are all it can hold (a channel, a reason…): shown whole, whatever
#: its width. Free text (names, senders) starts at a width that leaves the subject room.
WHOLE = 0


def queue_samples() -> dict[int, tuple[list[str], int]]:
    """Per column: sample texts and the widest it may start at (px; ``WHOLE``: as wide as its
    widest sample, for the closed sets: "Canal sem g…" hid which channel)."""
    return {
        QueueColumn.TIME_LEFT: (
            [
                format_countdown(-timedelta(hours=23, minutes=59)),
                format_countdown(timedelta(minutes=59, seconds=59)),
                _("indicative: {when}").format(when=format_datetime(_SAMPLE_AT)),
            ],
            WHOLE,
        ),
        QueueColumn.CUSTOMER: ([_SAMPLE_NAME], 130),
        QueueColumn.CHANNEL: ([channel_label(channel) for channel in Channel], WHOLE),
        QueueColumn.SENDER: ([_SAMPLE_SENDER], 130),
        QueueColumn.RECEIVED: ([format_datetime(_SAMPLE_AT)], WHOLE),
        QueueColumn.DEADLINE: ([format_datetime(_SAMPLE_AT)], WHOLE),
        QueueColumn.STATE: ([contact_state_label(state) for state in ContactState], WHOLE),
        QueueColumn.GUARANTEE: ([reason_short(reason) for reason in Reason], WHOLE),
        # (a revoked grant, rarer, is cut: its tooltip says it whole)
        QueueColumn.COMPENSATION: ([compensation_text_of(2, revoked=False)], WHOLE),
        QueueColumn.TECHNICIAN: (["Marta Figueira"], 90),
    }


def rejected_samples() -> dict[int, tuple[list[str], int]]:
    return {
        RejectedColumn.RECEIVED: ([format_datetime(_SAMPLE_AT)], WHOLE),
        RejectedColumn.CHANNEL: ([channel_label(channel) for channel in Channel], WHOLE),
        RejectedColumn.SENDER: ([_SAMPLE_SENDER + "pt"], 200),
        RejectedColumn.CUSTOMER: ([_SAMPLE_NAME], 200),
        RejectedColumn.SUBJECT: ([_SAMPLE_NAME + _SAMPLE_NAME], 260),
    }
