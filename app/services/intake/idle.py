"""Waiting for new mail with IMAP IDLE (RFC 2177), so that a message is in the queue within
seconds rather than at the next minute's pass (issue 11).

A ``MailWatch`` keeps one read-only connection to a mailbox's folder and is used by one worker
at a time: ``wait`` returns as soon as the server announces a change, or after ``timeout``
seconds. It only says "something arrived"; the fetch itself (``fetch.fetch_all``) takes the
messages, under the lease, as always.
"""

from __future__ import annotations

import logging

from app.domain.states import Direction
from app.intake.imap import ImapReader, MailboxError, connect
from app.services.intake.mailboxes import (
    Connector,
    PasswordMissing,
    password_of,
    record_of,
    settings_of,
)
from app.store.models import Mailbox, MailboxFolder

log = logging.getLogger(__name__)


class MailWatch:
    def __init__(self, mailbox_id: int, *, connector: Connector = connect) -> None:
        self.mailbox_id = mailbox_id
        self._connector = connector
        self._reader: ImapReader | None = None
        self._next_uid = 0  # the first UID not yet announced by this watch
        #: Set from the main thread: the next ``wait`` to end closes the connection.
        self.stopped = False
        #: The server offers no IDLE: the minute's pass is all there is for this mailbox.
        self.unsupported = False

    def wait(self, timeout: float) -> bool | None:
        """True: new mail; False: nothing within ``timeout``; None: stop watching (the server
        offers no IDLE, the mailbox fails or is gone, or the watch was stopped)."""
        if self.stopped:
            self.close()
            return None
        try:
            if self._reader is None:
                row = Mailbox.get_or_none(Mailbox.id == self.mailbox_id)
                if row is None:
                    return None
                record = record_of(row)
                reader = self._connector(settings_of(record, password_of(record)))
                state = reader.examine(record.folder)
                # From the first UID not taken yet: mail that came before the watch began
                # wakes it at once.
                taken = MailboxFolder.get_or_none(
                    (MailboxFolder.mailbox == record.id) & (MailboxFolder.role == Direction.IN)
                )
                self._next_uid = state.uidnext
                if taken is not None and taken.uidvalidity == state.uidvalidity:
                    self._next_uid = taken.next_uid or state.uidnext
                if not reader.supports_idle:
                    self.unsupported = True
                    reader.close()
                    return None
                self._reader = reader
            self._reader.idle_wait(timeout)
            # The announcement itself may be missed (one that comes between two IDLE commands
            # is taken by the client as an answer to the next): the UIDs say for sure.
            found = self._reader.uids_from(self._next_uid)
            arrived = bool(found)
            if found:
                self._next_uid = max(found) + 1
        except (MailboxError, PasswordMissing) as error:
            # The minute's pass reports the failure and backs off; the watch just ends.
            log.info("no IDLE watch on mailbox %s: %s", self.mailbox_id, error)
            self.close()
            return None
        if self.is_stopped():  # stopped from the main thread while this one waited
            self.close()
            return None
        return arrived

    def is_stopped(self) -> bool:
        return self.stopped

    def close(self) -> None:
        if self._reader is not None:
            reader, self._reader = self._reader, None
            reader.close()
