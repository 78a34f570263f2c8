"""Response guarantees (P5–P10b), breaches and compensation (P17), the countdown's colours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar import BusinessCalendar, elapsed
from app.domain.sla import (
    Channel,
    GuaranteeOutcome,
    Plan,
    Reason,
    Terms,
    Urgency,
    compensation_hours,
    guarantee_outcome,
    is_breached,
    plan_defaults,
    response_terms,
    urgency,
    urgency_schedule,
    warning_lead,
)

LISBON = ZoneInfo("Europe/Lisbon")
MICRO = timedelta(microseconds=1)
CAL = BusinessCalendar.portugal(municipality="Lisboa")

# A week of 2026 without holidays: Monday 9 March to Sunday 15 March.
MONDAY = date(2026, 3, 9)
TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
FRIDAY, SATURDAY, SUNDAY = (MONDAY + timedelta(days=n) for n in (4, 5, 6))
NEXT_MONDAY, NEXT_TUESDAY = MONDAY + timedelta(days=7), MONDAY + timedelta(days=8)
NEXT_WEDNESDAY = MONDAY + timedelta(days=9)

NO_GUARANTEE_CHANNELS = (Channel.SMS, Channel.WHATSAPP, Channel.SOCIAL, Channel.OTHER)
PUBLIC_CHANNELS = (Channel.EMAIL, Channel.PHONE)
PRIORITY_CHANNELS = (Channel.PRIORITY_EMAIL, Channel.PRIORITY_PHONE)


def lisbon(day: date, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LISBON).replace(fold=fold)


def terms(plan: Plan, channel: Channel, received_at: datetime, registered: bool = True) -> Terms:
    return response_terms(plan, channel, received_at, registered, CAL)


def guaranteed(deadline: datetime, *, urgent: bool = False) -> Terms:
    return Terms(True, deadline, None, Reason.GUARANTEED, urgent=urgent)


# --- P5: Standard, by the close of the next business day ---------------------------------------


def test_p5_received_monday_deadline_tuesday_close() -> None:
    for channel in PUBLIC_CHANNELS:
        assert terms(Plan.STANDARD, channel, lisbon(MONDAY, 10)) == guaranteed(lisbon(TUESDAY, 18))


def test_p5_received_friday_evening_deadline_tuesday_close() -> None:
    # Effective receipt Monday 09:00 (P3), then the close of Tuesday.
    expected = guaranteed(lisbon(NEXT_TUESDAY, 18))
    assert terms(Plan.STANDARD, Channel.EMAIL, lisbon(FRIDAY, 20)) == expected
    assert terms(Plan.STANDARD, Channel.EMAIL, lisbon(SATURDAY, 11)) == expected
    assert terms(Plan.STANDARD, Channel.EMAIL, lisbon(SUNDAY, 23, 59)) == expected
    # Friday in hours: the next business day is Monday.
    friday = terms(Plan.STANDARD, Channel.PHONE, lisbon(FRIDAY, 17, 59))
    assert friday.deadline == lisbon(NEXT_MONDAY, 18)


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (lisbon(MONDAY, 9), lisbon(TUESDAY, 18)),  # exactly at opening
        (lisbon(MONDAY, 13), lisbon(TUESDAY, 18)),  # exactly at the lunch break
        (lisbon(MONDAY, 13, 30), lisbon(TUESDAY, 18)),  # during lunch
        (lisbon(MONDAY, 18) - MICRO, lisbon(TUESDAY, 18)),  # the last instant open
        (lisbon(MONDAY, 18), lisbon(WEDNESDAY, 18)),  # exactly at closing: Tuesday's contact
        (lisbon(MONDAY, 7), lisbon(TUESDAY, 18)),  # before opening
        (lisbon(date(2026, 4, 2), 10), lisbon(date(2026, 4, 6), 18)),  # Good Friday skipped
        (lisbon(date(2026, 4, 3), 10), lisbon(date(2026, 4, 7), 18)),  # received on it
        (lisbon(date(2025, 6, 12), 10), lisbon(date(2025, 6, 16), 18)),  # Santo António
    ],
)
def test_p5_deadline_boundaries(received: datetime, deadline: datetime) -> None:
    assert terms(Plan.STANDARD, Channel.EMAIL, received).deadline == deadline


def test_p5_special_hours_day_closes_at_its_own_closing() -> None:
    christmas_eve = date(2026, 12, 24)
    calendar = BusinessCalendar.portugal(special={christmas_eve: [(time(9), time(13))]})
    received = lisbon(date(2026, 12, 23), 10)
    result = response_terms(Plan.STANDARD, Channel.EMAIL, received, True, calendar)
    assert result.deadline == lisbon(christmas_eve, 13)


def test_p5_deadline_across_the_autumn_clock_change() -> None:
    # Received Friday 23 October 2026 (summer time); Monday closes at 18:00 winter time.
    result = terms(Plan.STANDARD, Channel.EMAIL, lisbon(date(2026, 10, 23), 10))
    assert result.deadline == datetime(2026, 10, 26, 18, tzinfo=UTC)


# --- P6, P7: Priority -------------------------------------------------------------------------


def test_p6_four_business_hours_skip_lunch_and_night() -> None:
    for plan in (Plan.PRIORITY, Plan.PRIORITY_24_7):
        email = Channel.PRIORITY_EMAIL
        assert terms(plan, email, lisbon(MONDAY, 10)) == guaranteed(lisbon(MONDAY, 15))
        assert terms(plan, email, lisbon(MONDAY, 11)).deadline == lisbon(MONDAY, 16)
        assert terms(plan, email, lisbon(MONDAY, 16)).deadline == lisbon(TUESDAY, 11)
        assert terms(plan, email, lisbon(MONDAY, 13, 30)).deadline == lisbon(MONDAY, 18)
        assert terms(plan, email, lisbon(FRIDAY, 17)).deadline == lisbon(NEXT_MONDAY, 12)
        # From a weekend: Monday 09:00 + 4 h ends exactly as lunch starts, not after it.
        assert terms(plan, email, lisbon(SATURDAY, 3)).deadline == lisbon(NEXT_MONDAY, 13)


def test_p6_priority_plan_phone_is_four_business_hours_too() -> None:
    result = terms(Plan.PRIORITY, Channel.PRIORITY_PHONE, lisbon(SATURDAY, 3))
    assert result == guaranteed(lisbon(NEXT_MONDAY, 13))


def test_p7_priority_phone_five_minutes_any_hour() -> None:
    for received in (
        lisbon(MONDAY, 10),
        lisbon(MONDAY, 12, 58),  # runs into lunch: still wall-clock time
        lisbon(SATURDAY, 3, 17),
        lisbon(SUNDAY, 23, 58),  # into Monday
        lisbon(date(2026, 12, 25), 12),  # Christmas
    ):
        result = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, received)
        assert result.guaranteed
        assert result.urgent
        assert result.reason is Reason.GUARANTEED
        assert result.target is None
        assert result.deadline is not None
        assert elapsed(received, result.deadline) == timedelta(minutes=5)


def test_p7_five_minutes_are_real_minutes_on_dst_nights() -> None:
    spring = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, lisbon(date(2026, 3, 29), 0, 58))
    assert spring.deadline == lisbon(date(2026, 3, 29), 2, 3)  # 00:58 WET → 02:03 WEST
    autumn = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, lisbon(date(2026, 10, 25), 1, 58))
    assert autumn.deadline is not None
    # 01:58 summer time → 01:03 winter time, the second showing of that hour.
    assert autumn.deadline.astimezone(UTC) == datetime(2026, 10, 25, 1, 3, tzinfo=UTC)
    assert (autumn.deadline.hour, autumn.deadline.minute, autumn.deadline.fold) == (1, 3, 1)


def test_p7_priority_email_four_business_hours() -> None:
    result = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_EMAIL, lisbon(SATURDAY, 3))
    assert result == guaranteed(lisbon(NEXT_MONDAY, 13))
    assert not result.urgent


# --- P8, P9, P10: no guarantee ------------------------------------------------------------------


def indicative(reason: Reason, target: datetime) -> Terms:
    return Terms(False, None, target, reason)


def test_p8_no_plan_indicative_target_two_business_days() -> None:
    for channel in PUBLIC_CHANNELS:
        for registered in (True, False):
            assert terms(Plan.NONE, channel, lisbon(MONDAY, 10), registered) == indicative(
                Reason.NO_PLAN, lisbon(WEDNESDAY, 18)
            )
    # Friday evening: effective Monday, then Tuesday and Wednesday.
    assert terms(Plan.NONE, Channel.EMAIL, lisbon(FRIDAY, 20)).target == lisbon(NEXT_WEDNESDAY, 18)
    assert compensation_hours(Plan.NONE) == 0


def test_p9_unregistered_sender_no_guarantee() -> None:
    for channel in PUBLIC_CHANNELS:
        result = terms(Plan.STANDARD, channel, lisbon(MONDAY, 10), registered=False)
        assert result == indicative(Reason.UNREGISTERED_SENDER, lisbon(WEDNESDAY, 18))


def test_p10_sms_whatsapp_social_other_no_guarantee() -> None:
    for plan, channel, registered in product(Plan, NO_GUARANTEE_CHANNELS, (True, False)):
        result = terms(plan, channel, lisbon(MONDAY, 10), registered)
        assert result == Terms(False, None, None, Reason.CHANNEL_WITHOUT_GUARANTEE)


def test_p10a_priority_channel_unregistered_rejected() -> None:
    for channel in PRIORITY_CHANNELS:
        for plan in (Plan.PRIORITY, Plan.PRIORITY_24_7):
            result = terms(plan, channel, lisbon(MONDAY, 10), registered=False)
            assert result == Terms(False, None, None, Reason.REJECTED)
        # A dedicated channel used by a customer without a priority plan: rejected too.
        for plan in (Plan.NONE, Plan.STANDARD):
            for registered in (True, False):
                result = terms(plan, channel, lisbon(MONDAY, 10), registered)
                assert result.reason is Reason.REJECTED
                assert result.target is None


def test_p10a_priority_customer_on_public_channel() -> None:
    for plan, channel, registered in product(
        (Plan.PRIORITY, Plan.PRIORITY_24_7), PUBLIC_CHANNELS, (True, False)
    ):
        result = terms(plan, channel, lisbon(MONDAY, 10), registered)
        assert result == indicative(Reason.PUBLIC_CHANNEL, lisbon(WEDNESDAY, 18))


def test_p10b_every_combination_has_a_reason_consistent_with_its_terms() -> None:
    """DESIGN.md's decision table, row by row, for every plan, channel and sender."""
    for plan, channel, registered in product(Plan, Channel, (True, False)):
        result = terms(plan, channel, lisbon(MONDAY, 10), registered)
        if channel in NO_GUARANTEE_CHANNELS:
            expected = Reason.CHANNEL_WITHOUT_GUARANTEE
        elif channel in PRIORITY_CHANNELS:
            priority = plan in (Plan.PRIORITY, Plan.PRIORITY_24_7)
            expected = Reason.GUARANTEED if priority and registered else Reason.REJECTED
        elif plan is Plan.NONE:
            expected = Reason.NO_PLAN
        elif plan is not Plan.STANDARD:
            expected = Reason.PUBLIC_CHANNEL
        else:
            expected = Reason.GUARANTEED if registered else Reason.UNREGISTERED_SENDER
        assert result.reason is expected, (plan, channel, registered)
        assert result.guaranteed == (expected is Reason.GUARANTEED)
        assert (result.deadline is not None) == result.guaranteed
        served_without = {Reason.NO_PLAN, Reason.UNREGISTERED_SENDER, Reason.PUBLIC_CHANNEL}
        assert (result.target is not None) == (expected in served_without)
        assert result.urgent == (
            plan is Plan.PRIORITY_24_7 and channel is Channel.PRIORITY_PHONE and registered
        )


