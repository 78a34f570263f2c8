"""The one base of the errors a user may be shown as they are.

A ``KnownError`` is the program refusing something or the environment failing in a way we
understand (bad input, a rule, a busy or unreachable database, a full disk): its ``str`` is a
translated sentence for the user, and ``detail`` keeps the technical text (a driver's English
message) for the details and the log only. Anything that is not a ``KnownError`` is a bug and
goes to the crash path (the error dialog and the log file). The sort follows qutebrowser's
``KnownError``/``BugError`` (STYLE.md).
"""

from __future__ import annotations


class KnownError(Exception):
    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        #: Technical text for the details and the log, never the summary.
        self.detail = detail
