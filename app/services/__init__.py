"""The use cases: one function per thing a technician does, each one transaction.

Every use case takes a ``Desk`` (the clock and the technician at this desk), validates its input,
and either does all of its work or raises a ``ServiceError`` with a pt_PT message having written
nothing. Use cases return plain dataclasses, never peewee rows, and note what they changed in the
change log (``app.services.changes``) so that other desks refresh.
"""
