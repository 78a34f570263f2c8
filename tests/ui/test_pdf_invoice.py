"""The invoice PDF, read back with poppler-utils: every field of P21, pt_PT formats, PDF/A,
embedded fonts, pages with their header and number, and P22's notice."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.clock import ManualClock
from app.i18n import (
    _,
    format_date,
    format_minutes_as_hours,
    format_money,
    format_percent,
)
from app.services import invoices
from app.services.context import Desk
from app.services.invoices import InvoiceDocument
from app.store.models import Customer
from tests.services.b_fixtures import COMPANY_NIF, lisbon
from tests.ui.pdf_fixtures import (
    BIG_PRICE,
    EXEMPTION,
    SILVA_NAME,
    SILVA_NIF,
    Sample,
    admin,
    admin_desk,
    clock,
    company,
    consumer,
    database,
    db_location,
    desk,
    long_invoice,
    pdf_fonts,
    pdf_info,
    pdf_text,
    pdf_words,
    poppler,
    sample,
    silva,
    technician,
)
from ui.pdf import write_invoice_pdf

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

MONEY = re.compile(r"-?\d{1,3}(?: \d{3})*,\d{2} €")
DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def flat(text: str) -> str:
    """Text with every run of white space as one space (wrapped lines joined)."""
    return " ".join(text.split())


def amount(text: str) -> Decimal:
    """``-1 234,50 €`` as ``Decimal("-1234.50")``."""
    return Decimal(text.removesuffix(" €").replace(" ", "").replace(",", "."))


def shown(value: str) -> str:
    """A formatted value as pdftotext gives it back (no-break spaces as spaces)."""
    return value.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def pdf(sample: Sample, tmp_path: Path, qapp: QApplication) -> Path:
    path = tmp_path / "fatura.pdf"
    write_invoice_pdf(sample.invoice, path)
    return path


def test_p21_every_mandatory_field_is_printed(sample: Sample, pdf: Path) -> None:
    document = sample.invoice
    text = pdf_text(pdf)
    words = pdf_words(pdf)
    # The document, its number in its series and its date of issue.
    assert document.title in text
    assert "FT 2025/1" in text
    assert format_date(date(2025, 4, 2)) in text
    # The supplier: name, address, NIF (the invoice's snapshot).
    for fragment in ("Webplug, Lda.", "Rua do Ouro, 10", "1100-060 Lisboa", COMPANY_NIF):
        assert fragment in text
    # The customer: name (exactly, markup and all), address, NIF.
    for fragment in (SILVA_NAME, "Rua da Conceição, 5", "2.º Esq.", "4490-001 Póvoa de Varzim"):
        assert fragment in text
    assert _("NIF: {nif}").format(nif=SILVA_NIF) in text
    # The period of the services and, on each line, its date, description, quantity, unit price,
    # VAT rate and net amount.
    # (the period the lines span: issue 15)
    assert document.services_period is not None
    assert _("{start} to {end}").format(
        start=format_date(document.services_period[0]),
        end=format_date(document.services_period[1]),
    ) in flat(text)
    assert len(document.lines) == 5
    for line in document.lines:
        assert line.service_date is not None
        assert format_date(line.service_date) in text
        assert flat(line.description) in words
        assert shown(format_money(line.net)) in text
        assert shown(format_money(line.unit_price)) in text
        assert format_percent(line.vat_rate) in text
        if line.minutes is not None:
            assert format_minutes_as_hours(line.minutes) in text
    # The contact and the technician are named on the time lines.
    assert any(sample.contact_subject in line.description for line in document.lines)
    assert sample.contact_subject in words and sample.technician_name in words
    # VAT per rate, with the reason of the exemption, and the totals.
    assert flat(_("Exempt: {reason}").format(reason=EXEMPTION)) in words
    for summary in document.by_rate:
        assert shown(format_money(summary.base)) in text
        assert shown(format_money(summary.vat)) in text
    for total in (document.net, document.vat, document.gross):
        assert shown(format_money(total)) in text
    # Payment details and the company's legal mention.
    assert "PT50 0002 0123 1234 5678 9015 4" in text
    assert "Capital social 5 000 €." in text


def test_p21_totals_are_the_sum_of_the_lines_and_of_the_vat(sample: Sample, pdf: Path) -> None:
    text = pdf_text(pdf)
    nets = []
    for row in text.splitlines():
        if DAY.match(row.strip()):
            found = MONEY.findall(row)
            if found:
                nets.append(amount(found[-1]))  # the net amount ends the row
    assert len(nets) == len(sample.invoice.lines)

    def labelled(label: str) -> Decimal:
        """The amount right of ``label`` (the totals stand beside the VAT summary)."""
        found = re.findall(rf"(?:^|\s{{2}}){re.escape(label)}\s+({MONEY.pattern})", text, re.M)
        assert len(found) == 1, (label, found)
        return amount(found[0])

    net, vat, total = labelled(_("Total net")), labelled(_("Total VAT")), labelled(_("Total"))
    assert net == sum(nets)
    # The VAT summary's rows start with their rate; their VAT is the last amount left of the
    # totals beside them.
    summary = [row for row in text.splitlines() if re.match(r"\s*\d+%\s", row)]
    assert len(summary) == len(sample.invoice.by_rate)
    vats = [amount(MONEY.findall(row.split("   " + _("Total"))[0])[-1]) for row in summary]
    assert vat == sum(vats)
    assert total == net + vat
    assert total == sample.invoice.gross


def test_pt_pt_formats(sample: Sample, pdf: Path) -> None:
    text = pdf_text(pdf)
    assert "1 234,50 €" in text  # BIG_PRICE, with a thousands separator and a decimal comma
    assert shown(format_money(BIG_PRICE)) == "1 234,50 €"
    assert "02/04/2025" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates
    assert not re.search(r"\d\.\d{2} €", text)  # no decimal points


def test_text_from_the_database_is_printed_as_is(sample: Sample, pdf: Path) -> None:
    text = pdf_text(pdf)
    assert SILVA_NAME in text  # <b>Silva & Filhos</b>, not a bold "Silva & Filhos"
    assert "Instalação do servidor & configuração <rede>" in pdf_words(pdf)
    assert "&amp;" not in text and "&lt;" not in text


def test_p22_notice_and_no_fake_certification(sample: Sample, pdf: Path) -> None:
    text = pdf_text(pdf)
    assert flat(sample.invoice.notice) in flat(text)
    assert "ATCUD" not in text
    assert poppler("pdfimages", "-list", str(pdf)).count("\n") == 2  # header only: no QR code


def test_pdf_a_and_embedded_fonts(pdf: Path) -> None:
    info = pdf_info(pdf)
    assert info["PDF version"] == "1.4"
    assert info["Page size"].startswith("595") and "(A4)" in info["Page size"]
    assert info["Pages"] == "1"
    assert info["Title"] == "{} FT 2025/1".format(_("Invoice"))
    raw = pdf.read_bytes()
    assert b'pdfaid:part="1"' in raw
    assert b'pdfaid:conformance="B"' in raw
    fonts = pdf_fonts(pdf)
    assert fonts, "no font in the PDF"
    assert all(font["emb"] == "yes" for font in fonts)
    assert any(font["name"].endswith("DejaVuSans") for font in fonts)


def test_a_long_invoice_flows_over_pages_with_its_header(
    long_invoice: InvoiceDocument, tmp_path: Path, qapp: QApplication
) -> None:
    path = tmp_path / "longa.pdf"
    write_invoice_pdf(long_invoice, path)
    pages = int(pdf_info(path)["Pages"])
    assert pages >= 3
    first, second = pdf_text(path, 1), pdf_text(path, 2)
    assert _("Page {page} of {pages}").format(page=1, pages=pages) in first
    assert _("Page {page} of {pages}").format(page=2, pages=pages) in second
    # The table's header again at the top of page 2, above its first line (a header cell may
    # wrap onto two lines: "Preço / unitário").
    header = [_("Date"), _("Description"), _("Quantity"), _("Unit price"), _("Net amount")]
    rows = [row for row in second.splitlines() if row.strip()]
    first_line = next(n for n, row in enumerate(rows) if "Linha " in row)
    above = " ".join(rows[:first_line]).split()
    assert all(word in above for title in header for word in title.split())
    # Every line printed once, none cut in two across pages, the notice on every page.
    seen = []
    for page in range(1, pages + 1):
        text = pdf_text(path, page)
        numbers = [int(n) for n in re.findall(r"Linha (\d+):", text)]
        assert text.count("equipamento") == len(numbers)
        seen += numbers
        assert flat(long_invoice.notice) in flat(text)
    assert seen == list(range(1, len(long_invoice.lines) + 1))
    assert shown(format_money(long_invoice.gross)) in pdf_text(path, pages)


def test_a_final_consumer(
    desk: Desk, clock: ManualClock, consumer: Customer, tmp_path: Path, qapp: QApplication
) -> None:
    clock.set(lisbon(2025, 4, 2, 11))
    made = invoices.draft_invoice(
        desk, customer_id=consumer.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Recuperação de fotografias",
        quantity=Decimal(1),
        unit_price=Decimal("35.00"),
    )
    document = invoices.issue_invoice(desk, made.id, made.version)
    path = tmp_path / "consumidor.pdf"
    write_invoice_pdf(document, path)
    text = pdf_text(path)
    assert "Maria Antónia Gonçalves" in text and "7000-001 Évora" in text
    assert _("NIF: {nif}").format(nif=_("Final consumer")) in text


def test_a_credit_note_names_the_invoice_it_corrects(
    sample: Sample, admin_desk: Desk, tmp_path: Path, qapp: QApplication
) -> None:
    original = sample.invoice
    done = invoices.cancel_invoice(admin_desk, original.id, original.version, reason="NIF errado")
    note_path, cancelled_path = tmp_path / "nota.pdf", tmp_path / "anulada.pdf"
    write_invoice_pdf(done.credit_note, note_path)
    write_invoice_pdf(done.invoice, cancelled_path)
    text = pdf_text(note_path)
    assert _("Credit note") in text
    assert "NC 2025/1" in text
    assert _("invoice {number} of {date}").format(
        number="FT 2025/1", date=format_date(date(2025, 4, 2))
    ) in flat(text)
    assert "NIF errado" in text
    assert shown(format_money(-original.gross)) in text
    assert SILVA_NAME in text and flat(done.credit_note.notice) in flat(text)
    cancelled = flat(pdf_text(cancelled_path))
    assert (
        _("credit note {number} of {date}").format(
            number="NC 2025/1", date=format_date(date(2025, 4, 2))
        )
        in cancelled
    )


def test_a_draft_says_it_is_not_a_valid_document(
    desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path, qapp: QApplication
) -> None:
    clock.set(lisbon(2025, 4, 2, 11))
    made = invoices.draft_invoice(
        desk, customer_id=silva.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    path = tmp_path / "rascunho.pdf"
    write_invoice_pdf(made, path)
    text = flat(pdf_text(path))
    assert _("not numbered: this is not a valid document") in text
    assert "FT 2025/" not in text


def test_an_unwritable_path_writes_nothing(
    sample: Sample, tmp_path: Path, qapp: QApplication
) -> None:
    target = tmp_path / "missing" / "fatura.pdf"
    with pytest.raises(FileNotFoundError):
        write_invoice_pdf(sample.invoice, target)
    assert not target.parent.exists()


def test_the_period_of_the_services_is_that_of_the_lines(
    desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path, qapp: QApplication
) -> None:
    """Issue 15: an invoice issued on 6 December for work of 6 December printed "01/12/2026 a
    31/12/2026", the month the draft was made for."""
    clock.set(lisbon(2026, 12, 6, 17))
    made = invoices.draft_invoice(
        desk, customer_id=silva.id, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31)
    )
    for day in (6, 4):
        made = invoices.add_line(
            desk,
            made.id,
            made.version,
            description="Configuração do router",
            quantity=Decimal(1),
            unit_price=Decimal("35.00"),
            service_date=date(2026, 12, day),
        )
    document = invoices.issue_invoice(desk, made.id, made.version)
    assert document.services_period == (date(2026, 12, 4), date(2026, 12, 6))
    path = tmp_path / "dezembro.pdf"
    write_invoice_pdf(document, path)
    text = flat(pdf_text(path))
    period = _("{start} to {end}").format(
        start=format_date(date(2026, 12, 4)), end=format_date(date(2026, 12, 6))
    )
    assert _("Period of the services") in text and period in text
    assert format_date(date(2026, 12, 1)) not in text
    assert format_date(date(2026, 12, 31)) not in text


def test_the_period_of_a_monthly_pack_line_is_its_month(sample: Sample) -> None:
    """A monthly pack's line (dated the month's first day) spans its month; without dated
    lines the period is the draft's."""
    document = sample.invoice
    line = replace(document.lines[0], service_date=date(2025, 2, 1), pack_month=date(2025, 2, 1))
    other = replace(document.lines[0], service_date=date(2025, 2, 10), pack_month=None)
    assert replace(document, lines=(other, line)).services_period == (
        date(2025, 2, 1),
        date(2025, 2, 28),
    )
    undated = replace(document.lines[0], service_date=None, pack_month=None)
    assert replace(document, lines=(undated,)).services_period == (
        document.period_start,
        document.period_end,
    )
