"""Migration 13: the record of first responses taken back or corrected (issue 15).

``response_correction``: one row per first response undone by the technician who recorded it
(within seconds: "Anular") or corrected by an administrator with a reason — the old and the new
instant, who, when and why. The contact itself carries the corrected response; this table keeps
what it was. Append-only in the database, as the ledger is (migration 2): triggers refuse UPDATE
and DELETE, and TRUNCATE on PostgreSQL, with the refusal of migration 6 (``frozen:``,
SQLSTATE 23001), so any query is refused as the program's own would be.

Frozen: the class is a copy of the model as it was, in storage types only.
"""

from __future__ import annotations

from peewee import CharField, Database, Field, ForeignKeyField, Model, SqliteDatabase, TextField

from app.store.database import execute_sql

_MESSAGE = "frozen: a correction of a first response is never changed nor deleted"
_GUARD_SQLSTATE = "23001"  # as migration 6: restrict_violation


class _Instant(Field):
    field_type = "TIMESTAMPTZ"


_SQLITE_TRIGGERS = tuple(
    f'CREATE TRIGGER "response_correction_no_{action.lower()}" BEFORE {action} '
    f"ON \"response_correction\" BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    for action in ("UPDATE", "DELETE")
)

_POSTGRESQL_TRIGGERS = (
    'CREATE FUNCTION "response_correction_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS '
    f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = '{_GUARD_SQLSTATE}'; END $$",
    'CREATE TRIGGER "response_correction_append_only" BEFORE UPDATE OR DELETE '
    'ON "response_correction" FOR EACH ROW EXECUTE FUNCTION "response_correction_refuse_change"()',
    'CREATE TRIGGER "response_correction_no_truncate" BEFORE TRUNCATE ON "response_correction" '
    'FOR EACH STATEMENT EXECUTE FUNCTION "response_correction_refuse_change"()',
)


def apply(database: Database) -> None:
    target = database

    class Base(Model):
        class Meta:
            database = target
            legacy_table_names = False

    class Technician(Base):  # exists: only referred to
        pass

    class Contact(Base):  # exists: only referred to
        pass

    class ResponseCorrection(Base):
        contact = ForeignKeyField(Contact, index=True)
        kind = CharField(max_length=32)
        old_response_at = _Instant(null=True)
        old_response_by = ForeignKeyField(Technician, null=True)
        new_response_at = _Instant(null=True)
        reason = TextField()
        created_at = _Instant()
        created_by = ForeignKeyField(Technician)

    database.create_tables([ResponseCorrection], safe=False)
    triggers = _SQLITE_TRIGGERS if isinstance(database, SqliteDatabase) else _POSTGRESQL_TRIGGERS
    for statement in triggers:
        execute_sql(statement, database=database)
