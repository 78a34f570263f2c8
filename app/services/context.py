"""What every use case needs to know about where it runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError

from app.clock import Clock
from app.domain.validation import ValidationError
from app.i18n import _
from app.services import memo
from app.services.errors import ConflictError, InputError, RuleError
from app.store.database import is_read_only, write_transaction
from app.store.errors import StaleRecordError, refused_by_guard


@dataclass(frozen=True)
class Desk:
    """The clock this desk reads and the technician sitting at it (None: the program itself)."""

    clock: Clock
    technician_id: int | None = None

    def now(self) -> datetime:
        return self.clock.now()


def read_only() -> bool:
    """Whether this desk can only read the database (a read-only file, disk or server): every
    use case is then refused, before it writes, with ``DatabaseReadOnlyError``."""
    return is_read_only()


@contextmanager
def use_case() -> Iterator[None]:
    """One write transaction; a failure rolls everything back and becomes a ServiceError.

    The database's faults (``DatabaseFault``: busy, read-only, full, unreachable…) pass through
    as they are, already in the user's words.

    Domain rules raise ``ValueError`` (or ``ValidationError``) with a translated message: the user
    sees it as is. A stale version or a unique key taken meanwhile by another desk is a conflict.

    The company settings and the calendar's exceptions are read once in it (``app.services.memo``).
    """
    try:
        with write_transaction(), memo.scope():
            yield
    except ValidationError as error:
        raise InputError(error.message, field=error.field) from error
    except StaleRecordError as error:
        raise ConflictError(str(error)) from error
    except OverflowError as error:
        # The checks (``app.services.checks``) bound every number and date first; should one
        # slip through, the user still reads a sentence, not a traceback.
        raise InputError(
            _("A number or a date is too large to be kept. Nothing was saved."),
            detail=str(error),
        ) from error
    except IntegrityError as error:
        if refused_by_guard(error):  # a bug got past the services: say so, never "another desk"
            raise RuleError(
                _(
                    "The database refused to change a record that is frozen (an issued "
                    "document, its numbering or the pack ledger). Nothing was saved."
                ),
                detail=str(error),
            ) from error
        raise ConflictError(
            _("Another desk saved a conflicting change at the same time. Nothing was saved.")
        ) from error
