"""The "Statement of the month…" button of a customer's record: pick a month, pick a file, and
the month's statement is written as PDF."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from app.domain.months import Month
from app.i18n import _, format_month
from app.progress import NO_PROGRESS, Progress
from ui.feedback import ask_pdf_path, offer_to_open
from ui.operations import Operation, op_with_progress

#: How many months back the button offers, the current one included.
MONTHS_OFFERED = 13


def write_statement(
    customer_id: int,
    year: int,
    month: int,
    path: Path,
    now: datetime,
    *,
    progress: Progress = NO_PROGRESS,
) -> None:
    """Writes the customer's statement of ``month`` to ``path``.

    The PDF module and the statements are imported here, when a statement is asked for: they
    load Qt's PDF and SVG support, which the window does not otherwise need at start-up.
    """
    from app.services.statements import customer_statement
    from ui.pdf.statement import write_statement_pdf

    statement = customer_statement(customer_id, year, month, now=now, progress=progress)
    progress.check()
    write_statement_pdf(statement, path)


def months_up_to(today: date, count: int = MONTHS_OFFERED) -> list[tuple[int, int]]:
    """``(year, month)`` of this month and the ``count - 1`` before it, newest first."""
    this_month = Month.of(today)
    return [(month.year, month.number) for month in map(this_month.plus, range(0, -count, -1))]


def suggested_file_name(customer_name: str, year: int, month: int) -> str:
    """``statement-loja-do-ze-2025-03.pdf`` (in the user's language)."""
    folded = unicodedata.normalize("NFKD", customer_name)
    ascii_name = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or _("customer")
    return _("statement-{customer}-{year}-{month:02d}.pdf").format(
        customer=slug, year=year, month=month
    )


class StatementButton(QPushButton):
    """Offers the last months; the chosen one is written where the technician says."""

    def __init__(
        self,
        customer: Callable[[], tuple[int, str] | None],
        now: Callable[[], datetime],
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Statement of the &month…"), parent)
        self.setToolTip(_("Writes the customer's monthly statement as PDF."))
        self._customer = customer
        self._now = now
        self._today = today
        self._menu = QMenu(self)
        self._menu.aboutToShow.connect(self._fill_menu)
        self.setMenu(self._menu)

    def _fill_menu(self) -> None:
        self._menu.clear()
        for year, month in months_up_to(self._today()):
            action = self._menu.addAction(format_month(year, month))
            action.triggered.connect(lambda _checked=False, y=year, m=month: self.export(y, m))

    def export(self, year: int, month: int) -> Operation[Path] | None:
        """Asks where, then writes in the background; the operation writing it (``None``: the
        technician did not choose a place)."""
        chosen = self._customer()
        if chosen is None:
            return None
        customer_id, name = chosen
        path = ask_pdf_path(
            self,
            _("Save the statement of {month}").format(month=format_month(year, month)),
            suggested_file_name(name, year, month),
        )
        if path is None:
            return None
        now = self._now()

        def write(progress: Progress) -> Path:
            write_statement(customer_id, year, month, path, now, progress=progress)
            return path

        operation = (
            op_with_progress(self, write)
            .writes(path)
            .in_background(
                _("Writing the statement of {month}…").format(month=format_month(year, month)),
                cancellable=True,  # reading only, and the file is written last, whole
            )
            .success(lambda written: offer_to_open(self, written))
        )
        operation.run()
        return operation
