"""Benchmark: the PDF of a 500-line invoice must be written in under a second.

Run as a script (pytest does not collect tests/bench):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_pdf.py

The invoice is made in memory with the domain's arithmetic (no database: only the PDF is
timed): 500 lines of support sessions and packs, each with its own date, description naming a
technician and a contact, price and amount, so that nothing is formatted only once. The time is
the best of a few runs of ``write_invoice_pdf``, from the document to the file on disk.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from time import perf_counter, process_time

from app.domain.invoice import InvoiceLine, time_line, totals
from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import set_language
from app.services.invoices import NOT_CERTIFIED_NOTICE, DocumentLine, InvoiceDocument, Party
from ui.pdf import ensure_gui_application, write_invoice_pdf

LINES = 500
REPEATS = 5
GOAL = 1.0  # seconds
TECHNICIANS = ("Rui", "Marta", "Inês", "João")
SUBJECTS = (
    "Impressora não imprime",
    "Servidor de correio lento",
    "Cópias de segurança falhadas",
    "Configuração da VPN",
)


def domain_lines() -> list[InvoiceLine]:
    first = date(2026, 1, 1)
    lines = []
    for number in range(LINES):
        day = first + timedelta(days=number % 28)
        if number % 10 == 9:
            lines.append(
                InvoiceLine(
                    description=f"Pack unitário de {number % 7 + 2} h de suporte, n.º {number}",
                    quantity=Decimal(1),
                    unit_price=Decimal(9000 + number * 13) / 100,
                    vat_rate=Decimal("0.23"),
                    service_date=day,
                )
            )
            continue
        description = "Suporte em {} por {}: {} ({})".format(
            day.strftime("%d/%m/%Y"),
            TECHNICIANS[number % len(TECHNICIANS)],
            SUBJECTS[number % len(SUBJECTS)],
            "fora do horário" if number % 3 == 0 else "horário de funcionamento",
        )
        rate = Decimal(4000 + number * 7) / 100
        lines.append(time_line(description, 15 * (number % 12 + 1), rate, service_date=day))
    return lines


def document() -> InvoiceDocument:
    lines = domain_lines()
    summed = totals(lines)
    supplier = Party("Webplug, Lda.", "501964843", "Rua do Ouro, 10", "1100-060", "Lisboa", "PT")
    customer = Party("Padaria Central", "123456789", "Rua Direita, 1", "3000-001", "Coimbra", "PT")
    return InvoiceDocument(
        id=1,
        version=1,
        kind=InvoiceKind.INVOICE,
        state=InvoiceState.ISSUED,
        series="FT",
        year=2026,
        number=17,
        number_text="FT 2026/17",
        customer_id=1,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        issue_date=date(2026, 2, 2),
        issued_at=datetime(2026, 2, 2, 10, tzinfo=UTC),
        issued_by_name="Marta",
        supplier=supplier,
        supplier_iban="PT50000201231234567890154",
        customer=customer,
        lines=tuple(
            DocumentLine(
                id=position,
                position=position,
                description=line.description,
                service_date=line.service_date,
                quantity=line.quantity,
                minutes=line.minutes,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                exemption=line.exemption,
                net=line.net,
                pack_id=None,
                pack_month=None,
                session_id=None,
            )
            for position, line in enumerate(lines, start=1)
        ),
        net=summed.net,
        vat=summed.vat,
        gross=summed.gross,
        by_rate=summed.by_rate,
        legal_mention="Capital social 5 000 €. Matrícula na C.R.C. de Lisboa.",
        notice=NOT_CERTIFIED_NOTICE,
        corrects=None,
        corrected_by=None,
        correction_reason="",
        created_at=datetime(2026, 2, 2, 10, tzinfo=UTC),
    )


def main() -> int:
    set_language("pt_PT")
    application = ensure_gui_application()
    invoice = document()
    times, cpu = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fatura.pdf"
        for _ in range(REPEATS):
            started, started_cpu = perf_counter(), process_time()
            write_invoice_pdf(invoice, path)
            times.append(perf_counter() - started)
            cpu.append(process_time() - started_cpu)
        size = path.stat().st_size
    best, median = min(times), statistics.median(times)
    # The processor time too: on a busy machine the wall clock also counts other programs.
    print(
        f"{application.platformName()}: a {LINES}-line invoice written as PDF in {best:.3f} s "
        f"(best of {REPEATS}; median {median:.3f} s; processor {min(cpu):.3f} s; "
        f"{size / 1024:.0f} KiB); goal < {GOAL} s"
    )
    return 0 if best < GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
