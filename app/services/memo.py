"""Rows one use case reads more than once and does not change: kept for that use case alone.

Every query is a round trip to a team's server, and a use case reads the company settings and
the calendar's exceptions at several steps (the terms, the bill, today's date). Inside
``use_case()`` the first read is kept and the others are served from it; outside one, nothing is
kept and every read goes to the database.

Never across use cases: another desk may change the settings between two of them. The memo
belongs to the outermost ``use_case()`` of this thread (one transaction) and is dropped when it
ends; a nested use case that fails drops it too (its savepoint's writes are undone, and what was
read after them with them), and so does every service that writes what is kept
(``forget()``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

_T = TypeVar("_T")


class _Local(threading.local):
    """Per thread: each thread has its own connection, hence its own transaction."""

    kept: dict[str, object] | None = None


_local = _Local()


@contextmanager
def scope() -> Iterator[None]:
    """The memo of one use case (``use_case()`` opens it); nested, the outer one's."""
    if _local.kept is not None:
        try:
            yield
        except BaseException:
            forget()
            raise
        return
    _local.kept = {}
    try:
        yield
    finally:
        _local.kept = None


def remembered(key: str, read: Callable[[], _T]) -> _T:
    """``read()``'s value, read once per use case under ``key``; outside one, read each time."""
    kept = _local.kept
    if kept is None:
        return read()
    if key not in kept:
        kept[key] = read()
    return kept[key]  # type: ignore[return-value]  # stored by this function under this key


def active() -> bool:
    """Whether this thread is inside a use case, where reads are kept."""
    return _local.kept is not None


def forget() -> None:
    """Drops what this use case kept: call it after writing the settings or the exceptions."""
    if _local.kept is not None:
        _local.kept.clear()
