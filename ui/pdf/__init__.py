"""The documents Balcão prints: invoices and credit notes, and customers' monthly statements."""

from __future__ import annotations

from ui.pdf.common import ensure_gui_application
from ui.pdf.invoice import write_invoice_pdf
from ui.pdf.statement import write_statement_pdf

__all__ = ["ensure_gui_application", "write_invoice_pdf", "write_statement_pdf"]
