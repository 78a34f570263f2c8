"""The records: opening the database, the peewee models, and numbered migrations.

- ``database``: ``db`` (the proxy the models use), ``open_database``, ``close_database``,
  ``default_location``, ``write_transaction``, ``locking``, ``execute_sql``.
- ``models``: every record; ``base``: versioned saves (``save_versioned``) and the append-only
  ledger; ``fields``: UTC instants, exact money, enums; ``enums``: record states and kinds.
- ``migrations``: the schema versions; ``numbering``: gapless invoice numbers.
- ``errors``: ``DatabaseOpenError``, ``StaleRecordError``, ``AppendOnlyError``.
"""
