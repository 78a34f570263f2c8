"""Response guarantees (P5–P10b) and compensation (P17)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from app.domain.calendar import BusinessCalendar, elapsed, require_aware
from app.domain.contract import NO_CONTRACT, ContractTerms


class Plan(StrEnum):
    NONE = "none"
    STANDARD = "standard"
    PRIORITY = "priority"
    PRIORITY_24_7 = "priority_24_7"


class Channel(StrEnum):
    EMAIL = "email"  # email/ticket
    PHONE = "phone"  # the main line
    PRIORITY_EMAIL = "priority_email"
    PRIORITY_PHONE = "priority_phone"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    SOCIAL = "social"
    OTHER = "other"


class Reason(StrEnum):
    GUARANTEED = "guaranteed"
    NO_PLAN = "no_plan"
    UNREGISTERED_SENDER = "unregistered_sender"
    CHANNEL_WITHOUT_GUARANTEE = "channel_without_guarantee"
    PUBLIC_CHANNEL = "public_channel"
    REJECTED = "rejected"


class Urgency(StrEnum):
    """How a contact's countdown is shown."""

    NONE = "none"  # no deadline to watch
    NORMAL = "normal"
    WARNING = "warning"  # under a quarter of the response window left
    BREACHED = "breached"


class GuaranteeOutcome(StrEnum):
    """What became of a contact's response guarantee."""

    MET = "met"
    MISSED = "missed"
    PENDING = "pending"  # no first response yet, deadline still ahead
    NONE = "none"  # no guarantee (its reason says why, P10b)


@dataclass(frozen=True)
class Terms:
    guaranteed: bool
    deadline: datetime | None
    target: datetime | None
    reason: Reason
    #: The 5-minute line of P7: warned 1 minute ahead instead of 15.
    urgent: bool = False


PRIORITY_PLANS = frozenset({Plan.PRIORITY, Plan.PRIORITY_24_7})
PRIORITY_CHANNELS = frozenset({Channel.PRIORITY_EMAIL, Channel.PRIORITY_PHONE})
CHANNELS_WITHOUT_GUARANTEE = frozenset(
    {Channel.SMS, Channel.WHATSAPP, Channel.SOCIAL, Channel.OTHER}
)
#: Channels on which a sender is looked up by phone number rather than email.
PHONE_CHANNELS = frozenset({Channel.PHONE, Channel.PRIORITY_PHONE, Channel.SMS, Channel.WHATSAPP})

STANDARD_BUSINESS_DAYS = 1  # P5
PRIORITY_RESPONSE = timedelta(hours=4)  # P6
URGENT_RESPONSE = timedelta(minutes=5)  # P7
INDICATIVE_BUSINESS_DAYS = 2  # P8
COMPENSATION_HOURS = {Plan.NONE: 0, Plan.STANDARD: 1, Plan.PRIORITY: 1, Plan.PRIORITY_24_7: 2}
#: The countdown turns amber when less than this share of the response window is left.
WARNING_SHARE = 0.25


def _indicative(reason: Reason, received_at: datetime, calendar: BusinessCalendar) -> Terms:
    """Served without a guarantee: the P8 indicative target, never a deadline."""
    target = calendar.close_of_business_day_after(received_at, INDICATIVE_BUSINESS_DAYS)
    return Terms(guaranteed=False, deadline=None, target=target, reason=reason)


def response_terms(  # noqa: PLR0911 -- one return per row of the DESIGN.md decision table
    plan: Plan,
    channel: Channel,
    received_at: datetime,
    registered: bool,
    calendar: BusinessCalendar,
    *,
    contract: ContractTerms = NO_CONTRACT,
) -> Terms:
    """The first-response terms of a contact, decided in DESIGN.md's order."""
    require_aware(received_at)
    plan, channel = Plan(plan), Channel(channel)
    if channel in CHANNELS_WITHOUT_GUARANTEE:  # P10
        return Terms(False, None, None, Reason.CHANNEL_WITHOUT_GUARANTEE)
    if channel in PRIORITY_CHANNELS:  # P10a
        if plan not in PRIORITY_PLANS or not registered:
            return Terms(False, None, None, Reason.REJECTED)
        if channel is Channel.PRIORITY_PHONE and plan is Plan.PRIORITY_24_7:  # P7
            # P18: a term the contract sets wins, even one that looks like "nothing" (0).
            urgent = (
                URGENT_RESPONSE if contract.urgent_response is None else contract.urgent_response
            )
            # Wall-clock time, added on UTC: a zoneinfo datetime would add local time (P13).
            deadline = (received_at.astimezone(UTC) + urgent).astimezone(calendar.tz)
            return Terms(True, deadline, None, Reason.GUARANTEED, urgent=True)
        # P6, and P7 by the priority email: open time only, counted from the next opening.
        business = contract.business_response
        if business is None:
            business = PRIORITY_RESPONSE
        deadline = calendar.add(received_at, business)
        return Terms(True, deadline, None, Reason.GUARANTEED)
    if plan is Plan.NONE:  # P8
        return _indicative(Reason.NO_PLAN, received_at, calendar)
    if plan in PRIORITY_PLANS:  # P10a: the public channels are ordinary support
        return _indicative(Reason.PUBLIC_CHANNEL, received_at, calendar)
    if not registered:  # P9
        return _indicative(Reason.UNREGISTERED_SENDER, received_at, calendar)
    days = contract.next_business_days  # P5
    if days is None:
        days = STANDARD_BUSINESS_DAYS
    deadline = calendar.close_of_business_day_after(received_at, days)
    return Terms(True, deadline, None, Reason.GUARANTEED)


