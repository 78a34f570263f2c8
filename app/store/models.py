"""Every record the program keeps, as peewee models bound to ``app.store.database.db``.

Conventions, for every model:
- ``id`` is an integer key. ``created_at`` and every other instant are UTC (``UTCDateTimeField``),
  always given by the caller from the injected clock: no column defaults to "now".
- Money is a ``Decimal`` with cents (``MoneyField``); durations are whole minutes (``*_minutes``)
  or, for measured time, seconds (``*_seconds``); calendar dates are ``date``.
- ``created_by`` and the like point at a ``Technician``; ``None`` means the program itself (an
  automatic compensation, a migration, the demo).
- Versioned records (``VersionedModel``) are saved with ``save_versioned``; the ledger is
  append-only. See ``app.store.base``.
- Records are archived or cancelled, not deleted, once anything refers to them: foreign keys
  refuse a delete that would orphan a row, except child rows that go with their parent (an
  invoice's lines, a session's intervals, a customer's emails and phones).

Schema changes: edit the model *and* add a migration (``app.store.migrations``); a test checks that
the migrated schema matches these models on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from peewee import (
    SQL,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.domain.calendar import DEFAULT_WEEKLY, BusinessCalendar
from app.domain.contract import ContractTerms
from app.domain.intake import Security
from app.domain.packs import PackKind
from app.domain.responses import CorrectionKind
from app.domain.sla import Channel, Plan, Reason
from app.domain.states import (
    AddressKind,
    ContactState,
    Direction,
    IntakeLogKind,
    InvoiceKind,
    InvoiceState,
    LedgerKind,
    SessionState,
)
from app.i18n import _
from app.store.base import AppendOnlyModel, BaseModel, VersionedModel, is_new
from app.store.fields import (
    EnumField,
    MoneyField,
    OpeningHoursField,
    QuantityField,
    RateField,
    StringListField,
    UTCDateTimeField,
    WeeklyHours,
    WeeklyHoursField,
)

#: The single row of ``CompanySettings``.
SETTINGS_ID = 1
DEFAULT_VAT_RATE = Decimal("0.23")  # P21, mainland Portugal
DEFAULT_TIME_ZONE = "Europe/Lisbon"  # P1


def _default_weekly() -> WeeklyHours:
    return {day: list(hours) for day, hours in DEFAULT_WEEKLY.items()}


# --- people and the company -----------------------------------------------------------------------


class Technician(VersionedModel):
    name = CharField(unique=True)
    active = BooleanField(default=True)
    is_admin = BooleanField(default=False)  # may revoke compensations, edit settings
    created_at = UTCDateTimeField()


class CompanySettings(VersionedModel):
    """The company's own data and the policy's settings; one row, ``id = 1``, made by migration 1.

    Business hours (P1) are the weekly schedule in ``weekly_hours``; the exceptions of P2 are the
    Portuguese holidays (``holiday_district`` for the municipal one, ``closed_optional_days``) and
    the ``CompanyException`` rows.
    """

    name = CharField(default="")
    nif = CharField(max_length=32, null=True)  # normalised (validation.normalize_nif)
    address = TextField(default="")
    postcode = CharField(max_length=16, default="")
    city = CharField(default="")
    email = CharField(default="")
    phone = CharField(max_length=32, default="")
    iban = CharField(max_length=42, default="")
    vat_rate = RateField(default=DEFAULT_VAT_RATE)  # P21: 0.23, 0.22 Madeira, 0.16 Azores
    #: P16a: hourly rates for time no pack covers; outside ``None`` = the same as inside.
    rate_inside = MoneyField(default=Decimal("0.00"))
    rate_outside = MoneyField(null=True)
    inside_block_minutes = IntegerField(default=15)  # P11
    outside_block_minutes = IntegerField(default=30)  # P11
    weekly_hours = WeeklyHoursField(default=_default_weekly)  # P1
    #: P2: a district code of the ``holidays`` package (e.g. "11" Lisboa) for its municipal
    #: holiday; ``None``: national holidays only.
    holiday_district = CharField(max_length=8, null=True)
    #: P2: keys of ``calendar.OPTIONAL_DAYS`` the company closes on (carnival, christmas_eve…).
    closed_optional_days = StringListField(default=list)
    time_zone = CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    invoice_series = CharField(max_length=16, default="FT")
    credit_note_series = CharField(max_length=16, default="NC")
    invoice_legal_mention = TextField(default="")  # printed at the foot of every invoice
    #: Sessions longer than this are flagged for an administrator's review.
    session_review_hours = IntegerField(default=10)
    anydesk_path = CharField(max_length=1024, default="")

    class Meta:
        constraints = (SQL(f"CHECK (id = {SETTINGS_ID})"),)

    @classmethod
    def current(cls) -> CompanySettings:
        return cls.get_by_id(SETTINGS_ID)

    def calendar(self) -> BusinessCalendar:
        """The business calendar these settings and the company exceptions describe (P1, P2)."""
        special = {row.day: row.hours for row in CompanyException.select()}
        return BusinessCalendar.portugal(
            weekly=self.weekly_hours,
            municipality=self.holiday_district,
            special=special,
            optional=self.closed_optional_days,
            tz=self.time_zone,
        )


class CompanyException(VersionedModel):
    """P2: a date the company is closed (``hours == []``) or keeps special hours."""

    day = DateField(unique=True)
    hours = OpeningHoursField(default=list)
    note = CharField(default="")


# --- customers ------------------------------------------------------------------------------------


class Customer(VersionedModel):
    name = CharField(index=True)
    #: Normalised NIF; unique when present. Store ``None``, never "", for "no NIF".
    nif = CharField(max_length=32, null=True, unique=True, constraints=[SQL("CHECK (nif <> '')")])
    address = TextField(default="")
    postcode = CharField(max_length=16, default="")
    city = CharField(default="")
    country = CharField(max_length=2, default="PT")  # ISO 3166-1 alpha-2
    plan = EnumField(Plan, default=Plan.NONE)
    plan_since = DateField(null=True)
    anydesk = CharField(max_length=64, default="")  # the customer's AnyDesk address
    notes = TextField(default="")
    archived = BooleanField(default=False)
    # P18: the contract's own terms; None = the plan default or the company's setting.
    next_business_days = IntegerField(null=True)
    business_response_minutes = IntegerField(null=True)
    urgent_response_minutes = IntegerField(null=True)
    compensation_hours = IntegerField(null=True)
    inside_block_minutes = IntegerField(null=True)
    outside_block_minutes = IntegerField(null=True)
    rate_inside = MoneyField(null=True)
    rate_outside = MoneyField(null=True)
    created_at = UTCDateTimeField()

    def contract_terms(self) -> ContractTerms:
        """The P18 overrides as the domain takes them."""

        def minutes(value: int | None) -> timedelta | None:
            return None if value is None else timedelta(minutes=value)

        return ContractTerms(
            next_business_days=self.next_business_days,
            business_response=minutes(self.business_response_minutes),
            urgent_response=minutes(self.urgent_response_minutes),
            compensation_hours=self.compensation_hours,
            inside_block=minutes(self.inside_block_minutes),
            outside_block=minutes(self.outside_block_minutes),
            rate_inside=self.rate_inside,
            rate_outside=self.rate_outside,
        )


class CustomerEmail(BaseModel):
    """An email address registered in the customer's record (P9). One customer per address."""

    customer = ForeignKeyField(Customer, backref="emails", on_delete="CASCADE")
    email = CharField(unique=True)  # normalised (validation.normalize_email)
    label = CharField(default="")  # who it is, e.g. "Joana, contabilidade"
    customer_id: int


