"""The queue's order (P10b: by time left), defined once in ``app.domain.queue``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.queue import QueueGroup, queue_due, queue_group, queue_key

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
instants = st.integers(-10_000, 10_000).map(lambda minutes: T0 + timedelta(minutes=minutes))


def test_p10b_timed_then_untimed_then_answered() -> None:
    assert queue_group(waiting=True, deadline=T0, target=None) is QueueGroup.TIMED
    assert queue_group(waiting=True, deadline=None, target=T0) is QueueGroup.TIMED
    assert queue_group(waiting=True, deadline=None, target=None) is QueueGroup.UNTIMED
    assert queue_group(waiting=False, deadline=T0, target=None) is QueueGroup.ANSWERED


def test_p10b_due_is_the_deadline_else_the_target_else_the_receipt() -> None:
    later = T0 + timedelta(hours=1)
    assert queue_due(T0, later, later) == T0
    assert queue_due(None, later, T0) == later
    assert queue_due(None, None, T0) == T0


@given(st.booleans(), st.none() | instants, st.none() | instants, instants, instants)
def test_p10b_a_waiting_contact_with_a_deadline_comes_before_any_untimed_or_answered(
    waiting: bool,
    deadline: datetime | None,
    target: datetime | None,
    received: datetime,
    due: datetime,
) -> None:
    timed = queue_key(waiting=True, deadline=due, target=None, received=received, key=2)
    other = queue_key(waiting=waiting, deadline=deadline, target=target, received=received, key=1)
    if other[0] is QueueGroup.TIMED:
        assert (timed < other) == ((due, 2) < (other[1], 1))
    else:
        assert timed < other
