"""The email intake's commands (issue 11): ``mailbox``, ``address``, ``fetch-mail``,
``contacts``. Output for scripts is tab-separated, instants in ISO 8601 UTC; errors in
Portuguese on stderr with a non-zero exit (``CommandError``).

``mailbox`` and ``address`` need an administrator at the desk (``--technician``), as Definições
does; ``fetch-mail`` and ``contacts`` run as the program itself.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.cli import Command, CommandError, _day, _require_existing, command_database
from app.errors import KnownError
from app.i18n import _

if TYPE_CHECKING:
    from app.services.context import Desk


def iso(at: datetime | None) -> str:
    """An instant as ISO 8601 UTC with ``Z``; empty for none."""
    return "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _desk(args: argparse.Namespace, *, admin: bool) -> Desk:
    from app.clock import SystemClock
    from app.services.context import Desk
    from app.services.settings import find_technician

    if not admin:
        return Desk(SystemClock(), None)
    if not args.technician:
        raise CommandError(
            _("This command needs an administrator: say who you are with --technician NAME.")
        )
    try:
        return Desk(SystemClock(), find_technician(args.technician).id)
    except KnownError as error:
        raise CommandError(str(error)) from error


def _password(args: argparse.Namespace) -> str | None:
    if args.password_env:
        return None
    if sys.stdin.isatty():
        return getpass.getpass(_("Password of the mailbox: "))
    return sys.stdin.readline().rstrip("\r\n") or None


def mailbox_command(args: argparse.Namespace) -> int:
    from app.services.intake import mailboxes
    from app.services.settings import require_admin

    _require_existing(args.db)
    with command_database(args.db):
        desk = _desk(args, admin=True)
        try:
            if args.action == "add":
                require_admin(desk)
                record = mailboxes.add_mailbox(
                    desk,
                    name=args.name,
                    host=args.host,
                    port=args.port,
                    security=args.security,
                    user=args.user,
                    password=_password(args),
                    password_env=args.password_env,
                    ca_file=args.ca_file,
                    folder=args.folder,
                    sent_folder=args.sent_folder,
                    since=None if args.since is None else _day(args.since),
                )
                print(_("Mailbox {name} added.").format(name=record.name))
            elif args.action == "remove":
                mailboxes.remove_mailbox(desk, args.name)
                print(_("Mailbox {name} removed.").format(name=args.name))
            else:
                require_admin(desk)
                for row in mailboxes.mailboxes():
                    print(
                        "\t".join(
                            (
                                row.name,
                                row.host,
                                str(row.port),
                                row.security.value,
                                row.user,
                                row.folder,
                                row.sent_folder or "",
                                iso(row.last_fetch_at),
                                row.last_error,
                            )
                        )
                    )
        except KnownError as error:
            raise CommandError(str(error)) from error
    return 0


def address_command(args: argparse.Namespace) -> int:
    from app.services.intake import addresses
    from app.services.settings import require_admin

    _require_existing(args.db)
    with command_database(args.db):
        desk = _desk(args, admin=True)
        try:
            if args.action == "add":
                record = addresses.add_address(desk, args.address, args.kind)
                print(_("Address {address} added.").format(address=record.address))
            elif args.action == "remove":
                addresses.remove_address(desk, args.address)
                print(_("Address {address} removed.").format(address=args.address))
            else:
                require_admin(desk)
                for row in addresses.addresses():
                    print(f"{row.address}\t{row.kind.value}")
        except KnownError as error:
            raise CommandError(str(error)) from error
    return 0


def fetch_mail_command(args: argparse.Namespace) -> int:
    """One pass over every mailbox; a Portuguese summary; exit 1 if any mailbox failed."""
    from app.services.intake.fetch import fetch_all

    _require_existing(args.db)
    with command_database(args.db):
        desk = _desk(args, admin=False)
        try:
            summaries = fetch_all(desk, force=True)
        except KnownError as error:
            raise CommandError(str(error)) from error
    if not summaries:
        print(_("No mailbox to read: add one with balcao mailbox add."))
    failed = False
    for summary in summaries:
        if summary.failed:
            failed = True
            print(
                _("{mailbox}: failed: {error}").format(
                    mailbox=summary.mailbox, error=summary.error
                ),
                file=sys.stderr,
            )
            continue
        if summary.skipped:
            print(_("{mailbox}: being read by another desk.").format(mailbox=summary.mailbox))
            continue
        counts = summary.counts
        print(
            _(
                "{mailbox}: {new} new, {joined} joined, {responses} responses, "
                "{ignored} ignored, {rejected} rejected."
            ).format(
                mailbox=summary.mailbox,
                new=counts.new,
                joined=counts.joined,
                responses=counts.responses,
                ignored=counts.ignored,
                rejected=counts.rejected,
            )
        )
    return 1 if failed else 0


#: The columns of ``balcao contacts`` (issue 11: exactly these, in this order).
CONTACT_COLUMNS = (
    "id",
    "received",
    "channel",
    "sender",
    "customer",
    "state",
    "reason",
    "due",
    "first_response",
)


def contacts_command(args: argparse.Namespace) -> int:
    from app.services.contacts import all_contacts, open_contacts

    _require_existing(args.db)
    with command_database(args.db):
        rows = all_contacts() if args.all else open_contacts(include_answered=False)
    print("\t".join(CONTACT_COLUMNS))
    for row in sorted(rows, key=lambda r: r.id) if args.all else rows:
        print(
            "\t".join(
                (
                    str(row.id),
                    iso(row.received_at),
                    row.channel.value,
                    row.sender,
                    "" if row.customer_id is None else str(row.customer_id),
                    row.state.value,
                    row.reason.value,
                    iso(row.deadline or row.target),
                    iso(row.first_response_at),
                )
            )
        )
    return 0


INTAKE_COMMANDS: dict[str, Command] = {
    "mailbox": mailbox_command,
    "address": address_command,
    "fetch-mail": fetch_mail_command,
    "contacts": contacts_command,
}
