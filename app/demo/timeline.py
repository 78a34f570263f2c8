"""A manual clock walked through a planned past: each action runs with "now" set to its instant.

The demo plans its story first (who calls when, which session runs when) and then plays it in
time order, so every use case sees the clock it would have seen: created_at, deadlines, grants
and draws come out as if the desk had been used day after day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.clock import ManualClock
from app.domain.calendar import elapsed


@dataclass(order=True)
class _Event:
    at: datetime
    order: int
    action: Callable[[], None] = field(compare=False)


class Timeline:
    """Actions at instants, played in time order (ties in the order they were planned)."""

    def __init__(self, clock: ManualClock, end: datetime) -> None:
        self.clock = clock
        self.end = end.astimezone(UTC)
        self._events: list[_Event] = []

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        """Plans ``action`` at ``when``, which must not be after the end (the real now)."""
        if elapsed(self.end, when) > timedelta(0):
            raise ValueError(f"planned after the end of the demo: {when.isoformat()}")
        self._events.append(_Event(when.astimezone(UTC), len(self._events), action))

    def play(self, before_each: Callable[[datetime], None]) -> None:
        """Runs every action at its instant; ``before_each(at)`` first (the sweeps)."""
        for event in sorted(self._events):
            self.clock.set(event.at)
            before_each(event.at)
            event.action()
        self._events.clear()
