"""The local InvoiceXpress, and the services' fixtures (a fresh database, desks, a clock)."""

from __future__ import annotations

from tests.invoicing.fake_invoicexpress import fake
from tests.services.conftest import admin, admin_desk, clock, desk, technician
from tests.store.fixtures import database, db_location

__all__ = ["admin", "admin_desk", "clock", "database", "db_location", "desk", "fake", "technician"]
