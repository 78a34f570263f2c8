"""The response-times report: per month (of receipt, company time), plan at receipt and channel,
how many contacts got their first response, and the median and 90th percentile of the time it
took, in whole minutes.

Time is business time (open hours of the company's calendar, P1–P2) for every contact but those
of the 24/7 priority phone line, whose guarantee runs on the wall clock (P7): the frozen
``urgent`` flag of the contact says which.

Percentiles are *nearest-rank*: of the n times of a group sorted ascending, the p-th percentile is
the one at rank ``ceil(p × n / 100)`` (so the median of 4 is the 2nd, the 90th of 10 the 9th).
The minutes are the seconds cut down to whole minutes.

How the database counts business time without a row-by-row loop: the calendar's open intervals
over the period (from ``BusinessCalendar.hours_on``) go to the query as a small table of
(start, end, open time before start), each an epoch second; every receipt and response instant is
sorted among the interval starts and carries forward the last start before it (a window function),
so that its open time since the origin is ``before + min(t, end) − start``; a contact's business
time is that of its response less that of its receipt (its wall-clock time: the instants' own
difference). One pass over the contacts, one sort: no join of the contacts with themselves; the
contacts are read once (``MATERIALIZED``: SQLite 3.35+, PostgreSQL 12+), not once per use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from peewee import Case, fn

from app.domain.calendar import BusinessCalendar
from app.domain.sla import Channel, Plan, guarantee_span
from app.domain.states import ContactState
from app.services.reports.period import Period
from app.services.settings import business_calendar, company_zone
from app.store.database import current_database, execute_sql, is_sqlite
from app.store.models import Contact

HEADER = ("month", "plan", "channel", "responses", "median_minutes", "p90_minutes")

MEDIAN, P90 = 50, 90
SECONDS_PER_MINUTE = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ResponseTimeRow:
    month: str
    plan: Plan
    channel: Channel
    responses: int
    median_minutes: int
    p90_minutes: int
    #: True: wall-clock minutes (the 24/7 phone line); False: business minutes.
    wall_clock: bool = False

    def cells(self) -> tuple[str, ...]:
        return (
            self.month,
            self.plan.value,
            self.channel.value,
            str(self.responses),
            str(self.median_minutes),
            str(self.p90_minutes),
        )


def nearest_rank(percent: int, count: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``count`` sorted values."""
    return max(1, -(-percent * count // 100))


def _epoch(column: Any) -> Any:
    if is_sqlite():
        return fn.strftime("%s", column).cast("INTEGER")
    return fn.FLOOR(fn.date_part("epoch", column)).cast("BIGINT")


def _seconds(at: datetime) -> int:
    return int((at - _EPOCH).total_seconds())


def open_intervals(
    calendar: BusinessCalendar, first: date, last: date
) -> list[tuple[int, int, int]]:
    """The open intervals of the days ``first``..``last`` as epoch seconds (start, end, open
    seconds before start, counted from ``first``)."""
    found: list[tuple[int, int, int]] = []
    before, day = 0, first
    while day <= last:
        for opens, closes in calendar.hours_on(day):
            start = datetime.combine(day, opens, tzinfo=calendar.tz).astimezone(UTC)
            if closes == closes.min:  # open until midnight
                end_day = datetime.combine(day + timedelta(days=1), closes, tzinfo=calendar.tz)
            else:
                end_day = datetime.combine(day, closes, tzinfo=calendar.tz)
            start_s, end_s = _seconds(start), _seconds(end_day.astimezone(UTC))
            if end_s > start_s:
                found.append((start_s, end_s, before))
                before += end_s - start_s
        day += timedelta(days=1)
    return found


def _answered(period: Period, technician_id: int | None) -> Any:
    zone = company_zone()
    start, end = period.instants(zone)
    chosen = (
        (Contact.received_at >= start)
        & (Contact.received_at < end)
        & Contact.first_response_at.is_null(False)
        & (Contact.state != ContactState.REJECTED)
    )
    if technician_id is not None:
        chosen &= Contact.technician == technician_id
    return chosen


_SQL = """
WITH c AS MATERIALIZED ({contacts}),
b(s, e, k) AS (VALUES {bounds}),
ev AS (
    SELECT s AS t, 0 AS ord, NULL AS id, 0 AS side, 0 AS wall,
        NULL AS rep_month, NULL AS plan, NULL AS channel, e, k FROM b
    UNION ALL SELECT r, 1, id, -1, wall, rep_month, plan, channel, NULL, NULL FROM c
    UNION ALL SELECT a, 1, id, 1, wall, rep_month, plan, channel, NULL, NULL FROM c
),
carried AS (
    SELECT t, ord, id, side, wall, rep_month, plan, channel,
        MAX(CASE WHEN ord = 0 THEN t END) OVER w AS ls,
        MAX(e) OVER w AS le,
        MAX(k) OVER w AS lk
    FROM ev
    WINDOW w AS (ORDER BY t, ord ROWS UNBOUNDED PRECEDING)
),
dur AS (
    SELECT id, rep_month, plan, channel, wall,
        SUM(side * (CASE WHEN wall = 1 THEN t
                         WHEN ls IS NULL THEN 0
                         WHEN t < le THEN lk + t - ls
                         ELSE lk + le - ls END)) AS secs
    FROM carried WHERE ord = 1
    GROUP BY id, rep_month, plan, channel, wall
),
ranked AS (
    SELECT rep_month, plan, channel, wall, secs,
        ROW_NUMBER() OVER (PARTITION BY rep_month, plan, channel ORDER BY secs) AS rn,
        COUNT(*) OVER (PARTITION BY rep_month, plan, channel) AS n
    FROM dur
)
SELECT rep_month, plan, channel, MAX(wall), MAX(n),
    MAX(CASE WHEN rn = (n * {median} + 99) / 100 THEN secs END),
    MAX(CASE WHEN rn = (n * {p90} + 99) / 100 THEN secs END)
FROM ranked
GROUP BY rep_month, plan, channel
ORDER BY rep_month, plan, channel
"""


def _open_length(opens: time, closes: time) -> timedelta:
    """An interval's open time; a close at midnight is the day's end."""
    day = date(2000, 1, 3)
    end_day = day + timedelta(days=1) if closes == time.min else day
    return datetime.combine(end_day, closes) - datetime.combine(day, opens)


def business_day(calendar: BusinessCalendar) -> timedelta:
    """How long the company's usual business day is open: the most common length among the
    weekdays it opens, the longer on a tie (8 h with the default 9–13 and 14–18)."""
    lengths = [
        sum((_open_length(opens, closes) for opens, closes in hours), timedelta(0))
        for hours in calendar.weekly.values()
        if hours
    ]
    if not lengths:
        return timedelta(0)
    return max(set(lengths), key=lambda length: (lengths.count(length), length))


def guarantee_minutes(plan: Plan, channel: Channel) -> tuple[int, int] | None:
    """The plan's guarantee on ``channel`` in whole minutes, (shortest, longest), in the
    company's business time (``sla.guarantee_span``); None without one."""
    span = guarantee_span(plan, channel, business_day(business_calendar()))
    if span is None:
        return None
    shortest, longest = (int(part.total_seconds()) // SECONDS_PER_MINUTE for part in span)
    return shortest, longest


def response_times(period: Period, technician_id: int | None = None) -> tuple[ResponseTimeRow, ...]:
    """One row per month, plan and channel with answered contacts received in the period; with
    ``technician_id``, the contacts that technician looks after."""
    zone = company_zone()
    answered = _answered(period, technician_id)
    latest = Contact.select(fn.MAX(Contact.first_response_at)).where(answered).scalar()
    if latest is None:
        return ()
    if isinstance(latest, str):  # SQLite's text, when the driver did not convert the MAX
        latest = datetime.fromisoformat(latest).replace(tzinfo=UTC)
    calendar = business_calendar()
    first_day = period.first
    last_day = max(latest.astimezone(zone).date(), period.last_day) + timedelta(days=1)
    bounds = open_intervals(calendar, first_day, last_day)
    if not bounds:  # never open: a zero-length interval keeps the SQL valid
        origin = _seconds(datetime.combine(first_day, datetime.min.time(), tzinfo=zone))
        bounds = [(origin, origin, 0)]
    contacts = Contact.select(
        Contact.id.alias("id"),
        period.month_of_instant(Contact.received_at, zone).alias("rep_month"),
        Contact.plan_at_receipt.alias("plan"),
        Contact.channel.alias("channel"),
        Case(None, [(Contact.urgent == True, 1)], 0).alias("wall"),  # noqa: E712 -- SQL
        _epoch(Contact.received_at).alias("r"),
        _epoch(Contact.first_response_at).alias("a"),
    ).where(answered)
    inner, params = contacts.sql()
    # The bounds are integers computed here, written in the SQL: no parameter limit to mind.
    sql = _SQL.format(
        contacts=inner,
        bounds=", ".join(f"({s}, {e}, {k})" for s, e, k in bounds),
        median=MEDIAN,
        p90=P90,
    )
    cursor = execute_sql(sql, tuple(params), current_database())
    return tuple(
        ResponseTimeRow(
            month=month,
            plan=Plan(plan),
            channel=Channel(channel),
            responses=int(count),
            median_minutes=int(median) // SECONDS_PER_MINUTE,
            p90_minutes=int(p90) // SECONDS_PER_MINUTE,
            wall_clock=bool(wall),
        )
        for month, plan, channel, wall, count, median, p90 in cursor.fetchall()
    )
