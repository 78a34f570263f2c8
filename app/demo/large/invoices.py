"""Invoices in the large build: each quarter's packs and uncovered time, issued as the next
quarter begins (P20, P21).

Lines are the domain's (``InvoiceLine``, ``time_line``, ``credit_lines``), worded by the invoice
service's own descriptions, totalled by ``totals``; a session's uncovered minutes make the lines
``uncovered_time`` says; the series are the company's settings, and a document's year is its
``issue_date``. Numbers run 1, 2, 3… per series and year in the order the documents are issued.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from app.demo.large.rows import (
    INVOICE,
    RATE_INSIDE,
    RATE_OUTSIDE,
    UNCOVERED_INSIDE,
    UNCOVERED_OUTSIDE,
    Account,
    Billable,
    SessionRecord,
)
from app.demo.large.world import DAY, World
from app.domain.invoice import InvoiceLine, credit_lines, issue_date, time_line, totals
from app.domain.invoice import uncovered_time as uncovered_parts
from app.domain.states import InvoiceKind, InvoiceState
from app.services.invoices import monthly_pack_description, time_description, unit_pack_description
from app.store.models import Invoice
from app.store.models import InvoiceLine as LineRow

_ONE = Decimal(1)
_CANCEL_REASON = "Dados do cliente errados na fatura."


class Invoicing:
    def __init__(self, world: World) -> None:
        self.world = world
        self.billables: dict[int, list[Billable]] = {}
        #: The last number given per (series, year).
        self.counters: dict[tuple[str, int], int] = {}
        self._lines: dict[tuple[Any, ...], InvoiceLine] = {}

    def bill_pack(
        self,
        account: Account,
        pack_id: int,
        price: Decimal,
        minutes: int,
        *,
        month: date | None = None,
        unit: tuple[date, date] | None = None,
    ) -> None:
        """Keeps a pack (or one month of a monthly pack) for its quarter's invoice."""
        if unit is not None:
            bought, until = unit
            key: tuple[Any, ...] = ("unit", minutes, price, bought, until)
            order = (0, bought, pack_id)
        elif month is not None:
            key = ("monthly", minutes, price, month)
            order = (0, month, pack_id)
        else:
            raise ValueError("a monthly pack is invoiced per month")
        line = self._lines.get(key)
        if line is None:  # one line for every pack sold alike: lines are values
            vat = self.world.company.vat_rate
            if unit is not None:
                text = unit_pack_description(minutes, unit[1])
                line = InvoiceLine(text, _ONE, price, vat, service_date=unit[0])
            else:
                assert month is not None
                text = monthly_pack_description(minutes, month)
                line = InvoiceLine(text, _ONE, price, vat, service_date=month)
            self._lines[key] = line
        self.billables.setdefault(account.id, []).append(
            Billable(order, line, pack_id=pack_id, pack_month=month)
        )

    def _bill_sessions(self, sessions: list[SessionRecord]) -> None:
        world = self.world
        vat = world.company.vat_rate
        for session in sessions:
            row = session.row
            if not (row[UNCOVERED_INSIDE] or row[UNCOVERED_OUTSIDE]):
                continue
            day = world.local_day(session.started_at)
            name = world.technician_names[session.technician]
            parts = uncovered_parts(
                row[UNCOVERED_INSIDE], row[UNCOVERED_OUTSIDE], row[RATE_INSIDE], row[RATE_OUTSIDE]
            )
            for outside, minutes, rate in parts:
                text = time_description(day, name, session.subject, outside=outside)
                line = time_line(text, minutes, rate, vat, day)
                self.billables.setdefault(session.customer_id, []).append(
                    Billable((1, day, session.id), line, session=session)
                )

    def quarter(self, index: int, sessions: list[SessionRecord]) -> None:
        """The quarter's invoices, issued on the first business day after it, about one in a
        hundred cancelled by a credit note and issued again; the quarter still running gets a
        few drafts."""
        world = self.world
        rng = world.rng
        self._bill_sessions(sessions)
        quarter_end = world.months[index] + relativedelta(months=1) - DAY
        period = (world.months[max(0, index - 2)], quarter_end)
        opening = world.calendar.next_opening(world.local(quarter_end + DAY, time(0)))
        issue = opening + timedelta(hours=1)
        running = not world.before_end(issue + timedelta(hours=2))
        accounts = {account.id: account for account in world.accounts}
        spacing = min(timedelta(seconds=20), timedelta(hours=2) / max(1, len(self.billables)))
        cancelled: list[tuple[datetime, int, Account, list[Billable]]] = []
        for position, customer_id in enumerate(sorted(self.billables)):
            items = sorted(self.billables[customer_id], key=lambda item: item.order)
            account = accounts[customer_id]
            if running:
                if rng.random() < 0.01:
                    created = world.end - timedelta(minutes=rng.randrange(5, 600))
                    self._write(account, items, period, None, created)
                continue
            issued_at = issue + position * spacing
            cancel_at = issued_at + timedelta(days=rng.uniform(1, 20))
            cancel = rng.random() < 0.01 and world.before_end(cancel_at)
            invoice_id = self._write(account, items, period, issued_at, issued_at, cancelled=cancel)
            if cancel:
                cancelled.append((cancel_at, invoice_id, account, items))
        for cancel_at, invoice_id, account, items in sorted(cancelled, key=lambda c: c[:2]):
            self._write(
                account, items, period, cancel_at, cancel_at,
                kind=InvoiceKind.CREDIT_NOTE, corrects=invoice_id, reason=_CANCEL_REASON,
            )  # fmt: skip
            self._write(account, items, period, cancel_at, cancel_at)
        self.billables.clear()

    def _number(self, series: str, issued_at: datetime) -> tuple[date, int, int]:
        """The document's date of issue, year and next number in its series (gapless)."""
        day = issue_date(issued_at, self.world.tz)
        number = self.counters.get((series, day.year), 0) + 1
        self.counters[(series, day.year)] = number
        return day, day.year, number

    def _write(
        self,
        account: Account,
        items: list[Billable],
        period: tuple[date, date],
        issued_at: datetime | None,
        created: datetime,
        *,
        kind: InvoiceKind = InvoiceKind.INVOICE,
        corrects: int | None = None,
        reason: str = "",
        cancelled: bool = False,
    ) -> int:
        """Writes one document and its lines (a draft when ``issued_at`` is None); the sessions
        an issued invoice bills are marked with it."""
        world = self.world
        company = world.company
        invoice_id = world.writer.new_id(Invoice)
        lines = [item.line for item in items]
        credit = kind is InvoiceKind.CREDIT_NOTE
        if credit:
            lines = list(credit_lines(lines))
        summed = totals(lines)
        state = InvoiceState.DRAFT
        series = company.credit_note_series if credit else company.invoice_series
        year: int | None = None
        number: int | None = None
        day: date | None = None
        if issued_at is not None:
            state = InvoiceState.CANCELLED if cancelled else InvoiceState.ISSUED
            day, year, number = self._number(series, issued_at)
        world.writer.add(
            Invoice,
            (
                invoice_id, kind, state, series, year, number, account.id, period[0], period[1],
                issued_at, day, None if issued_at is None else world.admin, corrects, reason,
                account.name, account.nif, account.address, account.postcode, account.city,
                company.name, company.nif, company.address, company.postcode, company.city,
                company.iban, company.invoice_legal_mention, summed.net, summed.vat,
                summed.gross, created, world.admin,
            ),
        )  # fmt: skip
        marks = state is InvoiceState.ISSUED and kind is InvoiceKind.INVOICE
        for position, (item, line) in enumerate(zip(items, lines, strict=True), start=1):
            world.writer.add(
                LineRow,
                (
                    world.writer.new_id(LineRow), invoice_id, position, line.description,
                    line.service_date, line.quantity, line.minutes, line.unit_price,
                    line.vat_rate, line.exemption, line.net, item.pack_id, item.pack_month,
                    None if item.session is None else item.session.id,
                ),
            )  # fmt: skip
            if item.session is not None and marks:
                item.session.row[INVOICE] = invoice_id
        return invoice_id
