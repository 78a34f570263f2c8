"""The customer's monthly statement PDF, read back with pdftotext."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.i18n import _, format_datetime, format_duration, format_minutes_as_hours, ngettext
from app.services.context import Desk
from app.services.labels import pack_kind_label
from app.services.statements import customer_statement
from app.store.models import Customer
from tests.services.b_fixtures import lisbon, timed
from tests.ui.pdf_fixtures import (
    SILVA_NAME,
    SILVA_NIF,
    Sample,
    admin,
    admin_desk,
    clock,
    company,
    database,
    db_location,
    desk,
    pdf_fonts,
    pdf_info,
    pdf_text,
    pdf_words,
    sample,
    silva,
    technician,
)
from ui.pdf import write_statement_pdf

__all__ = [
    "admin",
    "admin_desk",
    "clock",
    "company",
    "database",
    "db_location",
    "desk",
    "sample",
    "silva",
    "technician",
]


@pytest.fixture
def statement_pdf(sample: Sample, clock: ManualClock, tmp_path: Path, qapp: QApplication) -> Path:
    path = tmp_path / "extrato.pdf"
    write_statement_pdf(customer_statement(sample.customer_id, 2025, 3, now=clock.now()), path)
    return path


def test_statement_shows_the_month(sample: Sample, statement_pdf: Path) -> None:
    text = pdf_text(statement_pdf)
    words = pdf_words(statement_pdf)
    assert _("Monthly statement") in text and "março de 2025" in text
    assert SILVA_NAME in text and _("NIF: {nif}").format(nif=SILVA_NIF) in text
    assert "Webplug, Lda." in text
    # Each session: when, who, its real time, the split, the billed blocks, what paid them.
    assert "12/03/2025 14:00–17:20" in words
    assert "14/03/2025 19:00–19:40" in words
    assert sample.contact_subject in words and "Cópias de segurança" in words
    for duration in (timedelta(minutes=200), timedelta(minutes=40)):
        assert format_duration(duration) in text
    assert format_minutes_as_hours(210) in text  # 200 min inside, in 15-min blocks
    assert format_minutes_as_hours(90) in text  # not covered by packs
    assert pack_kind_label(PackKind.UNIT) in words and pack_kind_label(PackKind.FREE) in words
    # The contact: its deadline, its first response, the missed guarantee and its compensation.
    assert format_datetime(lisbon(2025, 3, 11, 18)) in words
    assert format_datetime(lisbon(2025, 3, 12, 9)) in words
    assert _("Missed") in text
    granted = ngettext(
        "{count} hour of free support granted", "{count} hours of free support granted", 1
    )
    assert granted.format(count=1) in words
    # The balances at the start and at the end of the month.
    assert _("Start of the month") in words and _("End of the month") in words
    # Not an invoice, and says so on its page.
    assert _("This statement is not an invoice.") in text
    assert _("Page {page} of {pages}").format(page=1, pages=1) in text


def test_statement_is_pdf_a_with_embedded_fonts(statement_pdf: Path) -> None:
    info = pdf_info(statement_pdf)
    assert info["PDF version"] == "1.4"
    assert b'pdfaid:part="1"' in statement_pdf.read_bytes()
    assert all(font["emb"] == "yes" for font in pdf_fonts(statement_pdf))


def test_a_busy_month_flows_over_pages(
    desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path, qapp: QApplication
) -> None:
    for day in range(60):
        start = lisbon(2025, 3, 1 + day % 28, 9 + day % 8)
        timed(desk, clock, silva.id, start + timedelta(minutes=day), 10 + day)
    made = customer_statement(silva.id, 2025, 3, now=lisbon(2025, 4, 1))
    path = tmp_path / "extrato.pdf"
    write_statement_pdf(made, path)
    pages = int(pdf_info(path)["Pages"])
    assert pages >= 2
    second = pdf_words(path, 2)
    assert _("Technician and subject") in second  # the sessions' header again
    assert _("Page {page} of {pages}").format(page=2, pages=pages) in second
    assert pdf_words(path).count("Rui") == len(made.sessions)  # each once


def test_a_quiet_month(silva: Customer, tmp_path: Path, qapp: QApplication) -> None:
    made = customer_statement(silva.id, 2025, 3, now=lisbon(2025, 4, 1))
    path = tmp_path / "vazio.pdf"
    write_statement_pdf(made, path)
    text = pdf_text(path)
    assert _("No sessions this month.") in text
    assert _("No contacts this month.") in text
    assert _("No hour balances this month.") in text
