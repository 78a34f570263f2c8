"""Bringing customers in from a CSV file (issue 15): WHMCS's client export, or Balcão's own.

``read_customers(path)`` reads and maps the file (no database); ``run_import(desk, rows)`` writes
it through the customer services, each row in its own transaction, and returns the report;
``dry_run=True`` does all of it and rolls back, which is also the window's preview. The formats
are documented in docs/IMPORT.md.
"""

from __future__ import annotations

from app.services.imports.mapping import ImportRow, RowFault
from app.services.imports.reader import ImportFile, read_customers
from app.services.imports.run import ImportReport, RowOutcome, run_import

__all__ = [
    "ImportFile",
    "ImportReport",
    "ImportRow",
    "RowFault",
    "RowOutcome",
    "read_customers",
    "run_import",
]
