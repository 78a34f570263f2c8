"""Invoices, credit notes and statements built through the services, for the PDF tests.

The database, the clock and the desks are those of the service tests (``tests.services``); a test
module imports the fixtures it uses from here (``tests/ui/conftest.py`` is shared with others).
The builders (``make_sample``, ``make_long_invoice``) are plain functions, usable without pytest.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan
from app.services import contacts, customers, invoices, packs, sessions
from app.services.context import Desk
from app.services.invoices import InvoiceDocument
from app.store.models import CompanySettings, Customer
from tests.services.b_fixtures import company, lisbon
from tests.services.conftest import (
    admin,
    admin_desk,
    clock,
    database,
    db_location,
    desk,
    technician,
)

__all__ = [
    "admin",
    "admin_desk",
    "clock",
    "company",
    "consumer",
    "database",
    "db_location",
    "desk",
    "long_invoice",
    "sample",
    "silva",
    "technician",
]

#: The customer's name that must print exactly so, markup and all.
SILVA_NAME = "<b>Silva & Filhos</b>"
SILVA_NIF = "508123453"
#: A line priced so that its amount shows the thousands separator: 1 234,50 €.
BIG_PRICE = Decimal("1234.50")
EXEMPTION = "Isento nos termos do artigo 9.º do CIVA"


def silva_customer() -> Customer:
    return Customer.create(
        name=SILVA_NAME,
        nif=SILVA_NIF,
        address="Rua da Conceição, 5\n2.º Esq.",
        postcode="4490-001",
        city="Póvoa de Varzim",
        plan=Plan.STANDARD,
        created_at=lisbon(2025, 1, 2),
    )


@dataclass(frozen=True)
class Sample:
    """An issued invoice of March 2025 and what went into it."""

    invoice: InvoiceDocument
    customer_id: int
    contact_subject: str
    technician_name: str


def make_sample(desk: Desk, clock: ManualClock, customer_id: int, technician: str) -> Sample:
    """March 2025 for the customer: a 1-hour unit pack (45 €), a contact answered late (so a
    compensation), a session partly paid by the pack, one out of hours; then an invoice with
    the pack, the uncovered time, a line of 1 234,50 € and an exempt line, issued on 2 April."""
    clock.set(lisbon(2025, 3, 3, 9, 30))
    packs.sell_pack(
        desk,
        customer_id=customer_id,
        kind=PackKind.UNIT,
        minutes=60,
        price=Decimal("45.00"),
    )
    subject = "Impressora não imprime"
    version = Customer.get_by_id(customer_id).version
    customers.add_customer_email(desk, customer_id, version, "contabilidade@silva.pt")
    clock.set(lisbon(2025, 3, 10, 10))
    contact = contacts.register_contact(
        desk,
        channel=Channel.EMAIL,
        sender="contabilidade@silva.pt",
        subject=subject,
        customer_id=customer_id,
    ).contact
    clock.set(lisbon(2025, 3, 12, 9))  # after Tuesday's closing: the guarantee was missed
    contacts.record_first_response(desk, contact.id, contact.version)
    clock.set(lisbon(2025, 3, 12, 14))
    day = sessions.start_session(desk, contact_id=contact.id)
    clock.advance(timedelta(minutes=200))
    sessions.stop_session(desk, day.id, day.version)
    clock.set(lisbon(2025, 3, 14, 19))
    night = sessions.start_session(desk, customer_id=customer_id, note="Cópias de segurança")
    clock.advance(timedelta(minutes=40))
    sessions.stop_session(desk, night.id, night.version)
    clock.set(lisbon(2025, 4, 2, 11))
    made = invoices.draft_invoice(
        desk, customer_id=customer_id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Instalação do servidor & configuração <rede>",
        quantity=Decimal(1),
        unit_price=BIG_PRICE,
        service_date=date(2025, 3, 20),
    )
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Formação certificada",
        quantity=Decimal(2),
        unit_price=Decimal("30.00"),
        vat_rate=Decimal(0),
        exemption=EXEMPTION,
        service_date=date(2025, 3, 21),
    )
    issued = invoices.issue_invoice(desk, made.id, made.version)
    return Sample(issued, customer_id, subject, technician)


def make_long_invoice(desk: Desk, customer_id: int, lines: int) -> InvoiceDocument:
    """An issued invoice of ``lines`` lines typed by hand, with long descriptions."""
    made = invoices.draft_invoice(
        desk, customer_id=customer_id, period_start=date(2020, 1, 1), period_end=date(2020, 1, 31)
    )
    for number in range(1, lines + 1):
        made = invoices.add_line(
            desk,
            made.id,
            made.version,
            description=f"Linha {number}: manutenção e acompanhamento técnico do equipamento",
            quantity=Decimal(number % 3 + 1),
            # Every price differs, as in real life: nothing is formatted only once.
            unit_price=Decimal(1000 + 7 * number) / 100,
            service_date=date(2020, 1, number % 28 + 1),
        )
    return invoices.issue_invoice(desk, made.id, made.version)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def silva(company: CompanySettings) -> Customer:
    return silva_customer()


@pytest.fixture
def consumer(company: CompanySettings) -> Customer:
    """A final consumer: no NIF."""
    return Customer.create(
        name="Maria Antónia Gonçalves",
        address="Largo do Chafariz, 3",
        postcode="7000-001",
        city="Évora",
        created_at=lisbon(2025, 1, 2),
    )


@pytest.fixture
def sample(desk: Desk, clock: ManualClock, silva: Customer, technician: object) -> Sample:
    return make_sample(desk, clock, silva.id, "Rui")


@pytest.fixture
def long_invoice(desk: Desk, clock: ManualClock, silva: Customer) -> InvoiceDocument:
    clock.set(lisbon(2025, 4, 2, 11))
    return make_long_invoice(desk, silva.id, 120)


# --- reading PDFs back ------------------------------------------------------------------------


def poppler(tool: str, *arguments: str) -> str:
    """The output of a poppler-utils tool (pdftotext, pdfinfo, pdffonts)."""
    program = shutil.which(tool)
    assert program is not None, f"{tool} is missing: install poppler-utils"
    done = subprocess.run(
        [program, *arguments], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text of the PDF (or of one page) laid out as printed; no-break spaces as spaces."""
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    found = poppler("pdftotext", "-layout", *pages, str(path), "-")
    return found.replace("\u00a0", " ").replace("\u202f", " ")


def pdf_words(path: Path, page: int | None = None) -> str:
    """The text in the order it was drawn (a wrapped cell's lines stay together), every run of
    white space as one space."""
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    found = poppler("pdftotext", "-raw", *pages, str(path), "-")
    return " ".join(found.split())


def pdf_info(path: Path) -> dict[str, str]:
    info = {}
    for line in poppler("pdfinfo", str(path)).splitlines():
        key, _sep, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """``pdffonts``' table: one dict per font with its name and its ``emb`` column."""
    lines = poppler("pdffonts", str(path)).splitlines()
    fonts = []
    for line in lines[2:]:
        columns = line.split()
        # name type... encoding emb sub uni object ID: the last six are fixed.
        fonts.append({"name": columns[0], "emb": columns[-5], "sub": columns[-4]})
    return fonts
