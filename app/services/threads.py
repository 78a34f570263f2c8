"""Work done on a thread other than the one that opened the database.

peewee keeps one connection per thread and opens it on first use; a worker thread of the
window's pool closes its own when its task ends, so that a pool thread kept alive for later
work holds no connection (nor a PostgreSQL session) in between.
"""

from __future__ import annotations

from app.store.database import db


def release_connection() -> None:
    """Closes this thread's database connection, if it opened one; the next use reopens it."""
    database = db.obj
    if database is not None and not database.is_closed():
        database.close()
