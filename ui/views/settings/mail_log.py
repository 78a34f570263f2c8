"""Settings → Mail → Intake log: per mailbox its last read and what it brought; below, every
read with its counts, every failure, and each message set aside with its reason (P26).

The log changes with every read, at this desk or another; the page looks at a cheap stamp
(``log_stamp``) every few seconds while it is shown, and reads the log again only when the stamp
moved, or when the contacts or the settings changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.intake import IgnoreReason, ignore_reason_text
from app.domain.states import IntakeLogKind
from app.i18n import _, format_datetime, pgettext
from app.intake.parse import Problem, problem_text
from app.services.changes import Changes, Topic
from app.services.intake.log import LogEntry, intake_log, log_stamp
from app.services.intake.mailboxes import MailboxRecord, mailboxes
from ui.context import UiContext
from ui.operations import op
from ui.table_model import Column, RowTableModel, TableProxy
from ui.views.settings.form import list_table, note_label

#: The log's column of the message concerned (sender: subject), of a width the user sets.
MESSAGE_COLUMN = 8
#: Seconds between two looks at the stamp while the page is shown.
POLL_TICKS = 5


def stretch_last(table: QTableView) -> None:
    """The last column (a state, a reason: long words) takes the room left, and no more."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(table.model().columnCount() - 1, QHeaderView.ResizeMode.Stretch)


def kind_label(kind: IntakeLogKind) -> str:
    return {
        IntakeLogKind.FETCH: _("Read"),
        IntakeLogKind.FAILED: _("Failed"),
        IntakeLogKind.IGNORED: _("Ignored"),
        IntakeLogKind.UNREADABLE: _("Unreadable"),
    }[IntakeLogKind(kind)]


def entry_reason(entry: LogEntry) -> str:
    """Why, in words: a failure's message, an ignored message's reason, a message's problems."""
    parts: list[str] = []
    if entry.kind is IntakeLogKind.IGNORED and entry.reason in set(IgnoreReason):
        parts.append(ignore_reason_text(IgnoreReason(entry.reason)))
    elif entry.message:
        parts.append(entry.message)
    for code in entry.problems:
        if code in set(Problem):
            parts.append(problem_text(Problem(code)))
    return " ".join(parts)


def entry_message(entry: LogEntry) -> str:
    """The message concerned: its sender and subject."""
    if not (entry.sender or entry.subject):
        return ""
    return _("{sender}: {subject}").format(sender=entry.sender, subject=entry.subject)


def _count(value: int) -> str:
    return str(value) if value else ""


def log_model() -> RowTableModel[LogEntry]:
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    return RowTableModel(
        [
            Column(_("When"), lambda row: format_datetime(row.at), lambda row: row.at),
            Column(_("Mailbox"), lambda row: row.mailbox),
            Column(_("What"), lambda row: kind_label(row.kind)),
            Column(
                pgettext("messages", "New"), lambda row: _count(row.new), lambda row: row.new, right
            ),
            Column(
                pgettext("messages", "Joined"),
                lambda row: _count(row.joined),
                lambda row: row.joined,
                right,
            ),
            Column(
                pgettext("messages", "Responses"),
                lambda row: _count(row.responses),
                lambda row: row.responses,
                right,
            ),
            Column(
                pgettext("messages", "Ignored"),
                lambda row: _count(row.ignored),
                lambda row: row.ignored,
                right,
            ),
            Column(
                pgettext("messages", "Rejected"),
                lambda row: _count(row.rejected),
                lambda row: row.rejected,
                right,
            ),
            Column(_("Message"), entry_message, tooltip=entry_message),
            Column(_("Reason"), entry_reason, tooltip=entry_reason),
        ],
        key=lambda row: row.id,
    )


@dataclass(frozen=True)
class MailboxSummary:
    """A mailbox's line at the top of the log: its last read and the last one that brought
    something."""

    id: int
    name: str
    last_fetch_at: datetime | None
    state: str
    last: LogEntry | None


def summaries(
    records: tuple[MailboxRecord, ...], log: tuple[LogEntry, ...]
) -> list[MailboxSummary]:
    latest: dict[str, LogEntry] = {}
    for entry in log:  # newest first
        if entry.kind is IntakeLogKind.FETCH:
            latest.setdefault(entry.mailbox, entry)
    return [
        MailboxSummary(
            record.id,
            record.name,
            record.last_fetch_at,
            record.last_error or (_("OK") if record.last_fetch_at else _("Not read yet")),
            latest.get(record.name),
        )
        for record in records
    ]


def _last(row: MailboxSummary, count: str) -> str:
    return "" if row.last is None else _count(getattr(row.last, count))


def summary_model() -> RowTableModel[MailboxSummary]:
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    return RowTableModel(
        [
            Column(_("Mailbox"), lambda row: row.name),
            Column(
                _("Last read"),
                lambda row: format_datetime(row.last_fetch_at) if row.last_fetch_at else "",
                lambda row: row.last_fetch_at,
            ),
            Column(
                _("Last mail at"),
                lambda row: format_datetime(row.last.at) if row.last else "",
                lambda row: row.last.at if row.last else None,
            ),
            Column(pgettext("messages", "New"), lambda row: _last(row, "new"), align=right),
            Column(pgettext("messages", "Joined"), lambda row: _last(row, "joined"), align=right),
            Column(
                pgettext("messages", "Responses"), lambda row: _last(row, "responses"), align=right
            ),
            Column(pgettext("messages", "Ignored"), lambda row: _last(row, "ignored"), align=right),
            Column(
                pgettext("messages", "Rejected"), lambda row: _last(row, "rejected"), align=right
            ),
            Column(_("State"), lambda row: row.state, tooltip=lambda row: row.state),
        ],
        key=lambda row: row.id,
    )


class IntakeLogPage(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        #: Missed a change while hidden: read again when shown.
        self.stale = True
        self._stamp: tuple[int, int] | None = None
        self._ticks = 0
        self.summary = summary_model()
        self.summary_table = list_table(TableProxy(self.summary, self), _("Mailboxes"))
        self.model = log_model()
        self.proxy = TableProxy(self.model, self)
        self.table = list_table(self.proxy, _("Intake log"))
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        stretch_last(self.summary_table)
        stretch_last(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(MESSAGE_COLUMN, 260)

        top = QGroupBox(_("Mailboxes"))
        top_layout = QVBoxLayout(top)
        top_layout.addWidget(self.summary_table)
        bottom = QGroupBox(_("Reads, failures and messages set aside"))
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.addWidget(self.table)
        bottom_layout.addWidget(
            note_label(
                _(
                    "Automatic replies, delivery reports, mailing lists and the team's own "
                    "messages are not contacts: they are listed here with the reason."
                )
            )
        )
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([140, 460])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        context.changed.connect(self._changed)
        context.ticked.connect(self._tick)

    def reload(self) -> None:
        self.stale = False
        found = op(self, lambda: (log_stamp(), mailboxes(), intake_log())).run()
        if found is None:
            return
        self._stamp, records, log = found
        self.summary.set_rows(summaries(records, log))
        self.model.set_rows(log)

    def _changed(self, changes: Changes) -> None:
        if Topic.CONTACTS in changes or Topic.SETTINGS in changes:
            if self.isVisible():
                self.reload()
            else:
                self.stale = True

    def _tick(self) -> None:
        if not self.isVisible():
            return
        self._ticks += 1
        if self._ticks % POLL_TICKS:
            return
        stamp = op(self, log_stamp).failure(lambda _error: None).run()  # the banner says it
        if stamp is not None and stamp != self._stamp:
            self.reload()
