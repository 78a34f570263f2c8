"""What changed, so each view refreshes only that, here and at the other desks.

A use case calls ``note`` inside its transaction; it returns ``Changes`` for this desk, and the
rows it writes let other desks learn the same through ``since``. On SQLite the desks poll it
every few seconds; on PostgreSQL the rows' insert also notifies the other desks when it commits
(migration 11), and ``listen`` wakes a desk at once to read them.

A change names its topic and, where one record changed, that record's id: a view showing 10,000
contacts then fetches the one that changed instead of all of them. A topic changed without an id
(the settings, a sweep, the side effects of a use case on another topic) changed wholesale: the
views showing it read it all again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

from peewee import fn

from app.services.context import Desk
from app.store.database import current_database
from app.store.faults import BalcaoPostgresDatabase
from app.store.listener import ChangeListener
from app.store.models import ChangeLog


class Topic(StrEnum):
    CONTACTS = "contacts"
    CUSTOMERS = "customers"
    SESSIONS = "sessions"
    PACKS = "packs"  # packs, the ledger and balances
    INVOICES = "invoices"
    SETTINGS = "settings"  # company settings, exceptions, technicians


#: Which of a use case's topics the one record id given to ``note`` belongs to: the first of
#: its topics in this order (a contact answered late also changes balances, a session stopped
#: draws on a pack, an invoice drafted marks sessions; the id is the contact's, the session's,
#: the invoice's). The other topics are noted wholesale.
RECORD_ORDER = (
    Topic.CONTACTS,
    Topic.INVOICES,
    Topic.SESSIONS,
    Topic.PACKS,
    Topic.CUSTOMERS,
    Topic.SETTINGS,
)
#: Beyond this many records of one topic, a reader is told "everything" (one query by ids
#: would be longer than reading it all, and a database bounds a query's parameters).
MANY_RECORDS = 500


@dataclass(frozen=True)
class Changes:
    """The topics changed wholesale, and the records (topic, id) changed one by one."""

    whole: frozenset[Topic] = field(default_factory=frozenset)
    records: frozenset[tuple[Topic, int]] = field(default_factory=frozenset)

    @property
    def topics(self) -> frozenset[Topic]:
        """Every topic that changed, wholesale or in some records."""
        return self.whole | {topic for topic, _id in self.records}

    def ids(self, topic: Topic) -> frozenset[int] | None:
        """The ids of the records of ``topic`` that changed (empty when none did), or None when
        the topic changed wholesale: then everything of it must be read again."""
        if topic in self.whole:
            return None
        return frozenset(record for kind, record in self.records if kind is topic)

    def __or__(self, other: Changes) -> Changes:
        whole = self.whole | other.whole
        records = {(topic, record) for topic, record in self.records | other.records}
        return Changes(whole, frozenset(item for item in records if item[0] not in whole))

    def __contains__(self, topic: object) -> bool:
        return topic in self.topics

    def __bool__(self) -> bool:
        return bool(self.whole or self.records)


@dataclass(frozen=True, kw_only=True)
class Changed:
    """The one place a use case's result carries what it changed: every result type that
    changes something derives from it (``changes=`` when made), and the views refresh only
    that. Left out of equality: two reads of the same record are equal whatever they changed."""

    changes: Changes = field(default_factory=Changes, compare=False)


def _changes(items: Iterable[tuple[Topic, int | None]]) -> Changes:
    whole: set[Topic] = set()
    records: dict[Topic, set[int]] = {}
    for topic, record_id in items:
        if record_id is None:
            whole.add(topic)
        else:
            records.setdefault(topic, set()).add(record_id)
    whole |= {topic for topic, ids in records.items() if len(ids) > MANY_RECORDS}
    return Changes(
        frozenset(whole),
        frozenset(
            (topic, record_id)
            for topic, ids in records.items()
            if topic not in whole
            for record_id in ids
        ),
    )


def note(
    desk: Desk,
    topics: Iterable[Topic],
    record_id: int | None = None,
    *,
    record_ids: Iterable[int] = (),
) -> Changes:
    """Records that this use case changed ``topics`` (call inside its transaction).

    ``record_id`` (or ``record_ids``, for several) are the records changed of the first of
    ``topics`` in ``RECORD_ORDER``; the other topics, or all without an id, changed wholesale.
    """
    chosen = sorted(frozenset(topics), key=RECORD_ORDER.index)
    ids = sorted({*record_ids, *(() if record_id is None else (record_id,))})
    items: list[tuple[Topic, int | None]] = []
    for position, topic in enumerate(chosen):
        if position == 0 and ids:
            items += [(topic, each) for each in ids]
        else:
            items.append((topic, None))
    if not items:
        return Changes()
    at = desk.now()
    ChangeLog.insert_many(
        [{"topic": topic.value, "record_id": each, "at": at} for topic, each in items]
    ).execute()
    return _changes(items)


def latest() -> int:
    """The newest change's number; 0 when nothing ever changed."""
    return int(ChangeLog.select(fn.MAX(ChangeLog.id)).scalar() or 0)


def since(last_seen: int, *, limit: int | None = None) -> tuple[int, Changes]:
    """What changed after change number ``last_seen`` (topics, and records where known), and
    the newest number; at most the ``limit`` oldest changes (the rest are read from the number
    returned on: there may be more when it is ``limit`` or more above ``last_seen``)."""
    query = (
        ChangeLog.select(ChangeLog.id, ChangeLog.topic, ChangeLog.record_id)
        .where(ChangeLog.id > last_seen)
        .order_by(ChangeLog.id)
        .tuples()
    )
    if limit is not None:
        query = query.limit(limit)
    rows = cast(list[tuple[int, str, int | None]], list(query))
    newest = max((row[0] for row in rows), default=last_seen)
    return newest, _changes((Topic(topic), record_id) for _id, topic, record_id in rows)


#: What ``listen`` gives (the window holds one).
Listener = ChangeListener


def listen(wake: Callable[[], None]) -> Listener | None:
    """On PostgreSQL, a listener (not started) that calls ``wake``, on its own thread, as soon
    as another desk's change is committed; the caller then reads ``since``. None on SQLite,
    whose desks keep polling."""
    database = current_database()
    if not isinstance(database, BalcaoPostgresDatabase):
        return None
    return ChangeListener(database, wake)
