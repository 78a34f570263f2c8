"""What the view loads in the background: every report of a period, its table as the command
line prints it, and the few series each chart draws (summed here, off the UI thread)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from app.i18n import N_, _
from app.services.reports import guarantees, packs
from app.services.reports.guarantees import GuaranteeRow, MissedContact
from app.services.reports.hours import HoursRow
from app.services.reports.period import Period, month_text
from app.services.reports.response_times import ResponseTimeRow, guarantee_minutes
from app.services.reports.revenue import RevenueRow
from app.services.reports.tables import BY_TECHNICIAN, Table, report_table
from app.services.settings import technicians

#: Column titles of the report tables, by the column's code (the command line's header).
COLUMN_TITLES = {
    "month": N_("Month"),
    "plan": N_("Plan"),
    "guaranteed": N_("With a guarantee"),
    "met": N_("Met"),
    "missed": N_("Missed"),
    "open": N_("Still open"),
    "free_hours_granted": N_("Free hours granted"),
    "free_hours_revoked": N_("Free hours revoked"),
    "channel": N_("Channel"),
    "responses": N_("Responses"),
    "median_minutes": N_("Median (min)"),
    "p90_minutes": N_("90th percentile (min)"),
    "customer_id": N_("Customer"),
    "technician_id": N_("Technician"),
    "minutes_inside": N_("Inside (min)"),
    "minutes_outside": N_("Outside (min)"),
    "billed_minutes_inside": N_("Billed inside (min)"),
    "billed_minutes_outside": N_("Billed outside (min)"),
    "minutes_covered_by_packs": N_("Covered by packs (min)"),
    "minutes_invoiced": N_("Invoiced (min)"),
    "minutes_to_invoice": N_("To invoice (min)"),
    "pack_id": N_("Pack"),
    "kind": N_("Kind"),
    "minutes_left": N_("Left (min)"),
    "expires": N_("Expires"),
    "lapsing_30_days": N_("Lapsing in 30 days (min)"),
    "lapsing_60_days": N_("Lapsing in 60 days (min)"),
    "net": N_("Net"),
    "vat": N_("VAT"),
    "gross": N_("Gross"),
}


def column_title(code: str) -> str:
    return _(COLUMN_TITLES[code]) if code in COLUMN_TITLES else code


@dataclass(frozen=True)
class Series:
    """A chart: its categories (the x axis) and one list of values per named bar set."""

    categories: tuple[str, ...]
    sets: tuple[tuple[str, tuple[float, ...]], ...]
    #: True: the sets stack (parts of a whole); False: side by side.
    stacked: bool
    #: The value axis' title.
    unit: str
    #: Bars lying down, the categories down the left side (long category names).
    horizontal: bool = False
    #: Per category, a band (lowest, highest) drawn over its bars, or None: the guarantee the
    #: response times are measured against (equal ends: a line).
    bands: tuple[tuple[float, float] | None, ...] = ()
    #: The bands' name in the legend.
    band_name: str = ""


@dataclass(frozen=True)
class Loaded:
    """One report of a period: its table, its chart, and (guarantees) the missed contacts."""

    name: str
    period: Period
    table: Table
    chart: Series
    missed: tuple[MissedContact, ...] = ()
    #: Whose part of it (issue 14): None for everyone's, or a report not kept per technician.
    technician_id: int | None = None


def _by_month(period: Period) -> list[str]:
    return [month_text(day) for day in period.months()]


def _guarantees_chart(period: Period, rows: tuple[object, ...]) -> Series:
    months = _by_month(period)
    met, missed, still = (defaultdict[str, float](float) for _ in range(3))
    for row in rows:
        assert isinstance(row, GuaranteeRow)
        met[row.month] += row.met
        missed[row.month] += row.missed
        still[row.month] += row.open
    return Series(
        tuple(months),
        (
            (_("Met"), tuple(met[m] for m in months)),
            (_("Missed"), tuple(missed[m] for m in months)),
            (_("Still open"), tuple(still[m] for m in months)),
        ),
        stacked=True,
        unit=_("Contacts"),
    )


#: Short names under the response-time bars (a dozen plan and channel pairs side by side).
_PLAN_SHORT = {"none": "—", "standard": "Std", "priority": "Pri", "priority_24_7": "24/7"}
_CHANNEL_SHORT = {
    "email": "email",
    "phone": "tel",
    "priority_email": "email P",
    "priority_phone": "tel P",
    "sms": "SMS",
    "whatsapp": "WA",
    "social": "soc",
    "other": "out",
}


def _response_chart(rows: tuple[object, ...]) -> Series:
    """Per plan and channel over the period: the median and the 90th percentile of the month
    with most responses (a percentile of percentiles would mean nothing)."""
    best: dict[str, ResponseTimeRow] = {}
    for row in rows:
        assert isinstance(row, ResponseTimeRow)
        name = f"{_PLAN_SHORT[row.plan.value]} {_CHANNEL_SHORT[row.channel.value]}"
        if name not in best or row.responses > best[name].responses:
            best[name] = row
    names = sorted(best)
    bands: list[tuple[float, float] | None] = []
    for name in names:
        span = guarantee_minutes(best[name].plan, best[name].channel)
        bands.append(None if span is None else (float(span[0]), float(span[1])))
    return Series(
        tuple(names),
        (
            (_("Median"), tuple(float(best[n].median_minutes) for n in names)),
            (_("90th percentile"), tuple(float(best[n].p90_minutes) for n in names)),
        ),
        stacked=False,
        unit=_("Minutes"),
        bands=tuple(bands),
        band_name=_("Plan's guarantee"),
    )


def _hours_chart(rows: tuple[object, ...]) -> Series:
    names = {person.id: person.name for person in technicians(include_inactive=True)}
    inside, outside = defaultdict[int, float](float), defaultdict[int, float](float)
    for row in rows:
        assert isinstance(row, HoursRow)
        inside[row.technician_id] += row.billed_inside / 60
        outside[row.technician_id] += row.billed_outside / 60
    by_technician = sorted(inside)
    return Series(
        tuple(names.get(t, str(t)) for t in by_technician),
        (
            (_("Billed inside business hours"), tuple(inside[t] for t in by_technician)),
            (_("Billed outside business hours"), tuple(outside[t] for t in by_technician)),
        ),
        stacked=True,
        unit=_("Hours"),
    )


def _packs_chart(period: Period) -> Series:
    lapsed = packs.lapsed_monthly(period)
    return Series(
        tuple(m.month for m in lapsed),
        ((_("Monthly hours lapsed unused"), tuple(m.minutes / 60 for m in lapsed)),),
        stacked=False,
        unit=_("Hours"),
    )


def _revenue_chart(period: Period, rows: tuple[object, ...]) -> Series:
    months = _by_month(period)
    net, vat = defaultdict[str, float](float), defaultdict[str, float](float)
    for row in rows:
        assert isinstance(row, RevenueRow)
        net[row.month] += float(row.net)  # drawn only: the table keeps the exact amounts
        vat[row.month] += float(row.vat)
    return Series(
        tuple(months),
        ((_("Net"), tuple(net[m] for m in months)), (_("VAT"), tuple(vat[m] for m in months))),
        stacked=True,
        unit=_("Euros"),
    )


def load_report(
    name: str, period: Period, now: datetime, technician_id: int | None = None
) -> Loaded:
    """The report ``name`` of ``period`` as of ``now`` (run it off the UI thread); with
    ``technician_id``, that technician's part where the report is kept per technician."""
    whose = technician_id if name in BY_TECHNICIAN else None
    table = report_table(name, period, now, whose)
    if name == "guarantees":
        chart = _guarantees_chart(period, table.records)
        missed = guarantees.missed_contacts(period, now, technician_id=whose)
        return Loaded(name, period, table, chart, missed, technician_id=whose)
    if name == "response-times":
        chart = _response_chart(table.records)
    elif name == "hours":
        chart = _hours_chart(table.records)
    elif name == "packs":
        chart = _packs_chart(period)
    else:
        chart = _revenue_chart(period, table.records)
    return Loaded(name, period, table, chart, technician_id=whose)