def test_plans_and_channels_accept_their_stored_values() -> None:
    received = lisbon(MONDAY, 10)
    stored = response_terms("standard", "email", received, True, CAL)  # type: ignore[arg-type]
    assert stored == terms(Plan.STANDARD, Channel.EMAIL, received)
    with pytest.raises(ValueError, match="gold"):
        response_terms("gold", "email", received, True, CAL)  # type: ignore[arg-type]


# --- P17: breaches and compensation -------------------------------------------------------------


def test_p17_compensation_hours_per_plan() -> None:
    assert [compensation_hours(plan) for plan in Plan] == [0, 1, 1, 2]
    assert compensation_hours("priority_24_7") == 2  # type: ignore[arg-type]


@pytest.mark.parametrize("plan", list(Plan))
def test_p18_plan_defaults_are_the_terms_the_plan_gives(plan: Plan) -> None:
    """What the Contrato tab shows as each plan's default: a contract holding exactly those
    terms changes nothing, and a term the plan does not have is not shown (``None``)."""
    defaults = plan_defaults(plan)
    received = lisbon(MONDAY, 10)
    for channel in Channel:
        alone = response_terms(plan, channel, received, True, CAL)
        assert response_terms(plan, channel, received, True, CAL, contract=defaults) == alone
    assert compensation_hours(plan, defaults) == compensation_hours(plan)
    assert (defaults.business_response is None) == (plan not in (Plan.PRIORITY, Plan.PRIORITY_24_7))
    assert (defaults.urgent_response is None) == (plan is not Plan.PRIORITY_24_7)
    assert (defaults.next_business_days is None) == (plan is not Plan.STANDARD)


