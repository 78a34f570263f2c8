"""Commands that need Qt but no window: the PDFs (DESIGN.md).

``balcao export-invoice --db DB NUMBER OUT.pdf`` and ``balcao statement --db DB CUSTOMER
YYYY-MM OUT.pdf`` run on a server without a display: the Qt application they need is made
offscreen there (``ensure_gui_application``). Their errors are ``CommandError`` with a
translated message, which ``ui.main`` prints to stderr with a non-zero exit.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.cli import Command, CommandError, command_database
from app.clock import SystemClock
from app.services.errors import ServiceError
from app.services.exports import cannot_write
from app.services.invoices import invoice_by_number
from app.services.statements import (
    SeveralCustomers,
    customer_statement,
    find_customer,
    parse_month,
)
from ui.pdf import ensure_gui_application, write_invoice_pdf, write_statement_pdf

_D = TypeVar("_D")


def _write(write: Callable[[_D, Path], None], document: _D, output: Path) -> int:
    ensure_gui_application()
    try:
        write(document, output)
    except OSError as error:
        raise CommandError(cannot_write(output, error)) from error
    return 0


def export_invoice(args: argparse.Namespace) -> int:
    """Writes the invoice or credit note numbered ``args.number`` ("FT 2026/17") as PDF."""
    from app.services.invoicing.queries import legal_status

    with command_database(args.db):
        document = invoice_by_number(args.number)
        legal = legal_status(document.id)  # P29: names the legal document once finalized
    return _write(
        lambda shown, output: write_invoice_pdf(shown, output, legal), document, Path(args.output)
    )


def statement(args: argparse.Namespace) -> int:
    """Writes a customer's statement of one month as PDF; the customer is named by id, NIF,
    name or a part of the name only they have (several: listed, exit status 2), the month as
    ``2026-03``."""
    try:
        year, month = parse_month(args.month)
    except ServiceError as error:
        raise CommandError(error.message) from error
    with command_database(args.db):
        try:
            customer_id = find_customer(args.customer)
        except SeveralCustomers as error:
            raise CommandError(error.message, code=2) from error
        made = customer_statement(customer_id, year, month, now=SystemClock().now())
    return _write(write_statement_pdf, made, Path(args.output))


def commands_with_qt() -> dict[str, Command]:
    return {"export-invoice": export_invoice, "statement": statement}
