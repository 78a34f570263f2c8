"""The benchmark database: ten thousand customers and five years of their support, in bulk.

At full size: 10,000 customers, 200,000 contacts (about 10,000 waiting now), 300,000 sessions,
about a million ledger entries, and the packs, compensations and quarterly invoices that go with
them. Writing that through the use cases would take hours; instead the history is simulated
month by month in memory with the domain's own rules, and written with ``BulkWriter``:

- every contact's terms come from ``sla.response_terms`` on the company's calendar (P5–P10a,
  P18), its compensation from ``sla.compensation_hours``; a missed guarantee gets its free pack,
  ledger entry and grant (P17), a few of them revoked;
- every session is billed by ``billing.bill`` (P11–P13) and paid by ``packs.allocate`` from the
  balances the customer had at that moment (P16a): monthly hours allotted and lapsed each month
  (P15), unit packs bought and expired (P14), free hours; no balance ever goes below zero and
  each pack's entries sum to what it can still pay;
- invoices are made each quarter from the packs bought and the uncovered time, with
  ``invoice.InvoiceLine``/``time_line``/``totals``, numbered without gaps per series and year in
  the order they were issued; some are cancelled by a credit note and issued again.

Everything the window's sweeps would do at start (grants, allotments, expiries) is already done.
A ``scale`` below 1 makes a smaller database with the same shape, for the tests.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from dateutil.relativedelta import relativedelta

from app.clock import ManualClock
from app.demo import data
from app.demo.bulk import BulkWriter
from app.demo.company import (
    DemoSummary,
    add_technicians,
    count_rows,
    require_empty,
    set_up_company,
)
from app.domain.billing import bill
from app.domain.calendar import BusinessCalendar, elapsed
from app.domain.contract import NO_CONTRACT, ContractTerms, effective_blocks, effective_rates
from app.domain.invoice import InvoiceLine, credit_lines, time_line, totals
from app.domain.packs import Balance, PackKind, allocate, unit_pack_valid_until
from app.domain.sla import Channel, Plan, Reason, compensation_hours, response_terms
from app.domain.states import (
    ContactState,
    InvoiceKind,
    InvoiceState,
    LedgerKind,
    SessionState,
)
from app.domain.validation import normalize_email, normalize_phone
from app.i18n import _, format_month
from app.services import changes, settings
from app.services.changes import Topic
from app.services.context import Desk
from app.services.invoices import monthly_pack_description, time_description, unit_pack_description
from app.store.base import BaseModel
from app.store.models import (
    CompensationGrant,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Invoice,
    InvoiceCounter,
    LedgerEntry,
    Pack,
    Session,
    SessionInterval,
)
from app.store.models import (
    InvoiceLine as LineRow,
)

Progress = Callable[[str], None]

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)
_ONE = Decimal(1)


@dataclass(frozen=True)
class LargeSize:
    """How big the benchmark database is; ``scaled`` keeps its shape at another size."""

    customers: int = 10_000
    contacts: int = 200_000
    open_contacts: int = 10_000
    sessions: int = 300_000
    technicians: int = 60
    months: int = 60

    def scaled(self, scale: float) -> LargeSize:
        def part(count: int, least: int) -> int:
            return max(least, round(count * scale))

        return LargeSize(
            customers=part(self.customers, 20),
            contacts=part(self.contacts, 100),
            open_contacts=part(self.open_contacts, 10),
            sessions=part(self.sessions, 100),
            technicians=part(self.technicians, 4),
            months=self.months,
        )


# The columns each table is written with, in the order the rows give them.
_COLUMNS: dict[type[BaseModel], tuple[str, ...]] = {
    Customer: (
        "id", "name", "nif", "address", "postcode", "city", "plan", "plan_since", "anydesk",
        "archived", "created_at", "business_response_minutes", "compensation_hours",
        "inside_block_minutes", "rate_inside",
    ),
    CustomerEmail: ("id", "customer", "email", "label"),
    CustomerPhone: ("id", "customer", "number", "label"),
    Contact: (
        "id", "customer", "channel", "sender_raw", "sender_normalised", "received_at", "subject",
        "plan_at_receipt", "registered", "guaranteed", "deadline", "target", "reason", "urgent",
        "compensation_hours", "first_response_at", "first_response_by", "state", "closed_at",
        "created_at", "created_by",
    ),
    Pack: (
        "id", "customer", "kind", "minutes", "price", "purchased_on", "starts_on", "valid_until",
        "last_month", "note", "created_at", "created_by",
    ),
    Invoice: (
        "id", "kind", "state", "series", "year", "number", "customer", "period_start",
        "period_end", "issued_at", "issue_date", "issued_by", "corrects", "correction_reason",
        "customer_name", "customer_nif", "customer_address", "customer_postcode", "customer_city",
        "supplier_name", "supplier_nif", "supplier_address", "supplier_postcode", "supplier_city",
        "supplier_iban", "legal_mention", "net", "vat", "gross", "created_at", "created_by",
    ),
    Session: (
        "id", "customer", "contact", "technician", "state", "started_at", "stopped_at", "note",
        "flagged_for_review", "inside_seconds", "outside_seconds", "inside_billed_minutes",
        "outside_billed_minutes", "uncovered_inside_minutes", "uncovered_outside_minutes",
        "rate_inside", "rate_outside", "invoice",
    ),
    SessionInterval: ("id", "session", "started_at", "ended_at"),
    LineRow: (
        "id", "invoice", "position", "description", "service_date", "quantity", "minutes",
        "unit_price", "vat_rate", "exemption", "net", "pack", "pack_month", "session",
    ),
    LedgerEntry: (
        "id", "customer", "pack", "kind", "minutes", "month", "outside", "session", "contact",
        "reverses", "reason", "created_at", "created_by",
    ),
    CompensationGrant: (
        "id", "contact", "customer", "hours", "granted_at", "pack", "entry", "revoked_at",
        "revoked_by", "revoke_reason", "revocation_entry",
    ),
}  # fmt: skip

_UNIT_PACKS = ((300, "215.00"), (600, "410.00"), (1200, "780.00"), (2400, "1500.00"))
_MONTHLY_PACKS = ((120, "95.00"), (240, "180.00"), (480, "350.00"), (720, "520.00"))
_REVOKE_REASON = "Resposta dada por telefone dentro do prazo; registo tardio."
_DURATIONS = (10, 15, 20, 25, 30, 30, 40, 45, 45, 60, 60, 75, 90, 120)


# --- the simulation's state -----------------------------------------------------------------------


@dataclass
class _Unit:
    pack_id: int
    valid_from: date
    valid_until: date
    left: int


@dataclass
class _Free:
    pack_id: int
    left: int


@dataclass
class _Monthly:
    pack_id: int
    minutes: int
    price: Decimal
    first: int  # month index
    last: int | None  # month index; None: still running
    left: int = 0
    month: date | None = None  # the month ``left`` belongs to


@dataclass
class _Account:
    """A customer while its history is written: its terms, senders and balances."""

    id: int
    name: str
    nif: str
    address: str
    postcode: str
    city: str
    plan: Plan
    contract: ContractTerms
    inside_block: timedelta
    outside_block: timedelta
    rate_inside: Decimal
    rate_outside: Decimal
    emails: list[tuple[str, str]]  # (as a sender writes it, normalised)
    phones: list[tuple[str, str]]
    weight: float
    active_until: int  # the last month with activity (an archived customer stops earlier)
    unit_buyer: bool
    monthly: _Monthly | None = None
    units: list[_Unit] = field(default_factory=list)
    free: list[_Free] = field(default_factory=list)


@dataclass
class _Grant:
    id: int
    contact_id: int
    customer_id: int
    hours: int
    granted_at: datetime
    pack_id: int
    entry_id: int
    revoked_at: datetime | None = None
    revoked_by: int | None = None
    revoke_reason: str = ""
    revocation_entry: int | None = None


@dataclass
class _Session:
    """A session's row, kept until its quarter is invoiced (its ``invoice`` is set then)."""

    row: list[Any]
    customer_id: int
    started_at: datetime
    technician: int
    subject: str
    uncovered: list[tuple[bool, int, Decimal]]  # (outside, minutes, hourly rate)

    @property
    def id(self) -> int:
        return int(self.row[0])


