"""Company settings, calendar exceptions (P1, P2), the cached business calendar, technicians."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.domain.calendar import DEFAULT_WEEKLY
from app.services import changes
from app.services.changes import Topic
from app.services.context import Desk
from app.services.errors import ConflictError, InputError, NotFoundError, RuleError
from app.services.settings import (
    add_company_exception,
    add_technician,
    business_calendar,
    company_exceptions,
    company_today,
    company_zone,
    deactivate_technician,
    districts,
    find_technician,
    reactivate_technician,
    remove_company_exception,
    rename_technician,
    set_technician_admin,
    settings,
    technician,
    technicians,
    update_company_exception,
    update_settings,
)
from app.store.base import save_versioned
from app.store.models import CompanySettings, Technician

NothingWritten = Callable[[], AbstractContextManager[None]]
TUESDAY_10H = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)


def test_the_settings_start_with_the_policy_defaults(database: Any) -> None:
    current = settings()
    assert current.vat_rate == Decimal("0.23")
    assert (current.inside_block_minutes, current.outside_block_minutes) == (15, 30)
    assert current.weekly_hours[0] == tuple(DEFAULT_WEEKLY[0])
    assert current.weekly_hours[6] == ()
    assert current.time_zone == "Europe/Lisbon"
    assert current.rate_outside is None
    assert current.effective_rate_outside == current.rate_inside
    assert (current.invoice_series, current.credit_note_series) == ("FT", "NC")


def test_update_settings_normalises_what_is_typed(admin_desk: Desk) -> None:
    before = changes.latest()
    result = update_settings(
        admin_desk,
        settings().version,
        name="  Informática Lda  ",
        nif="PT 501 964 843",
        iban="pt50 0002 0123 1234 5678 9015 4",
        email="Geral@Empresa.PT",
        phone="212 345 678",
        vat_rate=Decimal("0.22"),
        rate_inside=Decimal("40.00"),
        rate_outside=Decimal("60"),
        holiday_district="Lisboa",
        closed_optional_days=["new_years_eve", "carnival"],
        invoice_series="ft",
        session_review_hours=8,
    )
    saved = settings()
    assert result.settings == saved
    assert saved.name == "Informática Lda"
    assert saved.nif == "501964843"
    assert saved.iban == "PT50000201231234567890154"
    assert saved.email == "geral@empresa.pt"
    assert saved.phone == "+351212345678"
    assert saved.vat_rate == Decimal("0.22")
    assert saved.effective_rate_outside == Decimal("60")
    assert saved.holiday_district == "11"
    assert saved.closed_optional_days == ("carnival", "new_years_eve")
    assert saved.invoice_series == "FT"
    assert Topic.SETTINGS in result.changes
    assert changes.since(before)[1].topics == {Topic.SETTINGS}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nif", "123456780"),  # wrong check digit
        ("iban", "PT50000201231234567890155"),
        ("email", "geral@"),
        ("phone", "12"),
        ("vat_rate", Decimal("1")),
        ("vat_rate", Decimal("-0.01")),
        ("vat_rate", Decimal("0.12345")),
        ("rate_inside", Decimal("-1")),
        ("rate_inside", Decimal("10.005")),
        ("rate_outside", Decimal("-0.01")),
        ("inside_block_minutes", 0),
        ("outside_block_minutes", -30),
        ("session_review_hours", 0),
        ("holiday_district", "Atlântida"),
        ("closed_optional_days", ["boxing_day"]),
        ("time_zone", "Europe/Lisboa"),
        ("name", "   "),
        ("invoice_series", "F T"),
        ("credit_note_series", "FT"),  # the invoices' own series
        ("weekly_hours", {0: [(time(13), time(9))]}),
        ("weekly_hours", {0: [(time(9), time(13)), (time(12), time(18))]}),
        ("weekly_hours", {day: [] for day in range(7)}),
        ("weekly_hours", {7: [(time(9), time(13))]}),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    admin_desk: Desk, nothing_written: NothingWritten, field: str, value: object
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        update_settings(admin_desk, settings().version, **{field: value})  # type: ignore[misc]
    assert refused.value.field == field
    assert refused.value.message


def test_a_float_is_never_taken_for_money(
    admin_desk: Desk, nothing_written: NothingWritten
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        update_settings(admin_desk, settings().version, rate_inside=40.5)  # type: ignore[arg-type]
    assert refused.value.field == "rate_inside"


def test_settings_saved_meanwhile_by_another_desk_are_not_overwritten(
    admin_desk: Desk, nothing_written: NothingWritten
) -> None:
    seen = settings().version
    update_settings(admin_desk, seen, city="Lisboa")
    with nothing_written(), pytest.raises(ConflictError):
        update_settings(admin_desk, seen, city="Porto")
    assert settings().city == "Lisboa"


def test_only_an_administrator_changes_the_settings(
    desk: Desk, nothing_written: NothingWritten
) -> None:
    with nothing_written(), pytest.raises(RuleError):
        update_settings(desk, settings().version, city="Porto")


def test_anyone_sets_up_a_database_without_an_administrator(database: Any, clock: Any) -> None:
    first = Desk(clock, None)
    named = add_technician(first, name="Ana", is_admin=True).technician
    update_settings(Desk(clock, named.id), settings().version, city="Braga")
    helper = add_technician(Desk(clock, named.id), name="Rui").technician
    with pytest.raises(RuleError):
        update_settings(Desk(clock, helper.id), settings().version, city="Porto")
    assert settings().city == "Braga"


def test_districts_list_the_municipal_holiday_choices() -> None:
    listed = {district.code: district.name for district in districts()}
    assert listed["11"] == "Lisboa"
    assert listed["13"] == "Porto"


# --- P1, P2: the business calendar ----------------------------------------------------------------


def test_p1_the_business_calendar_follows_the_weekly_hours(admin_desk: Desk) -> None:
    assert business_calendar().is_open(TUESDAY_10H)
    mornings = {day: [(time(8), time(9, 30))] for day in range(5)}
    update_settings(admin_desk, settings().version, weekly_hours=mornings)
    assert not business_calendar().is_open(TUESDAY_10H)
    assert business_calendar().is_open(datetime(2025, 3, 11, 8, 15, tzinfo=UTC))
    assert settings().weekly_hours[1] == ((time(8), time(9, 30)),)
    assert settings().weekly_hours[5] == ()


def test_the_company_zone_and_day_follow_the_settings(admin_desk: Desk) -> None:
    late_evening = datetime(2025, 3, 10, 23, 30, tzinfo=UTC)
    assert company_zone() == business_calendar().tz == ZoneInfo("Europe/Lisbon")
    assert company_today(late_evening) == date(2025, 3, 10)
    update_settings(admin_desk, settings().version, time_zone="Atlantic/Madeira")
    assert company_zone() == business_calendar().tz == ZoneInfo("Atlantic/Madeira")
    update_settings(admin_desk, settings().version, time_zone="Asia/Tokyo")
    assert company_today(late_evening) == date(2025, 3, 11)


def test_p2_a_municipal_holiday_closes_the_calendar(admin_desk: Desk) -> None:
    santo_antonio = datetime(2025, 6, 13, 10, 0, tzinfo=UTC)  # Lisbon's, a Friday
    assert business_calendar().is_open(santo_antonio)
    update_settings(admin_desk, settings().version, holiday_district="11")
    assert not business_calendar().is_open(santo_antonio)


def test_p2_a_closed_day_and_special_hours(admin_desk: Desk) -> None:
    closed = add_company_exception(admin_desk, day=date(2025, 3, 11), note="Inventário")
    assert closed.exception.closed
    assert Topic.SETTINGS in closed.changes
    assert not business_calendar().is_open(TUESDAY_10H)
    special = add_company_exception(
        admin_desk, day=date(2025, 12, 24), hours=[(time(9), time(13))]
    ).exception
    assert business_calendar().is_open(datetime(2025, 12, 24, 12, 0, tzinfo=UTC))
    assert not business_calendar().is_open(datetime(2025, 12, 24, 14, 0, tzinfo=UTC))
    assert [row.day for row in company_exceptions(year=2025)] == [
        date(2025, 3, 11),
        date(2025, 12, 24),
    ]
    updated = update_company_exception(
        admin_desk, special.id, special.version, hours=[(time(9), time(12))]
    ).exception
    assert not business_calendar().is_open(datetime(2025, 12, 24, 12, 30, tzinfo=UTC))
    remove_company_exception(admin_desk, closed.exception.id, closed.exception.version)
    assert business_calendar().is_open(TUESDAY_10H)
    assert [row.id for row in company_exceptions()] == [updated.id]


def test_p2_one_exception_per_day(admin_desk: Desk, nothing_written: NothingWritten) -> None:
    add_company_exception(admin_desk, day=date(2025, 3, 11))
    with nothing_written(), pytest.raises(InputError) as refused:
        add_company_exception(admin_desk, day=date(2025, 3, 11), hours=[(time(9), time(12))])
    assert refused.value.field == "day"


@pytest.mark.parametrize(
    "hours",
    [
        [(time(13), time(9))],
        [(time(9), time(12)), (time(11), time(13))],
        [("09:00", "13:00")],
    ],
)
def test_p2_bad_special_hours_are_refused(
    admin_desk: Desk, nothing_written: NothingWritten, hours: Any
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        add_company_exception(admin_desk, day=date(2025, 12, 24), hours=hours)
    assert refused.value.field == "hours"


def test_the_calendar_is_cached_until_what_it_is_made_of_changes(admin_desk: Desk) -> None:
    first = business_calendar()
    assert business_calendar() is first
    update_settings(admin_desk, settings().version, city="Porto")  # not about the calendar
    assert business_calendar() is first
    add_company_exception(admin_desk, day=date(2025, 3, 11))
    assert business_calendar() is not first


def test_the_calendar_sees_a_change_saved_at_another_desk(database: Any) -> None:
    assert business_calendar().is_open(TUESDAY_10H)
    # Another desk (another process) saves new hours: only the database tells this desk.
    row = CompanySettings.current()
    row.weekly_hours = {day: [(time(14), time(18))] for day in range(5)}
    save_versioned(row, row.version)
    assert not business_calendar().is_open(TUESDAY_10H)


# --- technicians ----------------------------------------------------------------------------------


def test_technicians_are_added_renamed_and_deactivated(admin_desk: Desk, admin: Technician) -> None:
    added = add_technician(admin_desk, name="  Joana ").technician
    assert (added.name, added.active, added.is_admin) == ("Joana", True, False)
    renamed = rename_technician(admin_desk, added.id, added.version, "Joana Silva").technician
    assert technician(added.id) == renamed
    gone = deactivate_technician(admin_desk, renamed.id, renamed.version).technician
    assert gone.id not in {row.id for row in technicians()}
    assert gone.id in {row.id for row in technicians(include_inactive=True)}
    back = reactivate_technician(admin_desk, gone.id, gone.version).technician
    promoted = set_technician_admin(admin_desk, back.id, back.version, True).technician
    assert promoted.is_admin and promoted.active


def test_the_command_line_finds_an_active_technician_by_id_or_name(
    admin_desk: Desk, admin: Technician
) -> None:
    joana = add_technician(admin_desk, name="Joana Silva").technician
    assert find_technician(str(joana.id)) == joana
    assert find_technician("  joana silva ") == joana
    gone = deactivate_technician(admin_desk, joana.id, joana.version).technician
    with pytest.raises(NotFoundError):
        find_technician(str(gone.id))
    with pytest.raises(NotFoundError):
        find_technician("Ninguém")


def test_technician_names_are_unique_whatever_the_case(
    admin_desk: Desk, admin: Technician, nothing_written: NothingWritten
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        add_technician(admin_desk, name="MARTA")
    assert refused.value.field == "name"
    assert "MARTA" in refused.value.message


def test_the_last_administrator_stays_one(
    admin_desk: Desk, admin: Technician, nothing_written: NothingWritten
) -> None:
    with nothing_written(), pytest.raises(RuleError):
        set_technician_admin(admin_desk, admin.id, admin.version, False)
    with nothing_written(), pytest.raises(RuleError):
        deactivate_technician(admin_desk, admin.id, admin.version)
    other = add_technician(admin_desk, name="Ana", is_admin=True).technician
    assert not deactivate_technician(admin_desk, admin.id, admin.version).technician.active
    assert technician(other.id).is_admin


def test_only_an_administrator_manages_technicians(desk: Desk, technician: Technician) -> None:
    with pytest.raises(RuleError):
        set_technician_admin(desk, technician.id, technician.version, True)
    assert not technician.is_admin


def test_a_technician_that_does_not_exist(database: Any) -> None:
    with pytest.raises(NotFoundError):
        technician(999)
