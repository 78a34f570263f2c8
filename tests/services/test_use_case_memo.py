"""The company settings and the calendar's exceptions are read once per use case, never kept
across use cases, and read again after a use case writes them (issue 12: round trips)."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest

from app.clock import ManualClock
from app.services import invoices, memo, sessions
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.settings import (
    add_company_exception,
    business_calendar,
    company_zone,
    remove_company_exception,
    settings,
    update_settings,
)
from app.services.settings.calendar import company_settings
from app.store.models import SETTINGS_ID, CompanySettings
from tests.services.b_fixtures import company
from tests.services.test_query_counts import build
from tests.store.queries import count_queries

__all__ = ["company"]


def _tuesday() -> datetime:
    """Tuesday 11 March 2025, 10:00 in Lisbon: a business day, unless an exception closes it."""
    return datetime(2025, 3, 11, 10, 0, tzinfo=company_zone())


def _set_city(city: str) -> None:
    """Another desk's write: straight to the table, past every service."""
    CompanySettings.update(city=city).where(CompanySettings.id == SETTINGS_ID).execute()


def test_a_use_case_reads_the_settings_and_the_exceptions_once(admin_desk: Desk) -> None:
    with count_queries() as run, use_case():
        business_calendar()
        company_settings()
        company_zone()
        business_calendar()
        company_settings()
    assert len(run) == 2, run  # the settings row, then the exceptions


def test_outside_a_use_case_every_read_goes_to_the_database(admin_desk: Desk) -> None:
    with count_queries() as run:
        company_settings()
        company_settings()
        company_zone()
    assert len(run) == 3, run


def test_nothing_is_kept_from_one_use_case_to_the_next(admin_desk: Desk) -> None:
    with use_case():
        assert company_settings().city == ""
    _set_city("Braga")  # another desk, between two use cases
    with use_case():
        assert company_settings().city == "Braga"


def test_a_use_case_sees_the_settings_it_writes(admin_desk: Desk) -> None:
    with use_case():
        assert company_settings().city == ""
        update_settings(admin_desk, settings().version, city="Porto")  # nested: a savepoint
        assert company_settings().city == "Porto"


def test_p2_a_use_case_sees_the_exceptions_it_writes(admin_desk: Desk) -> None:
    with use_case():
        assert business_calendar().is_open(_tuesday())
        added = add_company_exception(admin_desk, day=date(2025, 3, 11))
        assert not business_calendar().is_open(_tuesday())
        remove_company_exception(admin_desk, added.exception.id, added.exception.version)
        assert business_calendar().is_open(_tuesday())


def test_p2_special_hours_written_in_a_use_case_are_the_calendars_at_once(
    admin_desk: Desk,
) -> None:
    with use_case():
        business_calendar()
        add_company_exception(admin_desk, day=date(2025, 3, 11), hours=[(time(14), time(16))])
        assert not business_calendar().is_open(_tuesday())  # 10:00, closed until 14:00


def test_a_failed_nested_use_case_leaves_nothing_of_its_own_behind(admin_desk: Desk) -> None:
    """The savepoint's write is undone: what was read after it must go with it."""
    with use_case():
        assert company_settings().city == ""
        with pytest.raises(RuleError), use_case():
            update_settings(admin_desk, settings().version, city="Faro")
            assert company_settings().city == "Faro"
            raise RuleError("undone")
        assert company_settings().city == ""


def test_another_thread_keeps_its_own_reads(admin_desk: Desk) -> None:
    """Each thread has its own connection and transaction: a use case's reads are its own."""
    seen: list[bool] = []
    with use_case():
        company_settings()

        def other() -> None:
            seen.append(memo.active())

        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
    assert seen == [False]


def test_issuing_an_invoice_with_time_reads_the_settings_once(
    company: CompanySettings, clock: ManualClock
) -> None:
    """The issue reads the settings for the supplier, then the zone for the sessions it takes:
    one read between them."""
    world = build(clock, 3, "A")
    started = sessions.start_session(world.desk, customer_id=world.customer_id)
    clock.advance(timedelta(hours=9))  # more than the packs and the free hours hold
    stopped = sessions.stop_session(world.desk, started.id, started.version)
    assert stopped.billing is not None and stopped.billing.uncovered_inside_minutes > 0
    draft = invoices.draft_invoice(
        world.desk,
        customer_id=world.customer_id,
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
    )
    assert any(line.session_id == started.id for line in draft.lines)
    with count_queries() as run:
        invoices.issue_invoice(world.desk, draft.id, draft.version)
    assert sum('FROM "company_settings"' in sql for sql in run) == 1, run
