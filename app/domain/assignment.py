"""Who looks after a contact (issue 14): its technician, assigned in its window or by starting a
session on it.

A rejected contact (P10a) is kept as it arrived, for audit: it gets no technician. Starting a
session on a contact that has none makes the session's technician its technician; one that has a
technician keeps them (a colleague helping out does not take the contact over).
"""

from __future__ import annotations

from app.domain.states import ContactState


def may_assign(state: ContactState) -> bool:
    """Whether a contact in ``state`` may be given (or relieved of) a technician."""
    return state is not ContactState.REJECTED


def assigned_by_session(
    state: ContactState, current: int | None, session_technician: int
) -> int | None:
    """The technician a contact gets when ``session_technician`` starts a session on it: None
    when it keeps what it has."""
    if current is not None or not may_assign(state):
        return None
    return session_technician