class CustomerPhone(BaseModel):
    """A phone number registered in the customer's record (P9). One customer per number."""

    customer = ForeignKeyField(Customer, backref="phones", on_delete="CASCADE")
    number = CharField(max_length=32, unique=True)  # normalised E.164 (validation.normalize_phone)
    label = CharField(default="")
    customer_id: int


# --- contacts -------------------------------------------------------------------------------------


class Contact(VersionedModel):
    """A request for support (a ticket, an email, a call) with the terms frozen at receipt (P19).

    ``plan_at_receipt``, ``registered``, ``guaranteed``, ``deadline``, ``target``, ``reason``,
    ``urgent`` and ``compensation_hours`` are computed once, when the contact is recorded, and
    never recomputed: later edits of the customer do not rewrite history.
    """

    customer = ForeignKeyField(Customer, backref="contacts", null=True)  # None: unknown sender
    channel = EnumField(Channel)
    sender_raw = CharField(default="")  # as received
    sender_normalised = CharField(null=True, index=True)  # None when it could not be read
    received_at = UTCDateTimeField(index=True)
    subject = CharField(max_length=500, default="")
    notes = TextField(default="")
    # P19: the terms in force at receipt.
    plan_at_receipt = EnumField(Plan)
    registered = BooleanField()  # P9: the sender was in the customer's record
    guaranteed = BooleanField()
    deadline = UTCDateTimeField(null=True)  # the guarantee's deadline, if any
    target = UTCDateTimeField(null=True)  # P8's indicative target, if any
    reason = EnumField(Reason)  # P10b
    urgent = BooleanField(default=False)  # the 5-minute line of P7
    compensation_hours = IntegerField(default=0)  # P17: what a missed guarantee grants
    first_response_at = UTCDateTimeField(null=True)
    first_response_by = ForeignKeyField(Technician, null=True, backref="+")
    state = EnumField(ContactState, default=ContactState.OPEN)
    closed_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()
    created_by = ForeignKeyField(Technician, null=True, backref="+")
    # Who looks after it (migration 12): assigned in its window, or by starting a session on it.
    technician = ForeignKeyField(Technician, null=True, backref="+", index=False)
    customer_id: int | None
    first_response_by_id: int | None
    created_by_id: int | None
    technician_id: int | None

    class Meta:
        indexes = (
            (("state", "deadline"), False),  # the queue, by time left
            (("state", "target"), False),
            (("customer", "received_at"), False),  # a customer's history
            (("technician", "state"), False),  # "Os meus": a technician's contacts in the queue
        )


