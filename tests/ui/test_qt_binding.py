"""Guards against a Qt binding that would crash the program after hours of use."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()


def test_emitting_signals_keeps_true_alive() -> None:
    # PySide6 6.12.0 returned True from emit() without a reference: every emit lowered True's
    # count, and the interpreter aborted ("bool_dealloc") once it reached zero.
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(100):
        emitter.fired.emit()
    assert sys.getrefcount(True) >= before - 5
