"""``balcao report {guarantees,response-times,hours,packs,revenue} --db DB --from YYYY-MM
--to YYYY-MM [--technician ID]`` (issue 14): a report tab-separated on standard output, a header
line first; numbers with a dot, times in whole minutes, codes rather than labels. With
``--technician``, that technician's part: the contacts they look after (guarantees, response
times), the sessions they timed (hours)."""

from __future__ import annotations

import argparse
from typing import Any

from app.i18n import _

REPORT_NAMES = ("guarantees", "response-times", "hours", "packs", "revenue")


def add_report_parser(commands: Any) -> None:
    report = commands.add_parser("report", help=_("print a report of a period, tab-separated"))
    from app.cli import add_db

    report.add_argument("report", choices=REPORT_NAMES, help=_("the report"))
    add_db(report)
    report.add_argument(
        "--from",
        dest="start",
        metavar=_("YYYY-MM"),
        required=True,
        help=_("the first month, e.g. 2026-01"),
    )
    report.add_argument(
        "--to", dest="end", metavar=_("YYYY-MM"), required=True, help=_("the last month")
    )
    report.add_argument(
        "--technician",
        dest="technician",
        metavar=_("ID"),
        type=int,
        help=_("only this technician's contacts (guarantees, response times) or sessions (hours)"),
    )


def run_report(args: argparse.Namespace) -> int:
    from app.cli import CommandError, _require_existing, command_database
    from app.clock import SystemClock
    from app.services.errors import ServiceError
    from app.services.reports.period import Period
    from app.services.reports.tables import report_table
    from app.services.settings import technician

    try:
        period = Period.of(args.start, args.end)
    except ServiceError as error:
        raise CommandError(str(error)) from error
    _require_existing(args.db)
    with command_database(args.db):  # makes the services' refusals CommandError
        if args.technician is not None:
            technician(args.technician)  # one that never existed is a typing mistake
        table = report_table(args.report, period, SystemClock().now(), args.technician)
    lines = ["\t".join(table.header), *("\t".join(row) for row in table.rows)]
    print("\n".join(lines))
    return 0
