"""``balcao import customers --db DB FILE.csv [--dry-run]`` (issue 15): customers from WHMCS's
client export or from Balcão's own CSV (docs/IMPORT.md).

The report goes to stdout in the user's language: the counts, then "linha N: motivo" for each
row not imported. The exit code is 0 when every row was imported (or was already so), 1 when
some row failed; a file or database that cannot be used at all is an error on stderr (1 too).
The command needs no administrator, as creating a customer by hand does not.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli import Command, CommandError, _require_existing, add_db, command_database
from app.errors import KnownError
from app.i18n import _


def add_import_parser(commands: Any) -> None:
    importing = commands.add_parser("import", help=_("bring records in from a file"))
    what = importing.add_subparsers(
        dest="import_what", metavar=_("WHAT"), required=True, help=_("what to import")
    )
    customers = what.add_parser(
        "customers",
        help=_("customers from a WHMCS client export or a Balcão CSV"),
        description=_(
            "Reads customers from a WHMCS client export or a Balcão CSV file (see "
            "docs/IMPORT.md) and creates or updates them, matched by NIF and then by email. "
            "Exit status: 0 when no row failed, 1 when some row failed or the file could not "
            "be read."
        ),
    )
    add_db(customers)
    customers.add_argument("file", metavar=_("FILE") + ".csv", help=_("the CSV file to import"))
    customers.add_argument(
        "--dry-run",
        action="store_true",
        help=_("check every row and print the report without writing anything"),
    )


def import_command(args: argparse.Namespace) -> int:
    from app.clock import SystemClock
    from app.services import imports
    from app.services.context import Desk

    try:
        file = imports.read_customers(Path(args.file))
    except KnownError as error:
        raise CommandError(str(error)) from error
    _require_existing(args.db)
    with command_database(args.db):
        report = imports.run_import(Desk(SystemClock(), None), file, dry_run=args.dry_run)
    for line in report.lines():
        print(line)
    return 1 if report.failed else 0


IMPORT_COMMANDS: dict[str, Command] = {"import": import_command}
