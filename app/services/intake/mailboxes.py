"""The mailboxes the intake reads (Definições › Correio, ``balcao mailbox``; administrators).

A password is never kept in the database: it goes to the system keyring (``app.credentials``),
or the mailbox names an environment variable (``--password-env``) read at each fetch, for a
machine with no keyring at all. Clear text (``none``) is accepted only for this machine.

Adding a mailbox tests the connection ("Testar ligação") and notes each folder's UIDNEXT: the
mailbox takes the messages that arrive from then on (issue 11), and with ``since`` also those
already there that the server stored on or after that day.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app import credentials
from app.domain.intake import Security
from app.domain.states import Direction
from app.domain.validation import ValidationError
from app.errors import KnownError
from app.i18n import _
from app.intake.imap import ImapReader, ImapSettings, connect
from app.services import changes
from app.services.changes import Topic
from app.services.checks import check_text
from app.services.context import Desk, use_case
from app.services.errors import ConflictError, InputError, NotFoundError, RuleError
from app.services.intake.mailbox_form import check_form
from app.services.settings import require_admin
from app.store.models import Mailbox, MailboxFolder, MailboxLease

Connector = Callable[[ImapSettings], ImapReader]


@dataclass(frozen=True)
class MailboxRecord:
    id: int
    name: str
    host: str
    port: int
    security: Security
    user: str
    folder: str
    sent_folder: str | None
    ca_file: str | None
    password_env: str | None
    added_at: datetime
    since: date | None
    last_fetch_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    failures: int
    retry_at: datetime | None
    version: int = 0


def record_of(row: Mailbox) -> MailboxRecord:
    return MailboxRecord(
        id=row.id,
        name=row.name,
        host=row.host,
        port=row.port,
        security=row.security,
        user=row.user,
        folder=row.folder,
        sent_folder=row.sent_folder,
        ca_file=row.ca_file,
        password_env=row.password_env,
        added_at=row.added_at,
        since=row.since,
        last_fetch_at=row.last_fetch_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        failures=row.failures,
        retry_at=row.retry_at,
        version=row.version,
    )


def mailboxes() -> tuple[MailboxRecord, ...]:
    return tuple(record_of(row) for row in Mailbox.select().order_by(Mailbox.name))


def find_mailbox(name: str) -> MailboxRecord:
    row = Mailbox.get_or_none(Mailbox.name == name.strip())
    if row is None:
        raise NotFoundError(_("There is no mailbox named {name}.").format(name=name))
    return record_of(row)


def keyring_address(name: str, user: str, host: str, port: int) -> str:
    """The password-free address the keyring keeps a mailbox's password under."""
    return f"imap://{user}@{host}:{port}/{name}"


class PasswordMissing(KnownError):
    """The mailbox's password is nowhere to be found (an unset variable, an empty keyring)."""


def password_of(record: MailboxRecord) -> str:
    if record.password_env:
        value = os.environ.get(record.password_env)
        if not value:
            raise PasswordMissing(
                _(
                    "The environment variable {variable} with the password of the mailbox "
                    "{name} is not set."
                ).format(variable=record.password_env, name=record.name)
            )
        return value
    found = credentials.saved_password(
        keyring_address(record.name, record.user, record.host, record.port)
    )
    if found is None:
        raise PasswordMissing(
            _(
                "The password of the mailbox {name} is not in this computer's keyring: add the "
                "mailbox again here, or use --password-env."
            ).format(name=record.name)
        )
    return found


def settings_of(record: MailboxRecord, password: str) -> ImapSettings:
    return ImapSettings(
        host=record.host,
        port=record.port,
        security=record.security,
        user=record.user,
        password=password,
        ca_file=Path(record.ca_file) if record.ca_file else None,
    )


def test_connection(
    settings: ImapSettings, folder: str, sent_folder: str | None, *, connector: Connector = connect
) -> tuple[int, int | None]:
    """Logs in and opens the folders read-only ("Testar ligação"); their UIDNEXT. Raises
    ``MailboxError`` saying in Portuguese what failed."""
    reader = connector(settings)
    try:
        inbox = reader.examine(folder)
        sent = reader.status(sent_folder).uidnext if sent_folder else None
    finally:
        reader.close()
    return inbox.uidnext, sent


