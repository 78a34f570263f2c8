"""P18: a customer's contract may set its own terms; each one set takes precedence over the plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal


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


NO_CONTRACT = ContractTerms()
