"""The timer: work sessions, their intervals and their billing (P11–P13, P16a).

One module a concern: ``timer`` (the use cases), ``recording`` (a session recorded by hand after
the fact, billed as a timed one at its stop), ``queries`` (reading), ``records`` (the steps they
share: intervals, billing) and ``types`` (what they return). The use cases are named here
too, as ``sessions.start_session`` and so on, the way their callers know them.

Crash safety: every start, pause and resume writes its interval at once, so after a crash (or
``kill -9``) the running session is found again with its intervals, and its elapsed time is
counted from the stored instants (``running_session``).

Billing is frozen at stop, in one transaction: the intervals are billed (``bill``: inside and
outside business hours, each rounded up to its block once per session), the billed minutes are
paid from the customer's balances usable on the session's start date (``allocate``: this month's
monthly hours, unit packs by expiry, free hours; one ``CONSUMPTION`` entry per draw), and what no
pack covered is kept on the session with the rates in force, for the invoice.

A session whose active time exceeds the review limit (``CompanySettings.session_review_hours``)
is not billed when stopped: it stays stopped and flagged for an administrator, who bills it with
``correct_session`` (usually after fixing its times). A session is changed only while it is not
on an invoice; re-billing first gives back what it drew, with reversing entries.
"""

from app.services.sessions.queries import (
    SESSIONS_PAGE,
    count_sessions_by_month,
    count_sessions_to_review,
    live_billing,
    month_sessions_page,
    open_sessions,
    outside_hours_warning,
    running_session,
    session,
    sessions_by_month,
    sessions_of_customer,
    sessions_to_review,
)
from app.services.sessions.recording import preview_recorded_session, record_session
from app.services.sessions.timer import (
    correct_session,
    discard_session,
    edit_session,
    pause_session,
    resume_session,
    start_session,
    stop_session,
)
from app.services.sessions.types import (
    Interval,
    LiveBilling,
    PackDraw,
    SessionBilling,
    SessionPreview,
    SessionRecord,
)

__all__ = [
    "SESSIONS_PAGE",
    "Interval",
    "LiveBilling",
    "PackDraw",
    "SessionBilling",
    "SessionPreview",
    "SessionRecord",
    "correct_session",
    "count_sessions_by_month",
    "count_sessions_to_review",
    "discard_session",
    "edit_session",
    "live_billing",
    "month_sessions_page",
    "open_sessions",
    "outside_hours_warning",
    "pause_session",
    "preview_recorded_session",
    "record_session",
    "resume_session",
    "running_session",
    "session",
    "sessions_by_month",
    "sessions_of_customer",
    "sessions_to_review",
    "start_session",
    "stop_session",
]