def add_mailbox(
    desk: Desk,
    *,
    name: str,
    host: str,
    port: int | str,
    security: Security | str,
    user: str,
    password: str | None = None,
    password_env: str | None = None,
    ca_file: str | None = None,
    folder: str = "INBOX",
    sent_folder: str | None = "Sent",
    since: date | None = None,
    check: bool = True,
    connector: Connector = connect,
) -> MailboxRecord:
    """Adds a mailbox, after testing the connection (``check``); ``MailboxError`` when it fails."""
    require_admin(desk)  # before any connection is tried; again in the transaction below
    try:
        return _add(
            desk,
            name=name,
            host=host,
            port=port,
            security=security,
            user=user,
            password=password,
            password_env=password_env,
            ca_file=ca_file,
            folder=folder,
            sent_folder=sent_folder,
            since=since,
            check=check,
            connector=connector,
        )
    except ValidationError as error:
        raise InputError(error.message, field=error.field) from error


def _password_missing() -> InputError:
    return InputError(
        _("Give the mailbox's password, or the environment variable that holds it."),
        field="password",
    )


def _no_keyring() -> RuleError:
    return RuleError(
        _(
            "This computer has no keyring to keep the password in: name an environment "
            "variable that holds it instead (--password-env)."
        )
    )


def _add(
    desk: Desk,
    *,
    name: str,
    host: str,
    port: int | str,
    security: Security | str,
    user: str,
    password: str | None,
    password_env: str | None,
    ca_file: str | None,
    folder: str,
    sent_folder: str | None,
    since: date | None,
    check: bool,
    connector: Connector,
) -> MailboxRecord:
    chosen_name = check_text("name", name, max_length=64, required=True)
    form = check_form(
        host=host,
        port=port,
        security=security,
        user=user,
        password_env=password_env,
        ca_file=ca_file,
        folder=folder,
        sent_folder=sent_folder,
    )
    if form.variable is None and not password:
        raise _password_missing()
    if Mailbox.get_or_none(Mailbox.name == chosen_name) is not None:
        raise RuleError(_("There is already a mailbox named {name}.").format(name=chosen_name))
    secret = os.environ.get(form.variable, "") if form.variable else (password or "")
    inbox_next: int | None = None
    sent_next: int | None = None
    if check:
        inbox_next, sent_next = test_connection(
            form.settings(secret), form.folder, form.sent_folder, connector=connector
        )
    if form.variable is None and password:
        address = keyring_address(chosen_name, form.user, form.host, form.port)
        if not credentials.save_password(address, password):
            raise _no_keyring()
    with use_case():
        require_admin(desk)
        row = Mailbox.create(
            name=chosen_name,
            host=form.host,
            port=form.port,
            security=form.security,
            user=form.user,
            folder=form.folder,
            sent_folder=form.sent_folder,
            ca_file=form.ca_file,
            password_env=form.variable,
            added_at=desk.now(),
            since=since,
            created_by=desk.technician_id,
        )
        MailboxFolder.create(
            mailbox=row.id, role=Direction.IN, name=form.folder, next_uid=inbox_next
        )
        if form.sent_folder:
            MailboxFolder.create(
                mailbox=row.id, role=Direction.OUT, name=form.sent_folder, next_uid=sent_next
            )
        MailboxLease.create(mailbox=row.id)
        changes.note(desk, {Topic.SETTINGS})
        return record_of(row)


def remove_mailbox(desk: Desk, name: str) -> None:
    """Stops reading a mailbox; the messages taken from it and their contacts stay."""
    with use_case():
        require_admin(desk)
        row = Mailbox.get_or_none(Mailbox.name == name.strip())
        if row is None:
            raise NotFoundError(_("There is no mailbox named {name}.").format(name=name))
        record = record_of(row)
        row.delete_instance()
        changes.note(desk, {Topic.SETTINGS})
    if record.password_env is None:
        credentials.forget_password(
            keyring_address(record.name, record.user, record.host, record.port)
        )


