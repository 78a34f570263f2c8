"""Every store test gets its own database: SQLite, or PostgreSQL with BALCAO_TEST_PG set."""

from __future__ import annotations

from tests.store.fixtures import database, db_location

__all__ = ["database", "db_location"]
