"""What changed, so each view refreshes only that, here and at the other desks.

A use case calls ``note`` inside its transaction; it returns ``Changes`` for this desk, and the
rows it writes let other desks learn the same through ``since`` (polled every few seconds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from peewee import fn

from app.services.context import Desk
from app.store.models import ChangeLog


class Topic(StrEnum):
    CONTACTS = "contacts"
    CUSTOMERS = "customers"
    SESSIONS = "sessions"
    PACKS = "packs"  # packs, the ledger and balances
    INVOICES = "invoices"
    SETTINGS = "settings"  # company settings, exceptions, technicians


@dataclass(frozen=True)
class Changes:
    topics: frozenset[Topic] = field(default_factory=frozenset)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.topics | other.topics)

    def __contains__(self, topic: object) -> bool:
        return topic in self.topics

    def __bool__(self) -> bool:
        return bool(self.topics)


@dataclass(frozen=True, kw_only=True)
class Changed:
    """The one place a use case's result carries what it changed: every result type that
    changes something derives from it (``changes=`` when made), and the views refresh only
    that. Left out of equality: two reads of the same record are equal whatever they changed."""

    changes: Changes = field(default_factory=Changes, compare=False)


def note(desk: Desk, topics: Iterable[Topic], record_id: int | None = None) -> Changes:
    """Records that this use case changed ``topics`` (call inside its transaction)."""
    chosen = frozenset(topics)
    at = desk.now()
    ChangeLog.insert_many(
        [{"topic": topic.value, "record_id": record_id, "at": at} for topic in sorted(chosen)]
    ).execute()
    return Changes(chosen)


def latest() -> int:
    """The newest change's number; 0 when nothing ever changed."""
    return int(ChangeLog.select(fn.MAX(ChangeLog.id)).scalar() or 0)


def since(last_seen: int) -> tuple[int, Changes]:
    """The topics changed after change number ``last_seen``, and the newest number."""
    rows = list(
        ChangeLog.select(ChangeLog.id, ChangeLog.topic)
        .where(ChangeLog.id > last_seen)
        .order_by(ChangeLog.id)
    )
    newest = max((row.id for row in rows), default=last_seen)
    return newest, Changes(frozenset(Topic(row.topic) for row in rows))
