"""The order of the queue, defined once: the service's ``ORDER BY`` and the window's sort key
are both built from it.

A contact's place is ``(group, due, id)``: first the contacts waiting for a first response that
have a deadline or an indicative target, by that instant (P5–P8: the least time left first);
then those waiting with neither (SMS, WhatsApp…), oldest first; then those answered and not
closed yet. ``due`` is the deadline, else the target, else the receipt.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum


class QueueGroup(IntEnum):
    """The queue's groups, in the order they are listed."""

    TIMED = 0  # waiting, with a deadline or a target
    UNTIMED = 1  # waiting, with neither
    ANSWERED = 2  # answered, not closed yet


def queue_group(*, waiting: bool, deadline: datetime | None, target: datetime | None) -> QueueGroup:
    if not waiting:
        return QueueGroup.ANSWERED
    if deadline is None and target is None:
        return QueueGroup.UNTIMED
    return QueueGroup.TIMED


def queue_due(deadline: datetime | None, target: datetime | None, received: datetime) -> datetime:
    """The instant a contact is ranked by in its group: the deadline, else the target, else the
    receipt."""
    return deadline or target or received


def queue_key(
    *,
    waiting: bool,
    deadline: datetime | None,
    target: datetime | None,
    received: datetime,
    key: int,
) -> tuple[QueueGroup, datetime, int]:
    """A contact's place in the queue: smaller comes first."""
    return (
        queue_group(waiting=waiting, deadline=deadline, target=target),
        queue_due(deadline, target, received),
        key,
    )
