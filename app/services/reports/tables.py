"""The five reports by their command-line name, as header and rows of text cells: what
``balcao report`` prints and what the view's tables and CSV files show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.services.reports import guarantees, hours, packs, response_times, revenue
from app.services.reports.period import Period
from app.services.settings import company_today

REPORTS = ("guarantees", "response-times", "hours", "packs", "revenue")


@dataclass(frozen=True)
class Table:
    """A report as text: its header (the column codes) and its rows, the cells as printed."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: The report's own rows (``GuaranteeRow``…), for charts.
    records: tuple[object, ...]


def _guarantees(period: Period, now: datetime) -> tuple[tuple[str, ...], tuple[object, ...]]:
    return guarantees.HEADER, guarantees.guarantees(period, now)


def _response_times(period: Period, now: datetime) -> tuple[tuple[str, ...], tuple[object, ...]]:
    return response_times.HEADER, response_times.response_times(period)


def _hours(period: Period, now: datetime) -> tuple[tuple[str, ...], tuple[object, ...]]:
    return hours.HEADER, hours.hours(period)


def _packs(period: Period, now: datetime) -> tuple[tuple[str, ...], tuple[object, ...]]:
    return packs.HEADER, packs.packs(period, company_today(now))


def _revenue(period: Period, now: datetime) -> tuple[tuple[str, ...], tuple[object, ...]]:
    return revenue.HEADER, revenue.revenue(period)


_BUILDERS: dict[str, Callable[[Period, datetime], tuple[tuple[str, ...], tuple[object, ...]]]] = {
    "guarantees": _guarantees,
    "response-times": _response_times,
    "hours": _hours,
    "packs": _packs,
    "revenue": _revenue,
}


def report_table(name: str, period: Period, now: datetime) -> Table:
    """The report ``name`` (one of ``REPORTS``) over ``period``, as of ``now``."""
    header, records = _BUILDERS[name](period, now)
    rows = tuple(record.cells() for record in records)  # type: ignore[attr-defined]
    return Table(name, header, rows, records)
