"""P18: a customer's contract terms take precedence over the plan defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from app.domain.billing import bill
from app.domain.calendar import BusinessCalendar, elapsed
from app.domain.contract import NO_CONTRACT, ContractTerms, effective_blocks, effective_rates
from app.domain.sla import Channel, Plan, Reason, compensation_hours, response_terms

LISBON = ZoneInfo("Europe/Lisbon")
CAL = BusinessCalendar.portugal(municipality="Lisboa")
MONDAY = date(2026, 3, 9)  # a week without holidays


def lisbon(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LISBON)


RECEIVED = lisbon(MONDAY, 10)


def test_p18_no_contract_keeps_the_plan_defaults() -> None:
    for plan, channel, registered in product(Plan, Channel, (True, False)):
        assert response_terms(
            plan, channel, RECEIVED, registered, CAL, contract=NO_CONTRACT
        ) == response_terms(plan, channel, RECEIVED, registered, CAL)
    assert ContractTerms() == NO_CONTRACT
    for plan in Plan:
        assert compensation_hours(plan, NO_CONTRACT) == compensation_hours(plan)


def test_p18_contract_next_business_days_override_p5() -> None:
    contract = ContractTerms(next_business_days=3)
    result = response_terms(Plan.STANDARD, Channel.EMAIL, RECEIVED, True, CAL, contract=contract)
    assert result.guaranteed
    assert result.deadline == lisbon(MONDAY + timedelta(days=3), 18)  # Thursday's close


def test_p18_contract_business_response_overrides_p6_and_p7_email() -> None:
    contract = ContractTerms(business_response=timedelta(hours=2))
    for plan, channel in [
        (Plan.PRIORITY, Channel.PRIORITY_EMAIL),
        (Plan.PRIORITY, Channel.PRIORITY_PHONE),
        (Plan.PRIORITY_24_7, Channel.PRIORITY_EMAIL),
    ]:
        result = response_terms(plan, channel, RECEIVED, True, CAL, contract=contract)
        assert result.deadline == lisbon(MONDAY, 12)
    # 12:00 + 2 business hours skips lunch.
    noon = response_terms(
        Plan.PRIORITY, Channel.PRIORITY_EMAIL, lisbon(MONDAY, 12), True, CAL, contract=contract
    )
    assert noon.deadline == lisbon(MONDAY, 15)


def test_p18_contract_urgent_response_overrides_p7_phone() -> None:
    contract = ContractTerms(urgent_response=timedelta(minutes=15))
    spring_night = lisbon(date(2026, 3, 29), 0, 50)
    result = response_terms(
        Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, spring_night, True, CAL, contract=contract
    )
    assert result.urgent
    assert result.deadline is not None
    assert elapsed(spring_night, result.deadline) == timedelta(minutes=15)
    assert result.deadline.astimezone(UTC) == datetime(2026, 3, 29, 1, 5, tzinfo=UTC)


def test_p18_contract_compensation_hours_override_p17() -> None:
    contract = ContractTerms(compensation_hours=3)
    for plan in (Plan.STANDARD, Plan.PRIORITY, Plan.PRIORITY_24_7):
        assert compensation_hours(plan, contract) == 3
    # Without a plan there is no guarantee to miss, so nothing to compensate.
    assert compensation_hours(Plan.NONE, contract) == 0
    assert compensation_hours(Plan.STANDARD, ContractTerms(compensation_hours=0)) == 0


def test_p18_contract_blocks_override_p11() -> None:
    contract = ContractTerms(inside_block=timedelta(minutes=10), outside_block=timedelta(hours=1))
    assert contract.inside_block is not None and contract.outside_block is not None
    session = [(lisbon(MONDAY, 17, 50), lisbon(MONDAY, 18, 20))]
    billed = bill(
        session, CAL, inside_block=contract.inside_block, outside_block=contract.outside_block
    )
    assert (billed.inside_billed, billed.outside_billed) == (
        timedelta(minutes=10),
        timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("contract", "company_outside", "rates"),
    [
        (NO_CONTRACT, None, (Decimal(40), Decimal(40))),  # P16a: outside defaults to inside
        (NO_CONTRACT, Decimal(60), (Decimal(40), Decimal(60))),
        (ContractTerms(rate_inside=Decimal(35)), None, (Decimal(35), Decimal(35))),
        (ContractTerms(rate_inside=Decimal(35)), Decimal(60), (Decimal(35), Decimal(60))),
        (ContractTerms(rate_outside=Decimal(50)), None, (Decimal(40), Decimal(50))),
        (ContractTerms(rate_inside=Decimal(0)), Decimal(60), (Decimal(0), Decimal(60))),
    ],
)
def test_p18_contract_rates_override_the_company_rates_p16a(
    contract: ContractTerms, company_outside: Decimal | None, rates: tuple[Decimal, Decimal]
) -> None:
    assert effective_rates(contract, Decimal(40), company_outside) == rates


def test_p18_contract_blocks_override_the_company_blocks_p11() -> None:
    assert effective_blocks(NO_CONTRACT, 15, 30) == (timedelta(minutes=15), timedelta(minutes=30))
    contract = ContractTerms(inside_block=timedelta(minutes=10))
    assert effective_blocks(contract, 15, 30) == (timedelta(minutes=10), timedelta(minutes=30))


def test_p18_contract_does_not_create_a_guarantee_the_policy_refuses() -> None:
    generous = ContractTerms(
        next_business_days=5,
        business_response=timedelta(hours=8),
        urgent_response=timedelta(minutes=30),
        compensation_hours=4,
    )
    for plan, channel, registered in product(Plan, Channel, (True, False)):
        with_contract = response_terms(plan, channel, RECEIVED, registered, CAL, contract=generous)
        without = response_terms(plan, channel, RECEIVED, registered, CAL)
        assert (with_contract.reason, with_contract.guaranteed, with_contract.target) == (
            without.reason,
            without.guaranteed,
            without.target,
        )
        if without.reason is not Reason.GUARANTEED:
            assert with_contract.deadline is None


def test_p18_a_contract_term_set_to_zero_is_not_read_as_unset() -> None:
    # A contract without compensation says 0 hours: that is not "the plan's default".
    no_compensation = ContractTerms(compensation_hours=0)
    assert compensation_hours(Plan.PRIORITY_24_7, no_compensation) == 0
    assert compensation_hours(Plan.PRIORITY_24_7) == 2


@pytest.mark.parametrize(
    "terms",
    [
        {"next_business_days": 0},
        {"business_response": timedelta(0)},
        {"urgent_response": timedelta(minutes=-5)},
        {"compensation_hours": -1},
        {"inside_block": timedelta(0)},
        {"outside_block": timedelta(seconds=90)},
        {"rate_inside": Decimal("-1")},
    ],
)
def test_p18_contract_terms_refuse_nonsense(terms: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ContractTerms(**terms)  # type: ignore[arg-type]
