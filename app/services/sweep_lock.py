"""One desk sweeps at a time: the others skip, and look again at their next minute.

On PostgreSQL the sweep's transaction takes a transaction-level advisory lock with a fixed key
(``pg_try_advisory_xact_lock``): it is released when the transaction ends, whatever happens, and
a desk that finds it taken does not wait (the other desk is doing the same work). On SQLite the
sweep's ``BEGIN IMMEDIATE`` already makes it the only writer: a second desk waits for the first,
then finds nothing left to do, since every sweep writes only what is still missing when it runs
(``INSERT … SELECT … WHERE NOT EXISTS``, a balance's minutes summed under the lock).
"""

from __future__ import annotations

from app.store.database import execute_sql, is_sqlite

#: The advisory lock's key: "Balcão sweeps" (any fixed 64-bit number no other lock uses).
SWEEP_LOCK_KEY = 0x42_61_6C_63_53_77_65_70


def claim_sweep() -> bool:
    """Inside the sweep's write transaction: whether this desk may sweep now (False: another
    desk's sweep holds the lock on PostgreSQL; this one writes nothing)."""
    if is_sqlite():
        return True
    row = execute_sql("SELECT pg_try_advisory_xact_lock(%s)", (SWEEP_LOCK_KEY,)).fetchone()
    return bool(row[0])
