"""The local InvoiceXpress, and the services' fixtures (a fresh database, desks, a clock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.invoicing.fake_invoicexpress import Fake, start
from tests.services.conftest import admin, admin_desk, clock, database, db_location, desk, technician

__all__ = ["admin", "admin_desk", "clock", "database", "db_location", "desk", "technician"]


@pytest.fixture
def fake() -> Iterator[Fake]:
    server, made = start()
    try:
        yield made
    finally:
        if made.hold_create is not None:
            made.hold_create.set()
        server.clear()
        server.stop()
