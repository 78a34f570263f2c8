"""Counting the SQL statements a block of code runs: a use case's round trips to the database.

::

    with count_queries() as run:
        customers.search_customers("loja")
    assert len(run) <= 2, run

Every statement peewee sends goes through the database's ``execute_sql`` (queries, inserts,
updates, savepoints; ``BEGIN`` and ``COMMIT`` are the driver's and are not counted). Only the
block's own thread is counted: a background thread's statements are not this block's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from peewee import Database

from app.store.database import current_database


@contextmanager
def _recording(database: Database | None, keep: Callable[[str, Any], None]) -> Iterator[None]:
    """Calls ``keep(sql, params)`` for each statement the block's own thread runs."""
    target = database or current_database()
    original: Callable[..., Any] = target.execute_sql
    thread = threading.get_ident()

    def recording(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == thread:
            keep(sql, params)
        return original(sql, params, *args, **kwargs)

    target.execute_sql = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        del target.execute_sql


@contextmanager
def count_queries(database: Database | None = None) -> Iterator[list[str]]:
    """The SQL of each statement run inside the block, in order."""
    run: list[str] = []
    with _recording(database, lambda sql, _params: run.append(sql)):
        yield run


@contextmanager
def sent_statements(database: Database | None = None) -> Iterator[list[tuple[str, Any]]]:
    """Each statement run inside the block, with its parameters, in order."""
    sent: list[tuple[str, Any]] = []
    with _recording(database, lambda sql, params: sent.append((sql, params))):
        yield sent
