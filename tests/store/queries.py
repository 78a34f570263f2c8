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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from peewee import Database

from app.store.database import current_database


@contextmanager
def count_queries(database: Database | None = None) -> Iterator[list[str]]:
    """The SQL of each statement run inside the block, in order."""
    target = database or current_database()
    run: list[str] = []
    original = target.execute_sql
    thread = threading.get_ident()

    def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == thread:
            run.append(sql)
        return original(sql, *args, **kwargs)

    target.execute_sql = counting  # type: ignore[method-assign]
    try:
        yield run
    finally:
        del target.execute_sql
