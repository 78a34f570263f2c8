"""Read models of the Relatórios view and of ``balcao report`` (issue 14): one module a report.

Each report takes a ``Period`` of whole months (company time zone) and returns plain rows whose
``cells()`` are the command line's tab-separated columns and the view's table alike. The figures
are computed by the database (GROUP BY, SUM, COUNT, window functions); the rules come from
``app.domain`` or from what the services stored when the work was done (the contact's frozen
terms, a session's frozen billing, the ledger).
"""

from __future__ import annotations

from app.services.reports.period import Period

__all__ = ["Period"]
