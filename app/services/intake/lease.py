"""One desk fetches a mailbox at a time (issue 11): a lease in the database.

The holder names its computer and process. A lease ends when its holder releases it, when it
expires (``LEASE``: a desk that died loses it within that time), or at once when the holder was a
process of this same computer that is no longer running (a ``kill -9`` followed by a restart
does not wait for the expiry). Every message taken renews the lease in its own transaction, and
refuses to be taken by a holder that lost it: two desks never take the same message.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from app.services.context import Desk
from app.store.database import locking, write_transaction
from app.store.models import MailboxLease

#: A lease not renewed for this long is free again.
LEASE = timedelta(minutes=2)


class LeaseLost(Exception):
    """Another desk took the mailbox's lease (this one had let it expire)."""


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_here(holder: str) -> bool:
    """Whether ``holder`` was a process of this computer that is no longer running."""
    host, _sep, rest = holder.rpartition(":")[0].rpartition(":")
    if host != socket.gethostname():
        return False
    try:
        pid = int(rest)
    except ValueError:
        return False
    if pid == os.getpid():
        return False  # this process: another desk object of ours, alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by someone else
        return False
    return False


def acquire(desk: Desk, mailbox_id: int, holder: str) -> bool:
    """Takes the mailbox's lease for ``holder``; False when another live desk holds it."""
    now = desk.now()
    with write_transaction():
        row = locking(MailboxLease.select().where(MailboxLease.mailbox == mailbox_id)).first()
        if row is None:
            MailboxLease.create(mailbox=mailbox_id, holder=holder, expires_at=now + LEASE)
            return True
        held = (
            row.holder is not None
            and row.holder != holder
            and row.expires_at is not None
            and row.expires_at > now
            and not _dead_here(row.holder)
        )
        if held:
            return False
        MailboxLease.update(holder=holder, expires_at=now + LEASE).where(
            MailboxLease.id == row.id
        ).execute()
        return True


def renew(desk: Desk, mailbox_id: int, holder: str) -> None:
    """Inside the caller's transaction: extends the lease, or raises ``LeaseLost``."""
    updated = (
        MailboxLease.update(expires_at=desk.now() + LEASE)
        .where((MailboxLease.mailbox == mailbox_id) & (MailboxLease.holder == holder))
        .execute()
    )
    if updated != 1:
        raise LeaseLost(holder)


def release(mailbox_id: int, holder: str) -> None:
    with write_transaction():
        MailboxLease.update(holder=None, expires_at=None).where(
            (MailboxLease.mailbox == mailbox_id) & (MailboxLease.holder == holder)
        ).execute()