def test_p17_response_exactly_at_deadline_is_not_a_breach() -> None:
    result = terms(Plan.STANDARD, Channel.EMAIL, lisbon(MONDAY, 10))
    deadline = lisbon(TUESDAY, 18)
    assert result.deadline == deadline
    later = lisbon(NEXT_MONDAY, 10)
    assert not is_breached(result, deadline, later)
    assert is_breached(result, deadline + MICRO, later)
    assert not is_breached(result, lisbon(MONDAY, 11), later)
    # The same instant written in another zone.
    assert not is_breached(result, deadline.astimezone(UTC), later)
    assert is_breached(result, (deadline + MICRO).astimezone(ZoneInfo("Asia/Tokyo")), later)


def test_p17_no_response_breached_once_now_is_past_the_deadline() -> None:
    result = terms(Plan.PRIORITY, Channel.PRIORITY_EMAIL, lisbon(MONDAY, 10))
    assert result.deadline is not None
    assert not is_breached(result, None, result.deadline)
    assert is_breached(result, None, result.deadline + MICRO)
    # Also when the deadline passed long ago, while the program was closed.
    assert is_breached(result, None, datetime(2027, 1, 1, tzinfo=UTC))


def test_p17_breach_judged_on_real_time_in_the_repeated_autumn_hour() -> None:
    night = date(2026, 10, 25)
    result = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, lisbon(night, 1, 58))
    assert result.deadline is not None  # 01:03 winter time, after 01:59 summer time
    answered = lisbon(night, 1, 59)  # a minute after the call, in the same zone
    assert not is_breached(result, answered, answered)
    assert urgency(result, lisbon(night, 1, 58), answered) is not Urgency.BREACHED
    late = lisbon(night, 1, 4, fold=1)
    assert is_breached(result, late, late)
    assert is_breached(result, None, late)
    assert urgency(result, lisbon(night, 1, 58), late) is Urgency.BREACHED


