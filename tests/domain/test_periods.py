"""The ledger's preset periods (``app.domain.periods``): local days, then UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from app.domain.periods import Period, period_days, period_instants

TODAY = date(2025, 3, 14)
LISBON = ZoneInfo("Europe/Lisbon")


def test_period_presets_are_local_days() -> None:
    assert period_days(Period.THIS_MONTH, TODAY) == (date(2025, 3, 1), date(2025, 4, 1))
    assert period_days(Period.LAST_MONTH, date(2025, 1, 15)) == (
        date(2024, 12, 1),
        date(2025, 1, 1),
    )
    assert period_days(Period.LAST_3_MONTHS, TODAY) == (date(2025, 1, 1), date(2025, 4, 1))
    assert period_days(Period.THIS_YEAR, TODAY) == (date(2025, 1, 1), date(2026, 1, 1))
    assert period_days(Period.EVERYTHING, TODAY) is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2200, 12, 31)))
def test_every_preset_holds_today_or_ends_where_this_month_begins(today: date) -> None:
    this_month = period_days(Period.THIS_MONTH, today)
    last_month = period_days(Period.LAST_MONTH, today)
    three = period_days(Period.LAST_3_MONTHS, today)
    year = period_days(Period.THIS_YEAR, today)
    assert this_month and last_month and three and year
    for first, after in (this_month, three, year):
        assert first <= today < after
    assert this_month[0].day == 1 and this_month[1].day == 1
    assert last_month[1] == this_month[0]
    assert 28 <= (last_month[1] - last_month[0]).days <= 31
    assert three[1] == this_month[1]
    assert 89 <= (three[1] - three[0]).days <= 92


def test_the_period_in_instants_begins_at_local_midnight() -> None:
    # Summer time: Lisbon is UTC+1, so 1 July begins at 23:00 UTC on 30 June.
    since, until = period_instants(Period.THIS_MONTH, date(2025, 7, 10), LISBON)
    assert since == datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    assert until == datetime(2025, 7, 31, 23, 0, tzinfo=UTC)
    assert period_instants(Period.EVERYTHING, TODAY, LISBON) == (None, None)
