"""The command line (DESIGN.md): the parser, and the commands that need no Qt.

``ui.main`` is the entry point: it parses with ``build_parser``, runs the commands below, and
handles itself those that draw (the window, PDFs).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from app import __version__
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, ngettext, set_language

# argparse translates its own messages through the `_` it imported from gettext; pointing it at
# our catalog makes "usage:" and its errors Portuguese too. Its strings, for extraction:
ARGPARSE_STRINGS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("%(prog)s: error: %(message)s\n"),
)
argparse._ = _  # type: ignore[attr-defined]
argparse.ngettext = ngettext  # type: ignore[attr-defined]


class CommandError(Exception):
    """A command failed for a reason the user can act on; the message is already translated.
    ``code``: the exit status (2 where the arguments name more than one thing, as argparse does
    for a usage error)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _db_help() -> str:
    return _("database file or postgresql:// URL (default: BALCAO_DB or the user data folder)")


def add_db(parser: argparse.ArgumentParser) -> None:
    """A command's own ``--db`` (``balcao COMMAND --db X`` and ``balcao --db X COMMAND`` mean the
    same)."""
    parser.add_argument("--db", dest="command_db", metavar=_("PATH_OR_URL"), help=_db_help())


def _output(parser: argparse.ArgumentParser, suffix: str) -> None:
    parser.add_argument(
        "output",
        metavar=_("FILE") + suffix,
        help=_("the file to write (replaced when it exists)"),
    )


def build_parser() -> argparse.ArgumentParser:
    # Help texts and metavariables are in the user's language (Portuguese by default); the
    # command and option names are not: scripts call them.
    parser = argparse.ArgumentParser(
        prog="balcao", description=_("Balcão: support plans, deadlines, sessions and invoices.")
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"balcao {__version__}",
        help=_("show the version and exit"),
    )
    parser.add_argument("--db", metavar=_("PATH_OR_URL"), help=_db_help())
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help=_("interface language")
    )
    parser.add_argument(
        "--technician",
        metavar=_("NAME_OR_ID"),
        help=_("the technician at this desk (default: the one chosen last on this computer)"),
    )
    commands = parser.add_subparsers(
        dest="command", metavar=_("COMMAND"), help=_("what to do (none: open the window)")
    )
    demo = commands.add_parser("demo", help=_("fill a new database with demo data"))
    add_db(demo)
    demo.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help=_("small: a few customers of every kind; large: thousands, to measure speed"),
    )
    invoices = commands.add_parser("invoices", help=_("list the issued invoices"))
    add_db(invoices)
    export = commands.add_parser("export-invoice", help=_("write an invoice as PDF"))
    add_db(export)
    export.add_argument(
        "number",
        metavar=_("NUMBER"),
        help=_("the invoice number, e.g. FT 2026/17 (any case, spaces optional)"),
    )
    _output(export, ".pdf")
    statement = commands.add_parser("statement", help=_("write a customer's monthly statement"))
    add_db(statement)
    statement.add_argument(
        "customer",
        metavar=_("CUSTOMER"),
        help=_("the customer's id, NIF, name or a part of the name only they have"),
    )
    statement.add_argument("month", metavar=_("YYYY-MM"), help=_("the month, e.g. 2026-03"))
    _output(statement, ".pdf")
    export_csv = commands.add_parser(
        "export-csv", help=_("write the sessions or the ledger of a period as CSV")
    )
    add_db(export_csv)
    export_csv.add_argument(
        "table",
        choices=("sessions", "ledger"),
        help=_("sessions: the remote sessions; ledger: the movements of the hour balances"),
    )
    export_csv.add_argument("start", metavar=_("FROM"), help=_("the first day, e.g. 2026-03-01"))
    export_csv.add_argument("end", metavar=_("TO"), help=_("the last day, e.g. 2026-03-31"))
    _output(export_csv, ".csv")
    _add_invoicing(commands)
    _add_intake_commands(commands)
    from app.cli_import import add_import_parser  # issue 15

    add_import_parser(commands)
    from app.cli_reports import add_report_parser

    add_report_parser(commands)
    return parser