def test_p17_terms_without_guarantee_never_breached() -> None:
    for result in (
        terms(Plan.NONE, Channel.EMAIL, lisbon(MONDAY, 10)),
        terms(Plan.STANDARD, Channel.SMS, lisbon(MONDAY, 10)),
        terms(Plan.PRIORITY, Channel.PRIORITY_EMAIL, lisbon(MONDAY, 10), registered=False),
    ):
        assert not is_breached(result, None, lisbon(NEXT_MONDAY, 10))
        assert not is_breached(result, lisbon(NEXT_MONDAY, 9), lisbon(NEXT_MONDAY, 10))


def test_p17_guarantee_outcome_met_missed_pending_or_none() -> None:
    result = terms(Plan.STANDARD, Channel.EMAIL, lisbon(MONDAY, 10))
    deadline = lisbon(TUESDAY, 18)
    later = lisbon(NEXT_MONDAY, 10)
    assert guarantee_outcome(result, deadline, later) is GuaranteeOutcome.MET
    assert guarantee_outcome(result, deadline + MICRO, later) is GuaranteeOutcome.MISSED
    assert guarantee_outcome(result, None, deadline) is GuaranteeOutcome.PENDING
    assert guarantee_outcome(result, None, deadline + MICRO) is GuaranteeOutcome.MISSED
    indicative = terms(Plan.NONE, Channel.EMAIL, lisbon(MONDAY, 10))
    assert guarantee_outcome(indicative, None, later) is GuaranteeOutcome.NONE
    assert guarantee_outcome(indicative, later, later) is GuaranteeOutcome.NONE


