"""The packs report: each pack's balance on a day, when it lapses, and what of it will lapse
within 30 and 60 days unless used (P14–P16); and, per month, the monthly hours that lapsed unused
(the ``EXPIRY`` entries of monthly packs, P15).

The balances are the ledger summed by the database (as ``services.packs`` sums it); which day a
balance lapses is the domain's ``balance_validity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import JOIN, SQL, Case, fn

from app.domain.packs import PackKind, balance_validity, first_live_month
from app.domain.states import LedgerKind
from app.services.reports.period import Period, as_date, dict_rows, month_text
from app.store.models import LedgerEntry, Pack

HEADER = (
    "customer_id",
    "pack_id",
    "kind",
    "minutes_left",
    "expires",
    "lapsing_30_days",
    "lapsing_60_days",
)

SOON_DAYS = (30, 60)


@dataclass(frozen=True)
class PackRow:
    customer_id: int
    pack_id: int
    kind: PackKind
    minutes_left: int
    #: The last day the balance can pay (inclusive); None: never lapses (free hours).
    expires: date | None
    lapsing_30: int
    lapsing_60: int

    def cells(self) -> tuple[str, ...]:
        return (
            str(self.customer_id),
            str(self.pack_id),
            self.kind.value,
            str(self.minutes_left),
            "" if self.expires is None else self.expires.isoformat(),
            str(self.lapsing_30),
            str(self.lapsing_60),
        )


@dataclass(frozen=True)
class LapsedMonth:
    month: str
    minutes: int


def report_day(period: Period, today: date) -> date:
    """The day the balances are taken on: today, or the period's last day if it ended before."""
    return min(today, period.last_day)


def packs(period: Period, today: date) -> tuple[PackRow, ...]:
    """Every balance with minutes left on ``report_day``, by customer and pack."""
    on = report_day(period, today)
    month = first_live_month(on)
    allotted = fn.COUNT(Case(None, [(LedgerEntry.kind == LedgerKind.MONTHLY_ALLOTMENT, 1)]))
    query = (
        Pack.select(
            Pack.id.alias("id"),
            Pack.customer.alias("customer"),
            Pack.kind.alias("kind"),
            Pack.minutes.alias("minutes"),
            Pack.starts_on.alias("starts_on"),
            Pack.valid_until.alias("valid_until"),
            fn.COALESCE(fn.SUM(LedgerEntry.minutes), 0).alias("left"),
            allotted.alias("allotted"),
        )
        .join(
            LedgerEntry,
            JOIN.LEFT_OUTER,
            on=(LedgerEntry.pack == Pack.id)
            & (LedgerEntry.month.is_null() | (LedgerEntry.month == month)),
        )
        .where(
            (Pack.starts_on <= on)
            & (
                ((Pack.kind == PackKind.UNIT) & (Pack.valid_until >= on))
                | (
                    (Pack.kind == PackKind.MONTHLY)
                    & (Pack.last_month.is_null() | (Pack.last_month >= month))
                )
                | (Pack.kind == PackKind.FREE)
            )
        )
        .group_by(Pack.id, Pack.customer, Pack.kind, Pack.minutes, Pack.starts_on, Pack.valid_until)
        .order_by(Pack.customer, Pack.id)
    )
    rows = []
    for found in dict_rows(query):
        kind = PackKind(found["kind"])
        left = int(found["left"])
        if kind is PackKind.MONTHLY and not found["allotted"]:
            left += int(found["minutes"])  # this month's hours, before the sweep records them
        if left <= 0:
            continue
        _, expires = balance_validity(
            kind, as_date(found["starts_on"]) or on, as_date(found["valid_until"]), on
        )
        soon = [
            left if expires is not None and expires < on + timedelta(days=days) else 0
            for days in SOON_DAYS
        ]
        rows.append(PackRow(found["customer"], found["id"], kind, left, expires, soon[0], soon[1]))
    return tuple(rows)


def lapsed_monthly(period: Period) -> tuple[LapsedMonth, ...]:
    """Per month of the period, the monthly packs' hours that lapsed unused: their ``EXPIRY``
    entries, by the month the hours belonged to."""
    month = period.month_of_date(LedgerEntry.month).alias("rep_month")
    query = (
        LedgerEntry.select(month, fn.SUM(0 - LedgerEntry.minutes).alias("lapsed"))
        .join(Pack)
        .where(
            (Pack.kind == PackKind.MONTHLY)
            & (LedgerEntry.kind == LedgerKind.EXPIRY)
            & (LedgerEntry.month >= period.first)
            & (LedgerEntry.month < period.end)
        )
        .group_by(SQL("rep_month"))
    )
    found = {row["rep_month"]: int(row["lapsed"] or 0) for row in dict_rows(query)}
    return tuple(
        LapsedMonth(text, found.get(text, 0))
        for text in (month_text(day) for day in period.months())
    )