def _add_invoicing(commands: Any) -> None:
    """``balcao invoicing setup|push``: the certified invoicing program (issue 13, P29)."""
    invoicing = commands.add_parser(
        "invoicing", help=_("hand the invoices to the certified invoicing program")
    )
    actions = invoicing.add_subparsers(
        dest="invoicing_command", metavar=_("ACTION"), required=True, help=_("what to do")
    )
    setup = actions.add_parser("setup", help=_("set the company's certified invoicing program"))
    add_db(setup)
    setup.add_argument(
        "--provider",
        required=True,
        choices=("invoicexpress",),
        help=_("the certified invoicing program"),
    )
    setup.add_argument("--account", required=True, metavar=_("NAME"), help=_("the account's name"))
    setup.add_argument(
        "--api-key-env",
        required=True,
        metavar=_("VARIABLE"),
        help=_("the environment variable that holds the API key (only its name is kept)"),
    )
    setup.add_argument(
        "--base-url", default="", metavar="URL", help=_("another address (a proxy, a test server)")
    )
    setup.add_argument(
        "--auto-finalize", action="store_true", help=_("finalize there as soon as sent")
    )
    push = actions.add_parser(
        "push", help=_("send an issued document to the certified invoicing program")
    )
    add_db(push)
    push.add_argument("number", metavar=_("NUMBER"), help=_("the invoice number, e.g. FT 2026/17"))
    push.add_argument("--finalize", action="store_true", help=_("finalize it there too"))


def _with_db(parser: argparse.ArgumentParser, *, technician: bool = False) -> None:
    add_db(parser)
    if technician:
        parser.add_argument(
            "--technician",
            dest="command_technician",
            metavar=_("NAME_OR_ID"),
            help=_("the administrator at this desk"),
        )


def _kind_help() -> str:
    return _(
        "email: the support address; priority_email: the priority address; team: the team's "
        "own address"
    )


def _add_intake_commands(commands: Any) -> None:
    """Issue 11's commands: ``mailbox``, ``address``, ``fetch-mail``, ``contacts``."""
    mailbox = commands.add_parser("mailbox", help=_("the support mailboxes read for contacts"))
    actions = mailbox.add_subparsers(
        dest="action", metavar=_("ACTION"), required=True, help=_("what to do")
    )
    add = actions.add_parser("add", help=_("add a mailbox (an administrator)"))
    _with_db(add, technician=True)
    add.add_argument("name", metavar=_("NAME"), help=_("the mailbox's name in Balcão"))
    add.add_argument(
        "--host", required=True, metavar=_("SERVER"), help=_("the IMAP server's address")
    )
    add.add_argument(
        "--port", required=True, type=int, metavar=_("PORT"), help=_("the IMAP server's port")
    )
    add.add_argument(
        "--security",
        required=True,
        choices=("ssl", "starttls", "none"),
        help=_("how the connection is protected"),
    )
    add.add_argument("--user", required=True, metavar=_("USER"), help=_("the IMAP user name"))
    add.add_argument(
        "--password-env",
        metavar=_("VARIABLE"),
        help=_("the environment variable that holds the password, read at each fetch"),
    )
    add.add_argument(
        "--ca-file", metavar=_("FILE"), help=_("the company's own CA certificate (PEM)")
    )
    add.add_argument(
        "--folder",
        default="INBOX",
        metavar=_("FOLDER"),
        help=_("the folder read for new messages (default: INBOX)"),
    )
    add.add_argument(
        "--sent-folder",
        default="Sent",
        metavar=_("FOLDER"),
        help=_("the folder of the messages sent, read for responses (default: Sent)"),
    )
    add.add_argument(
        "--since",
        metavar=_("YYYY-MM-DD"),
        help=_("also take the messages already there from that day"),
    )
    listing = actions.add_parser("list", help=_("list the mailboxes"))
    _with_db(listing, technician=True)
    remove = actions.add_parser("remove", help=_("stop reading a mailbox (an administrator)"))
    _with_db(remove, technician=True)
    remove.add_argument("name", metavar=_("NAME"), help=_("the mailbox's name in Balcão"))

    address = commands.add_parser("address", help=_("the support and team addresses"))
    address_actions = address.add_subparsers(
        dest="action", metavar=_("ACTION"), required=True, help=_("what to do")
    )
    address_add = address_actions.add_parser("add", help=_("add an address (an administrator)"))
    _with_db(address_add, technician=True)
    address_add.add_argument("address", metavar=_("ADDRESS"), help=_("the email address"))
    address_add.add_argument("kind", choices=("email", "priority_email", "team"), help=_kind_help())
    address_list = address_actions.add_parser("list", help=_("list the addresses"))
    _with_db(address_list, technician=True)
    address_remove = address_actions.add_parser(
        "remove", help=_("remove an address (an administrator)")
    )
    _with_db(address_remove, technician=True)
    address_remove.add_argument("address", metavar=_("ADDRESS"), help=_("the email address"))
    address_remove.add_argument(
        "kind",
        nargs="?",
        choices=("email", "priority_email", "team"),
        help=_kind_help() + " " + _("(none: every kind)"),
    )

    fetch = commands.add_parser("fetch-mail", help=_("read every mailbox once"))
    _with_db(fetch)
    contacts = commands.add_parser("contacts", help=_("list the contacts waiting for a response"))
    _with_db(contacts)
    contacts.add_argument(
        "--all", action="store_true", help=_("also answered, closed and rejected contacts")
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parses the arguments; ``--lang`` is applied before the rest so help and errors follow it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--lang" in argv[:-1]:
        language = argv[argv.index("--lang") + 1]
        if language in LANGUAGES:
            set_language(language)
    args = build_parser().parse_args(argv)
    set_language(args.lang)
    # `balcao demo --db X` and `balcao --db X demo` mean the same.
    args.db = getattr(args, "command_db", None) or args.db
    args.technician = getattr(args, "command_technician", None) or args.technician
    return args


Command = Callable[[argparse.Namespace], int]


@contextmanager
def command_database(location: str | None) -> Iterator[None]:
    """The database a command works on (``--db``; ``None``: the default one), open for the
    ``with`` block and closed after it; its errors and the services' refusals become
    ``CommandError``."""
    from app.services.errors import ServiceError
    from app.store.database import close_database, open_database
    from app.store.errors import StoreError

    try:
        open_database(location)
        yield
    except (StoreError, ServiceError) as error:
        raise CommandError(str(error)) from error
    finally:
        close_database()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("{text} is not a date; write it as 2026-03-31.").format(text=text)
        ) from None