# --- the countdown ------------------------------------------------------------------------------


def test_urgency_normal_warning_breached() -> None:
    received = lisbon(MONDAY, 10)
    result = terms(Plan.STANDARD, Channel.EMAIL, received)  # deadline Tuesday 18:00: 32 h
    quarter = timedelta(hours=8)
    assert result.deadline is not None
    assert urgency(result, received, received) is Urgency.NORMAL
    assert urgency(result, received, result.deadline - quarter) is Urgency.NORMAL
    assert urgency(result, received, result.deadline - quarter + MICRO) is Urgency.WARNING
    assert urgency(result, received, result.deadline) is Urgency.WARNING
    assert urgency(result, received, result.deadline + MICRO) is Urgency.BREACHED
    no_plan = terms(Plan.NONE, Channel.EMAIL, received)
    assert urgency(no_plan, received, lisbon(NEXT_MONDAY, 10)) is Urgency.NONE


def test_urgency_window_is_real_time_across_the_autumn_clock_change() -> None:
    # Friday 10:00 summer time to Monday 18:00 winter time: 81 real hours, not 80.
    received = lisbon(date(2026, 10, 23), 10)
    result = terms(Plan.STANDARD, Channel.EMAIL, received)
    assert result.deadline is not None
    assert elapsed(received, result.deadline) == timedelta(hours=81)
    deadline_utc = result.deadline.astimezone(UTC)
    # A quarter of 81 h is 20 h 15 min.
    assert urgency(result, received, deadline_utc - timedelta(hours=20, minutes=10)) is (
        Urgency.WARNING
    )
    assert urgency(result, received, deadline_utc - timedelta(hours=20, minutes=20)) is (
        Urgency.NORMAL
    )


def test_urgency_schedule_gives_the_instants_the_colour_changes() -> None:
    # Across the autumn clock change, as above: amber from 20 h 15 min before the deadline.
    received = lisbon(date(2026, 10, 23), 10)
    result = terms(Plan.STANDARD, Channel.EMAIL, received)
    assert result.deadline is not None
    schedule = urgency_schedule(result, received)
    deadline_utc = result.deadline.astimezone(UTC)
    assert schedule.deadline == deadline_utc
    assert schedule.warning_after == deadline_utc - timedelta(hours=20, minutes=15)
    assert schedule.at(schedule.warning_after) is Urgency.NORMAL
    assert schedule.at(schedule.warning_after + MICRO) is Urgency.WARNING
    assert schedule.at(result.deadline) is Urgency.WARNING
    assert schedule.at(result.deadline + MICRO) is Urgency.BREACHED
    no_plan = urgency_schedule(terms(Plan.NONE, Channel.EMAIL, received), received)
    assert no_plan.at(received) is Urgency.NONE


