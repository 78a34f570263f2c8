"""Taking back a first response (issue 15): the one-click Respond can be undone for a moment by
whoever recorded it; after that only an administrator corrects it, with a written reason.

Pure rules: no clock, no database (the services give the instants).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

#: How long the desk that recorded a first response may undo it ("Anular").
UNDO_WINDOW = timedelta(seconds=10)


class CorrectionKind(StrEnum):
    """Why a first response changed after it was recorded (the append-only correction record)."""

    UNDONE = "undone"  # taken back within UNDO_WINDOW by the technician who recorded it
    CORRECTED = "corrected"  # an administrator's correction, with a reason


def may_undo(
    responded_at: datetime,
    responded_by: int | None,
    technician_id: int | None,
    now: datetime,
) -> bool:
    """The response may still be undone: recorded by this technician, at most UNDO_WINDOW ago
    (real time: both instants are aware, compared as such)."""
    if responded_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("naive datetime")
    if technician_id is None or responded_by != technician_id:
        return False
    return timedelta(0) <= now - responded_at <= UNDO_WINDOW
