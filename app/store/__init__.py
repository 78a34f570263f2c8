"""The records: opening the database, the peewee models, and numbered migrations.

- ``database``: ``db`` (the proxy the models use), ``open_database``, ``close_database``,
  ``default_location``, ``write_transaction``, ``locking``, ``execute_sql``.
- ``models``: every record; ``base``: versioned saves (``save_versioned``) and the append-only
  ledger; ``fields``: UTC instants, exact money, enums; the record states and kinds
  are ``app.domain.states``.
- ``migrations``: the schema versions; ``numbering``: gapless invoice numbers.
- ``errors``: ``DatabaseOpenError``, ``StaleRecordError``, ``AppendOnlyError``, and the database's
  faults (``DatabaseFault``: unavailable, connection lost, busy, read-only, disk full, damaged).
- ``faults``: the database classes' side of those faults: sorting the drivers' errors by code,
  re-opening a lost PostgreSQL connection.
"""
