"""Each interactive use case makes a small, fixed number of queries, whatever the data's size
(issue 12: every query is a round trip, and a team's server is across a LAN).

Each use case is measured twice: on a customer with 3 of everything (contacts, sessions,
packs, compensations, other customers sharing its name) and on one with 30. The counts must be
equal (no query per row) and within the bound written here, so that a regression shows. The
bounds are the counts measured (the same on SQLite and on PostgreSQL): a change that saves a
query lowers its bound, one that adds a query says why where it raises it. The statements run
are in the assertion's message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan
from app.services import compensation, contacts, customers, invoices, packs, sessions
from app.services.context import Desk
from app.services.statements import customer_statement
from app.store.models import CompanySettings
from tests.services.b_fixtures import company, lisbon
from tests.store import factories
from tests.store.queries import count_queries

__all__ = ["company"]

SMALL, LARGE = 3, 30
#: When the use cases are run: a Monday, after every world's history.
NOW = lisbon(2025, 3, 10, 10)
MARCH_END = lisbon(2025, 4, 1)
#: The queue's first page (ui/views/queue/view.py's FIRST_PAGE).
QUEUE_PAGE = 300


@dataclass(frozen=True)
class World:
    """One customer with ``size`` of everything, and the desk of its own technician."""

    desk: Desk
    size: int
    tag: str
    customer_id: int
    email: str


def build(clock: ManualClock, size: int, tag: str) -> World:
    """A customer on the Standard plan with ``size`` unit packs, contacts (answered late: a
    compensation each), stopped sessions drawing on the packs, and ``size`` other customers
    whose names contain its own (for the search), each with one open contact."""
    desk = Desk(clock, factories.technician(name=f"Técnico {tag}").id)
    clock.set(lisbon(2025, 3, 3, 9))
    email = f"geral@loja-{tag.lower()}.pt"
    made = customers.create_customer(desk, name=f"Loja {tag}", plan=Plan.STANDARD, emails=[email])
    customer_id = made.customer.id
    for other in range(size):
        address = f"outro{other}@loja-{tag.lower()}.pt"
        customers.create_customer(desk, name=f"Loja {tag} {other}", emails=[address])
        contacts.register_contact(desk, channel=Channel.EMAIL, sender=address, subject="Olá")
    for _each in range(size):
        packs.sell_pack(
            desk,
            customer_id=customer_id,
            kind=PackKind.UNIT,
            minutes=60,
            price=Decimal("40.00"),
        )
    registered = []
    for number in range(size):
        clock.set(lisbon(2025, 3, 3, 10, number))
        registered.append(
            contacts.register_contact(
                desk, channel=Channel.EMAIL, sender=email, subject=f"Pedido {number}"
            ).contact
        )
    for number in range(size):
        clock.set(lisbon(2025, 3, 4 + number // 8, 9 + number % 8))
        started = sessions.start_session(desk, customer_id=customer_id)
        clock.advance(timedelta(minutes=20))
        sessions.stop_session(desk, started.id, started.version)
    clock.set(lisbon(2025, 3, 10, 9))  # days after their deadlines: each grants compensation
    for contact in registered:
        contacts.record_first_response(desk, contact.id, contact.version)
    clock.set(NOW)
    return World(desk, size, tag, customer_id, email)


Action = Callable[[World], object]


def counts(clock: ManualClock, action: Action, before: Action | None = None) -> list[list[str]]:
    """The statements ``action`` runs on a small world, then on a large one built after it
    (``before`` runs first, uncounted)."""
    found = []
    for size, tag in ((SMALL, "A"), (LARGE, "B")):
        world = build(clock, size, tag)
        if before is not None:
            before(world)
        with count_queries() as run:
            action(world)
        found.append(run)
    return found


def shown(run: list[str]) -> str:
    return "\n".join(sql[:120] for sql in run)


def assert_fixed(found: list[list[str]], bound: int) -> None:
    small, large = found
    assert len(small) == len(large), f"small:\n{shown(small)}\n\nlarge:\n{shown(large)}"
    assert len(large) <= bound, shown(large)


@pytest.fixture
def clock(company: CompanySettings, clock: ManualClock) -> ManualClock:
    """The services' clock, with a company ready to invoice."""
    return clock


