"""The tabs under a customer's record: its contacts, sessions, balances and invoices.

Each tab is one ``RowTableModel`` (the balances tab two) filled from ``app.services`` for one
customer; a double click asks the window to show the record behind a line.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from app.domain.packs import PackKind
from app.domain.sla import GuaranteeOutcome, guarantee_outcome
from app.domain.states import InvoiceState
from app.domain.states import SessionState as SessionStatus
from app.i18n import (
    _,
    format_date,
    format_datetime,
    format_duration,
    format_minutes_as_hours,
    format_money,
    format_month,
)
from app.services.contacts import ContactRow, contacts_of_customer
from app.services.invoices import InvoiceRow, invoices
from app.services.labels import (
    channel_label,
    contact_state_label,
    invoice_kind_label,
    invoice_period_text,
    invoice_state_label,
    outcome_label,
    pack_kind_label,
    reason_text,
    session_state_label,
)
from app.services.sessions import PackDraw, SessionRecord, sessions_of_customer
from ui.context import UiContext
from ui.table_model import KEY_ROLE, RIGHT, Column, RowTableModel, TableProxy
from ui.views.queue.model import compensation_text
from ui.widgets import DATETIME_SAMPLE, DURATION_SAMPLE, RowTable, fit_columns_to_samples

Row = TypeVar("Row")

MISSED_COLOUR = QColor("#b3261e")
MET_COLOUR = QColor("#1b6e2d")
PENDING_COLOUR = QColor("#8a5a00")
EXPIRING_BACKGROUND = QColor("#fff1cc")
MUTED_COLOUR = QColor("#6b6b6b")


# --- helpers ----------------------------------------------------------------------------------


def instant_key(value: datetime | None) -> float:
    return -1.0 if value is None else value.timestamp()


def day_key(value: date | None) -> int:
    return -1 if value is None else value.toordinal()


def _cents(amount: Decimal) -> int:
    """Sorts money exactly (Qt cannot compare Python Decimals)."""
    return int(amount * 100)


def read_only_table(
    model: RowTableModel[Any], *, name: str, stretch: int | None = None
) -> tuple[QTableView, TableProxy]:
    """A read-only table of ``model``; ``stretch``: the column that takes the spare width
    (default the last one)."""
    view = RowTable(model, name)
    if stretch is not None:
        view.stretch_column(stretch)
    return view, view.proxy


class CustomerTab(QWidget):
    """A tab that shows something of one customer; loaded when first looked at."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def load(self, customer_id: int) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def _open_on_double_click(self, view: QTableView, kind: str) -> None:
        """Double click (or Enter) on a line: the window shows that record."""

        def open_record(index: QModelIndex) -> None:
            key = index.siblingAtColumn(0).data(KEY_ROLE)
            if isinstance(key, int):
                self.context.show_record.emit(kind, key)

        view.doubleClicked.connect(open_record)
        view.activated.connect(open_record)


# --- contacts ---------------------------------------------------------------------------------


def _due_text(row: ContactRow) -> str:
    due = row.deadline or row.target
    return "—" if due is None else format_datetime(due)


def _due_tip(row: ContactRow) -> str:
    if row.deadline is None and row.target is not None:
        return _("Indicative target only: this contact has no guaranteed deadline.")
    return ""


def _due_colours(row: ContactRow) -> tuple[QColor | None, QColor | None]:
    """An indicative target (P8) is greyed: it is not a deadline."""
    return (MUTED_COLOUR, None) if row.deadline is None else (None, None)


def _guarantee_text(row: ContactRow, outcome: GuaranteeOutcome) -> str:
    """The outcome, and the free hours a missed guarantee gave (P17)."""
    shown = outcome_label(outcome)
    grant = compensation_text(row)
    return _("{outcome}: {grant}").format(outcome=shown, grant=grant) if grant else shown


SUBJECT_COLUMN = 1
GUARANTEE_COLUMN = 4


