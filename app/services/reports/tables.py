"""The five reports by their command-line name, as header and rows of text cells: what
``balcao report`` prints and what the view's tables and CSV files show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.i18n import _
from app.services.errors import InputError
from app.services.reports import guarantees, hours, packs, response_times, revenue
from app.services.reports.period import Period
from app.services.settings import company_today

REPORTS = ("guarantees", "response-times", "hours", "packs", "revenue")
#: The reports a technician filters (issue 14): the contacts they look after (guarantees,
#: response times), the sessions they timed (hours). Packs and revenue are the customers'.
BY_TECHNICIAN = frozenset({"guarantees", "response-times", "hours"})


@dataclass(frozen=True)
class Table:
    """A report as text: its header (the column codes) and its rows, the cells as printed."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: The report's own rows (``GuaranteeRow``…), for charts.
    records: tuple[object, ...]


Built = tuple[tuple[str, ...], tuple[object, ...]]


def _guarantees(period: Period, now: datetime, technician_id: int | None) -> Built:
    return guarantees.HEADER, guarantees.guarantees(period, now, technician_id)


def _response_times(period: Period, now: datetime, technician_id: int | None) -> Built:
    return response_times.HEADER, response_times.response_times(period, technician_id)


def _hours(period: Period, now: datetime, technician_id: int | None) -> Built:
    return hours.HEADER, hours.hours(period, technician_id)


def _packs(period: Period, now: datetime, technician_id: int | None) -> Built:
    return packs.HEADER, packs.packs(period, company_today(now))


def _revenue(period: Period, now: datetime, technician_id: int | None) -> Built:
    return revenue.HEADER, revenue.revenue(period)


_BUILDERS: dict[str, Callable[[Period, datetime, int | None], Built]] = {
    "guarantees": _guarantees,
    "response-times": _response_times,
    "hours": _hours,
    "packs": _packs,
    "revenue": _revenue,
}


def report_table(
    name: str, period: Period, now: datetime, technician_id: int | None = None
) -> Table:
    """The report ``name`` (one of ``REPORTS``) over ``period``, as of ``now``; with
    ``technician_id``, that technician's part of it (``BY_TECHNICIAN``; the others are the
    customers' and refuse it)."""
    if technician_id is not None and name not in BY_TECHNICIAN:
        raise InputError(
            _("The {report} report is not kept per technician.").format(report=name),
            field="technician",
        )
    header, records = _BUILDERS[name](period, now, technician_id)
    rows = tuple(record.cells() for record in records)  # type: ignore[attr-defined]
    return Table(name, header, rows, records)
