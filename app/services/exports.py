"""CSV files for the accountant: the sessions and the pack ledger of a period.

Made to open correctly in a Portuguese spreadsheet with a double click: UTF-8 with a BOM (so the
accents survive), ``;`` between fields (the comma is the decimal mark), decimal commas and no
thousands separator (so numbers stay numbers), ISO dates (``2026-03-31``) and local times
(``2026-03-31 17:05``, the company's time zone), CRLF line ends, headers in the user's language.

Durations are whole minutes (exact; billed time is rounded to blocks), money has two decimals.
A period is ``start`` to ``end``, both days included, in the company's time zone. Each file is
one query, streamed, whatever its size.
"""

from __future__ import annotations

import csv
import errno
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from peewee import JOIN

from app.domain.calendar import local_days
from app.domain.invoice import time_line
from app.domain.packs import PackKind
from app.domain.states import SessionState
from app.files import atomic_write
from app.i18n import _, format_date
from app.progress import NO_PROGRESS, Progress
from app.services.errors import InputError
from app.services.labels import (
    document_number,
    ledger_kind_label,
    pack_kind_label,
    session_state_label,
)
from app.services.queries import sessions_with_names
from app.services.settings.calendar import company_zone
from app.store.models import Customer, LedgerEntry, Pack, Session, Technician

ENCODING = "utf-8-sig"  # UTF-8 with a BOM: spreadsheets then read it as UTF-8
DELIMITER = ";"
#: Rows between two progress reports (each report may wake the window).
REPORT_EVERY = 200
_SECONDS_PER_MINUTE = 60
#: No room left: the disk, or the user's share of it.
_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def decimal_text(value: Decimal, places: int = 2) -> str:
    """``1234.5`` as ``1234,50``: a decimal comma and no grouping, so it stays a number."""
    return f"{value:.{places}f}".replace(".", ",")


def _local(at: datetime | None, zone: ZoneInfo) -> str:
    """An instant as ``2026-03-31 17:05`` in the company's time zone."""
    return "" if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def cannot_write(path: Path, error: OSError) -> str:
    """Why ``path`` could not be written, in words for the user."""
    if isinstance(error, PermissionError):
        reason = _("you may not write there")
    elif isinstance(error, FileNotFoundError):
        reason = _("its folder does not exist")
    elif isinstance(error, IsADirectoryError):
        reason = _("it is a folder")
    elif error.errno in _DISK_FULL:
        reason = _("the disk is full")
    elif error.errno == errno.EROFS:
        reason = _("the disk is read-only")
    else:
        reason = error.strerror or str(error)
    return _("Cannot write {path}: {reason}.").format(path=path, reason=reason)


