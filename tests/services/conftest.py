"""Use-case tests: a fresh database (SQLite, or PostgreSQL with BALCAO_TEST_PG), a manual clock
and two desks, one with an ordinary technician and one with an administrator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import pytest
from peewee import Database, fn

from app.clock import ManualClock
from app.services.context import Desk
from app.store.models import ALL_MODELS, Technician
from tests.store import factories
from tests.store.fixtures import database, db_location

__all__ = ["database", "db_location"]

#: Monday 10 March 2025, 10:00 in Lisbon (UTC+0 until the end of March): a business day.
MONDAY_10H = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_10H)


@pytest.fixture
def technician(database: Database) -> Technician:
    return factories.technician(name="Rui")


@pytest.fixture
def admin(database: Database) -> Technician:
    return factories.technician(name="Marta", is_admin=True)


@pytest.fixture
def desk(clock: ManualClock, technician: Technician, admin: Technician) -> Desk:
    """An ordinary technician's desk (an administrator exists in the database)."""
    return Desk(clock, technician.id)


@pytest.fixture
def admin_desk(clock: ManualClock, admin: Technician) -> Desk:
    return Desk(clock, admin.id)


def database_state() -> dict[str, tuple[int, int]]:
    """Each table's row count and the sum of its versions: what any write would change."""
    state = {}
    for model in ALL_MODELS:
        versions = model.select(fn.SUM(model.version)).scalar() if hasattr(model, "version") else 0
        state[model.__name__] = (model.select().count(), int(versions or 0))
    return state


@pytest.fixture
def nothing_written() -> Callable[[], AbstractContextManager[None]]:
    """``with nothing_written(), pytest.raises(...):`` — the refused use case wrote nothing."""

    @contextmanager
    def check() -> Iterator[None]:
        before = database_state()
        yield
        assert database_state() == before

    return check