class ContactsTab(CustomerTab):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._now = context.now()

        def outcome(row: ContactRow) -> GuaranteeOutcome:
            return guarantee_outcome(row.terms, row.first_response_at, self._now)

        def outcome_colours(row: ContactRow) -> tuple[QColor | None, QColor | None]:
            colour = {
                GuaranteeOutcome.MET: MET_COLOUR,
                GuaranteeOutcome.MISSED: MISSED_COLOUR,
                GuaranteeOutcome.PENDING: PENDING_COLOUR,
            }.get(outcome(row))
            return colour, None

        self.model: RowTableModel[ContactRow] = RowTableModel(
            [
                Column(
                    _("Received"),
                    lambda row: format_datetime(row.received_at),
                    lambda row: instant_key(row.received_at),
                ),
                Column(
                    _("Subject"),
                    lambda row: row.subject,
                    tooltip=lambda row: _("{channel}, from {sender}").format(
                        channel=channel_label(row.channel), sender=row.sender
                    ),
                ),
                Column(_("State"), lambda row: contact_state_label(row.state)),
                Column(
                    _("Deadline"),
                    _due_text,
                    lambda row: instant_key(row.deadline or row.target),
                    tooltip=_due_tip,
                    colours=_due_colours,
                ),
                Column(
                    _("Guarantee"),
                    lambda row: _guarantee_text(row, outcome(row)),
                    tooltip=lambda row: reason_text(row.reason),
                    colours=outcome_colours,
                ),
            ],
            key=lambda row: row.id,
        )
        self.view, self.proxy = read_only_table(
            self.model, name=_("The customer's contacts"), stretch=SUBJECT_COLUMN
        )
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        fit_columns_to_samples(
            self.view, (DATETIME_SAMPLE, "", _("Answered") + "xxxx", DATETIME_SAMPLE)
        )
        self._open_on_double_click(self.view, "contact")
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def load(self, customer_id: int) -> None:
        self._now = self.context.now()
        rows = contacts_of_customer(customer_id)
        self.model.set_rows(rows)
        # The outcome of an unchanged row can change with time (pending → missed).
        if rows:
            self.model.cells_changed(
                0, len(rows) - 1, GUARANTEE_COLUMN, [Qt.ItemDataRole.DisplayRole]
            )

    def clear(self) -> None:
        self.model.set_rows(())


# --- sessions ---------------------------------------------------------------------------------


def _draw_text(draw: PackDraw, *, month: bool) -> str:
    kind = pack_kind_label(draw.kind)
    if month and draw.kind is PackKind.MONTHLY and draw.month is not None:
        kind = _("{pack} ({month})").format(
            pack=kind, month=format_month(draw.month.year, draw.month.month)
        )
    return _("{pack}: {time}").format(pack=kind, time=format_minutes_as_hours(draw.minutes))


def _paid_by(row: SessionRecord, *, month: bool = False) -> list[str]:
    """Who pays the billed time (P16a): each pack drawn on, then what no pack covered."""
    if row.billing is None:
        return []
    parts = [_draw_text(draw, month=month) for draw in row.billing.draws]
    if row.billing.uncovered_minutes:
        parts.append(
            _("not covered: {time}").format(
                time=format_minutes_as_hours(row.billing.uncovered_minutes)
            )
        )
    return parts


def _billed_text(row: SessionRecord) -> str:
    if row.billing is not None:
        return format_minutes_as_hours(row.billing.billed_minutes)
    if row.flagged_for_review and row.state is SessionStatus.STOPPED:
        return _("waiting for review")
    return session_state_label(row.state)


def _time_text(row: SessionRecord) -> str:
    """The real time inside and outside business hours (P12)."""
    if row.billing is None:
        return "—"
    return _("{inside} / {outside}").format(
        inside=format_duration(row.billing.inside), outside=format_duration(row.billing.outside)
    )


PAID_BY_COLUMN = 4