#: The contacts answered late or not at all (migration 4): the compensation sweep at start reads
#: these few instead of every contact whose deadline has passed.
Contact.add_index(
    Contact.index(
        Contact.deadline,
        where=SQL("first_response_at IS NULL OR first_response_at > deadline"),
        name="contact_late_deadline",
    )
)


# --- packs ----------------------------------------------------------------------------------------


class Pack(VersionedModel):
    """Hours a customer has: a unit pack (P14), a monthly subscription (P15) or free hours (P16).

    - unit: ``minutes`` bought on ``purchased_on``, usable from ``starts_on`` to ``valid_until``.
    - monthly: ``minutes`` for each month from ``starts_on`` (the first day of the first month) to
      ``last_month`` (the first day of the last month; ``None`` while the subscription runs).
    - free: ``minutes`` granted by a compensation (``price`` 0), never expiring.

    Its balance is the sum of its ledger entries (for a monthly pack, per ``LedgerEntry.month``).
    Invoiced through ``InvoiceLine.pack`` (and ``pack_month`` for each month of a monthly pack).
    """

    customer = ForeignKeyField(Customer, backref="packs")
    kind = EnumField(PackKind)
    minutes = IntegerField()  # for a monthly pack: per month
    price = MoneyField(default=Decimal("0.00"))  # net, per month for a monthly pack
    purchased_on = DateField()
    starts_on = DateField()
    valid_until = DateField(null=True)  # unit: last usable day, inclusive (P14)
    last_month = DateField(null=True)  # monthly: first day of the last month
    note = CharField(default="")
    created_at = UTCDateTimeField()
    created_by = ForeignKeyField(Technician, null=True, backref="+")
    customer_id: int
    created_by_id: int | None

    class Meta:
        indexes = (
            (("customer", "kind"), False),
            # The sweeps: unit packs by last day, monthly packs by months (covering, no row read).
            (("kind", "valid_until", "starts_on", "last_month"), False),
        )


# --- invoices -------------------------------------------------------------------------------------


