"""``sla.guarantee_span``: what the response-time chart draws the times against (P5–P10a)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.sla import Channel, Plan, guarantee_span

DAY = timedelta(hours=8)


def test_p5_standard_is_between_one_and_two_business_days() -> None:
    # Received just before closing: the next day's close, one business day away; received
    # before opening (or on a closed day, P3): today's and tomorrow's hours, two.
    assert guarantee_span(Plan.STANDARD, Channel.EMAIL, DAY) == (DAY, 2 * DAY)
    assert guarantee_span(Plan.STANDARD, Channel.PHONE, DAY) == (DAY, 2 * DAY)


def test_p6_p7_priority_lines() -> None:
    four = timedelta(hours=4)
    assert guarantee_span(Plan.PRIORITY, Channel.PRIORITY_EMAIL, DAY) == (four, four)
    assert guarantee_span(Plan.PRIORITY, Channel.PRIORITY_PHONE, DAY) == (four, four)
    assert guarantee_span(Plan.PRIORITY_24_7, Channel.PRIORITY_EMAIL, DAY) == (four, four)
    five = timedelta(minutes=5)
    assert guarantee_span(Plan.PRIORITY_24_7, Channel.PRIORITY_PHONE, DAY) == (five, five)


@pytest.mark.parametrize(
    ("plan", "channel"),
    [
        (Plan.NONE, Channel.EMAIL),  # P8: indicative only
        (Plan.PRIORITY, Channel.EMAIL),  # P10a: a public channel is ordinary support
        (Plan.STANDARD, Channel.PRIORITY_EMAIL),  # P10a: rejected
        (Plan.PRIORITY_24_7, Channel.WHATSAPP),  # P10: no guarantee on that channel
    ],
)
def test_p8_p10_p10a_no_guarantee_no_span(plan: Plan, channel: Channel) -> None:
    assert guarantee_span(plan, channel, DAY) is None
