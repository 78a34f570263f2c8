"""Migration 3: the change log other desks poll to see what changed (a new contact, a sale…)."""

from __future__ import annotations

from peewee import CharField, Database, Field, IntegerField, Model


class _Instant(Field):
    field_type = "TIMESTAMPTZ"


def apply(database: Database) -> None:
    target = database

    class ChangeLog(Model):
        topic = CharField(max_length=32)
        record_id = IntegerField(null=True)
        at = _Instant()

        class Meta:
            database = target
            legacy_table_names = False

    database.create_tables([ChangeLog], safe=False)