class Invoice(VersionedModel):
    """An invoice or a credit note (P20–P22). A draft has no number; issuing gives it the next
    number of its series and year (``InvoiceCounter``), fills the snapshots and freezes it.

    The supplier's and the customer's data are copied at issue, so the document reads the same
    forever whatever is edited later.
    """

    kind = EnumField(InvoiceKind, default=InvoiceKind.INVOICE)
    state = EnumField(InvoiceState, default=InvoiceState.DRAFT)
    series = CharField(max_length=16)
    year = IntegerField(null=True)  # set at issue
    number = IntegerField(null=True)  # set at issue: unbroken per series and year
    customer = ForeignKeyField(Customer, backref="invoices")
    period_start = DateField(null=True)  # the period billed
    period_end = DateField(null=True)
    issued_at = UTCDateTimeField(null=True)
    issue_date = DateField(null=True)  # the date printed, in the company's time zone
    issued_by = ForeignKeyField(Technician, null=True, backref="+")
    corrects = ForeignKeyField("self", null=True, backref="corrections")  # for a credit note
    correction_reason = TextField(default="")
    # Snapshots, filled at issue.
    customer_name = CharField(default="")
    customer_nif = CharField(max_length=32, null=True)
    customer_address = TextField(default="")
    customer_postcode = CharField(max_length=16, default="")
    customer_city = CharField(default="")
    customer_country = CharField(max_length=2, default="PT")
    supplier_name = CharField(default="")
    supplier_nif = CharField(max_length=32, null=True)
    supplier_address = TextField(default="")
    supplier_postcode = CharField(max_length=16, default="")
    supplier_city = CharField(default="")
    supplier_iban = CharField(max_length=42, default="")
    legal_mention = TextField(default="")
    # Totals (P21): the sum of the lines' net, the VAT per rate summed, and both.
    net = MoneyField(default=Decimal("0.00"))
    vat = MoneyField(default=Decimal("0.00"))
    gross = MoneyField(default=Decimal("0.00"))
    created_at = UTCDateTimeField()
    created_by = ForeignKeyField(Technician, null=True, backref="+")
    customer_id: int
    issued_by_id: int | None
    corrects_id: int | None
    created_by_id: int | None

    class Meta:
        indexes = (
            (("series", "year", "number"), True),
            (("customer", "state"), False),
            (("created_at",), False),  # migration 5: the latest documents first
            (("issued_at", "number", "id"), False),  # migration 14: the list, a page at a time
            (("year",), False),  # migration 14: the years of the filter
        )
        constraints = (SQL("CHECK (state = 'draft' OR (year IS NOT NULL AND number IS NOT NULL))"),)


# --- work sessions --------------------------------------------------------------------------------


class Session(VersionedModel):
    """A work session: the time a timer ran for a customer (and maybe one contact), P12.

    Its time is its ``SessionInterval`` rows. At stop, the billing is frozen here: real time
    inside/outside business hours, billed minutes after rounding (P11), and what no pack covered
    with the rates then in force, so later changes of settings or contract rewrite nothing.
    """

    customer = ForeignKeyField(Customer, backref="sessions")
    contact = ForeignKeyField(Contact, null=True, backref="sessions")
    technician = ForeignKeyField(Technician, backref="sessions")
    state = EnumField(SessionState, default=SessionState.RUNNING)
    started_at = UTCDateTimeField()
    stopped_at = UTCDateTimeField(null=True)
    note = TextField(default="")
    flagged_for_review = BooleanField(default=False)  # longer than session_review_hours
    # Frozen at stop (None before).
    inside_seconds = IntegerField(null=True)
    outside_seconds = IntegerField(null=True)
    inside_billed_minutes = IntegerField(null=True)
    outside_billed_minutes = IntegerField(null=True)
    uncovered_inside_minutes = IntegerField(null=True)
    uncovered_outside_minutes = IntegerField(null=True)
    rate_inside = MoneyField(null=True)
    rate_outside = MoneyField(null=True)
    #: The invoice that bills the uncovered time (None: not invoiced yet).
    invoice = ForeignKeyField(Invoice, null=True, backref="sessions")
    #: Recorded after the fact (start, end, pauses typed in), not timed. Declared last and with
    #: the database default, as migration 10's ``ADD COLUMN`` left it.
    recorded_by_hand = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    customer_id: int
    contact_id: int | None
    technician_id: int
    invoice_id: int | None

    class Meta:
        indexes = (
            (("customer", "started_at"), False),
            (("technician", "state"), False),
            (("started_at",), False),  # migration 5: a month of sessions
        )


#: At most one running session per technician (migration 2).
Session.add_index(
    Session.index(
        Session.technician,
        unique=True,
        where=SQL("state = 'running'"),
        name="session_one_running_per_technician",
    )
)