@given(seconds=st.integers(min_value=-86_400, max_value=6 * 86_400))
def test_urgency_schedule_is_amber_under_a_quarter_and_red_past_the_deadline(
    seconds: int,
) -> None:
    received = lisbon(date(2026, 10, 23), 10)  # the window spans the autumn clock change
    result = terms(Plan.STANDARD, Channel.EMAIL, received)
    assert result.deadline is not None
    now = received.astimezone(UTC) + timedelta(seconds=seconds)
    left, window = elapsed(now, result.deadline), elapsed(received, result.deadline)
    expected = (
        Urgency.BREACHED
        if left < timedelta(0)
        else Urgency.WARNING
        if left < window / 4
        else Urgency.NORMAL
    )
    assert urgency_schedule(result, received).at(now) is expected


def test_warning_lead_one_minute_on_the_five_minute_line() -> None:
    urgent = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, lisbon(MONDAY, 10))
    assert warning_lead(urgent) == timedelta(minutes=1)
    ordinary = terms(Plan.PRIORITY_24_7, Channel.PRIORITY_EMAIL, lisbon(MONDAY, 10))
    assert warning_lead(ordinary) == timedelta(minutes=15)


# --- refusals -----------------------------------------------------------------------------------

NAIVE = datetime(2026, 3, 9, 10, 0)


def test_naive_datetimes_are_refused() -> None:
    aware = lisbon(MONDAY, 10)
    for channel in Channel:  # also where no calendar is consulted
        with pytest.raises(ValueError, match="naive"):
            response_terms(Plan.STANDARD, channel, NAIVE, True, CAL)
    result = terms(Plan.STANDARD, Channel.EMAIL, aware)
    unguaranteed = terms(Plan.NONE, Channel.EMAIL, aware)
    for checked in (result, unguaranteed):
        with pytest.raises(ValueError, match="naive"):
            is_breached(checked, NAIVE, aware)
        with pytest.raises(ValueError, match="naive"):
            is_breached(checked, None, NAIVE)
        with pytest.raises(ValueError, match="naive"):
            urgency(checked, NAIVE, aware)
        with pytest.raises(ValueError, match="naive"):
            urgency(checked, aware, NAIVE)


# --- properties ---------------------------------------------------------------------------------

received_instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2029, 12, 31),
    timezones=st.sampled_from([LISBON, UTC]),
)


@given(received_instants)
def test_deadlines_and_targets_follow_the_receipt(received: datetime) -> None:
    effective = CAL.next_opening(received)
    standard = terms(Plan.STANDARD, Channel.EMAIL, received)
    priority = terms(Plan.PRIORITY, Channel.PRIORITY_EMAIL, received)
    no_plan = terms(Plan.NONE, Channel.EMAIL, received)
    assert standard.deadline is not None and priority.deadline is not None
    assert no_plan.target is not None
    assert CAL.between(received, priority.deadline) == timedelta(hours=4)
    # The Standard deadline closes the business day after the effective one: a whole business
    # day (at least its 8 hours here) lies between, and the deadline is a closing time.
    assert CAL.between(effective, standard.deadline) >= timedelta(hours=8)
    assert not CAL.is_open(standard.deadline)
    assert CAL.is_open(standard.deadline.astimezone(UTC) - MICRO)
    assert standard.deadline < no_plan.target
    assert elapsed(standard.deadline, no_plan.target) <= timedelta(days=30)