def export_csv(args: argparse.Namespace) -> int:
    """``balcao export-csv {sessions,ledger} FROM TO OUT.csv``: the file for the accountant."""
    from app.services import exports

    start, end = _day(args.start), _day(args.end)
    output = Path(args.output)
    write = exports.write_sessions_csv if args.table == "sessions" else exports.write_ledger_csv
    with command_database(args.db):
        try:
            write(output, start, end)
        except OSError as error:
            raise CommandError(exports.cannot_write(output, error)) from error
    return 0


def _shown(location: str | None) -> str:
    """The database a command will open, as it may be shown (no password)."""
    from app.store.database import describe_location, resolve_location

    return describe_location(resolve_location(location))


def _require_existing(location: str | None) -> None:
    """Refuses a SQLite file that is not there, rather than creating it: a mistyped path must
    not look like an empty database."""
    from app.store.database import connect_database, is_sqlite, resolve_location
    from app.store.errors import DatabaseOpenError

    try:
        candidate = connect_database(resolve_location(location))
    except DatabaseOpenError as error:
        raise CommandError(str(error)) from error
    path = str(candidate.database)
    if is_sqlite(candidate) and path != ":memory:" and not Path(path).expanduser().exists():
        raise CommandError(
            _("The database {location} does not exist.").format(location=_shown(location))
        )


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _new_database(location: str | None) -> Iterator[str | None]:
    """Where the demo writes: a SQLite file that does not exist yet is made under a temporary
    name beside it and takes its name only once complete, so that a failed demo leaves no file
    behind; any other location as it is."""
    from app.files import staged_new_file
    from app.store.database import connect_database, is_sqlite, resolve_location
    from app.store.errors import DatabaseOpenError

    try:
        candidate = connect_database(resolve_location(location))
    except DatabaseOpenError:
        candidate = None  # command_database says why
    path = "" if candidate is None else str(candidate.database)
    if candidate is None or not is_sqlite(candidate) or path == ":memory:" or Path(path).exists():
        yield location
        return
    try:
        with staged_new_file(Path(path), sidecars=("-wal", "-shm", "-journal")) as temporary:
            try:
                yield str(temporary)
            except CommandError as error:  # said of the file the user named
                raise CommandError(str(error).replace(str(temporary), path)) from error
    except FileExistsError as error:
        raise CommandError(
            _(
                "{location} was created by another program meanwhile; the demo was not written."
            ).format(location=path)
        ) from error


def run_demo(args: argparse.Namespace) -> int:
    """``balcao demo [--size small|large] --db PATH``: fills a new database with demo data
    whose clock ends now (the one reading of the real clock), so that the open contacts are due
    in the minutes and hours after the program opens."""
    from app.clock import SystemClock
    from app.demo.company import DemoRefused
    from app.demo.large import fill_large_demo
    from app.demo.small import fill_small_demo

    now = SystemClock().now()
    shown = _shown(args.db)
    started = time.monotonic()
    with _new_database(args.db) as location, command_database(location):
        try:
            if args.size == "large":
                summary = fill_large_demo(shown, now, _progress)
            else:
                summary = fill_small_demo(shown, now, _progress)
        except DemoRefused as error:
            raise CommandError(str(error)) from error
    print(
        _(
            "Demo data written to {location} in {seconds} s: {customers} customers, "
            "{contacts} contacts ({waiting} waiting), {sessions} sessions, {entries} ledger "
            "entries, {invoices} invoices and credit notes."
        ).format(
            location=shown,
            seconds=round(time.monotonic() - started, 1),
            customers=summary.customers,
            contacts=summary.contacts,
            waiting=summary.open_contacts,
            sessions=summary.sessions,
            entries=summary.ledger_entries,
            invoices=summary.invoices,
        )
    )
    return 0