def test_registering_a_contact(clock: ManualClock) -> None:
    def register(world: World) -> None:
        contacts.register_contact(
            world.desk, channel=Channel.EMAIL, sender=world.email, subject="Impressora"
        )

    assert_fixed(counts(clock, register), 5)


def test_responding_to_a_contact(clock: ManualClock) -> None:
    waiting: dict[str, contacts.ContactRecord] = {}

    def register(world: World) -> None:
        registered = contacts.register_contact(
            world.desk, channel=Channel.EMAIL, sender=world.email, subject="Rede"
        )
        waiting[world.tag] = registered.contact

    def respond(world: World) -> None:
        contact = waiting[world.tag]
        contacts.record_first_response(world.desk, contact.id, contact.version)

    assert_fixed(counts(clock, respond, register), 4)


def test_starting_and_stopping_a_session(clock: ManualClock) -> None:
    """The session is as long as the world is large (45 min, 7 h 30): it draws on one pack or
    on eight (the compensations' free hours, 1 h each, pay first)."""

    def start_and_stop(world: World) -> None:
        started = sessions.start_session(world.desk, customer_id=world.customer_id)
        clock.advance(timedelta(minutes=15 * world.size))
        stopped = sessions.stop_session(world.desk, started.id, started.version)
        assert stopped.billing is not None
        assert len(stopped.billing.draws) >= world.size // 4

    assert_fixed(counts(clock, start_and_stop), 21)


def test_searching_customers(clock: ManualClock) -> None:
    def search(world: World) -> None:
        found = customers.search_customers(f"Loja {world.tag}")
        assert len(found) > SMALL

    assert_fixed(counts(clock, search), 2)


def test_opening_a_customer_record(clock: ManualClock) -> None:
    """What the Clientes view reads to show a customer: the record and each of its tabs."""

    def open_record(world: World) -> None:
        customers.customer(world.customer_id)
        contacts.contacts_of_customer(world.customer_id)
        sessions.sessions_of_customer(world.customer_id)
        invoices.invoices(customer_id=world.customer_id)
        packs.balances(world.customer_id, date(2025, 3, 10))
        compensation.grants_of_customer(world.customer_id)

    assert_fixed(counts(clock, open_record), 12)


def test_the_queues_first_page(clock: ManualClock) -> None:
    def first_page(world: World) -> None:
        assert contacts.open_contacts(limit=QUEUE_PAGE)

    assert_fixed(counts(clock, first_page), 1)


def test_drafting_and_issuing_an_invoice(clock: ManualClock) -> None:
    def draft_and_issue(world: World) -> None:
        draft = invoices.draft_invoice(
            world.desk,
            customer_id=world.customer_id,
            period_start=date(2025, 3, 1),
            period_end=date(2025, 3, 31),
        )
        assert len(draft.lines) >= SMALL
        invoices.issue_invoice(world.desk, draft.id, draft.version)

    assert_fixed(counts(clock, draft_and_issue), 22)


def test_selling_a_pack(clock: ManualClock) -> None:
    def sell(world: World) -> None:
        packs.sell_pack(
            world.desk,
            customer_id=world.customer_id,
            kind=PackKind.UNIT,
            minutes=600,
            price=Decimal("400.00"),
        )

    assert_fixed(counts(clock, sell), 6)


def test_the_customer_statement(clock: ManualClock) -> None:
    def statement(world: World) -> None:
        made = customer_statement(world.customer_id, 2025, 3, now=MARCH_END)
        assert len(made.sessions) >= SMALL

    assert_fixed(counts(clock, statement), 17)