@dataclass(frozen=True)
class _Billable:
    """A line to invoice: a pack (or one month of it) or one part of a session's time."""

    order: tuple[int, date, int]
    line: InvoiceLine
    pack_id: int | None = None
    pack_month: date | None = None
    session: _Session | None = None


@dataclass
class _ContactSeed:
    account: _Account
    received_at: datetime
    waiting: bool  # one of the contacts still waiting now


class _OpenHours:
    """The business hours of one month, to pick instants inside them quickly."""

    def __init__(
        self, calendar: BusinessCalendar, first: date, last: date, until: datetime
    ) -> None:
        self.starts: list[datetime] = []
        lengths: list[float] = []
        # A month that has had no open hour yet (now is its 1 January) picks its first instant.
        self.fallback = datetime.combine(first, time(0), tzinfo=calendar.tz).astimezone(UTC)
        day = first
        while day <= last:
            for opening, closing in calendar.hours_on(day):
                start = datetime.combine(day, opening, tzinfo=calendar.tz).astimezone(UTC)
                end = datetime.combine(day, closing, tzinfo=calendar.tz).astimezone(UTC)
                end = min(end, until)  # the month still running: only its past
                if end > start:
                    self.starts.append(start)
                    lengths.append((end - start).total_seconds())
            day += _DAY
        self.cumulative = [0.0, *accumulate(lengths)]

    @property
    def total(self) -> float:
        """Open seconds in the month (before ``until``)."""
        return self.cumulative[-1]

    def instant(self, rng: random.Random) -> datetime:
        if not self.starts:
            return self.fallback
        offset = rng.random() * self.cumulative[-1]
        index = bisect_right(self.cumulative, offset) - 1
        return self.starts[index] + timedelta(seconds=int(offset - self.cumulative[index]))


# --- the generator --------------------------------------------------------------------------------


