"""Fresh databases for tests, on SQLite by default or on PostgreSQL when ``BALCAO_TEST_PG`` is set.

``BALCAO_TEST_PG=postgresql://user:password@host/dbname`` runs the same tests on that server: each
test gets a new, uniquely named schema (selected through ``search_path``), dropped afterwards.

Other test folders reuse the fixtures by importing them into their ``conftest.py``::

    from tests.store.fixtures import database, db_location  # noqa: F401
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import pytest
from peewee import Database

from app.clock import ManualClock
from app.store.database import close_database, open_database

POSTGRES_VARIABLE = "BALCAO_TEST_PG"
#: The instant the test databases are created at (recorded in ``schema_version``).
OPENED_AT = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_VARIABLE) or None


def on_postgres() -> bool:
    return postgres_url() is not None


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections resolve unqualified names in ``schema`` only."""
    parsed = urlparse(url)
    query = [(k, v) for k, v in parse_qsl(parsed.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunparse(parsed._replace(query=urlencode(query)))


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A new empty schema on the server at ``url``; yields a URL that works in it, then drops it."""
    import psycopg2
    import psycopg2.errors
    from psycopg2 import sql

    schema = f"balcao_test_{uuid.uuid4().hex[:16]}"
    with closing(psycopg2.connect(url)) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            # Installed once, in public: made by a test's migration, it would go with that
            # test's schema (and every other schema's indexes on it).
            with suppress(psycopg2.errors.UniqueViolation, psycopg2.errors.DuplicateObject):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            yield with_search_path(url, schema)
        finally:
            with admin.cursor() as cursor:
                # A test that left a connection inside a transaction must not hang the suite.
                cursor.execute("SET lock_timeout = '10s'")
                cursor.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def fresh_location(folder: Path, name: str = "balcao.sqlite") -> Iterator[str]:
    """Where a new, empty database can be made: a file in ``folder``, or a PostgreSQL schema."""
    url = postgres_url()
    if url is None:
        yield str(folder / name)
        return
    with postgres_schema(url) as location:
        yield location


@pytest.fixture
def db_location(tmp_path: Path) -> Iterator[str]:
    """The location of a new, empty database (not opened)."""
    with fresh_location(tmp_path) as location:
        yield location
        close_database()


@pytest.fixture
def database(db_location: str) -> Iterator[Database]:
    """A new database at the latest schema, with the models bound to it."""
    opened = open_database(db_location, clock=ManualClock(OPENED_AT))
    yield opened
    close_database()
