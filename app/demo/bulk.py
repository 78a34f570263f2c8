"""Writing millions of rows quickly, for the benchmark database only.

Rows are tuples of Python values in a declared column order, kept in memory and written in large
batches, each batch in its own transaction, parents before children so that every foreign key
already exists. They are converted as they are written, column by column, by each column's own
field (instants, money, enums: the store's ``db_value``; a column of few distinct values converts
each value once), which costs a fraction of converting row by row.

Measured on SQLite: peewee's ``insert_many`` spends ~120 µs a row building SQL text, and each
secondary index costs a B-tree update per row; ``executemany`` with a prepared statement, with
the indexes dropped during the load and made again at the end (one sort each), is ten times
faster. On PostgreSQL the rows go through ``psycopg2.extras.execute_values``; indexes stay.

Ids are given explicitly (the tables are new), so children can name their parents before the
parents are written; PostgreSQL's id sequences are moved past them at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from peewee import Database, DateField, Field, SqliteDatabase

from app.store.base import BaseModel
from app.store.database import current_database, execute_sql, is_sqlite, write_transaction
from app.store.fields import EnumField, FixedPointField, UTCDateTimeField, instant_to_database

#: Rows kept before a batch is written.
BATCH_ROWS = 50_000
_PAGE = 1_000  # rows per INSERT on PostgreSQL
#: SQLite settings while a new file is filled (see ``BulkWriter.unsynced``): synchronous OFF,
#: temporary sorts in memory, a helper thread for the sorts that make the indexes. (A page cache
#: of 512 MiB instead of 2 made no difference but tripled the memory used: left at its default.)
_LOAD_PRAGMAS = {"synchronous": 0, "temp_store": 2, "threads": 2}


def _instant_writer(database: Database) -> Callable[[datetime], Any]:
    """``instant_to_database`` for ``database``; on SQLite, ``isoformat`` writes the same
    fixed-width UTC text three times faster than ``strftime`` (checked here, not assumed)."""

    def stored(at: datetime) -> Any:
        return instant_to_database(at, database)

    def fast(at: datetime) -> str:
        if at.tzinfo is not UTC:  # the build's instants are UTC already: no conversion
            at = at.astimezone(UTC)
        return at.isoformat(" ", "microseconds")[:26]  # without the "+00:00"

    samples = (
        datetime(2026, 3, 29, 1, 2, 3, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, 0, 123_456, tzinfo=ZoneInfo("Europe/Lisbon")),
    )
    if isinstance(database, SqliteDatabase) and all(fast(at) == stored(at) for at in samples):
        return fast
    return stored


def _remembered(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` for a column of few distinct values (enums, prices, rates): each converted
    once. Equal values convert alike (a ``Decimal`` by its value, not its spelling)."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        found = seen.get(value, seen)
        if found is seen:
            found = seen[value] = convert(value)
        return found

    return remembered


class _Table:
    def __init__(self, model: type[BaseModel], columns: Sequence[str], sqlite: bool) -> None:
        fields: list[Field] = [model._meta.fields[name] for name in columns]
        # Columns not given take the model's default (a version of 1, an empty note…): the
        # defaults are peewee's, not the database's, so they are written out here.
        defaults = [
            field
            for field in model._meta.sorted_fields
            if field.name not in columns and not field.null and field.default is not None
        ]
        self.defaults = tuple(
            field.db_value(field.default() if callable(field.default) else field.default)
            for field in defaults
        )
        fields += defaults
        self.model = model
        self.name: str = model._meta.table_name
        self.columns = ", ".join(f'"{field.column_name}"' for field in fields)
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 1 + int(
            execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{self.name}"').fetchone()[0]
        )
        database = current_database()
        self.converters: list[tuple[int, Callable[[Any], Any]]] = []
        for position, field in enumerate(fields):
            if position >= len(columns):
                break  # the defaults, converted once above
            if isinstance(field, UTCDateTimeField):
                self.converters.append((position, _instant_writer(database)))
            elif isinstance(field, FixedPointField | EnumField):
                self.converters.append((position, _remembered(field.db_value)))
            elif isinstance(field, DateField) and sqlite:
                # ISO text, as SQLite stores a date (not left to sqlite3's deprecated adapter).
                self.converters.append((position, lambda day: day.isoformat()))
        # One row of marks for executemany; a single %s that execute_values fills with pages.
        values = "(" + ", ".join("?" for _field in fields) + ")" if sqlite else "%s"
        self.sql = f'INSERT INTO "{self.name}" ({self.columns}) VALUES {values}'

    def converted(self) -> list[tuple[Any, ...]]:
        """The rows kept, as the database takes them: converted column by column (one pass
        over each column that needs it, none over the others), the defaults appended."""
        if not self.rows:
            return []
        columns: list[Sequence[Any]] = list(zip(*self.rows, strict=True))
        for position, convert in self.converters:
            columns[position] = [
                None if value is None else convert(value) for value in columns[position]
            ]
        count = len(self.rows)
        columns.extend([default] * count for default in self.defaults)
        return list(zip(*columns, strict=True))


class BulkWriter:
    """Batches of rows for several tables, written parents first.

    ``tables`` maps each model to its column names, in the order ``add`` takes the values; list
    the models parents before children.
    """

    def __init__(self, tables: Mapping[type[BaseModel], Sequence[str]]) -> None:
        self.sqlite = is_sqlite()
        self._tables = {
            model: _Table(model, columns, self.sqlite) for model, columns in tables.items()
        }
        self.written: dict[str, int] = {table.name: 0 for table in self._tables.values()}

    def new_id(self, model: type[BaseModel]) -> int:
        table = self._tables[model]
        table.next_id += 1
        return table.next_id - 1

    def add(self, model: type[BaseModel], row: tuple[Any, ...]) -> None:
        """Keeps a row of Python values (converted when written)."""
        self._tables[model].rows.append(row)

    def pending(self) -> int:
        return sum(len(table.rows) for table in self._tables.values())

    def flush(self) -> None:
        """Writes every row kept, table by table in the declared order."""
        for table in self._tables.values():
            if not table.rows:
                continue
            with write_transaction():
                self._insert(table)
            self.written[table.name] += len(table.rows)
            table.rows.clear()

    def _insert(self, table: _Table) -> None:
        rows = table.converted()
        cursor = current_database().cursor()  # type: ignore[no-untyped-call]
        if self.sqlite:
            cursor.executemany(table.sql, rows)
            return
        from psycopg2.extras import execute_values

        execute_values(cursor, table.sql, rows, page_size=_PAGE)

    @contextmanager
    def indexes_deferred(self) -> Iterator[None]:
        """On SQLite, drops the tables' secondary indexes for the load and makes them again
        after (from their own stored definitions); elsewhere, does nothing."""
        if not self.sqlite:
            yield
            return
        names = [table.name for table in self._tables.values()]
        marks = ", ".join("?" for _name in names)
        found = execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tuple(names),
        ).fetchall()
        with write_transaction():
            for name, _sql in found:
                execute_sql(f'DROP INDEX "{name}"')
        try:
            yield
        finally:
            with write_transaction():
                for _name, sql in found:
                    execute_sql(sql)

    @contextmanager
    def unsynced(self) -> Iterator[None]:
        """On SQLite, while the new file is filled: no ``fsync`` at each batch's commit (a crash
        leaves a demo file to delete, never a user's data: the demo refuses a database that
        holds customers), the sorts that make the indexes in memory, two threads sorting. The
        connection's own settings again after. Elsewhere, does nothing."""
        if not self.sqlite:
            yield
            return
        before = {name: execute_sql(f"PRAGMA {name}").fetchone()[0] for name in _LOAD_PRAGMAS}
        for name, value in _LOAD_PRAGMAS.items():
            execute_sql(f"PRAGMA {name} = {value}")
        try:
            yield
        finally:
            for name, value in before.items():
                execute_sql(f"PRAGMA {name} = {int(value)}")

    def move_sequences(self) -> None:
        """PostgreSQL: each id sequence continues after the ids given here."""
        if self.sqlite:
            return
        for table in self._tables.values():
            execute_sql(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table.name}"))',
                (f'"{table.name}"',),
            )