class LargeDemo:
    def __init__(self, now: datetime, size: LargeSize, progress: Progress) -> None:
        self.end = now.astimezone(UTC)
        self.size = size
        self.progress = progress
        self.rng = random.Random(data.SEED)
        self.clock = ManualClock(self.end)
        self.program = Desk(self.clock)
        self.calendar: BusinessCalendar
        self.tz = settings.business_calendar().tz
        self.today = self.end.astimezone(self.tz).date()
        this_month = self.today.replace(day=1)
        self.first_month = this_month - relativedelta(months=size.months - 1)
        self.months = [self.first_month + relativedelta(months=m) for m in range(size.months)]
        self.accounts: list[_Account] = []
        self.weights: list[float] = []
        self.technicians: list[int] = []
        self.technician_names: dict[int, str] = {}
        self.rota: list[tuple[datetime, int]] = []
        self.writer: BulkWriter
        # Per quarter, until its invoices are made.
        self.sessions: list[_Session] = []
        self.grants: list[_Grant] = []
        self.billables: dict[int, list[_Billable]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.company: settings.Settings
        self._descriptions: dict[tuple[Any, ...], str] = {}

    # --- helpers ------------------------------------------------------------------------------

    def local(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz).astimezone(UTC)

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def before_end(self, at: datetime) -> bool:
        return at < self.end

    def soon_after(self, at: datetime, seconds: int) -> datetime:
        """``seconds`` after ``at`` (what the sweep does as a month begins), or halfway to now
        when now comes sooner: the sweeps' work is done whenever the demo ends."""
        delay = timedelta(seconds=seconds)
        return at + (min(delay, (self.end - at) / 2) if at < self.end else delay)

    def technician(self) -> int:
        return self.rng.choice(self.technicians)

    def entry(
        self,
        account_id: int,
        pack_id: int,
        kind: LedgerKind,
        minutes: int,
        at: datetime,
        *,
        month: date | None = None,
        outside: bool = False,
        session: int | None = None,
        contact: int | None = None,
        reverses: int | None = None,
        reason: str = "",
        by: int | None = None,
    ) -> int:
        entry_id = self.writer.new_id(LedgerEntry)
        self.writer.add(
            LedgerEntry,
            (
                entry_id, account_id, pack_id, kind, minutes, month, outside, session, contact,
                reverses, reason, at, by,
            ),
        )  # fmt: skip
        return entry_id

    # --- the company, its team and its customers ----------------------------------------------

    def set_up(self) -> None:
        set_up_company(self.program)
        self.calendar = settings.business_calendar()
        names = self._technician_names(self.size.technicians)
        self.technicians = add_technicians(self.program, names)
        self.technician_names = dict(zip(self.technicians, names, strict=True))
        start = self.local(self.first_month, time(8))
        self.rota = [(start, technician) for technician in self.technicians]
        heapq.heapify(self.rota)
        self.company = settings.settings()
        self.writer = BulkWriter(_COLUMNS)

    def _technician_names(self, count: int) -> list[str]:
        names = list(data.TECHNICIANS[:count])
        taken = set(names)
        while len(names) < count:
            name = f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.SURNAMES)}"
            if name not in taken:
                taken.add(name)
                names.append(name)
        return names

    def make_customers(self) -> None:
        self.progress(_("{count} customers…").format(count=self.size.customers))
        plans: tuple[Plan, ...] = (Plan.NONE,) * 30 + (Plan.STANDARD,) * 35
        plans += (Plan.PRIORITY,) * 25 + (Plan.PRIORITY_24_7,) * 10
        created = self.local(self.first_month, time(9)) - timedelta(days=30)
        for _number in range(self.size.customers):
            self._make_customer(self.rng.choice(plans), created)
        self.weights = list(accumulate(account.weight for account in self.accounts))

    def _make_customer(self, plan: Plan, created: datetime) -> None:
        rng = self.rng
        customer_id = self.writer.new_id(Customer)
        company = rng.random() < 0.6
        first, surname = rng.choice(data.FIRST_NAMES), rng.choice(data.SURNAMES)
        if company:
            business = rng.choice(data.BUSINESSES)
            name = f"{business} {rng.choice(data.BUSINESS_NAMES)}{rng.choice(data.COMPANY_FORMS)}"
            shop = data.slug(name.split(",", maxsplit=1)[0])[-12:]
            domain = f"{data.slug(business)[:12]}{shop}{customer_id}.pt"
            emails = [f"geral@{domain}", f"{data.slug(first)}@{domain}"]
        else:
            name = f"{first} {rng.choice(data.SURNAMES)} {surname}"
            mailbox = rng.choice(("gmail.com", "sapo.pt", "outlook.pt", "hotmail.com"))
            emails = [f"{data.slug(first)}.{data.slug(surname)}{customer_id}@{mailbox}"]
        city, postcode_prefix, area = rng.choice(data.CITIES)
        # Numbers derived from the id, so that no two customers share one (91, 93, 96: the
        # unknown senders use 92).
        mobile = f"9{'136'[customer_id % 3]}{(customer_id * 7919 + 13) % 10**7:07d}"
        numbers = [mobile]
        if company and area is not None:
            numbers.insert(0, f"{area}{(customer_id * 104_729 + 7) % 10**7:07d}")
        contract = NO_CONTRACT
        if plan in (Plan.PRIORITY, Plan.PRIORITY_24_7) and rng.random() < 0.02:  # P18
            contract = ContractTerms(
                business_response=timedelta(hours=2),
                compensation_hours=2,
                inside_block=timedelta(minutes=10),
                rate_inside=Decimal("40.00"),
            )
        nif = data.nif_from_digits(
            ("5" if company else "12"[customer_id % 2]) + f"{(customer_id * 7919) % 10**7:07d}"
        )
        address = f"{rng.choice(data.STREETS)}, {rng.randrange(1, 300)}"
        postcode = f"{postcode_prefix[:2]}{rng.randrange(10, 99)}-{rng.randrange(1000):03d}"
        months = self.size.months
        archived = rng.random() < 0.01
        inside_block, outside_block = effective_blocks(
            contract, self.company.inside_block_minutes, self.company.outside_block_minutes
        )
        rate_inside, rate_outside = effective_rates(
            contract, self.company.rate_inside, self.company.rate_outside
        )
        account = _Account(
            id=customer_id,
            name=name,
            nif=nif,
            address=address,
            postcode=postcode,
            city=city,
            plan=plan,
            contract=contract,
            inside_block=inside_block,
            outside_block=outside_block,
            rate_inside=rate_inside,
            rate_outside=rate_outside,
            emails=[(self._email_sender(first, mail), normalize_email(mail)) for mail in emails],
            phones=[(self._phone_sender(number), normalize_phone(number)) for number in numbers],
            weight={Plan.NONE: 0.6, Plan.STANDARD: 1.0}.get(plan, 1.6) * rng.uniform(0.3, 1.7),
            active_until=rng.randrange(months // 2, months - 2) if archived else months,
            unit_buyer=plan is Plan.STANDARD or rng.random() < 0.25,
        )
        self.accounts.append(account)
        self.writer.add(
            Customer,
            (
                customer_id, name, nif, address, postcode, city, plan,
                None if plan is Plan.NONE else self.first_month - rng.randrange(900) * _DAY,
                f"{rng.randrange(100, 999)} {rng.randrange(1000):03d} {rng.randrange(1000):03d}",
                archived, created,
                None if contract.business_response is None else 120,
                contract.compensation_hours,
                None if contract.inside_block is None else 10,
                contract.rate_inside,
            ),
        )  # fmt: skip
        for _sender, normalised in account.emails:
            email_id = self.writer.new_id(CustomerEmail)
            self.writer.add(CustomerEmail, (email_id, customer_id, normalised, ""))
        for _sender, normalised in account.phones:
            phone_id = self.writer.new_id(CustomerPhone)
            self.writer.add(CustomerPhone, (phone_id, customer_id, normalised, ""))
        self._subscribe(account)

    def _email_sender(self, first: str, address: str) -> str:
        return f"{first} <{address}>" if self.rng.random() < 0.5 else address

    @staticmethod
    def _phone_sender(number: str) -> str:
        return f"{number[:3]} {number[3:6]} {number[6:]}"

    def _subscribe(self, account: _Account) -> None:
        """P15: most priority customers, and some others, pay a monthly pack."""
        share = {Plan.PRIORITY_24_7: 1.0, Plan.PRIORITY: 1.0, Plan.STANDARD: 0.8}
        if self.rng.random() >= share.get(account.plan, 0.35):
            return
        months = self.size.months
        first = 0 if self.rng.random() < 0.8 else self.rng.randrange(months)
        last = None
        if self.rng.random() < 0.12:
            last = self.rng.randrange(first, months)
        if account.active_until < months:  # archived: the subscription ended before
            if first > account.active_until:
                return
            last = min(last if last is not None else months, account.active_until)
        minutes, price = self.rng.choice(_MONTHLY_PACKS)
        account.monthly = _Monthly(-1, minutes, Decimal(price), first, last)

    # --- the months ---------------------------------------------------------------------------

    def write_history(self) -> None:
        size = self.size
        waiting = self._waiting_times(size.open_contacts)
        # The month still running has only its past: each month's share of the contacts and
        # sessions is its share of the open hours.
        until = self.end - timedelta(hours=2)
        hours = [
            _OpenHours(self.calendar, first, first + relativedelta(months=1) - _DAY, until)
            for first in self.months
        ]
        weights = [month.total for month in hours]
        per_month = _apportion(size.contacts - size.open_contacts, weights)
        sessions_per_month = _apportion(size.sessions, weights)
        with self.writer.indexes_deferred():
            self.writer.flush()
            for index, first in enumerate(self.months):
                if index % 6 == 0:
                    self.progress(
                        _("History of {month}…").format(month=format_month(first.year, first.month))
                    )
                self._month(
                    index, hours[index], per_month[index], sessions_per_month[index], waiting
                )
                if index % 3 == 2 or index == size.months - 1:
                    self._invoice_quarter(index)
                    self._flush_quarter()
            self.progress(_("Rebuilding the indexes…"))
        self.writer.move_sequences()
        with_counters = [
            {"series": series, "year": year, "last_number": number}
            for (series, year), number in sorted(self.counters.items())
        ]
        if with_counters:
            InvoiceCounter.insert_many(with_counters).execute()

    def _waiting_times(self, count: int) -> list[datetime]:
        """When the contacts still waiting now came in: most in the last two days."""
        times = []
        for _number in range(count):
            ago = min(self.rng.expovariate(1 / 1.5), 14.0)
            times.append(self.end - timedelta(days=ago) - 30 * timedelta(seconds=1))
        return sorted(times)

    def _month(
        self, index: int, hours: _OpenHours, contacts: int, sessions: int, waiting: list[datetime]
    ) -> None:
        first = self.months[index]
        last = first + relativedelta(months=1) - _DAY
        month_start = self.local(first, time(0))
        next_start = self.local(last + _DAY, time(0))
        events: list[tuple[datetime, int, Callable[[], None]]] = []

        def at(when: datetime, action: Callable[[], None]) -> None:
            if self.before_end(when):
                events.append((when, len(events), action))

        self._lapse_months(index, first, month_start)
        self._allot(index, first, month_start, hours, at)
        self._buy_units(index, hours, at)
        self._expire_units(first, last, at)
        seeds = [
            _ContactSeed(
                self._pick_account(index), self._contact_time(hours, month_start, next_start), False
            )
            for _number in range(contacts)
        ]
        seeds += [
            _ContactSeed(self._pick_account(index), received, True)
            for received in waiting
            if month_start <= received < next_start
        ]
        answered = []
        for seed in sorted(seeds, key=lambda s: s.received_at):
            if self.before_end(seed.received_at):
                found = self._contact(seed, at)
                if found is not None:
                    answered.append(found)
        self._sessions(index, sessions, hours, answered, next_start=next_start, at=at)
        for when, _order, action in sorted(events, key=lambda event: event[:2]):
            self.clock.set(when)
            action()

    def _pick_account(self, month: int) -> _Account:
        while True:
            account = self.rng.choices(self.accounts, cum_weights=self.weights)[0]
            if account.active_until >= month:
                return account

    def _contact_time(self, hours: _OpenHours, start: datetime, end: datetime) -> datetime:
        """Mostly in business hours; the rest at any hour (received then, counted from the
        next opening, P3)."""
        end = min(end, self.end - timedelta(hours=2))
        if self.rng.random() < 0.85 or end <= start:
            return hours.instant(self.rng)
        return start + timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))

    # --- packs --------------------------------------------------------------------------------

    def _lapse_months(self, index: int, first: date, month_start: datetime) -> None:
        """P15: what last month left lapses as the new month begins."""
        if index == 0 or not self.before_end(month_start):
            return
        for account in self.accounts:
            monthly = account.monthly
            if monthly is not None and monthly.month is not None and monthly.month < first:
                if monthly.left > 0:
                    self.entry(
                        account.id, monthly.pack_id, LedgerKind.EXPIRY, -monthly.left,
                        self.soon_after(month_start, 30), month=monthly.month,
                    )  # fmt: skip
                monthly.left, monthly.month = 0, None

    def _allot(
        self,
        index: int,
        first: date,
        month_start: datetime,
        hours: _OpenHours,
        at: Callable[[datetime, Callable[[], None]], None],
    ) -> None:
        """P15: each running subscription gets this month's hours; new ones are sold."""
        for account in self.accounts:
            monthly = account.monthly
            if monthly is None or index < monthly.first:
                continue
            if monthly.last is not None and index > monthly.last:
                continue
            if index == monthly.first:
                sold = hours.instant(self.rng) if index else month_start + 2 * _MINUTE
                at(sold, self._sell_monthly(account, monthly, first, sold))
            elif self.before_end(month_start):
                self.entry(
                    account.id, monthly.pack_id, LedgerKind.MONTHLY_ALLOTMENT, monthly.minutes,
                    self.soon_after(month_start, 60), month=first,
                )  # fmt: skip
                monthly.left, monthly.month = monthly.minutes, first
                self._bill_pack(
                    account, monthly.pack_id, monthly.price, monthly.minutes, month=first
                )

    def _sell_monthly(
        self, account: _Account, monthly: _Monthly, first: date, sold: datetime
    ) -> Callable[[], None]:
        def sell() -> None:
            monthly.pack_id = self.writer.new_id(Pack)
            last = None if monthly.last is None else self.months[monthly.last]
            self.writer.add(
                Pack,
                (
                    monthly.pack_id, account.id, PackKind.MONTHLY, monthly.minutes, monthly.price,
                    self.local_day(sold), first, None, last, "", sold, self.technicians[0],
                ),
            )  # fmt: skip
            self.entry(
                account.id, monthly.pack_id, LedgerKind.MONTHLY_ALLOTMENT, monthly.minutes, sold,
                month=first,
            )  # fmt: skip
            monthly.left, monthly.month = monthly.minutes, first
            self._bill_pack(account, monthly.pack_id, monthly.price, monthly.minutes, month=first)

        return sell

    def _buy_units(
        self, index: int, hours: _OpenHours, at: Callable[[datetime, Callable[[], None]], None]
    ) -> None:
        """P14: a customer who buys hours buys again when little is left."""
        for account in self.accounts:
            if not account.unit_buyer or account.active_until < index:
                continue
            left = sum(unit.left for unit in account.units)
            if left < 120 and self.rng.random() < 0.3:
                at(hours.instant(self.rng), self._sell_unit(account))

    def _sell_unit(self, account: _Account) -> Callable[[], None]:
        def sell() -> None:
            now = self.clock.now()
            minutes, price = self.rng.choice(_UNIT_PACKS)
            bought = self.local_day(now)
            until = unit_pack_valid_until(bought)
            pack_id = self.writer.new_id(Pack)
            self.writer.add(
                Pack,
                (
                    pack_id, account.id, PackKind.UNIT, minutes, Decimal(price), bought, bought,
                    until, None, "", now, self.technicians[0],
                ),
            )  # fmt: skip
            self.entry(
                account.id, pack_id, LedgerKind.PURCHASE, minutes, now, by=self.technicians[0]
            )
            account.units.append(_Unit(pack_id, bought, until, minutes))
            self._bill_pack(account, pack_id, Decimal(price), minutes, unit=(bought, until))

        return sell

    def _expire_units(
        self, first: date, last: date, at: Callable[[datetime, Callable[[], None]], None]
    ) -> None:
        """P14: a unit pack lapses after its last day; what is left is written off."""
        for account in self.accounts:
            for unit in account.units:
                lapses_on = unit.valid_until + _DAY
                if first <= lapses_on <= last:
                    lapse = self.soon_after(self.local(lapses_on, time(0)), 30)
                    at(lapse, self._expire_unit(account, unit, lapse))

    def _expire_unit(self, account: _Account, unit: _Unit, lapse: datetime) -> Callable[[], None]:
        def expire() -> None:
            if unit.left > 0:
                self.entry(account.id, unit.pack_id, LedgerKind.EXPIRY, -unit.left, lapse)
            unit.left = 0
            account.units.remove(unit)

        return expire

    # --- contacts and compensation ------------------------------------------------------------

    def _channel(self, plan: Plan) -> Channel:
        rng = self.rng.random()
        if plan is Plan.PRIORITY_24_7:
            return (
                Channel.PRIORITY_PHONE
                if rng < 0.5
                else Channel.PRIORITY_EMAIL
                if rng < 0.9
                else Channel.WHATSAPP
            )
        if plan is Plan.PRIORITY:
            return (
                Channel.PRIORITY_EMAIL
                if rng < 0.6
                else Channel.PRIORITY_PHONE
                if rng < 0.85
                else Channel.EMAIL
                if rng < 0.95
                else Channel.SMS
            )
        if rng < 0.62:
            return Channel.EMAIL
        if rng < 0.9:
            return Channel.PHONE
        return self.rng.choice((Channel.SMS, Channel.WHATSAPP, Channel.SOCIAL, Channel.OTHER))

    def _sender(self, account: _Account, channel: Channel) -> tuple[str, str | None]:
        if channel in (Channel.EMAIL, Channel.PRIORITY_EMAIL):
            return self.rng.choice(account.emails)
        if channel is Channel.SOCIAL:
            return f"Facebook — {account.name}", None
        if channel is Channel.OTHER:
            return f"Visita ao escritório — {account.name}", None
        if channel in (Channel.SMS, Channel.WHATSAPP):
            return account.phones[-1]  # the mobile
        return self.rng.choice(account.phones)

    def _contact(
        self, seed: _ContactSeed, at: Callable[[datetime, Callable[[], None]], None]
    ) -> tuple[int, _Account, datetime, str] | None:
        """Writes a contact with its frozen terms (P19); returns (id, customer, first response,
        subject) when it was answered, for the sessions to follow it."""
        rng = self.rng
        received = seed.received_at
        account = seed.account
        channel = self._channel(account.plan)
        sender, normalised = self._sender(account, channel)
        registered = normalised is not None
        customer: _Account | None = account
        if rng.random() < 0.012 and channel in (Channel.EMAIL, Channel.PRIORITY_EMAIL):
            # An address nobody registered: on a priority channel it is rejected (P10a); on the
            # public one the technician files it under the customer, unregistered (P9).
            normalised = f"pedido{rng.randrange(10**7)}@gmail.com"
            sender, registered = normalised, False
            if channel is Channel.PRIORITY_EMAIL:
                customer = None
        plan = Plan.NONE if customer is None else account.plan
        contract = NO_CONTRACT if customer is None else account.contract
        terms = response_terms(
            plan, channel, received, registered, self.calendar, contract=contract
        )
        hours = compensation_hours(plan, contract) if terms.guaranteed else 0
        state = ContactState.REJECTED if terms.reason is Reason.REJECTED else ContactState.CLOSED
        responded = closed = None
        if state is ContactState.CLOSED:
            responded = self._response_time(received, terms.deadline, terms.urgent)
            closed = responded + timedelta(minutes=rng.randrange(10, 2 * 24 * 60))
            if seed.waiting or not self.before_end(responded):
                responded = closed = None
                state = ContactState.OPEN
            elif not self.before_end(closed):
                closed = None
                state = ContactState.ANSWERED
        contact_id = self.writer.new_id(Contact)
        subject = rng.choice(data.SUBJECTS)
        by = self.technician()
        self.writer.add(
            Contact,
            (
                contact_id, None if customer is None else customer.id, channel, sender,
                normalised, received, subject, plan, registered, terms.guaranteed,
                terms.deadline, terms.target, terms.reason, terms.urgent, hours, responded,
                None if responded is None else by, state, closed, received, self.technician(),
            ),
        )  # fmt: skip
        if customer is not None and hours and terms.deadline is not None:
            answered_or_now = responded or self.end
            late = elapsed(terms.deadline, answered_or_now)
            if late > timedelta(0):  # P17: the sweep grants within the minute
                granted = terms.deadline + min(30 * timedelta(seconds=1), late / 2)
                at(granted, self._grant(customer, contact_id, hours, granted))
        if responded is None or customer is None:
            return None
        return contact_id, customer, responded, subject

    def _response_time(
        self, received: datetime, deadline: datetime | None, urgent: bool
    ) -> datetime:
        rng = self.rng
        if urgent and deadline is not None:
            late = rng.random() < 0.04
            return received + timedelta(
                seconds=rng.randrange(360, 1800) if late else rng.randrange(40, 280)
            )
        if deadline is not None:
            if rng.random() < 0.04:  # missed (P17)
                return deadline + timedelta(minutes=rng.randrange(5, 600))
            window = self.calendar.between(received, deadline)
            return self.calendar.add(received, window * rng.uniform(0.03, 0.85))
        return self.calendar.add(received, timedelta(minutes=rng.randrange(10, 8 * 60)))

    def _grant(
        self, account: _Account, contact_id: int, hours: int, granted: datetime
    ) -> Callable[[], None]:
        def grant() -> None:
            minutes = hours * 60
            today = self.local_day(granted)
            pack_id = self.writer.new_id(Pack)
            self.writer.add(
                Pack,
                (
                    pack_id, account.id, PackKind.FREE, minutes, Decimal("0.00"), today, today,
                    None, None, "", granted, None,
                ),
            )  # fmt: skip
            entry_id = self.entry(
                account.id, pack_id, LedgerKind.COMPENSATION, minutes, granted, contact=contact_id
            )
            free = _Free(pack_id, minutes)
            account.free.append(free)
            grant_id = self.writer.new_id(CompensationGrant)
            record = _Grant(grant_id, contact_id, account.id, hours, granted, pack_id, entry_id)
            self.grants.append(record)
            if self.rng.random() < 0.03:
                self._revoke_later(account, record, free)

        return grant

    def _revoke_later(self, account: _Account, record: _Grant, free: _Free) -> None:
        """A few grants are taken back by an administrator, the next day, while unused."""
        revoked = record.granted_at + timedelta(hours=self.rng.randrange(16, 30))
        if not self.before_end(revoked):
            return
        # Taken out of the balances at once, so that nothing draws on it before the revocation.
        entry_id = self.entry(
            account.id, free.pack_id, LedgerKind.REVOCATION, -free.left, revoked,
            contact=record.contact_id, reverses=record.entry_id,
            reason=_REVOKE_REASON, by=self.technicians[0],
        )  # fmt: skip
        free.left = 0
        account.free.remove(free)
        record.revoked_at, record.revoked_by = revoked, self.technicians[0]
        record.revoke_reason = _REVOKE_REASON
        record.revocation_entry = entry_id

    # --- sessions -----------------------------------------------------------------------------

    def _sessions(
        self,
        index: int,
        count: int,
        hours: _OpenHours,
        answered: list[tuple[int, _Account, datetime, str]],
        *,
        next_start: datetime,
        at: Callable[[datetime, Callable[[], None]], None],
    ) -> None:
        rng = self.rng
        wanted: list[tuple[datetime, _Account, int | None, str]] = []
        # About 2 % cannot be written (they would run into the next month, or past now).
        for _number in range(round(count * 1.02)):
            if answered and rng.random() < 0.6:
                answered_id, account, responded, subject = rng.choice(answered)
                start = responded + timedelta(minutes=rng.randrange(2, 90))
                if account.plan is not Plan.PRIORITY_24_7:
                    start = self.calendar.next_opening(start)
                wanted.append((start, account, answered_id, subject))
            else:
                account = self._pick_account(index)
                wanted.append((hours.instant(rng), account, None, rng.choice(data.SUBJECTS)))
        wanted.sort(key=lambda item: item[0])
        for start, account, linked, subject in wanted:
            self._session(account, linked, subject, start, next_start=next_start, at=at)

    def _session(
        self,
        account: _Account,
        contact_id: int | None,
        subject: str,
        start: datetime,
        *,
        next_start: datetime,
        at: Callable[[datetime, Callable[[], None]], None],
    ) -> None:
        rng = self.rng
        minutes = timedelta(minutes=rng.choice(_DURATIONS))
        flagged = rng.random() < 0.0002
        if flagged:  # a timer left running overnight (review limit 10 h)
            minutes = timedelta(hours=rng.uniform(10.5, 16))
        elif account.plan is not Plan.PRIORITY_24_7:
            for _attempt in range(3):  # work fits in the business hours (P4), mostly
                if self.calendar.between(start, start + minutes) == minutes:
                    break
                start = self.calendar.next_opening(start + timedelta(hours=1))
        free_at, technician = heapq.heappop(self.rota)
        start = max(start, free_at + 5 * _MINUTE)
        start = start.replace(microsecond=0)
        intervals = [(start, start + minutes)]
        if not flagged and minutes >= timedelta(minutes=40) and rng.random() < 0.1:
            pause = timedelta(minutes=rng.randrange(10, 31))
            half = start + minutes / 2
            intervals = [(start, half), (half + pause, start + minutes + pause)]
        stop = intervals[-1][1]
        state = SessionState.DISCARDED if rng.random() < 0.003 else SessionState.STOPPED
        # 1 in 100: the timer was stopped 20–60 minutes late, and the end corrected just after.
        typed_stop = stop
        if state is SessionState.STOPPED and not flagged and rng.random() < 0.01:
            typed_stop = stop + timedelta(minutes=rng.randrange(20, 61))
        fixed_at = typed_stop + 10 * _MINUTE
        heapq.heappush(self.rota, (typed_stop, technician))
        if not (fixed_at < next_start and self.before_end(fixed_at + _MINUTE)):
            return  # no session runs into the next month, nor is left running now
        session_id = self.writer.new_id(Session)
        row: list[Any] = [
            session_id, account.id, contact_id, technician, state, start, stop, "", flagged,
            None, None, None, None, None, None, None, None, None,
        ]  # fmt: skip
        for begun, ended in intervals:
            self.writer.add(
                SessionInterval, (self.writer.new_id(SessionInterval), session_id, begun, ended)
            )
        session = _Session(row, account.id, start, technician, subject, [])
        self.sessions.append(session)
        if state is not SessionState.STOPPED or flagged:
            return
        if typed_stop == stop:
            at(stop, self._billing(account, session, intervals, contact_id, stop))
            return
        typed = [*intervals[:-1], (intervals[-1][0], typed_stop)]
        drawn: list[tuple[int, int, int, date | None, bool]] = []

        def bill_typed() -> None:
            drawn.extend(self._draw(account, session, typed, contact_id, typed_stop))

        at(typed_stop, bill_typed)
        at(fixed_at, self._correction(account, session, intervals, contact_id, drawn))

    def _billing(
        self,
        account: _Account,
        session: _Session,
        intervals: list[tuple[datetime, datetime]],
        contact_id: int | None,
        stopped: datetime,
    ) -> Callable[[], None]:
        def stop() -> None:
            self._draw(account, session, intervals, contact_id, stopped)

        return stop

    def _correction(
        self,
        account: _Account,
        session: _Session,
        intervals: list[tuple[datetime, datetime]],
        contact_id: int | None,
        drawn: list[tuple[int, int, int, date | None, bool]],
    ) -> Callable[[], None]:
        """The session's times corrected: its draws reversed, then billed again (P16a)."""

        def correct() -> None:
            fixed_at = self.clock.now()
            for entry_id, pack_id, minutes, month, outside in drawn:
                self._restore(account, pack_id, minutes, month)
                self.entry(
                    account.id, pack_id, LedgerKind.CORRECTION, minutes, fixed_at, month=month,
                    outside=outside, session=session.id, contact=contact_id, reverses=entry_id,
                    reason=_("The session's times were changed."), by=session.technician,
                )  # fmt: skip
            self._draw(account, session, intervals, contact_id, fixed_at)

        return correct

    def _balances(self, account: _Account, on: date) -> list[Balance]:
        found = []
        monthly = account.monthly
        if monthly is not None and monthly.month is not None and monthly.left > 0:
            last = monthly.month + relativedelta(months=1) - _DAY
            found.append(
                Balance(monthly.pack_id, PackKind.MONTHLY, monthly.left, monthly.month, last)
            )
        for unit in account.units:
            if unit.left > 0:
                found.append(
                    Balance(
                        unit.pack_id, PackKind.UNIT, unit.left, unit.valid_from, unit.valid_until
                    )
                )
        for free in account.free:
            if free.left > 0:
                found.append(Balance(free.pack_id, PackKind.FREE, free.left, on, None))
        return found

    def _restore(self, account: _Account, pack_id: int, minutes: int, month: date | None) -> None:
        """Gives ``minutes`` back to a balance (a reversed draw)."""
        if account.monthly is not None and account.monthly.pack_id == pack_id:
            account.monthly.left += minutes
            return
        for unit in account.units:
            if unit.pack_id == pack_id:
                unit.left += minutes
                return
        for free in account.free:
            if free.pack_id == pack_id:
                free.left += minutes
                return
        raise RuntimeError("a reversed draw names a balance no longer held")

    def _draw(
        self,
        account: _Account,
        session: _Session,
        intervals: list[tuple[datetime, datetime]],
        contact_id: int | None,
        at: datetime,
    ) -> list[tuple[int, int, int, date | None, bool]]:
        """Bills the session (P11–P13) and pays it from the balances (P16a); returns the draws
        written as (entry, pack, minutes, month, outside)."""
        billed = bill(intervals, self.calendar, account.inside_block, account.outside_block)
        inside = billed.inside_billed // _MINUTE
        outside = billed.outside_billed // _MINUTE
        on = self.local_day(session.started_at)
        allocation = allocate(inside, outside, self._balances(account, on), on)
        written = []
        for draw in allocation.draws:
            month = None
            if draw.kind is PackKind.MONTHLY:
                month = account.monthly.month if account.monthly is not None else None
            self._restore(account, draw.key, -draw.minutes, month)
            entry_id = self.entry(
                account.id, draw.key, LedgerKind.CONSUMPTION, -draw.minutes, at, month=month,
                outside=draw.outside, session=session.id, contact=contact_id, by=session.technician,
            )  # fmt: skip
            written.append((entry_id, draw.key, draw.minutes, month, draw.outside))
        row = session.row
        row[9], row[10] = (
            billed.inside // timedelta(seconds=1),
            billed.outside // timedelta(seconds=1),
        )
        row[11], row[12] = inside, outside
        row[13], row[14] = allocation.uncovered_inside, allocation.uncovered_outside
        row[15], row[16] = account.rate_inside, account.rate_outside
        session.uncovered = [
            part
            for part in (
                (False, allocation.uncovered_inside, account.rate_inside),
                (True, allocation.uncovered_outside, account.rate_outside),
            )
            if part[1]
        ]
        return written

    # --- invoices -----------------------------------------------------------------------------

    def _bill_pack(
        self,
        account: _Account,
        pack_id: int,
        price: Decimal,
        minutes: int,
        *,
        month: date | None = None,
        unit: tuple[date, date] | None = None,
    ) -> None:
        """Keeps a pack (or one month of a monthly pack) for its quarter's invoice (P20)."""
        vat = self.company.vat_rate
        if unit is not None:
            bought, until = unit
            key: tuple[Any, ...] = ("unit", minutes, until)
            if key not in self._descriptions:
                self._descriptions[key] = unit_pack_description(minutes, until)
            line = InvoiceLine(self._descriptions[key], _ONE, price, vat, service_date=bought)
            order = (0, bought, pack_id)
        else:
            assert month is not None
            key = ("monthly", minutes, month)
            if key not in self._descriptions:
                self._descriptions[key] = monthly_pack_description(minutes, month)
            line = InvoiceLine(self._descriptions[key], _ONE, price, vat, service_date=month)
            order = (0, month, pack_id)
        self.billables.setdefault(account.id, []).append(
            _Billable(order, line, pack_id=pack_id, pack_month=month)
        )

    def _bill_sessions(self) -> None:
        vat = self.company.vat_rate
        for session in self.sessions:
            if not session.uncovered:
                continue
            day = self.local_day(session.started_at)
            name = self.technician_names[session.technician]
            for outside, minutes, rate in session.uncovered:
                text = time_description(day, name, session.subject, outside=outside)
                line = time_line(text, minutes, rate, vat, day)
                self.billables.setdefault(session.customer_id, []).append(
                    _Billable((1, day, session.id), line, session=session)
                )

    def _invoice_quarter(self, index: int) -> None:
        """The quarter's invoices, issued on the first business day after it (P20), about one
        in a hundred cancelled by a credit note and issued again; the quarter still running
        gets a few drafts."""
        self._bill_sessions()
        quarter_end = self.months[index] + relativedelta(months=1) - _DAY
        period = (self.months[max(0, index - 2)], quarter_end)
        opening = self.calendar.next_opening(self.local(quarter_end + _DAY, time(0)))
        issue = opening + timedelta(hours=1)
        running = not self.before_end(issue + timedelta(hours=2))
        accounts = {account.id: account for account in self.accounts}
        spacing = min(timedelta(seconds=20), timedelta(hours=2) / max(1, len(self.billables)))
        cancelled: list[tuple[datetime, int, _Account, list[_Billable]]] = []
        for position, customer_id in enumerate(sorted(self.billables)):
            items = sorted(self.billables[customer_id], key=lambda item: item.order)
            account = accounts[customer_id]
            if running:
                if self.rng.random() < 0.01:
                    created = self.end - timedelta(minutes=self.rng.randrange(5, 600))
                    self._write_invoice(account, items, period, None, created)
                continue
            issued_at = issue + position * spacing
            cancel_at = issued_at + timedelta(days=self.rng.uniform(1, 20))
            cancel = self.rng.random() < 0.01 and self.before_end(cancel_at)
            invoice_id = self._write_invoice(
                account, items, period, issued_at, issued_at, cancelled=cancel
            )
            if cancel:
                cancelled.append((cancel_at, invoice_id, account, items))
        for cancel_at, invoice_id, account, items in sorted(cancelled, key=lambda c: c[:2]):
            self._write_invoice(
                account, items, period, cancel_at, cancel_at,
                kind=InvoiceKind.CREDIT_NOTE, corrects=invoice_id,
                reason="Dados do cliente errados na fatura.",
            )  # fmt: skip
            self._write_invoice(account, items, period, cancel_at, cancel_at)
        self.billables.clear()

    def _write_invoice(
        self,
        account: _Account,
        items: list[_Billable],
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
        invoice_id = self.writer.new_id(Invoice)
        lines = [item.line for item in items]
        if kind is InvoiceKind.CREDIT_NOTE:
            lines = list(credit_lines(lines))
        summed = totals(lines)
        state = InvoiceState.DRAFT
        series = "NC" if kind is InvoiceKind.CREDIT_NOTE else "FT"
        year = number = issue_date = None
        if issued_at is not None:
            state = InvoiceState.CANCELLED if cancelled else InvoiceState.ISSUED
            issue_date = self.local_day(issued_at)
            year = issue_date.year
            number = self.counters.get((series, year), 0) + 1
            self.counters[(series, year)] = number
        company = self.company
        self.writer.add(
            Invoice,
            (
                invoice_id, kind, state, series, year, number, account.id, period[0], period[1],
                issued_at, issue_date, None if issued_at is None else self.technicians[0],
                corrects, reason, account.name, account.nif, account.address, account.postcode,
                account.city, company.name, company.nif, company.address, company.postcode,
                company.city, company.iban, company.invoice_legal_mention, summed.net, summed.vat,
                summed.gross, created, self.technicians[0],
            ),
        )  # fmt: skip
        marks = state is InvoiceState.ISSUED and kind is InvoiceKind.INVOICE
        for position, (item, line) in enumerate(zip(items, lines, strict=True), start=1):
            self.writer.add(
                LineRow,
                (
                    self.writer.new_id(LineRow), invoice_id, position, line.description,
                    line.service_date, line.quantity, line.minutes, line.unit_price,
                    line.vat_rate, line.exemption, line.net, item.pack_id, item.pack_month,
                    None if item.session is None else item.session.id,
                ),
            )  # fmt: skip
            if item.session is not None and marks:
                item.session.row[17] = invoice_id
        return invoice_id

    # --- writing ------------------------------------------------------------------------------

    def _flush_quarter(self) -> None:
        for session in self.sessions:
            self.writer.add(Session, tuple(session.row))
        for grant in self.grants:
            self.writer.add(
                CompensationGrant,
                (
                    grant.id, grant.contact_id, grant.customer_id, grant.hours, grant.granted_at,
                    grant.pack_id, grant.entry_id, grant.revoked_at, grant.revoked_by,
                    grant.revoke_reason, grant.revocation_entry,
                ),
            )  # fmt: skip
        self.sessions.clear()
        self.grants.clear()
        self.writer.flush()


def fill_large_demo(
    location: str, now: datetime, progress: Progress, *, scale: float = 1.0
) -> DemoSummary:
    """Fills the open, empty database with the benchmark data (``scale`` 1: full size)."""
    require_empty(location)
    demo = LargeDemo(now, LargeSize().scaled(scale), progress)
    demo.set_up()
    demo.make_customers()
    demo.write_history()
    # Other desks refresh everything. The sweeps have nothing left to do: the tests check it.
    changes.note(Desk(ManualClock(now)), set(Topic))
    return count_rows()


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up to it."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts
