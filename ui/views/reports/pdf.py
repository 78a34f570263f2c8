"""A report's table as an A4 PDF, through the invoice's document machinery (``ui.pdf.common``)."""

from __future__ import annotations

from pathlib import Path

from app.i18n import _
from app.services.settings import settings
from ui.pdf.common import Letterhead, PageParts, field, render_pdf, rows_html, text

_GRID = "<table class='grid dense' width='100%' cellspacing='0' cellpadding='3'>"


def write_report_pdf(
    path: Path, title: str, period_text: str, header: list[str], rows: list[tuple[str, ...]]
) -> int:
    """Writes the table; the number of pages. ``OSError`` when ``path`` cannot be written."""
    company = settings()
    head = "".join(f"<th>{text(title_)}</th>" for title_ in header)
    body = rows_html(
        [("align='right'" if _numeric(cell) else "", text(cell)) for cell in row] for row in rows
    )
    html = f"{_GRID}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return render_pdf(
        path,
        title=f"{title} · {period_text}",
        author=company.name,
        head=Letterhead(
            company_name=company.name,
            company_lines=(),
            title=title,
            number=period_text,
            facts=((_("Rows"), str(len(rows))),),
        ),
        parts=PageParts(
            running_left=f"{field(company.name)} · {field(title)}",
            running_right=field(period_text),
            notice=_("A report for internal use; not an invoice."),
        ),
        body_html=html,
    )


def _numeric(cell: str) -> bool:
    return cell.lstrip("-").replace(".", "", 1).isdigit()