def list_invoices(args: argparse.Namespace) -> int:
    """``balcao invoices --db DB``: every numbered document, one a line, number first,
    tab-separated: number, date of issue, customer, gross amount, state, then the legal number
    and the legal state in the certified invoicing program (P29)."""
    from peewee import PeeweeException

    from app.i18n import format_date, format_money
    from app.services.invoices import issued_invoices
    from app.services.invoicing.queries import legal_statuses
    from app.services.labels import issued_document_text

    _require_existing(args.db)
    with command_database(args.db):
        try:
            rows = issued_invoices()
            legal = legal_statuses(row.id for row in rows)
        except PeeweeException as error:
            raise CommandError(
                _("Cannot open the database {location}: {detail}").format(
                    location=_shown(args.db), detail=str(error).strip()
                )
            ) from error
    if not rows:
        print(_("No invoice has been issued yet."), file=sys.stderr)
    for row in rows:
        issued = "" if row.issue_date is None else format_date(row.issue_date)
        state = issued_document_text(row.kind, row.state, row.corrects_number)
        there = legal[row.id]
        columns = (row.number_text or "", issued, row.customer_name, format_money(row.gross), state)
        print("\t".join((*columns, there.legal_number, there.state_text)))
    return 0


def _command_desk(args: argparse.Namespace) -> Any:
    """The desk a command acts from: the technician named with ``--technician`` (id or name),
    else the first active administrator (whoever runs a command on the database itself)."""
    from app.clock import SystemClock
    from app.services.context import Desk
    from app.store.models import Technician

    chosen = getattr(args, "technician", None)
    if chosen:
        found = Technician.get_or_none(
            (Technician.id == int(chosen)) if chosen.isdigit() else (Technician.name == chosen)
        )
        if found is None:
            raise CommandError(_("There is no technician {name}.").format(name=chosen))
        return Desk(SystemClock(), found.id)
    admin = (
        Technician.select()
        .where((Technician.active == True) & (Technician.is_admin == True))  # noqa: E712
        .order_by(Technician.id)
        .first()
    )
    return Desk(SystemClock(), None if admin is None else admin.id)


def run_invoicing(args: argparse.Namespace) -> int:
    """``balcao invoicing setup`` and ``balcao invoicing push`` (issue 13)."""
    from app.errors import KnownError
    from app.services.invoices import invoice_by_number
    from app.services.invoicing import push, setup

    _require_existing(args.db)
    with command_database(args.db):
        desk = _command_desk(args)
        try:
            if args.invoicing_command == "setup":
                chosen = setup.setup(
                    desk,
                    provider=args.provider,
                    account=args.account,
                    api_key_env=args.api_key_env,
                    base_url=args.base_url,
                    auto_finalize=args.auto_finalize,
                )
                print(
                    _("Certified invoicing program set: {provider}, account {account}.").format(
                        provider=chosen.provider, account=chosen.account
                    )
                )
                return 0
            document = invoice_by_number(args.number)
            status = push.push(desk, document.id, finalize=args.finalize)
        except KnownError as error:
            # ServiceError and InvoicingError alike: a sentence for the user; the send, when it
            # could not be made, waits in the outbox.
            raise CommandError(str(error)) from error
    print(
        "\t".join(
            (document.number_text or "", status.state_text, status.legal_number, status.atcud)
        )
    )
    return 0


def commands_without_qt() -> dict[str, Command]:
    """The commands that run without Qt, by name."""
    from app.cli_import import IMPORT_COMMANDS
    from app.cli_intake import INTAKE_COMMANDS
    from app.cli_reports import run_report

    return {
        "export-csv": export_csv,
        "demo": run_demo,
        "invoices": list_invoices,
        "invoicing": run_invoicing,
        "report": run_report,
        **INTAKE_COMMANDS,
        **IMPORT_COMMANDS,
    }


def fail(message: str, code: int = 1) -> int:
    """Prints a translated error to stderr; the exit code of a failed command."""
    print(_("balcao: error: {message}").format(message=message), file=sys.stderr)
    return code
