"""What can go wrong with the records, as typed errors whose message a technician can read."""

from __future__ import annotations

from app.errors import KnownError


class StoreError(KnownError):
    """Base of the store's errors; ``str(error)`` is a translated sentence for the user."""


class DatabaseOpenError(StoreError):
    """The database could not be opened, created or brought up to date."""


class StaleRecordError(StoreError):
    """Another desk saved or deleted the record after it was read here (optimistic concurrency)."""


class AppendOnlyError(StoreError):
    """An attempt to change or delete a record that can only ever be added (the pack ledger)."""
