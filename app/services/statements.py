"""A customer's monthly statement: what the support of one month was, and what it cost.

Everything the statement PDF prints, gathered in a fixed number of queries whatever the month
holds (no query per session or per contact): the sessions started in the month with their
billing and the balances they drew on, the contacts received in it with their guarantee, the
compensations granted or revoked in it, and each balance at the start and at the end of it.

Decisions:
- The month is a calendar month in the company's time zone. Its end is the first instant of the
  next month, or ``now`` while the month is not over (the closing balances are then today's).
- Opening balances are the ledger as it stood at the month's first instant (``balance_at``),
  except a monthly pack's, which opens at the month's hours (P15): that allotment is credited
  lazily, often hours after midnight, yet nothing can have drawn on the month before it began.
- A contact's guarantee is met, missed or still pending, decided by ``sla.guarantee_outcome`` on
  its frozen terms (P19) at the statement's end; contacts without a guarantee say so.
- A balance is listed when it held hours at the start or at the end of the month, or was bought,
  granted or drawn on during it: a pack used up long ago is left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from peewee import JOIN

from app.domain.calendar import elapsed
from app.domain.months import Month
from app.domain.packs import PackKind, payment_order
from app.domain.sla import Channel, GuaranteeOutcome, Plan, Reason, guarantee_outcome
from app.domain.states import ContactState
from app.i18n import _, format_month
from app.progress import NO_PROGRESS, Progress
from app.services.checks import search_text
from app.services.compensation import GrantRecord, grants_of_customer
from app.services.errors import InputError, NotFoundError
from app.services.invoices import Party
from app.services.packs import (
    CustomerBalances,
    PackBalance,
    PackInfo,
    balance_at,
    packs_of_customer,
)
from app.services.queries import customer_row, frozen_terms, rows_of
from app.services.sessions import SessionRecord, sessions_of_customer
from app.services.settings.calendar import company_settings, company_zone
from app.store.models import CompensationGrant, Contact, Customer

_LAST_MICROSECOND = timedelta(microseconds=1)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementContact:
    id: int
    received_at: datetime
    channel: Channel
    sender: str
    subject: str
    state: ContactState
    plan: Plan
    reason: Reason
    deadline: datetime | None
    #: The indicative target of a contact without a guarantee (P8).
    target: datetime | None
    first_response_at: datetime | None
    outcome: GuaranteeOutcome
    #: P17: the free hours the contact caused, if any, and whether they were revoked.
    granted_hours: int | None
    grant_revoked: bool


@dataclass(frozen=True)
class StatementBalance:
    """One balance (a pack; a monthly pack's month) at the month's start and end."""

    pack_id: int
    kind: PackKind
    #: What the pack gives: its hours (unit), one month's hours (monthly), the free hours.
    minutes: int
    valid_from: date
    #: The last usable day (a monthly pack: the month's last day); ``None``: never expires.
    valid_until: date | None
    #: Minutes left; ``None`` when the balance did not exist (yet, or any more) at that point.
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Statement:
    """A customer's month: sessions, contacts, compensations and balances."""

    customer_id: int
    customer: Party
    plan: Plan
    #: The company as it is now (the statement is not a tax document: no snapshot).
    company: Party
    company_iban: str
    company_email: str
    company_phone: str
    year: int
    month: int
    #: The month's first instant, and the instant its closing figures are read at (the month's
    #: end, or the time the statement was made while the month runs).
    starts_at: datetime
    ends_at: datetime
    #: When the statement was made (``now``; the month's end when none was given).
    made_at: datetime
    zone: ZoneInfo
    #: Started in the month, oldest first (discarded sessions left out).
    sessions: tuple[SessionRecord, ...]
    #: Every pack of the customer, to name the balances the sessions drew on.
    packs: tuple[PackInfo, ...]
    #: Received in the month, oldest first.
    contacts: tuple[StatementContact, ...]
    #: Granted or revoked in the month, oldest first.
    grants: tuple[GrantRecord, ...]
    balances: tuple[StatementBalance, ...]

    @property
    def month_text(self) -> str:
        return format_month(self.year, self.month)

    @property
    def month_over(self) -> bool:
        return self.ends_at == _month_range(self.year, self.month, self.zone)[1]

    def pack(self, pack_id: int) -> PackInfo | None:
        return next((pack for pack in self.packs if pack.id == pack_id), None)

    def raw_time(self, session: SessionRecord) -> timedelta:
        """The session's real time (pauses excluded); a running one up to the statement's end."""
        return session.elapsed(max(self.ends_at, session.started_at))

    @property
    def total_raw_time(self) -> timedelta:
        return sum((self.raw_time(session) for session in self.sessions), timedelta(0))

    @property
    def total_billed_minutes(self) -> int:
        return sum(s.billing.billed_minutes for s in self.sessions if s.billing is not None)

    @property
    def total_covered_minutes(self) -> int:
        return sum(s.billing.covered_minutes for s in self.sessions if s.billing is not None)

    @property
    def total_uncovered_minutes(self) -> int:
        return sum(s.billing.uncovered_minutes for s in self.sessions if s.billing is not None)

    @property
    def balances_at_start(self) -> int:
        """Minutes left on every balance at the month's start (one not there yet counts 0)."""
        return sum(balance.start or 0 for balance in self.balances)

    @property
    def balances_at_end(self) -> int:
        """Minutes left on every balance at ``ends_at`` (one lapsed by then counts 0)."""
        return sum(balance.end or 0 for balance in self.balances)

    @property
    def guarantees_met(self) -> int:
        """Contacts received in the month whose guarantee was met."""
        return sum(1 for contact in self.contacts if contact.outcome is GuaranteeOutcome.MET)

    @property
    def guarantees_missed(self) -> int:
        return sum(1 for contact in self.contacts if contact.outcome is GuaranteeOutcome.MISSED)

    @property
    def granted_hours(self) -> int:
        return sum(g.hours for g in self.grants if self.starts_at <= g.granted_at < self.ends_at)

    @property
    def revoked_hours(self) -> int:
        return sum(
            g.hours
            for g in self.grants
            if g.revoked_at is not None and self.starts_at <= g.revoked_at < self.ends_at
        )


# --- finding the customer and the month -------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    """``2026-03`` as ``(2026, 3)``; ``InputError`` otherwise."""
    try:
        month = Month.parse(text)
    except ValueError:
        raise InputError(
            _("{text} is not a month; write it as 2026-03.").format(text=text.strip()),
            field="month",
        ) from None
    return month.year, month.number


def _nif_digits(text: str) -> str | None:
    compact = re.sub(r"[\s.\-]", "", text).upper().removeprefix("PT")
    return compact if compact.isascii() and compact.isdigit() else None


class SeveralCustomers(InputError):
    """The text names more than one customer; the message lists them (the command line exits
    with 2 then, as for a usage error)."""


def fold(text: str) -> str:
    """A name as compared when typed by hand: no case, no accents ("Ótica" finds "otica")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _several(typed: str, found: Sequence[Any]) -> SeveralCustomers:
    listed = "; ".join(
        _("id {id}: {name} (NIF {nif})").format(id=row.id, name=row.name, nif=row.nif or _("none"))
        for row in found
    )
    return SeveralCustomers(
        _("{text} names more than one customer: {customers}. Use the id.").format(
            text=typed, customers=listed
        ),
        field="customer",
    )


def find_customer(text: str) -> int:
    """The customer named by ``text``: an id, a NIF, the name, or a part of the name that only
    one customer has (case and accents aside: "oficina" finds "Oficina Auto Santos").

    ``NotFoundError`` when nobody matches, ``SeveralCustomers`` (an ``InputError``) when several
    customers do (two with the same name, a part of several names, an id that is another
    customer's NIF): the message lists them.
    """
    typed = search_text(text)  # a NUL would be refused by PostgreSQL: no name holds one
    if not typed:
        raise InputError(_("Name the customer: an id, a NIF or the name."), field="customer")
    matches = Customer.name == typed
    digits = _nif_digits(typed)
    if digits is not None:
        matches |= Customer.nif == digits
        if len(digits) <= 18:  # an id fits in a 64-bit integer
            matches |= Customer.id == int(digits)
    found = list(
        Customer.select(Customer.id, Customer.name, Customer.nif)
        .where(matches)
        .order_by(Customer.id)
    )
    if not found:
        found = _by_part_of_name(typed)
    if not found:
        raise NotFoundError(
            _("No customer has the id, NIF or name {text}.").format(text=typed), field="customer"
        )
    if len(found) > 1:
        raise _several(typed, found)
    return int(found[0].id)


def _by_part_of_name(typed: str) -> list[Any]:
    """The customers whose name holds ``typed``, case and accents aside; only those whose whole
    name it is when there are such (``Oficina`` beside ``Oficina Auto``). Folded in Python: SQLite
    and PostgreSQL fold accents differently, and a command reads the names once."""
    wanted = fold(typed)
    rows = Customer.select(Customer.id, Customer.name, Customer.nif).order_by(Customer.id)
    holding = [row for row in rows if wanted in fold(row.name)]
    whole = [row for row in holding if fold(row.name).strip() == wanted]
    return whole or holding


# --- gathering --------------------------------------------------------------------------------


def _month_range(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a local calendar month starts and ends at (end exclusive)."""
    return Month(year, month).instants(zone)


def _party(row: Any, country: str = "PT") -> Party:
    return Party(
        name=row.name,
        nif=row.nif,
        address=row.address,
        postcode=row.postcode,
        city=row.city,
        country=country,
    )


def _contacts(customer_id: int, start: datetime, end: datetime) -> tuple[StatementContact, ...]:
    """The contacts received in ``[start, end)`` with their compensation: one query."""
    query = (
        Contact.select(
            Contact,
            CompensationGrant.hours.alias("granted_hours"),
            CompensationGrant.revoked_at.alias("grant_revoked_at"),
        )
        .join(CompensationGrant, JOIN.LEFT_OUTER, on=CompensationGrant.contact == Contact.id)
        .where(
            (Contact.customer == customer_id)
            & (Contact.received_at >= start)
            & (Contact.received_at < end)
        )
        .order_by(Contact.received_at, Contact.id)
        .objects()
    )
    return tuple(
        StatementContact(
            id=row.id,
            received_at=row.received_at,
            channel=row.channel,
            sender=row.sender_raw,
            subject=row.subject,
            state=row.state,
            plan=row.plan_at_receipt,
            reason=row.reason,
            deadline=row.deadline,
            target=row.target,
            first_response_at=row.first_response_at,
            outcome=guarantee_outcome(frozen_terms(row), row.first_response_at, end),
            granted_hours=row.granted_hours,
            grant_revoked=row.grant_revoked_at is not None,
        )
        for row in rows_of(query)
    )


def _balances(
    opening: CustomerBalances, closing: CustomerBalances, active: set[int]
) -> tuple[StatementBalance, ...]:
    """Each balance at both ends of the month; ``active``: the packs that moved in it."""

    def opening_minutes(balance: PackBalance) -> int:
        # P15: a month opens with its hours, whenever the sweep recorded the allotment.
        return balance.minutes if balance.kind is PackKind.MONTHLY else balance.remaining

    starts = {b.pack_id: b for b in opening.all}
    ends = {b.pack_id: b for b in closing.all}
    merged = []
    for pack_id in starts.keys() | ends.keys():
        first, last = starts.get(pack_id), ends.get(pack_id)
        shown = last or first
        assert shown is not None  # one of the two exists: the key came from them
        start = None if first is None else opening_minutes(first)
        end = None if last is None else last.remaining
        if not (start or end or pack_id in active):
            continue
        merged.append(
            StatementBalance(
                pack_id=pack_id,
                kind=shown.kind,
                minutes=shown.minutes,
                valid_from=shown.valid_from,
                valid_until=shown.valid_until,
                start=start,
                end=end,
            )
        )
    merged.sort(key=lambda b: (*payment_order(b.kind, b.valid_until), b.pack_id))
    return tuple(merged)


#: The reads a statement makes, for a progress bar: sessions, packs, grants, contacts, balances.
STATEMENT_STEPS = 5


def customer_statement(
    customer_id: int,
    year: int,
    month: int,
    *,
    now: datetime | None = None,
    progress: Progress = NO_PROGRESS,
) -> Statement:
    """The statement of ``customer_id`` for ``month`` of ``year``.

    ``now`` (from the caller's clock): a month not over yet is read up to it; ``None`` reads the
    whole month. A month that has not begun is refused (``InputError``). ``progress`` hears of
    each of the ``STATEMENT_STEPS`` reads (and may cancel between them: it only reads).
    """
    try:
        Month(year, month)
    except ValueError:
        raise InputError(_("A month is numbered 1 to 12."), field="month") from None
    customer = customer_row(customer_id)
    settings = company_settings()
    zone = company_zone(settings)
    starts_at, month_end = _month_range(year, month, zone)
    ends_at = month_end if now is None else min(month_end, now)
    if elapsed(starts_at, ends_at) <= timedelta(0):
        raise InputError(
            _("{month} has not begun: there is no statement for it yet.").format(
                month=format_month(year, month)
            ),
            field="month",
        )
    progress.report(0, STATEMENT_STEPS)
    sessions = tuple(reversed(sessions_of_customer(customer_id, (year, month))))
    progress.report(1, STATEMENT_STEPS)
    packs = packs_of_customer(customer_id)
    progress.report(2, STATEMENT_STEPS)
    active = {p.id for p in packs if starts_at <= p.created_at < ends_at} | {
        draw.pack_id
        for session in sessions
        if session.billing is not None
        for draw in session.billing.draws
    }
    grants = tuple(
        grant
        for grant in reversed(grants_of_customer(customer_id))
        if starts_at <= grant.granted_at < ends_at
        or (grant.revoked_at is not None and starts_at <= grant.revoked_at < ends_at)
    )
    progress.report(3, STATEMENT_STEPS)
    contacts = _contacts(customer_id, starts_at, ends_at)
    progress.report(4, STATEMENT_STEPS)
    balances = _balances(
        balance_at(customer_id, starts_at),
        balance_at(customer_id, ends_at - _LAST_MICROSECOND),
        active,
    )
    progress.report(STATEMENT_STEPS, STATEMENT_STEPS)
    return Statement(
        customer_id=customer_id,
        customer=_party(customer, customer.country),
        plan=customer.plan,
        company=_party(settings),
        company_iban=settings.iban,
        company_email=settings.email,
        company_phone=settings.phone,
        year=year,
        month=month,
        starts_at=starts_at,
        ends_at=ends_at,
        made_at=ends_at if now is None else now,
        zone=zone,
        sessions=sessions,
        packs=packs,
        contacts=contacts,
        grants=grants,
        balances=balances,
    )