#: The stopped sessions flagged as too long, for the list to review (migration 9).
Session.add_index(
    Session.index(Session.started_at, where=SQL("flagged_for_review"), name="session_to_review")
)


class SessionInterval(BaseModel):
    """A stretch of time the session's timer ran; ``ended_at`` is None while it runs."""

    session = ForeignKeyField(Session, backref="intervals", on_delete="CASCADE")
    started_at = UTCDateTimeField()
    ended_at = UTCDateTimeField(null=True)
    session_id: int

    class Meta:
        indexes = ((("session", "started_at"), False),)


#: At most one open interval per session (migration 2).
SessionInterval.add_index(
    SessionInterval.index(
        SessionInterval.session,
        unique=True,
        where=SQL("ended_at IS NULL"),
        name="session_interval_one_open_per_session",
    )
)


# --- invoice lines and numbering ------------------------------------------------------------------


class InvoiceLine(BaseModel):
    """One line of an invoice: a pack bought, a month of a monthly pack, or uncovered time."""

    invoice = ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    position = IntegerField()  # 1, 2, … in print order
    description = TextField()
    service_date = DateField(null=True)  # P21: the date (or last date) of the service
    quantity = QuantityField()  # hours for time, units for packs
    minutes = IntegerField(null=True)  # the billed minutes of a time line
    unit_price = MoneyField()
    vat_rate = RateField()
    exemption = CharField(null=True)  # the legal reason when vat_rate is 0, else None (P21)
    net = MoneyField()  # quantity × unit price, rounded half-up to the cent (P21)
    pack = ForeignKeyField(Pack, null=True, backref="invoice_lines")
    pack_month = DateField(null=True)  # first day of the month billed, for a monthly pack
    session = ForeignKeyField(Session, null=True, backref="invoice_lines")
    invoice_id: int
    pack_id: int | None
    session_id: int | None

    class Meta:
        indexes = ((("invoice", "position"), True),)


class InvoiceCounter(BaseModel):
    """The last number given per series and year (P20); see ``app.store.numbering``."""

    series = CharField(max_length=16)
    year = IntegerField()
    last_number = IntegerField(default=0)

    class Meta:
        indexes = ((("series", "year"), True),)


# --- the pack ledger and compensation -------------------------------------------------------------


class LedgerEntry(AppendOnlyModel):
    """One movement of a pack's balance, in minutes: positive credits, negative debits (P16a).

    Never changed nor deleted (the model refuses it, and so does the database); a mistake is put
    right by a new entry that ``reverses`` it. ``customer`` repeats ``pack.customer`` so that a
    customer's ledger is one indexed query; ``save`` checks they agree.
    """

    customer = ForeignKeyField(Customer, backref="ledger")
    pack = ForeignKeyField(Pack, backref="ledger")
    kind = EnumField(LedgerKind)
    minutes = IntegerField(constraints=[SQL("CHECK (minutes <> 0)")])
    month = DateField(null=True)  # monthly packs: first day of the month the entry belongs to
    outside = BooleanField(default=False)  # a consumption that paid out-of-hours time (P16a)
    session = ForeignKeyField(Session, null=True, backref="ledger")
    contact = ForeignKeyField(Contact, null=True, backref="ledger")
    reverses = ForeignKeyField("self", null=True, unique=True, backref="+")
    reason = TextField(default="")
    created_at = UTCDateTimeField()
    created_by = ForeignKeyField(Technician, null=True, backref="+")
    customer_id: int
    pack_id: int
    session_id: int | None
    contact_id: int | None
    reverses_id: int | None
    created_by_id: int | None

    class Meta:
        indexes = (
            (("customer", "created_at"), False),
            (("pack", "month"), False),
            # The sweeps: a pack's allotments and expiries, looked up without reading the rows.
            (("kind", "pack", "month"), False),
        )

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        if is_new(self):
            self._check_consistency()
        return super().save(force_insert=force_insert, only=only)

    def _check_consistency(self) -> None:
        owner = Pack.select(Pack.customer).where(Pack.id == self.pack_id).scalar()
        if owner != self.customer_id:
            raise ValueError(_("A ledger entry must belong to its pack's customer."))
        if self.reverses_id is not None:
            reversed_entry = LedgerEntry.get_by_id(self.reverses_id)
            if reversed_entry.pack_id != self.pack_id or reversed_entry.minutes != -self.minutes:
                raise ValueError(
                    _("A reversing entry must give back the minutes of the entry it reverses.")
                )