def _optional(value: object) -> str:
    return "" if value is None else str(value)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _day_range(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    if end < start:
        raise InputError(
            _("The period ends on {end}, before it starts on {start}.").format(
                end=format_date(end), start=format_date(start)
            ),
            field="end",
        )
    return local_days(start, end, zone)


#: What makes a spreadsheet read a cell as a formula (or, for tab and CR, hide what follows):
#: OWASP's list for CSV injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain number as the files write them (``-30``, ``1234,50``): left as it is, so that the
#: accountant's spreadsheet still reads it as a number and can sum it.
_NUMBER = re.compile(r"-?\d+(,\d+)?")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as the text it is: one starting like a formula (``=``, ``+``,
    ``-``, ``@``, tab, CR — also after leading spaces) gets a leading ``'``, which the
    spreadsheet shows as text (OWASP, "CSV Injection"). Plain numbers are left as they are."""
    if value.lstrip(" ").startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _write(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    total: int | None = None,
    progress: Progress = NO_PROGRESS,
) -> int:
    """Writes the file whole or not at all (``app.files.atomic_write``: a temporary file renamed
    at the end); the number of rows written. Every cell goes through ``safe_cell``. ``OSError``
    when the place cannot be written; ``Cancelled`` (nothing left behind) when ``progress`` is
    cancelled."""
    count = 0
    with atomic_write(path, "w", encoding=ENCODING, newline="") as file:
        writer = csv.writer(file, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow([safe_cell(cell) for cell in header])
        progress.report(0, total)
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
            count += 1
            if count % REPORT_EVERY == 0:
                progress.report(count, total)
        progress.report(count, total)
    return count


def write_table_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Any table of text cells (a report) as the accountant's CSV: the same safe cells, the same
    whole-or-nothing file as the sessions and the ledger; the number of rows written."""
    return _write(path, header, rows)


# --- sessions ---------------------------------------------------------------------------------


def _session_header() -> list[str]:
    return [
        _("Session"),
        _("Date"),
        _("Start"),
        _("End"),
        _("Customer"),
        _("NIF"),
        _("Technician"),
        _("Contact"),
        _("Subject"),
        _("State"),
        _("Real time (min)"),
        _("Inside business hours (min)"),
        _("Outside business hours (min)"),
        _("Billed inside (min)"),
        _("Billed outside (min)"),
        _("Paid by packs (min)"),
        _("Uncovered inside (min)"),
        _("Uncovered outside (min)"),
        _("Hourly rate inside (€)"),
        _("Hourly rate outside (€)"),
        _("Uncovered amount, net (€)"),
        _("Invoice"),
        _("Recorded by hand"),
    ]


def _uncovered_amount(row: Any) -> Decimal:
    """What the uncovered time is worth, priced as its invoice line is (``time_line``)."""
    amount = Decimal("0.00")
    for minutes, rate in (
        (row.uncovered_inside_minutes, row.rate_inside),
        (row.uncovered_outside_minutes, row.rate_outside),
    ):
        if minutes:
            amount += time_line("-", minutes, rate).net
    return amount


def _state_text(row: Any) -> str:
    state = session_state_label(row.state)
    if row.flagged_for_review:
        return _("{state}, waiting for review").format(state=state)
    return state


def _session_row(row: Any, zone: ZoneInfo) -> list[str]:
    billed = row.uncovered_inside_minutes is not None
    real = ""
    if row.inside_seconds is not None:
        seconds = Decimal(row.inside_seconds + row.outside_seconds)
        real = decimal_text(seconds / _SECONDS_PER_MINUTE)
    cells = [
        str(row.id),
        row.started_at.astimezone(zone).date().isoformat(),
        _local(row.started_at, zone),
        _local(row.stopped_at, zone),
        row.customer_name,
        row.customer_nif or "",
        row.technician_name,
        _optional(row.contact_id),
        (row.contact_subject or row.note or "").strip(),
        _state_text(row),
        real,
    ]
    if billed:
        inside, outside = row.inside_billed_minutes, row.outside_billed_minutes
        uncovered = row.uncovered_inside_minutes + row.uncovered_outside_minutes
        cells += [
            decimal_text(Decimal(row.inside_seconds) / _SECONDS_PER_MINUTE),
            decimal_text(Decimal(row.outside_seconds) / _SECONDS_PER_MINUTE),
            str(inside),
            str(outside),
            str(inside + outside - uncovered),
            str(row.uncovered_inside_minutes),
            str(row.uncovered_outside_minutes),
            decimal_text(row.rate_inside),
            decimal_text(row.rate_outside),
            decimal_text(_uncovered_amount(row)),
        ]
    else:
        cells += [""] * 10
    cells.append(document_number(row.invoice_series, row.invoice_year, row.invoice_no) or "")
    # Last, so the columns a spreadsheet already reads keep their places.
    cells.append(_yes_no(row.recorded_by_hand))
    return cells


def write_sessions_csv(path: Path, start: date, end: date, progress: Progress = NO_PROGRESS) -> int:
    """The sessions started from ``start`` to ``end`` (discarded ones left out), oldest first,
    with their real and billed time, what packs paid and what is left to invoice. Returns the
    number of sessions written."""
    zone = company_zone()
    first, after = _day_range(start, end, zone)
    query = (
        sessions_with_names()
        .where(
            (Session.started_at >= first)
            & (Session.started_at < after)
            & (Session.state != SessionState.DISCARDED)
        )
        .order_by(Session.started_at, Session.id)
        .objects()
    )
    rows = (_session_row(row, zone) for row in query.iterator())
    return _write(path, _session_header(), rows, query.count(), progress)


# --- the ledger -------------------------------------------------------------------------------


def _ledger_header() -> list[str]:
    return [
        _("Entry"),
        _("Date"),
        _("Recorded at"),
        _("Customer"),
        _("NIF"),
        _("Pack"),
        _("Pack kind"),
        _("Movement"),
        _("Minutes"),
        _("Month"),
        _("Outside business hours"),
        _("Session"),
        _("Contact"),
        _("Reverses entry"),
        _("Reason"),
        _("Recorded by"),
    ]


def _ledger_row(row: Any, zone: ZoneInfo) -> list[str]:
    return [
        str(row.id),
        row.created_at.astimezone(zone).date().isoformat(),
        _local(row.created_at, zone),
        row.customer_name,
        row.customer_nif or "",
        str(row.pack_id),
        pack_kind_label(PackKind(row.pack_kind)),
        ledger_kind_label(row.kind),
        str(row.minutes),
        "" if row.month is None else row.month.strftime("%Y-%m"),
        _yes_no(row.outside),
        _optional(row.session_id),
        _optional(row.contact_id),
        _optional(row.reverses_id),
        row.reason,
        row.created_by_name or _("the program"),
    ]


def write_ledger_csv(path: Path, start: date, end: date, progress: Progress = NO_PROGRESS) -> int:
    """Every ledger entry recorded from ``start`` to ``end``, in the order recorded, with its
    customer, pack and reason (minutes signed: credits positive). Returns the number written."""
    zone = company_zone()
    first, after = _day_range(start, end, zone)
    query = (
        LedgerEntry.select(
            LedgerEntry,
            Customer.name.alias("customer_name"),
            Customer.nif.alias("customer_nif"),
            Pack.kind.alias("pack_kind"),
            Technician.name.alias("created_by_name"),
        )
        .join(Customer, on=LedgerEntry.customer == Customer.id)
        .switch(LedgerEntry)
        .join(Pack, on=LedgerEntry.pack == Pack.id)
        .switch(LedgerEntry)
        .join(Technician, JOIN.LEFT_OUTER, on=LedgerEntry.created_by == Technician.id)
        .where((LedgerEntry.created_at >= first) & (LedgerEntry.created_at < after))
        .order_by(LedgerEntry.id)
        .objects()
    )
    rows = (_ledger_row(row, zone) for row in query.iterator())
    return _write(path, _ledger_header(), rows, query.count(), progress)