def plan_defaults(plan: Plan) -> ContractTerms:
    """The terms a plan gives where the contract sets none (P5–P7, P17), as contract terms;
    ``None`` where the plan has no such term (a Standard plan has no priority response, a
    customer without a plan no guarantee nor compensation)."""
    plan = Plan(plan)
    return ContractTerms(
        next_business_days=STANDARD_BUSINESS_DAYS if plan is Plan.STANDARD else None,
        business_response=PRIORITY_RESPONSE if plan in PRIORITY_PLANS else None,
        urgent_response=URGENT_RESPONSE if plan is Plan.PRIORITY_24_7 else None,
        compensation_hours=COMPENSATION_HOURS[plan] or None,
    )


def compensation_hours(plan: Plan, contract: ContractTerms = NO_CONTRACT) -> int:
    """Free hours granted when the guarantee is missed (P17)."""
    if contract.compensation_hours is not None and Plan(plan) is not Plan.NONE:
        return contract.compensation_hours
    return COMPENSATION_HOURS[Plan(plan)]


def is_breached(terms: Terms, first_response_at: datetime | None, now: datetime) -> bool:
    """Whether a guarantee was missed: no first response by the deadline.

    A response exactly at the deadline meets it; with no response, the deadline is missed once
    ``now`` is past it. Terms without a guarantee are never breached (P8).
    """
    require_aware(now)
    if first_response_at is not None:
        require_aware(first_response_at)
    if not terms.guaranteed or terms.deadline is None:
        return False
    # Compared on real time: ``>`` between two datetimes sharing a zoneinfo compares wall clocks,
    # wrong in the repeated hour of an autumn night.
    answered_or_now = now if first_response_at is None else first_response_at
    return elapsed(terms.deadline, answered_or_now) > timedelta(0)


def guarantee_outcome(
    terms: Terms, first_response_at: datetime | None, now: datetime
) -> GuaranteeOutcome:
    """Whether a contact's guarantee was met, missed (``is_breached``) or is still pending at
    ``now``; ``NONE`` for terms without a guarantee (P8–P10a)."""
    if not terms.guaranteed or terms.deadline is None:
        return GuaranteeOutcome.NONE
    if is_breached(terms, first_response_at, now):
        return GuaranteeOutcome.MISSED
    if first_response_at is None:
        return GuaranteeOutcome.PENDING
    return GuaranteeOutcome.MET


@dataclass(frozen=True)
class UrgencySchedule:
    """When an open contact's countdown turns amber and red: ``urgency`` at any instant in two
    comparisons (the queue asks it of every contact on screen, every second)."""

    #: From just after this instant (UTC), under 25 % of the window is left; None: no deadline.
    warning_after: datetime | None
    #: The deadline (UTC): past it, breached.
    deadline: datetime | None

    def at(self, now: datetime) -> Urgency:
        require_aware(now)
        if self.warning_after is None or self.deadline is None:
            return Urgency.NONE
        if now > self.deadline:
            return Urgency.BREACHED
        if now > self.warning_after:
            return Urgency.WARNING
        return Urgency.NORMAL


def urgency_schedule(terms: Terms, received_at: datetime) -> UrgencySchedule:
    """The colours of an open contact's countdown over time: amber under 25 % of the window,
    red past it."""
    require_aware(received_at)
    if not terms.guaranteed or terms.deadline is None:
        return UrgencySchedule(None, None)
    # Real time (P13): the deadline and the receipt may share a zoneinfo across a DST night, so
    # the window is measured, and the amber instant found, on UTC instants.
    deadline = terms.deadline.astimezone(UTC)
    window = elapsed(received_at, deadline)
    return UrgencySchedule(deadline - window * WARNING_SHARE, deadline)


def urgency(terms: Terms, received_at: datetime, now: datetime) -> Urgency:
    """The colour of an open contact's countdown at ``now`` (``urgency_schedule``)."""
    return urgency_schedule(terms, received_at).at(now)


def warning_lead(terms: Terms) -> timedelta:
    """How long before the deadline the technicians are warned: 15 min, 1 min on the 5-minute
    line of P7."""
    return timedelta(minutes=1) if terms.urgent else timedelta(minutes=15)


def guarantee_span(
    plan: Plan, channel: Channel, business_day: timedelta
) -> tuple[timedelta, timedelta] | None:
    """How long the plan's own terms (no contract, P18) give a registered sender's contact on
    ``channel`` until its first response: the (shortest, longest) it can be, in open time of a
    calendar whose business day lasts ``business_day`` (wall-clock time for the 24/7 phone line,
    P7). None where there is no guarantee (P8, P10, P10a). What the response-time chart draws
    the median and 90th percentile against.

    P5's close of the next business day is a range: from one business day (received just before
    closing) to two (received before opening, or on a closed day, P3).
    """
    plan, channel = Plan(plan), Channel(channel)
    if channel in CHANNELS_WITHOUT_GUARANTEE:
        return None
    if channel in PRIORITY_CHANNELS:
        if plan not in PRIORITY_PLANS:
            return None  # rejected (P10a)
        if channel is Channel.PRIORITY_PHONE and plan is Plan.PRIORITY_24_7:
            return URGENT_RESPONSE, URGENT_RESPONSE
        return PRIORITY_RESPONSE, PRIORITY_RESPONSE
    if plan is Plan.NONE or plan in PRIORITY_PLANS:
        return None  # only an indicative target (P8, P10a)
    return business_day * STANDARD_BUSINESS_DAYS, business_day * (STANDARD_BUSINESS_DAYS + 1)