class SessionsTab(CustomerTab):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)

        def uncovered_colours(row: SessionRecord) -> tuple[QColor | None, QColor | None]:
            if row.billing is not None and row.billing.uncovered_minutes:
                return MISSED_COLOUR, None
            return None, None

        self.model: RowTableModel[SessionRecord] = RowTableModel(
            [
                Column(
                    _("Started"),
                    lambda row: format_datetime(row.started_at),
                    lambda row: instant_key(row.started_at),
                    tooltip=lambda row: row.contact_subject or row.note,
                ),
                Column(_("Technician"), lambda row: row.technician_name),
                Column(
                    _("Inside / outside hours"),
                    _time_text,
                    lambda row: -1 if row.billing is None else row.billing.inside.total_seconds(),
                    align=RIGHT,
                    tooltip=lambda row: _("Real time, before rounding up to the billing blocks."),
                ),
                Column(
                    _("Billed"),
                    _billed_text,
                    lambda row: -1 if row.billing is None else row.billing.billed_minutes,
                    align=RIGHT,
                ),
                Column(
                    _("Paid by"),
                    lambda row: "; ".join(_paid_by(row)),
                    lambda row: -1 if row.billing is None else row.billing.uncovered_minutes,
                    tooltip=lambda row: "\n".join(_paid_by(row, month=True)),
                    colours=uncovered_colours,
                ),
                Column(_("Invoice"), lambda row: row.invoice_number or ""),
            ],
            key=lambda row: row.id,
        )
        self.view, self.proxy = read_only_table(
            self.model, name=_("The customer's sessions"), stretch=PAID_BY_COLUMN
        )
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        fit_columns_to_samples(
            self.view,
            (
                DATETIME_SAMPLE,
                "x" * 11,
                _("{inside} / {outside}").format(inside="0 h 00 min", outside="00 min"),
                DURATION_SAMPLE,
                "",
                "FT 0000/000",
            ),
        )
        self._open_on_double_click(self.view, "session")
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def load(self, customer_id: int) -> None:
        self.model.set_rows(sessions_of_customer(customer_id))

    def clear(self) -> None:
        self.model.set_rows(())


# --- invoices ---------------------------------------------------------------------------------


class InvoicesTab(CustomerTab):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.model: RowTableModel[InvoiceRow] = RowTableModel(
            [
                Column(_("Number"), lambda row: row.number_text or _("Draft")),
                Column(_("Document"), lambda row: invoice_kind_label(row.kind)),
                Column(
                    _("Date"),
                    lambda row: "—" if row.issue_date is None else format_date(row.issue_date),
                    lambda row: day_key(row.issue_date),
                ),
                Column(
                    _("Period"),
                    lambda row: invoice_period_text(row.period_start, row.period_end),
                    lambda row: day_key(row.period_start),
                ),
                Column(
                    _("Total"),
                    lambda row: format_money(row.gross),
                    lambda row: _cents(row.gross),
                    align=RIGHT,
                ),
                Column(
                    _("State"),
                    lambda row: invoice_state_label(row.state),
                    colours=lambda row: (
                        (MUTED_COLOUR, None)
                        if row.state is InvoiceState.CANCELLED
                        else (None, None)
                    ),
                ),
            ],
            key=lambda row: row.id,
        )
        self.view, self.proxy = read_only_table(self.model, name=_("The customer's invoices"))
        self.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        fit_columns_to_samples(
            self.view,
            (
                "FT 0000/0000",
                _("Credit note"),
                "00/00/0000",
                _("{start} to {end}").format(start="00/00/0000", end="00/00/0000"),
                "000 000,00 €",
            ),
        )
        self._open_on_double_click(self.view, "invoice")
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def load(self, customer_id: int) -> None:
        self.model.set_rows(invoices(customer_id=customer_id))

    def clear(self) -> None:
        self.model.set_rows(())


def table_texts(view: QTableView) -> list[list[str]]:
    """What a table shows, row by row in its order (tests and the screenshot check read it)."""
    model = view.model()
    return [
        [str(model.index(row, column).data() or "") for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]
