"""The small demo: one company's last two months, made through the use cases.

Every record comes from the same use case a technician would run (so every rule of POLICY.md
applies), with a manual clock walked from about nine weeks ago up to the real "now" of the
command: the open contacts' deadlines then fall in the minutes and hours after the program opens.

The story, besides the daily contacts and sessions: a 24/7 urgent call received two minutes ago
(P7), priority emails counting four business hours (P6) and one customer whose contract says two
(P18), Standard emails due at a day's close (P5), contacts without a guarantee and why (P8–P10b),
rejected ones (P10a), breached ones with their free hours (P17) and one grant revoked, sessions
across the closing time and at night (P11–P13), a session edited, one discarded and one waiting
for an administrator's review, unit packs (one expiring within 30 days), monthly packs and free
hours (P14–P16a), last month's invoices, one cancelled by a credit note, and a draft (P20).
No timer is left running: a running timer belongs to the technician at a desk.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.clock import ManualClock
from app.demo import data
from app.demo.company import (
    DemoSummary,
    add_technicians,
    add_year_end_hours,
    count_rows,
    require_empty,
    set_up_company,
)
from app.demo.timeline import Timeline
from app.domain.assignment import may_assign
from app.domain.calendar import BusinessCalendar, elapsed
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan, response_terms
from app.domain.states import InvoiceState
from app.i18n import _
from app.services import compensation, contacts, customers, invoices, packs, sessions, settings
from app.services.context import Desk
from app.services.housekeeping import run_sweeps

#: How far back the story starts.
HISTORY_DAYS = 63
#: The sweeps run at most this often while the clock walks (the window runs them every minute).
SWEEP_EVERY = timedelta(hours=6)
_MINUTE = timedelta(minutes=1)

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class _Customer:
    id: int
    spec: data.CustomerSpec
    emails: list[str]  # as a sender writes them
    phones: list[str]  # landline first, then mobile
    mobile: str


@dataclass
class _Rota:
    """Who is free when: a technician times one session at a time."""

    technicians: list[int]
    rng: random.Random
    busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)

    def book(
        self, start: datetime, span: timedelta, *, latest: datetime, prefer: int | None = None
    ) -> tuple[int, datetime] | None:
        """A technician free for ``span`` from ``start`` (or a little later, not after
        ``latest``); ``None`` when nobody is."""
        order = self.technicians[:]
        self.rng.shuffle(order)
        if prefer is not None:
            order.remove(prefer)
            order.insert(0, prefer)
        while start <= latest:
            end = start + span
            for technician in order:
                taken = self.busy.setdefault(technician, [])
                if all(end <= begun or start >= ended for begun, ended in taken):
                    taken.append((start, end))
                    return technician, start
            start += timedelta(minutes=20)
        return None


@dataclass(frozen=True)
class _Work:
    """A session planned: start, optional pause, stop; then the contact closed."""

    technician: int
    start: datetime
    stop: datetime
    pause: tuple[datetime, datetime] | None = None


class SmallDemo:
    def __init__(self, now: datetime, progress: Progress) -> None:
        self.end = now.astimezone(UTC)
        self.progress = progress
        self.rng = random.Random(data.SEED)
        self.tz = ZoneInfo(settings.settings().time_zone)
        self.today = self.end.astimezone(self.tz).date()
        self.first_day = self.today - timedelta(days=HISTORY_DAYS)
        self.clock = ManualClock(self.local(self.first_day, 8, 30))
        self.program = Desk(self.clock)
        self.timeline = Timeline(self.clock, self.end)
        self.customers: dict[str, _Customer] = {}
        # Ids and the versions last seen, as a desk keeps them between two use cases.
        self.contact_ids: dict[str, int] = {}
        self.contact_versions: dict[str, int] = {}
        self.session_ids: dict[str, int] = {}
        self.session_versions: dict[str, int] = {}
        #: Customers with something to invoice for last month.
        self.billable: set[str] = set()
        self.technicians: list[int] = []
        self.calendar: BusinessCalendar
        self.rota: _Rota
        self._swept_at: datetime | None = None
        self._serial = 0

    # --- time helpers -------------------------------------------------------------------------

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A wall-clock time of the company's zone, as a UTC instant."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz).astimezone(UTC)

    def days(self, first: date, last: date) -> Iterator[date]:
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)

    def business_days(self, first: date, last: date) -> list[date]:
        return [day for day in self.days(first, last) if self.calendar.hours_on(day)]

    def business_days_before(self, count: int) -> date:
        """The business day ``count`` business days before today."""
        found = 0
        day = self.today
        while found < count:
            day -= timedelta(days=1)
            if self.calendar.hours_on(day):
                found += 1
        return day

    def last_open_moment(self) -> datetime:
        """Now if the company is open, else the last closing time before now."""
        if self.calendar.is_open(self.end):
            return self.end
        day = self.today
        while True:
            for _opening, closing in reversed(self.calendar.hours_on(day)):
                closed = self.local(day, closing.hour, closing.minute)
                if closed <= self.end:
                    return closed
            day -= _DAY

    def open_instant(self, day: date, *, before_close: int = 30) -> datetime:
        """A random minute of ``day``'s opening hours, at least ``before_close`` min before an
        interval closes."""
        spans = []
        for opening, closing in self.calendar.hours_on(day):
            start = self.local(day, opening.hour, opening.minute)
            end = self.local(day, closing.hour, closing.minute) - before_close * _MINUTE
            if end > start:
                spans.append((start, end))
        start, end = self.rng.choice(spans)
        minutes = int(elapsed(start, end) / _MINUTE)
        return start + self.rng.randrange(minutes + 1) * _MINUTE

    def in_last_month(self, at: datetime) -> bool:
        return Month.of(self.today).previous().contains(at.astimezone(self.tz).date())

    def desk(self, technician: int) -> Desk:
        return Desk(self.clock, technician)

    @property
    def admin(self) -> Desk:
        return self.desk(self.technicians[0])

    def key(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial}"

    # --- the setup, run at once ---------------------------------------------------------------

    def set_up(self) -> None:
        self.progress(_("Company, technicians and customers…"))
        # The first administrator is named, then the company is set up at her desk.
        self.technicians = add_technicians(self.program, data.TECHNICIANS)
        set_up_company(self.admin)
        add_year_end_hours(self.admin, sorted({self.first_day.year, self.today.year}))
        self.calendar = settings.business_calendar()
        self.rota = _Rota(self.technicians, self.rng)
        nifs = data.NifMaker(self.rng)
        for spec in data.CUSTOMERS:
            self.customers[spec.key] = self._create_customer(spec, nifs)
        self._sell_old_packs()

    def _create_customer(self, spec: data.CustomerSpec, nifs: data.NifMaker) -> _Customer:
        if "@" in spec.email:
            addresses = [spec.email]
        else:
            addresses = [f"geral@{spec.email}", f"informatica@{spec.email}"]
        # As a mail program shows the sender: a name before the first address.
        emails = [f"{spec.name.split(',')[0]} <{addresses[0]}>", *addresses[1:]]
        mobile = data.mobile_number(self.rng)
        phones = [mobile]
        if spec.landline is not None:
            phones.insert(0, data.landline_number(self.rng, spec.landline))
        plan = spec.initial_plan or spec.plan
        contract = customers.make_contract_terms()
        if spec.key == "clinica":  # P18: its contract's own terms
            contract = customers.make_contract_terms(
                business_response_minutes=120,
                compensation_hours=2,
                rate_inside=Decimal("40.00"),
                rate_outside=Decimal("55.00"),
            )
        since = None
        if plan is not Plan.NONE:
            since = self.first_day - timedelta(days=self.rng.randrange(30, 900))
        created = customers.create_customer(
            self.admin,
            name=spec.name,
            nif=nifs.make(spec.company),
            plan=plan,
            plan_since=since,
            address=spec.address,
            postcode=spec.postcode,
            city=spec.city,
            anydesk=spec.anydesk,
            notes=spec.notes,
            contract=contract,
            emails=addresses,
            phones=phones,
        ).customer
        return _Customer(created.id, spec, emails, phones, mobile)

    def _sell_old_packs(self) -> None:
        """Packs bought before the story starts: monthly subscriptions and unit packs (P14, P15)."""
        monthly = {
            "farmacia": (480, "390.00", 5),
            "hotel": (480, "390.00", 3),
            "transportes": (720, "540.00", 6),
            "clinica": (240, "180.00", 4),
            "contabilidade": (360, "260.00", 2),
            "arquitetura": (240, "190.00", 5),
            "anarita": (120, "95.00", 2),
            "luis": (120, "95.00", 3),
        }
        for key, (minutes, price, months_ago) in monthly.items():
            self.billable.add(key)  # every month has its line
            first = Month.of(self.first_day).plus(-months_ago).first_day
            packs.sell_pack(
                self.admin,
                customer_id=self.customers[key].id,
                kind=PackKind.MONTHLY,
                minutes=minutes,
                price=Decimal(price),
                purchased_on=first + timedelta(days=self.rng.randrange(3, 20)),
                starts_on=first + timedelta(days=40),  # the month after the purchase
                note="Subscrição mensal",
            )
        expiring_on = self.today + timedelta(days=20)
        unit = {
            # The pack about to expire (P14): bought a year before it lapses, hours left.
            "construcoes": (1200, "800.00", expiring_on.replace(year=expiring_on.year - 1)),
            "maria": (300, "215.00", self.first_day - timedelta(days=180)),
            "imobiliaria": (600, "410.00", self.first_day - timedelta(days=95)),
        }
        for key, (minutes, price, bought) in unit.items():
            packs.sell_pack(
                self.admin,
                customer_id=self.customers[key].id,
                kind=PackKind.UNIT,
                minutes=minutes,
                price=Decimal(price),
                purchased_on=bought,
            )

    # --- planning -----------------------------------------------------------------------------

    def sender(self, customer: _Customer, channel: Channel) -> str:
        if channel in (Channel.EMAIL, Channel.PRIORITY_EMAIL):
            return self.rng.choice(customer.emails)
        if channel in (Channel.SMS, Channel.WHATSAPP):
            return customer.mobile
        return self.rng.choice(customer.phones)

    def plan_contact(
        self,
        key: str,
        customer: _Customer | None,
        channel: Channel,
        received: datetime,
        *,
        sender: str | None = None,
        subject: str | None = None,
        registered_by: int | None = None,
        customer_id: int | None = None,
    ) -> None:
        """A contact received at ``received`` (through ``register_contact``, terms frozen)."""
        if sender is None:
            assert customer is not None
            sender = self.sender(customer, channel)
        text = subject or self.rng.choice(data.SUBJECTS)
        by = registered_by or self.rng.choice(self.technicians)

        def receive() -> None:
            result = contacts.register_contact(
                self.desk(by),
                channel=channel,
                sender=sender,
                subject=text,
                customer_id=customer_id,
            )
            made = result.contact
            if made.id % 2 == 0 and may_assign(made.state):
                # Half the contacts taken on by who recorded them (issue 14: "Os meus"); the
                # others get a technician when a session starts on them. Chosen by id, not by
                # the random generator, so that the rest of the demo stays as it was.
                made = contacts.assign_technician(self.desk(by), made.id, made.version, by).contact
            self.contact_ids[key] = made.id
            self.contact_versions[key] = made.version

        self.timeline.at(received, receive)

    def plan_response(self, key: str, at: datetime, technician: int) -> None:
        def respond() -> None:
            result = contacts.record_first_response(
                self.desk(technician), self.contact_ids[key], self.contact_versions[key]
            )
            self.contact_versions[key] = result.contact.version

        self.timeline.at(at, respond)

    def plan_close(self, key: str, at: datetime, technician: int) -> None:
        def close() -> None:
            result = contacts.close_contact(
                self.desk(technician), self.contact_ids[key], self.contact_versions[key]
            )
            self.contact_versions[key] = result.contact.version

        self.timeline.at(at, close)

    def plan_session(
        self,
        work: _Work,
        *,
        customer: _Customer,
        contact_key: str | None = None,
        note: str = "",
        key: str | None = None,
        discard: bool = False,
    ) -> str:
        """Start, maybe pause and resume, and stop (or ``discard``): each at its instant, by its
        technician."""
        key = key or self.key("session")
        desk = self.desk(work.technician)
        if not discard and self.in_last_month(work.start):
            self.billable.add(customer.spec.key)

        def start() -> None:
            started = sessions.start_session(
                desk,
                contact_id=None if contact_key is None else self.contact_ids[contact_key],
                customer_id=customer.id,
                note=note,
            )
            self.session_ids[key] = started.id
            self.session_versions[key] = started.version
            if contact_key is not None:  # a contact without a technician just got one
                done = contacts.contact(self.contact_ids[contact_key])
                self.contact_versions[contact_key] = done.version

        def step(
            use_case: Callable[[Desk, int, int], sessions.SessionRecord],
        ) -> Callable[[], None]:
            def run() -> None:
                done = use_case(desk, self.session_ids[key], self.session_versions[key])
                self.session_versions[key] = done.version

            return run

        self.timeline.at(work.start, start)
        if work.pause is not None:
            self.timeline.at(work.pause[0], step(sessions.pause_session))
            self.timeline.at(work.pause[1], step(sessions.resume_session))
        self.timeline.at(
            work.stop, step(sessions.discard_session if discard else sessions.stop_session)
        )
        return key

    def book_fixed(self, start: datetime, stop: datetime) -> _Work:
        """A session from ``start`` to ``stop`` (moved later if nobody is free at once)."""
        booked = self.rota.book(start, stop - start, latest=start + timedelta(hours=2))
        if booked is None:
            raise RuntimeError("the demo found no technician free for a planned session")
        technician, begun = booked
        return _Work(technician, begun, begun + (stop - start))

    def book_work(self, start: datetime, minutes: int, *, until: datetime) -> _Work | None:
        """A session of ``minutes`` of work from about ``start``, ending by ``until``, with a
        pause now and then."""
        pause = None
        span = timedelta(minutes=minutes)
        if minutes >= 45 and self.rng.random() < 0.2:
            pause = timedelta(minutes=self.rng.randrange(10, 26))
        total = span + (pause or timedelta(0))
        booked = self.rota.book(start, total, latest=until - total)
        if booked is None:
            return None
        technician, begun = booked
        if pause is None:
            return _Work(technician, begun, begun + span)
        paused = begun + span * 2 / 5
        return _Work(technician, begun, begun + span + pause, (paused, paused + pause))

    # --- the days of the story ----------------------------------------------------------------

    def plan_history(self) -> None:
        """Every business day until yesterday: a few contacts, answered, worked on and closed the
        same day."""
        archived_on = self.today - timedelta(days=12)
        plan_changed_on = self.first_day + timedelta(days=20)
        for day in self.business_days(self.first_day + timedelta(days=1), self.today - _DAY):
            for _number in range(self.rng.choice((1, 1, 2, 2, 3))):
                chosen = self.rng.choice(list(self.customers.values()))
                if chosen.spec.key == "papelaria" and day >= archived_on:
                    continue
                plan = chosen.spec.plan
                if chosen.spec.key == "catarina" and day < plan_changed_on:
                    plan = Plan.NONE
                self._plan_ordinary_day(chosen, plan, day)
        self.timeline.at(
            self.local(plan_changed_on, 9, 40), self._change_plan("catarina", Plan.STANDARD)
        )
        self.timeline.at(self.local(archived_on, 10, 5), self._archive("papelaria"))

    def _plan_ordinary_day(self, customer: _Customer, plan: Plan, day: date) -> None:
        channel = self._channel(plan)
        received = self.open_instant(day, before_close=40)
        delay = self._response_delay(channel, plan)
        responded = received + delay
        if responded.astimezone(self.tz).hour >= 19:
            responded = received + self.rng.randrange(5, 21) * _MINUTE
        key = self.key("contact")
        technician = self.rng.choice(self.technicians)
        self.plan_contact(key, customer, channel, received)
        work = None
        if self.rng.random() < 0.8:
            minutes = self.rng.choice((15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 90))
            start = responded + self.rng.randrange(3, 26) * _MINUTE
            # Work is done in business hours (P4): in the morning's or the afternoon's hours.
            for opening, closing in self.calendar.hours_on(day):
                begins = max(start, self.local(day, opening.hour, opening.minute))
                ends = self.local(day, closing.hour, closing.minute)
                work = self.book_work(begins, minutes, until=ends)
                if work is not None:
                    break
        if work is not None:
            technician = work.technician
            self.plan_session(work, customer=customer, contact_key=key)
            closed = work.stop + self.rng.randrange(3, 21) * _MINUTE
        else:
            closed = responded + self.rng.randrange(15, 91) * _MINUTE
        self.plan_response(key, responded, technician)
        self.plan_close(key, closed, technician)

    def _channel(self, plan: Plan) -> Channel:
        choices = {
            Plan.PRIORITY_24_7: (Channel.PRIORITY_PHONE,) * 5
            + (Channel.PRIORITY_EMAIL,) * 4
            + (Channel.WHATSAPP,),
            Plan.PRIORITY: (Channel.PRIORITY_EMAIL,) * 12
            + (Channel.PRIORITY_PHONE,) * 5
            + (Channel.EMAIL,) * 2
            + (Channel.SMS,),
            Plan.STANDARD: (Channel.EMAIL,) * 13 + (Channel.PHONE,) * 6 + (Channel.WHATSAPP,),
            Plan.NONE: (Channel.EMAIL,) * 6 + (Channel.PHONE,) * 3 + (Channel.SMS,),
        }
        return self.rng.choice(choices[plan])

    def _response_delay(self, channel: Channel, plan: Plan) -> timedelta:
        if channel is Channel.PRIORITY_PHONE and plan is Plan.PRIORITY_24_7:
            return self.rng.randrange(1, 4) * _MINUTE  # within P7's five minutes
        if channel in (Channel.PRIORITY_PHONE, Channel.PHONE):
            return self.rng.randrange(2, 41) * _MINUTE
        if channel is Channel.PRIORITY_EMAIL:
            return self.rng.randrange(10, 121) * _MINUTE
        return self.rng.randrange(15, 241) * _MINUTE

    def _change_plan(self, key: str, plan: Plan) -> Callable[[], None]:
        def change() -> None:
            record = customers.customer(self.customers[key].id)
            customers.change_plan(self.admin, record.id, record.version, plan)

        return change

    def _archive(self, key: str) -> Callable[[], None]:
        def archive() -> None:
            record = customers.customer(self.customers[key].id)
            customers.archive_customer(self.admin, record.id, record.version)

        return archive

    # --- the stories worth telling ------------------------------------------------------------

    def plan_worked_call(
        self,
        key: str,
        customer: _Customer,
        channel: Channel,
        received: datetime,
        *,
        work: tuple[datetime, datetime],
        subject: str,
    ) -> None:
        """A contact answered a few minutes before its session starts, closed just after."""
        booked = self.book_fixed(*work)
        self.plan_contact(key, customer, channel, received, subject=subject)
        answered = min(received + 12 * _MINUTE, booked.start - 3 * _MINUTE)
        self.plan_response(key, max(answered, received + _MINUTE), booked.technician)
        self.plan_session(booked, customer=customer, contact_key=key)
        self.plan_close(key, booked.stop + 6 * _MINUTE, booked.technician)

    def plan_special_days(self) -> None:
        """Nights, weekends, the closing time, late responses, reviews and corrections."""
        self._plan_out_of_hours()
        self._plan_session_mishaps()
        self._plan_revoked_grant()
        self._plan_pack_sales()

    def _last_month_days(self) -> list[date]:
        last_month = Month.of(self.today).previous()
        return self.business_days(last_month.first_day, last_month.last_day)

    def _plan_out_of_hours(self) -> None:
        c = self.customers
        # P7 answered late at night: the 24/7 pharmacy's call answered after 12 minutes → 2 h.
        late = self.today - timedelta(days=9)
        self.plan_worked_call(
            "late_call",
            c["farmacia"],
            Channel.PRIORITY_PHONE,
            self.local(late, 20, 30),
            work=(self.local(late, 20, 45), self.local(late, 21, 22)),
            subject="Servidor de receituário não arranca depois de um corte de luz",
        )
        # P11/P12 at night: the hotel's reservations server, worked on from 21:10 (outside).
        evening = self.today - timedelta(days=18)
        self.plan_worked_call(
            "hotel_night",
            c["hotel"],
            Channel.PRIORITY_PHONE,
            self.local(evening, 21, 2),
            work=(self.local(evening, 21, 10), self.local(evening, 21, 58)),
            subject="Sistema de reservas não abre na receção",
        )
        # A Saturday for the 24/7 haulier: the weekend is outside business hours (P4).
        saturday = self.today - timedelta(days=(self.today.weekday() - 5) % 7 or 7)
        if saturday == self.today - _DAY:
            saturday -= timedelta(days=7)
        self.plan_worked_call(
            "saturday",
            c["transportes"],
            Channel.PRIORITY_PHONE,
            self.local(saturday, 10, 12),
            work=(self.local(saturday, 10, 20), self.local(saturday, 11, 5)),
            subject="Terminais do armazém sem ligação ao servidor",
        )
        # P12's example, for a Standard customer without packs: 17:50–18:20 last month.
        days = self._last_month_days()
        day = days[min(2, len(days) - 1)]
        close_time = self.calendar.hours_on(day)[-1][1]
        closing = self.local(day, close_time.hour, close_time.minute)
        self.plan_worked_call(
            "closing",
            c["restaurante"],
            Channel.PHONE,
            closing - 40 * _MINUTE,
            work=(closing - 10 * _MINUTE, closing + 20 * _MINUTE),
            subject="Impressora da cozinha não recebe os pedidos",
        )

    def _plan_session_mishaps(self) -> None:
        c = self.customers
        recent = self.business_days(self.today - timedelta(days=16), self.today - 3 * _DAY)
        # A timer left running overnight: stopped the next morning, flagged for review.
        day = recent[len(recent) // 2]
        work = self.book_fixed(self.local(day, 16, 40), self.local(day + _DAY, 8, 52))
        self.plan_session(
            work,
            customer=c["escola"],
            note="Configuração do portátil novo da secretaria",
            key="forgotten",
        )
        # A session started for the wrong customer, discarded three minutes later.
        work = self.book_fixed(self.local(recent[0], 15, 0), self.local(recent[0], 15, 3))
        self.plan_session(work, customer=c["helena"], key="mistake", discard=True)
        # A session whose end was typed wrong, corrected ten minutes after it was billed.
        work = self.book_fixed(self.local(recent[-1], 10, 0), self.local(recent[-1], 11, 10))
        key = self.plan_session(
            work, customer=c["maria"], note="Migração da caixa de correio", key="edited"
        )
        fixed = (work.start, work.stop - 25 * _MINUTE)
        self.timeline.at(work.stop + 10 * _MINUTE, self._edit(key, work.technician, [fixed]))

    def _plan_revoked_grant(self) -> None:
        """A Standard email nobody answered in time: the sweep grants 1 h (P17), and an
        administrator revokes it the next morning, with the reason."""
        days = self._last_month_days()
        missed = days[min(5, len(days) - 1)]
        self.plan_contact(
            "revoked",
            self.customers["construcoes"],
            Channel.EMAIL,
            self.local(missed, 11, 20),
            subject="Orçamento para cablagem do novo escritório (sem urgência)",
        )
        # The second business day after: past the close of the first, its deadline (P5).
        after = self.business_days(missed + _DAY, missed + 10 * _DAY)[1]
        self.plan_response("revoked", self.local(after, 9, 15), self.technicians[0])
        self.plan_close("revoked", self.local(after, 9, 45), self.technicians[0])
        self.timeline.at(self.local(after, 10, 0), self._revoke("revoked"))

    def _plan_pack_sales(self) -> None:
        """Packs bought last month, invoiced with it (P14, P15, P20)."""
        days = self._last_month_days()
        for key, minutes, price, index in (
            ("padaria", 300, "215.00", 4),
            ("ruipedro", 600, "410.00", 10),
            ("associacao", 300, "215.00", 14),
        ):
            day = days[min(index, len(days) - 1)]
            self.billable.add(key)
            self.timeline.at(
                self.local(day, 11, 30), self._sell(key, PackKind.UNIT, minutes, price)
            )
        self.billable.add("otica")
        self.timeline.at(
            self.local(days[0], 11, 0), self._sell("otica", PackKind.MONTHLY, 240, "190.00")
        )

    def _edit(
        self, key: str, technician: int, intervals: list[tuple[datetime, datetime]]
    ) -> Callable[[], None]:
        def edit() -> None:
            done = sessions.edit_session(
                self.desk(technician),
                self.session_ids[key],
                self.session_versions[key],
                intervals=intervals,
            )
            self.session_versions[key] = done.version

        return edit

    def _revoke(self, key: str) -> Callable[[], None]:
        def revoke() -> None:
            grant = compensation.grant_for_contact(self.contact_ids[key])
            if grant is None:
                raise RuntimeError("the demo expected a compensation to revoke")
            compensation.revoke_grant(
                self.admin,
                grant.id,
                "O cliente pediu o orçamento sem urgência: não houve prejuízo.",
                version=grant.version,
            )

        return revoke

    def _sell(self, key: str, kind: PackKind, minutes: int, price: str) -> Callable[[], None]:
        def sell() -> None:
            packs.sell_pack(
                self.admin,
                customer_id=self.customers[key].id,
                kind=kind,
                minutes=minutes,
                price=Decimal(price),
            )

        return sell

    # --- the contacts waiting now -------------------------------------------------------------

    def received_for(self, customer: _Customer, channel: Channel, wanted: timedelta) -> datetime:
        """When a contact must have been received for its deadline to fall about ``wanted``
        after now: the domain's own terms (P5–P7, P18) for candidate receipt times."""
        record = customers.customer(customer.id)
        best: tuple[timedelta, datetime] | None = None
        jitter = self.rng.randrange(5) * _MINUTE
        for step in range(1, 7 * 24 * 12):
            received = self.end - step * 5 * _MINUTE - jitter
            terms = response_terms(
                record.plan, channel, received, True, self.calendar, contract=record.contract
            )
            if terms.deadline is None:
                raise ValueError(f"no deadline for {channel} of {customer.spec.key}")
            left = elapsed(self.end, terms.deadline)
            if left > 2 * _MINUTE and (best is None or abs(left - wanted) < best[0]):
                best = (abs(left - wanted), received)
        if best is None:
            raise ValueError("no receipt time gives a deadline ahead")
        return best[1]

    def plan_waiting(self) -> None:
        """The queue the program opens on: deadlines in the next minutes and hours."""
        c = self.customers
        now = self.end
        # People write and call in the day: the last moment the company was open.
        day_time = self.last_open_moment()
        # P7: the 24/7 line, two minutes ago: three minutes left.
        self.plan_contact(
            "urgent",
            c["farmacia"],
            Channel.PRIORITY_PHONE,
            now - 2 * _MINUTE,
            subject="Sistema de receituário em baixo: não consegue dispensar receitas",
        )
        waiting = (
            ("hotel", Channel.PRIORITY_EMAIL, 50, "Wi-Fi dos hóspedes sem acesso no 3.º piso"),
            ("clinica", Channel.PRIORITY_EMAIL, 90, "Software de radiografias não abre"),
            ("contabilidade", Channel.PRIORITY_EMAIL, 180, None),
            ("maria", Channel.EMAIL, 120, None),
            ("padaria", Channel.EMAIL, 360, None),
            ("escola", Channel.PHONE, 20 * 60, None),
        )
        for key, channel, minutes, subject in waiting:
            received = self.received_for(c[key], channel, timedelta(minutes=minutes))
            self.plan_contact(self.key("waiting"), c[key], channel, received, subject=subject)
        # Served without a guarantee, each for its reason (P8, P9, P10, P10a).
        self.plan_contact("no_plan", c["lavandaria"], Channel.EMAIL, day_time - 40 * _MINUTE)
        self.plan_contact("public", c["otica"], Channel.EMAIL, day_time - 3 * timedelta(hours=1))
        self.plan_contact(
            "unregistered",
            c["quinta"],
            Channel.EMAIL,
            day_time - 2 * timedelta(hours=1),
            sender="Tesouraria Vale Verde <tesouraria.valeverde@gmail.com>",
            customer_id=c["quinta"].id,
            subject="Segunda via da fatura do mês passado",
        )
        self.plan_contact(
            "sms",
            c["luis"],
            Channel.SMS,
            day_time - 25 * _MINUTE,
            subject="Pode ligar-me depois das 18h?",
        )
        self.plan_contact("whatsapp", c["anarita"], Channel.WHATSAPP, day_time - 70 * _MINUTE)
        self.plan_contact(
            "social",
            None,
            Channel.SOCIAL,
            day_time - 5 * timedelta(hours=1),
            sender="Facebook — Restaurante O Pescador",
            customer_id=c["restaurante"].id,
            subject="Mensagem na página: o site está em baixo?",
        )
        self.plan_contact(
            "visit",
            None,
            Channel.OTHER,
            self.local(self.business_days_before(1), 16, 30),
            sender="Visita ao escritório — Sr. Joaquim",
            customer_id=c["associacao"].id,
            subject="Trouxe o portátil da biblioteca para arranjar",
        )
        # Breached and still waiting: the sweep grants their free hours (P17).
        day = self.business_days_before(3)
        self.plan_contact(
            "breached_standard", c["imobiliaria"], Channel.EMAIL, self.local(day, 11, 20)
        )
        day = self.business_days_before(2)
        self.plan_contact(
            "breached_priority", c["arquitetura"], Channel.PRIORITY_EMAIL, self.local(day, 10, 5)
        )
        # Answered, work still going on.
        day = self.business_days_before(1)
        self.plan_contact("answered", c["viagens"], Channel.EMAIL, self.local(day, 10, 30))
        self.plan_response("answered", self.local(day, 11, 15), self.technicians[1])
        self.plan_contact(
            "answered_priority",
            c["transportes"],
            Channel.PRIORITY_EMAIL,
            self.local(day, 15, 10),
            subject="Relatórios do GPS não chegam por email",
        )
        booked = self.book_work(self.local(day, 15, 45), 40, until=self.local(day, 18, 0))
        technician = booked.technician if booked else self.technicians[3]
        self.plan_response("answered_priority", self.local(day, 15, 40), technician)
        if booked is not None:
            self.plan_session(booked, customer=c["transportes"], contact_key="answered_priority")
        # P10a: dedicated channels from senders not registered for a priority plan.
        self.plan_contact(
            "rejected_unknown",
            None,
            Channel.PRIORITY_EMAIL,
            day_time - 4 * timedelta(hours=1),
            sender="João Santos <joao.santos1987@gmail.com>",
            subject="Preciso de ajuda com o meu computador",
        )
        self.plan_contact(
            "rejected_standard",
            c["padaria"],
            Channel.PRIORITY_PHONE,
            now - 30 * timedelta(hours=1),
            sender=c["padaria"].phones[0],
        )

    # --- invoices -----------------------------------------------------------------------------

    def plan_invoices(self) -> None:
        """Last month invoiced at the start of this one (P20); one invoice cancelled by a credit
        note and issued again; a draft for this month."""
        month_start = self.local(Month.of(self.today).first_day, 0, 0)
        opening = self.calendar.next_opening(month_start) + timedelta(hours=1)
        latest = self.end - 20 * _MINUTE
        issue_at = opening if opening < latest else month_start + (self.end - month_start) * 0.3
        cancel_at = issue_at + timedelta(hours=26)
        if cancel_at > self.end - 10 * _MINUTE:
            cancel_at = issue_at + (self.end - issue_at) * 0.5
        draft_at = max(self.end - 5 * _MINUTE, cancel_at + (self.end - cancel_at) * 0.5)
        last_month = Month.of(self.today).previous()
        period = (last_month.first_day, last_month.last_day)
        # Those with something to bill: a session last month, or a pack (monthly ones every
        # month); the others would give empty drafts.
        billed = sorted(
            (self.customers[key] for key in self.billable), key=lambda customer: customer.id
        )
        spacing = min(timedelta(seconds=30), (cancel_at - issue_at) / (len(billed) + 1))
        for position, customer in enumerate(billed):
            self.timeline.at(issue_at + position * spacing, self._invoice(customer, *period))
        self.timeline.at(cancel_at, self._cancel_and_reissue(self.customers["restaurante"], period))
        self.timeline.at(draft_at, self._draft(self.customers["quinta"]))

    def _invoice(self, customer: _Customer, start: date, end: date) -> Callable[[], None]:
        def invoice() -> None:
            draft = invoices.draft_invoice(
                self.admin, customer_id=customer.id, period_start=start, period_end=end
            )
            if draft.lines:
                invoices.issue_invoice(self.admin, draft.id, draft.version)
            else:
                invoices.delete_draft(self.admin, draft.id, draft.version)

        return invoice

    def _cancel_and_reissue(
        self, customer: _Customer, period: tuple[date, date]
    ) -> Callable[[], None]:
        def cancel() -> None:
            issued = [
                row
                for row in invoices.invoices(customer_id=customer.id, state=InvoiceState.ISSUED)
                if row.period_start == period[0]
            ]
            if not issued:
                return
            record = customers.customer(customer.id)
            customers.update_customer(
                self.admin, record.id, record.version, address="Avenida Marginal, 7 A"
            )
            wrong = invoices.invoice(issued[0].id)
            invoices.cancel_invoice(
                self.admin,
                wrong.id,
                wrong.version,
                reason="Morada do cliente errada (falta o «A» do número de porta).",
            )
            self._invoice(customer, *period)()

        return cancel

    def _draft(self, customer: _Customer) -> Callable[[], None]:
        def draft() -> None:
            made = invoices.draft_invoice(
                self.admin,
                customer_id=customer.id,
                period_start=Month.of(self.today).first_day,
                period_end=self.today,
            )
            invoices.add_line(
                self.admin,
                made.id,
                made.version,
                description="Deslocação às instalações do cliente",
                quantity=Decimal(1),
                unit_price=Decimal("35.00"),
                service_date=self.today,
            )

        return draft

    # --- playing it ---------------------------------------------------------------------------

    def sweep(self, at: datetime) -> None:
        """What the window does every minute: grants, allotments, expiries."""
        if self._swept_at is None or at - self._swept_at >= SWEEP_EVERY:
            run_sweeps(self.program)
            self._swept_at = at

    def play(self) -> None:
        self.progress(_("Two months of contacts, sessions and packs…"))
        self.timeline.play(self.sweep)
        self.clock.set(self.end)
        run_sweeps(self.program, thorough=True)


_DAY = timedelta(days=1)


def fill_small_demo(location: str, now: datetime, progress: Progress = _quiet) -> DemoSummary:
    """Fills the open, empty database with the small demo, its clock ending at ``now``."""
    require_empty(location)
    demo = SmallDemo(now, progress)
    demo.set_up()
    demo.plan_history()
    demo.plan_special_days()
    demo.plan_waiting()
    demo.plan_invoices()
    demo.play()
    return count_rows()
