"""Column types: instants stay exact and UTC, money stays exact, enums come back as members."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database, fn

from app.domain.sla import Plan
from app.store.database import execute_sql, is_sqlite
from app.store.models import CompanyException, CompanySettings, Customer, Invoice, Technician
from tests.store import factories
from tests.store.fixtures import on_postgres

LISBON = ZoneInfo("Europe/Lisbon")
on_database = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
aware_instants = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2199, 12, 31),
    timezones=st.sampled_from(
        [UTC, LISBON, ZoneInfo("Atlantic/Azores"), timezone(timedelta(hours=-3, minutes=-30))]
    ),
)


def test_an_instant_comes_back_the_same_and_in_utc(database: Database) -> None:
    # 01:30 Lisbon on the night the clocks go forward: 00:30 UTC.
    written = datetime(2025, 3, 30, 1, 30, 15, 250, tzinfo=timezone(timedelta(hours=1)))
    ana = factories.technician(created_at=written)
    read = Technician.get_by_id(ana.id).created_at
    assert read == written
    assert read.tzinfo is UTC
    assert read == datetime(2025, 3, 30, 0, 30, 15, 250, tzinfo=UTC)


@on_database
@given(written=aware_instants)
def test_any_aware_instant_round_trips_exactly(database: Database, written: datetime) -> None:
    technician = factories.technician(created_at=written)
    read = Technician.get_by_id(technician.id).created_at
    # Compared in UTC: Python never calls a repeated local hour (DST's end) equal to another zone.
    assert read == written.astimezone(UTC)
    assert read.tzinfo is UTC


def test_a_naive_datetime_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        factories.technician(created_at=datetime(2025, 3, 10, 10, 0))
    with pytest.raises(ValueError, match="naive"):
        Technician.select().where(Technician.created_at < datetime(2025, 3, 10)).count()
    assert Technician.select().count() == 0


def test_a_date_is_not_an_instant(database: Database) -> None:
    with pytest.raises(TypeError, match="created_at"):
        factories.technician(created_at=date(2025, 3, 10))


@on_database
@given(
    instants=st.lists(
        aware_instants, min_size=2, max_size=6, unique_by=lambda at: at.astimezone(UTC)
    )
)
def test_instants_sort_and_compare_in_sql_as_in_time(
    database: Database, instants: list[datetime]
) -> None:
    Technician.delete().execute()
    for at in instants:
        factories.technician(created_at=at)
    in_time_order = sorted(at.astimezone(UTC) for at in instants)
    in_sql_order = [t.created_at for t in Technician.select().order_by(Technician.created_at)]
    assert in_sql_order == in_time_order
    middle = in_time_order[len(in_time_order) // 2]
    earlier = Technician.select().where(Technician.created_at < middle).count()
    assert earlier == in_time_order.index(middle)


def test_sqlite_keeps_instants_as_fixed_width_utc_text(database: Database) -> None:
    if not is_sqlite():
        pytest.skip("PostgreSQL keeps them as timestamptz")
    factories.technician(created_at=datetime(2025, 7, 1, 9, 0, tzinfo=LISBON))
    stored = execute_sql("SELECT created_at FROM technician").fetchone()[0]
    assert stored == "2025-07-01 08:00:00.000000"


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="needs BALCAO_TEST_PG")
def test_postgresql_keeps_instants_as_timestamptz(database: Database) -> None:
    factories.technician(created_at=datetime(2025, 7, 1, 9, 0, tzinfo=LISBON))
    execute_sql("SET TIME ZONE 'America/New_York'")  # the session's zone must not matter
    read = Technician.get().created_at
    assert read == datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
    assert read.tzinfo is UTC
    kind = execute_sql(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'technician'"
        " AND column_name = 'created_at'"
    ).fetchone()[0]
    assert kind == "timestamp with time zone"


@on_database
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2),
        min_size=1,
        max_size=5,
    )
)
def test_money_is_exact_one_by_one_and_summed(database: Database, amounts: list[Decimal]) -> None:
    Invoice.delete().execute()
    customer = factories.customer()
    for amount in amounts:
        Invoice.create(customer=customer, series="FT", net=amount, created_at=factories.AT)
    assert [i.net for i in Invoice.select().order_by(Invoice.id)] == amounts
    # peewee leaves SUM() raw unless asked to convert it with the column's type.
    assert Invoice.select(fn.SUM(Invoice.net).coerce(True)).scalar() == sum(amounts)


def test_tenths_of_a_cent_add_up_where_floats_would_not(database: Database) -> None:
    customer = factories.customer()
    for _ in range(3):
        Invoice.create(customer=customer, series="FT", net=Decimal("0.10"), created_at=factories.AT)
    total = Invoice.select(fn.SUM(Invoice.net).coerce(True)).scalar()
    assert total == Decimal("0.30")
    assert str(total) == "0.30"


def test_money_with_more_than_cents_is_refused_not_rounded(database: Database) -> None:
    with pytest.raises(ValueError, match="round it first"):
        factories.customer(rate_inside=Decimal("45.005"))
    with pytest.raises(TypeError, match="Decimal"):
        factories.customer(rate_inside=45.5)
    assert Customer.select().count() == 0


def test_rates_keep_four_decimals(database: Database) -> None:
    settings_row = CompanySettings.current()
    settings_row.vat_rate = Decimal("0.2250")
    settings_row.save()
    assert CompanySettings.current().vat_rate == Decimal("0.225")


def test_an_enum_comes_back_as_its_member(database: Database) -> None:
    loja = factories.customer(plan="priority_24_7")
    read = Customer.get_by_id(loja.id).plan
    assert read is Plan.PRIORITY_24_7
    assert Customer.select().where(Customer.plan == Plan.PRIORITY_24_7).count() == 1


def test_an_unknown_enum_value_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="gold"):
        factories.customer(plan="gold")


def test_opening_hours_round_trip(database: Database) -> None:
    settings_row = CompanySettings.current()
    settings_row.weekly_hours = {5: [(time(10), time(12, 30))]}
    settings_row.closed_optional_days = ["carnival", "christmas_eve"]
    settings_row.save()
    CompanyException.create(day=date(2025, 12, 24), hours=[(time(9), time(13))])
    CompanyException.create(day=date(2025, 8, 15), hours=[], note="Férias")
    read = CompanySettings.current()
    assert read.weekly_hours == {5: [(time(10), time(12, 30))]}
    assert read.closed_optional_days == ["carnival", "christmas_eve"]
    assert CompanyException.get(day=date(2025, 8, 15)).hours == []


def test_the_settings_describe_the_business_calendar(database: Database) -> None:
    CompanyException.create(day=date(2025, 3, 11), hours=[])  # a Tuesday, closed
    CompanyException.create(day=date(2025, 3, 12), hours=[(time(9), time(11))])
    calendar = CompanySettings.current().calendar()
    monday_ten = datetime(2025, 3, 10, 10, 0, tzinfo=LISBON)
    assert calendar.is_open(monday_ten)
    assert not calendar.is_open(datetime(2025, 3, 11, 10, 0, tzinfo=LISBON))
    assert calendar.is_open(datetime(2025, 3, 12, 10, 0, tzinfo=LISBON))
    assert not calendar.is_open(datetime(2025, 3, 12, 11, 30, tzinfo=LISBON))
    assert not calendar.is_open(datetime(2025, 4, 25, 10, 0, tzinfo=LISBON))  # Liberdade
    # P5 across the closed Tuesday: Monday's contact is due at Wednesday's (special) close.
    assert calendar.close_of_next_business_day(monday_ten) == datetime(
        2025, 3, 12, 11, 0, tzinfo=LISBON
    )