def check_mailbox(
    *,
    host: str,
    port: int | str,
    security: Security | str,
    user: str,
    password: str | None = None,
    password_env: str | None = None,
    ca_file: str | None = None,
    folder: str = "INBOX",
    sent_folder: str | None = None,
    mailbox_id: int | None = None,
    connector: Connector = connect,
) -> tuple[int, int | None]:
    """ "Testar ligação" for what the form says, before saving it: the password typed, else the
    variable named, else (editing ``mailbox_id``) the one kept for it. ``MailboxError`` says in
    Portuguese what failed."""
    form = check_form(
        host=host,
        port=port,
        security=security,
        user=user,
        password_env=password_env,
        ca_file=ca_file,
        folder=folder,
        sent_folder=sent_folder,
    )
    if password:
        secret = password
    elif form.variable:
        secret = os.environ.get(form.variable, "")
    elif mailbox_id is not None:
        row = Mailbox.get_or_none(Mailbox.id == mailbox_id)
        if row is None:
            raise NotFoundError(_("This mailbox no longer exists."))
        secret = password_of(record_of(row))
    else:
        raise _password_missing()
    return test_connection(
        form.settings(secret), form.folder, form.sent_folder, connector=connector
    )


def update_mailbox(
    desk: Desk,
    mailbox_id: int,
    version: int,
    *,
    host: str,
    port: int | str,
    security: Security | str,
    user: str,
    password: str | None = None,
    password_env: str | None = None,
    ca_file: str | None = None,
    folder: str = "INBOX",
    sent_folder: str | None = None,
    check: bool = True,
    connector: Connector = connect,
) -> MailboxRecord:
    """Changes a mailbox (Definições › Correio), after testing the connection. No password
    typed keeps the one kept; a folder renamed is read from its messages that arrive from now
    on, as a new mailbox's are."""
    require_admin(desk)
    found = Mailbox.get_or_none(Mailbox.id == mailbox_id)
    if found is None:
        raise NotFoundError(_("This mailbox no longer exists."))
    old = record_of(found)
    form = check_form(
        host=host,
        port=port,
        security=security,
        user=user,
        password_env=password_env,
        ca_file=ca_file,
        folder=folder,
        sent_folder=sent_folder,
    )
    old_key = keyring_address(old.name, old.user, old.host, old.port)
    new_key = keyring_address(old.name, form.user, form.host, form.port)
    kept = None if form.variable or password else credentials.saved_password(old_key)
    if form.variable is None and not password and kept is None:
        raise _password_missing()
    secret = password or kept or (os.environ.get(form.variable, "") if form.variable else "")
    next_uids: tuple[int | None, int | None] = (None, None)
    if check:
        next_uids = test_connection(
            form.settings(secret), form.folder, form.sent_folder, connector=connector
        )
    moved = form.variable is None and (bool(password) or new_key != old_key)
    if moved and not credentials.save_password(new_key, secret):
        raise _no_keyring()
    with use_case():
        require_admin(desk)
        changed = (
            Mailbox.update(
                host=form.host,
                port=form.port,
                security=form.security,
                user=form.user,
                folder=form.folder,
                sent_folder=form.sent_folder,
                ca_file=form.ca_file,
                password_env=form.variable,
                failures=0,
                retry_at=None,
                version=Mailbox.version + 1,
            )
            .where((Mailbox.id == mailbox_id) & (Mailbox.version == version))
            .execute()
        )
        if not changed:
            raise ConflictError(
                _("This mailbox was changed or removed meanwhile: look at it again.")
            )
        _rename_folders(
            mailbox_id, ((Direction.IN, form.folder), (Direction.OUT, form.sent_folder)), next_uids
        )
        record = record_of(Mailbox.get_by_id(mailbox_id))
        changes.note(desk, {Topic.SETTINGS})
    if (form.variable or new_key != old_key) and old.password_env is None:
        credentials.forget_password(old_key)  # moved, or no longer kept
    return record


def _rename_folders(
    mailbox_id: int,
    names: tuple[tuple[Direction, str | None], ...],
    next_uids: tuple[int | None, int | None],
) -> None:
    """A folder added, dropped or renamed: a new or renamed one is read from its UIDNEXT now."""
    for (role, name), next_uid in zip(names, next_uids, strict=True):
        current = MailboxFolder.get_or_none(
            (MailboxFolder.mailbox == mailbox_id) & (MailboxFolder.role == role)
        )
        if name is None:
            if current is not None:
                current.delete_instance()
        elif current is None:
            MailboxFolder.create(mailbox=mailbox_id, role=role, name=name, next_uid=next_uid)
        elif current.name != name:
            MailboxFolder.update(name=name, uidvalidity=None, next_uid=next_uid).where(
                MailboxFolder.id == current.id
            ).execute()