#: The minute sweep's credits recorded lately (migration 4): which lapsed balances got minutes back
#: (free hours never lapse: their credits are left out).
LedgerEntry.add_index(
    LedgerEntry.index(
        LedgerEntry.created_at,
        LedgerEntry.pack,
        LedgerEntry.month,
        where=SQL("minutes > 0 AND kind <> 'compensation'"),
        name="ledger_entry_credit_created_at",
    )
)


class CompensationGrant(VersionedModel):
    """P17: free hours granted once per contact whose guarantee was missed.

    The grant creates a free pack (``pack``) credited by ``entry``; a revocation, by an
    administrator with a written reason, is a reversing entry (``revocation_entry``). Never deleted.
    """

    contact = ForeignKeyField(Contact, unique=True, backref="+")
    customer = ForeignKeyField(Customer, backref="compensations")
    hours = IntegerField()
    granted_at = UTCDateTimeField()
    pack = ForeignKeyField(Pack, unique=True, backref="+")
    entry = ForeignKeyField(LedgerEntry, unique=True, backref="+")
    revoked_at = UTCDateTimeField(null=True)
    revoked_by = ForeignKeyField(Technician, null=True, backref="+")
    revoke_reason = TextField(default="")
    revocation_entry = ForeignKeyField(LedgerEntry, null=True, unique=True, backref="+")
    contact_id: int
    customer_id: int
    pack_id: int
    entry_id: int
    revoked_by_id: int | None
    revocation_entry_id: int | None


#: Every model, parents before children: the order to create tables in.
class ChangeLog(BaseModel):
    """One row per change a use case made, so that other desks refresh what changed.

    Desks read the rows after the last one they saw (``changes.since``): every few seconds on
    SQLite; on PostgreSQL as soon as the insert's trigger (migration 11) notifies them.
    """

    topic = CharField(max_length=32)
    record_id = IntegerField(null=True)
    at = UTCDateTimeField()


# --- email intake (issue 11, P23–P28; migration 7) ------------------------------------------------


class Mailbox(VersionedModel):
    """A support mailbox read over IMAP. The password is never here: it is in the system keyring,
    or named by ``password_env`` (an environment variable read at fetch time)."""

    name = CharField(max_length=64, unique=True)
    host = CharField()
    port = IntegerField()
    security = EnumField(Security)
    user = CharField()
    folder = CharField(default="INBOX")
    sent_folder = CharField(null=True)  # None: no sent folder is read (no P27 from it)
    ca_file = CharField(max_length=1024, null=True)
    password_env = CharField(max_length=128, null=True)
    added_at = UTCDateTimeField()
    since = DateField(null=True)  # `--since`: messages already there from that day are taken too
    last_fetch_at = UTCDateTimeField(null=True)
    last_error = TextField(default="")  # Portuguese, for the status bar and the log
    last_error_at = UTCDateTimeField(null=True)
    failures = IntegerField(default=0)  # consecutive failed fetches, for the back-off
    retry_at = UTCDateTimeField(null=True)  # not fetched again before this (back-off)
    created_by = ForeignKeyField(Technician, null=True, backref="+")


class MailboxFolder(BaseModel):
    """Where reading a folder of a mailbox stands (P28): its UIDVALIDITY and the next UID."""

    mailbox = ForeignKeyField(Mailbox, backref="folders", on_delete="CASCADE")
    role = EnumField(Direction)  # in: the folder read; out: the sent folder
    name = CharField()
    uidvalidity = BigIntegerField(null=True)  # None until the folder was first seen
    next_uid = BigIntegerField(null=True)
    last_fetch_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("mailbox", "role"), True),)


class MailboxLease(BaseModel):
    """One desk fetches a mailbox at a time: the holder until ``expires_at``."""

    mailbox = ForeignKeyField(Mailbox, unique=True, backref="+", on_delete="CASCADE")
    holder = CharField(null=True)
    expires_at = UTCDateTimeField(null=True)


