"""Background work gives way to the window while it shows what changed (issue 11; no Qt here).

The window and the threads beside it share one Python interpreter. While the window shows the
hundreds of contacts a mail pass brought (a part every few milliseconds), each cell it paints
calls into Python, and each call waited for the fetching thread to let the interpreter go: a
part that takes 9 ms alone took 20–50 ms during a pass. So the window ``hold``s the foreground
while it shows such a change, and the fetching thread calls ``give_way`` between two messages:
it waits until the window ``release``s it. A hold lasts ``HOLD_S`` unless renewed, so a window
that stopped showing (closed, or failed mid-way) never keeps the mail waiting for longer.

The work that gives way declares itself (``working``): the window starts showing once every
such work waits (``settled``), or ``SETTLE_S`` after it held the foreground, whichever comes
first; a message being registered when the hold begins is finished first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: How long one ``hold`` lasts unless renewed or released.
HOLD_S = 0.5
#: The longest the window waits for background work to reach a point where it gives way.
SETTLE_S = 0.1


class Foreground:
    """Thread-safe: held and released by the window's thread, given way to by the others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        self._until = 0.0
        self._held_at = 0.0
        self._working = 0
        self._waiting = 0

    def hold(self, seconds: float = HOLD_S) -> None:
        """The window is busy for about ``seconds`` more: background steps wait."""
        with self._lock:
            now = time.monotonic()
            if not self.held:
                self._held_at = now
            self._until = now + seconds
            self._released.clear()

    @contextmanager
    def working(self) -> Iterator[None]:
        """Around background work that calls ``give_way`` between its steps."""
        with self._lock:
            self._working += 1
        try:
            yield
        finally:
            with self._lock:
                self._working -= 1

    def settled(self) -> bool:
        """Whether the window may go on: every background work waits, or it waited enough."""
        with self._lock:
            return self._waiting >= self._working or time.monotonic() - self._held_at >= SETTLE_S

    def release(self) -> None:
        self._released.set()

    @property
    def held(self) -> bool:
        return not self._released.is_set() and time.monotonic() < self._until

    def give_way(self) -> None:
        """Between two steps of background work: returns once the window is done (at once when
        it is not busy; at the latest when its hold runs out)."""
        remaining = self._until - time.monotonic()
        if remaining <= 0:
            return
        with self._lock:
            self._waiting += 1
        try:
            self._released.wait(remaining)
        finally:
            with self._lock:
                self._waiting -= 1


#: The program's one foreground.
foreground = Foreground()
