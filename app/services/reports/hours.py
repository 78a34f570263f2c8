"""The hours report: per month (of the session's start, company time), customer and technician,
the time worked inside and outside business hours, billed after rounding, covered by packs and
invoiced: the figures each session froze when it stopped (P11–P13, P16a), summed by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import JOIN, SQL, Case, fn

from app.domain.states import InvoiceState, SessionState
from app.services.reports.period import Period, dict_rows
from app.services.settings import company_zone
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


@dataclass(frozen=True)
class HoursRow:
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
        return (
            self.month,
            str(self.customer_id),
            str(self.technician_id),
            *(
                str(value)
                for value in (
                    self.minutes_inside,
                    self.minutes_outside,
                    self.billed_inside,
                    self.billed_outside,
                    self.covered,
                    self.invoiced,
                    self.to_invoice,
                )
            ),
        )


def _sum(value: Any) -> Any:
    return fn.COALESCE(fn.SUM(value), 0)


def hours(period: Period) -> tuple[HoursRow, ...]:
    """One row per month, customer and technician with a stopped session started in the period."""
    zone = company_zone()
    start, end = period.instants(zone)
    month = period.month_of_instant(Session.started_at, zone).alias("rep_month")
    uncovered = Session.uncovered_inside_minutes + Session.uncovered_outside_minutes
    on_invoice = Invoice.id.is_null(False)
    query = (
        Session.select(
            month,
            Session.customer.alias("customer"),
            Session.technician.alias("technician"),
            _sum(Session.inside_seconds).alias("inside"),
            _sum(Session.outside_seconds).alias("outside"),
            _sum(Session.inside_billed_minutes).alias("billed_inside"),
            _sum(Session.outside_billed_minutes).alias("billed_outside"),
            _sum(uncovered).alias("uncovered"),
            _sum(Case(None, [(on_invoice, uncovered)], 0)).alias("invoiced"),
        )
        .join(
            Invoice,
            JOIN.LEFT_OUTER,
            on=(Invoice.id == Session.invoice) & (Invoice.state == InvoiceState.ISSUED),
        )
        .where(
            (Session.state == SessionState.STOPPED)
            & (Session.started_at >= start)
            & (Session.started_at < end)
        )
        .group_by(SQL("rep_month"), Session.customer, Session.technician)
        .order_by(SQL("rep_month"), Session.customer, Session.technician)
    )
    rows = []
    for found in dict_rows(query):
        billed_inside, billed_outside = int(found["billed_inside"]), int(found["billed_outside"])
        uncovered_minutes, invoiced = int(found["uncovered"]), int(found["invoiced"])
        rows.append(
            HoursRow(
                month=found["rep_month"],
                customer_id=found["customer"],
                technician_id=found["technician"],
                minutes_inside=int(found["inside"]) // SECONDS_PER_MINUTE,
                minutes_outside=int(found["outside"]) // SECONDS_PER_MINUTE,
                billed_inside=billed_inside,
                billed_outside=billed_outside,
                covered=billed_inside + billed_outside - uncovered_minutes,
                invoiced=invoiced,
                to_invoice=uncovered_minutes - invoiced,
            )
        )
    return tuple(rows)
