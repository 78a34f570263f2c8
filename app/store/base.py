"""The three kinds of record: plain, versioned (optimistic concurrency) and append-only.

Versioned records carry a ``version`` that every update raises by one. An update is
``UPDATE … WHERE id = ? AND version = ?``: when another desk saved the record in between, no row
matches and ``StaleRecordError`` is raised. Nothing is ever overwritten silently.

Child rows (an invoice's lines, a session's intervals, a customer's emails and phones) carry no
version of their own: change them in the same transaction as a versioned save of their parent, so
the parent's version guards the whole record.

A bulk ``Model.update(...)`` of a versioned table bypasses the check; when a use case needs one
(say, linking sessions to the invoice being issued), it must raise the version too,
``.update(invoice=…, version=Session.version + 1)``, or a form open elsewhere would later save
its stale copy over the change without being stopped.
"""

from __future__ import annotations

from typing import Any, NoReturn

from peewee import AutoField, Field, IntegerField, Model, ModelDelete, ModelUpdate, classmethod_only

from app.i18n import _
from app.store.database import db
from app.store.errors import AppendOnlyError, StaleRecordError


def is_new(record: Model) -> bool:
    """Not inserted yet (its ``id`` is still unset)."""
    return record.__data__.get("id") is None


class BaseModel(Model):
    id = AutoField()

    class Meta:
        database = db
        legacy_table_names = False  # LedgerEntry -> "ledger_entry"


def _stale(record: VersionedModel) -> StaleRecordError:
    model = type(record)
    if model.select().where(model.id == record.id).exists():
        return StaleRecordError(
            _(
                "Another desk changed this record after you opened it. Nothing was saved: "
                "reopen it to see the changes, then try again."
            )
        )
    return StaleRecordError(
        _("Another desk deleted this record after you opened it. Nothing was saved.")
    )


class VersionedModel(BaseModel):
    """A record technicians edit: ``save()`` of an existing row checks and raises its version."""

    version = IntegerField(default=1)

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        if force_insert or is_new(self):
            return super().save(force_insert=force_insert, only=only)
        return self._update_if_version(self.version, only)

    def _update_if_version(self, expected_version: int, only: Any = None) -> int:
        model = type(self)
        wanted = None if only is None else {f.name if isinstance(f, Field) else f for f in only}
        changes: dict[Any, Any] = {
            field: self.__data__[field.name]
            for field in model._meta.sorted_fields
            if field.name not in ("id", "version")
            and field.name in self.__data__
            and (wanted is None or field.name in wanted)
        }
        changes[model.version] = expected_version + 1
        updated: int = (
            model.update(changes)
            .where((model.id == self.id) & (model.version == expected_version))
            .execute()
        )
        if updated != 1:
            raise _stale(self)
        self.version = expected_version + 1
        self._dirty.clear()  # type: ignore[attr-defined]  # as peewee's own save() does
        return updated

    def delete_instance(self, recursive: bool = False, delete_nullable: bool = False) -> int:
        """Deletes the row if nobody changed it since it was read; children go by ON DELETE."""
        return delete_versioned(self, self.version, recursive=recursive)


def save_versioned(record: VersionedModel, expected_version: int, only: Any = None) -> None:
    """Saves an existing record if its stored version is still ``expected_version`` (the one the
    technician saw), else raises ``StaleRecordError``. ``record.version`` is then the new one."""
    if is_new(record):
        raise ValueError("save_versioned updates a stored record; create new ones with save()")
    record._update_if_version(expected_version, only)


def delete_versioned(record: VersionedModel, expected_version: int, recursive: bool = False) -> int:
    """Deletes a record if its stored version is still ``expected_version``."""
    if recursive:
        raise ValueError("versioned records are deleted alone; children go by ON DELETE")
    model = type(record)
    deleted: int = (
        model.delete()
        .where((model.id == record.id) & (model.version == expected_version))
        .execute()
    )
    if deleted != 1:
        raise _stale(record)
    return deleted


def _refuse_change() -> NoReturn:
    raise AppendOnlyError(
        _("The pack ledger is never changed or deleted: record a reversing entry instead.")
    )


class AppendOnlyModel(BaseModel):
    """A record that is only ever inserted (the ledger). The database refuses changes too."""

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        if not is_new(self) and not force_insert:
            _refuse_change()
        return super().save(force_insert=force_insert, only=only)

    def delete_instance(self, recursive: bool = False, delete_nullable: bool = False) -> int:
        _refuse_change()

    @classmethod
    def update(cls, data: Any = None, /, **update: Any) -> ModelUpdate:
        _refuse_change()

    @classmethod_only
    def delete(cls: type[AppendOnlyModel]) -> ModelDelete:
        _refuse_change()
