"""The hours report: per month (of the session's start, company time), customer and technician,
the time worked inside and outside business hours, billed after rounding, covered by packs and
invoiced: the figures each session froze when it stopped (P11–P13, P16a), summed by the database.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from peewee import JOIN, SQL, Case, fn

from app.domain.states import InvoiceState, SessionState
from app.services.reports.period import Period
from app.services.settings import company_zone
from app.store.database import current_database, execute_sql
from app.store.models import Invoice, Session

HEADER = (
    "month",
    "customer_id",
    "technician_id",
    "minutes_inside",
    "minutes_outside",
    "billed_minutes_inside",
    "billed_minutes_outside",
    "minutes_covered_by_packs",
    "minutes_invoiced",
    "minutes_to_invoice",
)

SECONDS_PER_MINUTE = 60


class HoursRow(NamedTuple):
    """A named tuple, not a dataclass: a year of the large demo is 56,000 rows, and a frozen
    dataclass's ``__init__`` cost more than the query that summed them."""

    month: str
    customer_id: int
    technician_id: int
    #: Real time worked, in whole minutes (the seconds summed, then the minutes begun cut off).
    minutes_inside: int
    minutes_outside: int
    billed_inside: int
    billed_outside: int
    #: Billed minutes the packs paid (billed less what no pack covered, P16a).
    covered: int
    #: Uncovered minutes on an issued invoice, and those not (yet) on one.
    invoiced: int
    to_invoice: int

    @property
    def rounding(self) -> int:
        """The rounding's share: billed less worked."""
        return self.billed_inside + self.billed_outside - self.minutes_inside - self.minutes_outside

    def cells(self) -> tuple[str, ...]:
        return (self.month, *map(str, self[1:]))


def _sum(value: Any) -> Any:
    return fn.COALESCE(fn.SUM(value), 0)


def _query(period: Period, technician_id: int | None) -> Any:
    """Every figure of a row computed by the database, in ``HoursRow``'s order: Python only
    wraps each row (the minutes are whole: integer division of integer sums, on both backends)."""
    zone = company_zone()
    start, end = period.instants(zone)
    month = period.month_of_instant(Session.started_at, zone).alias("rep_month")
    uncovered_row = Session.uncovered_inside_minutes + Session.uncovered_outside_minutes
    on_invoice = Invoice.id.is_null(False)
    billed = _sum(Session.inside_billed_minutes) + _sum(Session.outside_billed_minutes)
    uncovered = _sum(uncovered_row)
    invoiced = _sum(Case(None, [(on_invoice, uncovered_row)], 0))
    chosen = (
        (Session.state == SessionState.STOPPED)
        & (Session.started_at >= start)
        & (Session.started_at < end)
    )
    if technician_id is not None:
        chosen &= Session.technician == technician_id
    return (
        Session.select(
            month,
            Session.customer,
            Session.technician,
            _sum(Session.inside_seconds) / SECONDS_PER_MINUTE,
            _sum(Session.outside_seconds) / SECONDS_PER_MINUTE,
            _sum(Session.inside_billed_minutes),
            _sum(Session.outside_billed_minutes),
            billed - uncovered,
            invoiced,
            uncovered - invoiced,
        )
        .join(
            Invoice,
            JOIN.LEFT_OUTER,
            on=(Invoice.id == Session.invoice) & (Invoice.state == InvoiceState.ISSUED),
        )
        .where(chosen)
        .group_by(SQL("rep_month"), Session.customer, Session.technician)
        .order_by(SQL("rep_month"), Session.customer, Session.technician)
    )


def hours(period: Period, technician_id: int | None = None) -> tuple[HoursRow, ...]:
    """One row per month, customer and technician with a stopped session started in the period;
    with ``technician_id``, that technician's sessions only."""
    sql, params = _query(period, technician_id).sql()
    cursor = execute_sql(sql, tuple(params), current_database())
    make = HoursRow._make
    return tuple(make(row) for row in cursor.fetchall())
