"""Background work gives way to the window while it shows a change (``app.foreground``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.foreground import Foreground

#: Generous bounds for a thread to reach a point (never reached when the code is right).
SOON_S = 10.0


def wait_until(condition: Callable[[], bool], timeout: float = SOON_S) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.001)
    return False


def step_in_thread(gate: Foreground) -> tuple[threading.Thread, threading.Event]:
    """A background step that declares itself and gives way; ``done`` once it went on."""
    done = threading.Event()

    def step() -> None:
        with gate.working():
            gate.give_way()
            done.set()

    thread = threading.Thread(target=step)
    thread.start()
    return thread, done


def test_background_work_goes_on_at_once_when_the_window_is_not_busy() -> None:
    gate = Foreground()
    assert not gate.held and gate.settled()
    thread, done = step_in_thread(gate)
    assert done.wait(SOON_S)
    thread.join()


def test_background_work_waits_while_the_window_shows_a_change() -> None:
    gate = Foreground()
    gate.hold(seconds=SOON_S)
    thread, done = step_in_thread(gate)
    assert wait_until(gate.settled)  # the step is parked: the window may paint
    assert not done.is_set()
    gate.release()
    assert done.wait(SOON_S)
    thread.join()
    assert not gate.held


def test_the_window_waits_for_work_under_way_only_a_moment() -> None:
    gate = Foreground()
    with gate.working():  # a step that has not reached give_way yet
        gate.hold(seconds=SOON_S)
        assert not gate.settled()
        assert wait_until(gate.settled, timeout=2.0)  # SETTLE_S (0.1 s) later, it goes on
    gate.release()


def test_a_hold_never_renewed_runs_out() -> None:
    """A window that stopped showing (closed mid-way) does not keep the mail waiting."""
    gate = Foreground()
    gate.hold(seconds=0.05)
    thread, done = step_in_thread(gate)
    assert done.wait(SOON_S)
    thread.join()
    assert not gate.held
