"""P18: a customer's contract may set its own terms; each one set takes precedence over the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.i18n import _


@dataclass(frozen=True)
class ContractTerms:
    """The contract's own terms; ``None`` leaves the plan default (or the company's setting)."""

    #: P5: the deadline is the close of the N-th business day after receipt (default 1).
    next_business_days: int | None = None
    #: P6/P7 by email: business time to the first response (default 4 h).
    business_response: timedelta | None = None
    #: P7 by the priority phone: wall-clock time to the first response (default 5 min).
    urgent_response: timedelta | None = None
    #: P17: free hours per missed guarantee (default 1, or 2 on 24/7).
    compensation_hours: int | None = None
    #: P11: billing blocks inside and outside business hours (default 15 and 30 min).
    inside_block: timedelta | None = None
    outside_block: timedelta | None = None
    #: P16a: hourly rates for time not covered by packs (default: the company's rates).
    rate_inside: Decimal | None = None
    rate_outside: Decimal | None = None

    def __post_init__(self) -> None:
        # A contract term is a promise or a price: zero or negative ones are typing mistakes.
        if self.next_business_days is not None and self.next_business_days < 1:
            raise ValueError(_("The response deadline must be at least one business day."))
        for duration in (self.business_response, self.urgent_response):
            if duration is not None and duration <= timedelta(0):
                raise ValueError(_("A response time must be longer than zero."))
        if self.compensation_hours is not None and self.compensation_hours < 0:
            raise ValueError(_("Compensation hours cannot be negative."))
        for block in (self.inside_block, self.outside_block):
            if block is not None and (block <= timedelta(0) or block % timedelta(minutes=1)):
                raise ValueError(_("A billing block must be a whole number of minutes."))
        for rate in (self.rate_inside, self.rate_outside):
            if rate is not None and rate < 0:
                raise ValueError(_("An hourly rate cannot be negative."))


NO_CONTRACT = ContractTerms()


def effective_rates(
    contract: ContractTerms, company_inside: Decimal, company_outside: Decimal | None
) -> tuple[Decimal, Decimal]:
    """P16a, P18: the hourly rates (inside, outside business hours) of time no pack covers:
    each rate the contract sets wins, else the company's; an out-of-hours rate set by neither
    is the inside one."""
    inside = company_inside if contract.rate_inside is None else contract.rate_inside
    if contract.rate_outside is not None:
        return inside, contract.rate_outside
    return inside, inside if company_outside is None else company_outside


def effective_blocks(
    contract: ContractTerms, company_inside_minutes: int, company_outside_minutes: int
) -> tuple[timedelta, timedelta]:
    """P11, P18: the billing blocks (inside, outside business hours): each block the contract
    sets wins, else the company's."""
    inside = contract.inside_block
    outside = contract.outside_block
    return (
        timedelta(minutes=company_inside_minutes) if inside is None else inside,
        timedelta(minutes=company_outside_minutes) if outside is None else outside,
    )