class SupportAddress(BaseModel):
    """The company's support addresses (P24) and the team's own (P26, P27)."""

    address = CharField(unique=True)  # normalised (lowercase)
    kind = EnumField(AddressKind)
    created_at = UTCDateTimeField()


class MailMessage(BaseModel):
    """A message taken from a mailbox, once (P28): by where it was read and, for incoming mail,
    by its Message-ID."""

    mailbox = ForeignKeyField(Mailbox, null=True, backref="+", on_delete="SET NULL")
    folder = CharField()
    uidvalidity = BigIntegerField()
    uid = BigIntegerField()
    message_id = CharField(max_length=998, index=True)
    #: The Message-ID again for incoming mail only: unique, so a copy is never a second contact.
    incoming_message_id = CharField(max_length=998, null=True, unique=True)
    message_id_synthetic = BooleanField(default=False)
    direction = EnumField(Direction)
    internaldate = UTCDateTimeField()  # P23
    from_address = CharField(null=True)
    from_header = TextField(default="")
    to_addresses = TextField(default="")  # comma-separated, normalised
    cc_addresses = TextField(default="")
    envelope = TextField(default="")  # Delivered-To, X-Original-To (P24)
    subject = TextField(default="")
    text = TextField(default="")
    source = BlobField(null=True)  # the source; over 25 MB: its headers and text only
    truncated = BooleanField(default=False)
    size = BigIntegerField(default=0)
    contact = ForeignKeyField(Contact, null=True, backref="messages")
    outcome = CharField(max_length=32)  # app.domain.intake.Outcome
    created_at = UTCDateTimeField()

    mailbox_id: int | None
    contact_id: int | None

    class Meta:
        indexes = ((("mailbox", "folder", "uidvalidity", "uid"), True),)


class IntakeLogEntry(BaseModel):
    """The intake log: a fetch's summary, a mailbox's failure, or one message set aside."""

    mailbox = ForeignKeyField(Mailbox, null=True, backref="+", on_delete="SET NULL")
    mailbox_name = CharField(max_length=64)
    at = UTCDateTimeField(index=True)
    kind = EnumField(IntakeLogKind)
    new = IntegerField(default=0)
    joined = IntegerField(default=0)
    responses = IntegerField(default=0)
    ignored = IntegerField(default=0)
    rejected = IntegerField(default=0)
    reason = CharField(max_length=64, default="")  # a code: IgnoreReason, MailboxFailure…
    message = TextField(default="")  # Portuguese text of a failure
    problems = TextField(default="")  # parse.Problem codes, comma-separated
    message_id = CharField(max_length=998, default="")
    sender = CharField(default="")
    subject = TextField(default="")


class ResponseCorrection(AppendOnlyModel):
    """A first response taken back or corrected after it was recorded (issue 15, migration 13):
    what it was, what it became, who, when and why. Only ever inserted (the database refuses
    changes too): the contact's history of its first response, shown in its window."""

    contact = ForeignKeyField(Contact, backref="+", index=True)
    kind = EnumField(CorrectionKind)
    old_response_at = UTCDateTimeField(null=True)
    old_response_by = ForeignKeyField(Technician, null=True, backref="+")
    new_response_at = UTCDateTimeField(null=True)
    reason = TextField(default="")
    created_at = UTCDateTimeField()
    created_by = ForeignKeyField(Technician, backref="+")
    contact_id: int
    old_response_by_id: int | None
    created_by_id: int


_CORE_MODELS: tuple[type[BaseModel], ...] = (
    Technician,
    CompanySettings,
    CompanyException,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Contact,
    Pack,
    Invoice,
    Session,
    SessionInterval,
    InvoiceLine,
    InvoiceCounter,
    LedgerEntry,
    CompensationGrant,
    ChangeLog,
    Mailbox,
    MailboxFolder,
    MailboxLease,
    SupportAddress,
    MailMessage,
    IntakeLogEntry,
    ResponseCorrection,
)


def __getattr__(name: str) -> tuple[type[BaseModel], ...]:
    """``ALL_MODELS``: these and the legal side of the documents (``app.store.legal_models``,
    migration 8), which needs ``Invoice`` defined first and so is imported on first use."""
    if name == "ALL_MODELS":
        from app.store.legal_models import LEGAL_MODELS

        return (*_CORE_MODELS, *LEGAL_MODELS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
