"""Fixtures for the window's tests: the services' test database and desk, and a UiContext."""

from __future__ import annotations

import pytest

from app.services.context import Desk
from tests.services.conftest import (  # noqa: F401 - fixtures, used by name
    MONDAY_10H,
    admin,
    admin_desk,
    clock,
    database,
    db_location,
    desk,
    nothing_written,
    technician,
)
from ui.context import UiContext


@pytest.fixture
def context(desk: Desk) -> UiContext:  # noqa: F811 - the fixture imported above, by name
    return UiContext(desk)
