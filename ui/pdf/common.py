"""What the invoice and the statement PDFs share: the page, the fonts, the letterhead, the footer,
and the rendering of an HTML body over as many pages as it needs.

A document is drawn in three layers on A4 pages:

- the *body*, one ``QTextDocument`` laid out as one long page and cut into pages between its
  paragraphs and table rows (see "pagination" below): a table cut across pages has its header
  rows (``<thead>``, i.e. ``QTextTableFormat.headerRowCount``) painted again on the next page;
- the *letterhead* at the top of page 1 — the logo, drawn as a vector from its SVG, beside the
  company's data and the document's title — the body starting below it;
- the *running parts* of every page: a one-line header from page 2 on, and a footer with the
  document's notice and ``Página 1 de 3``.

PDF/A-1b (archivable, fonts embedded, no transparency). Text is set in DejaVu Sans, which has
every Portuguese glyph and may be embedded; the system package fonts-dejavu-core provides it.
Every value taken from the database goes through ``text()`` (HTML-escaped): a customer called
``<b>Silva & Filhos</b>`` prints exactly so.

The PDF is made in memory and written at the end through a temporary file renamed into place
(``app.files``), so a failure — a full disk too — never leaves half a file, nor spoils the one
that was there.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
    QTextTable,
)
from PySide6.QtSvg import QSvgRenderer

from app.files import write_bytes
from app.i18n import _, format_money, locale
from ui.resources import resource_path

#: Device pixels per inch of the PDF's drawing surface: fine enough for exact glyph placement.
RESOLUTION = 300
MM = RESOLUTION / 25.4
FONT_FAMILY = "DejaVu Sans"
BODY_POINTS = 8.5
SMALL_POINTS = 7.0
#: Colours: dark slate text, a muted grey for captions, a light rule, the logo's blue.
INK = "#1f2b33"
MUTED = "#5f6d78"
RULE = "#c9d3da"
SHADE = "#eef3f6"
ACCENT = "#1f6fa8"

_LEFT, _RIGHT, _TOP, _BOTTOM = 18 * MM, 18 * MM, 14 * MM, 12 * MM
_RUNNING_HEADER = 9 * MM  # above the body, on every page (empty on page 1)
_FOOTER = 15 * MM  # below the body
_LOGO = 22 * MM
_LETTERHEAD_GAP = 6 * MM


# --- the application --------------------------------------------------------------------------


class _Made:
    """The application made here, kept for the life of the process (Qt needs it while a PDF
    is drawn, and Python would delete it with its last reference)."""

    application: QGuiApplication | None = None


def ensure_gui_application() -> QGuiApplication:
    """The running Qt application, made if there is none (a command run from a shell).

    On a Linux server with no display and no platform chosen, Qt would abort looking for one:
    the offscreen platform is chosen instead, since a PDF needs no screen.
    """
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and headless and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _Made.application = QGuiApplication(sys.argv[:1] or ["balcao"])
    return _Made.application


def _require_gui_application() -> None:
    if not isinstance(QGuiApplication.instance(), QGuiApplication):
        raise RuntimeError("a QGuiApplication must exist: call ensure_gui_application() first")


def font_family() -> str:
    """DejaVu Sans when installed (it is embeddable and has every Portuguese glyph), else the
    system's own sans serif font."""
    if FONT_FAMILY in QFontDatabase.families():
        return FONT_FAMILY
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()


def font(points: float, *, bold: bool = False) -> QFont:
    """The documents' font. Without ligatures: "certificado" must come out of the PDF as typed
    (copied, searched, read back), not with an "ﬁ" glyph."""
    chosen = QFont(font_family())
    chosen.setPointSizeF(points)
    chosen.setBold(bold)
    chosen.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return chosen


# --- text -------------------------------------------------------------------------------------


def text(value: object) -> str:
    """A value from the database as HTML text: escaped, its line breaks kept."""
    return html.escape(str(value)).replace("\r\n", "\n").replace("\n", "<br>")


def money(amount: Decimal) -> str:
    return text(format_money(amount))


def lines_of(*parts: str) -> str:
    """Non-empty parts, escaped, one per line."""
    return "<br>".join(text(part) for part in parts if part.strip())


def country_name(code: str) -> str:
    return str(locale().territories.get(code.upper(), code))


def grouped_iban(iban: str) -> str:
    """``PT50000201231234567890154`` as ``PT50 0002 0123 1234 5678 9015 4``, as printed on
    every Portuguese invoice."""
    compact = "".join(iban.split())
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


def address_lines(address: str, postcode: str, city: str, country: str = "PT") -> list[str]:
    """An address as printed: street lines, then postcode and city, then a foreign country."""
    found = [line.strip() for line in address.splitlines() if line.strip()]
    place = " ".join(part for part in (postcode.strip(), city.strip()) if part)
    if place:
        found.append(place)
    if country and country.upper() != "PT":
        found.append(country_name(country))
    return found


def style_sheet() -> str:
    """The body's CSS (Qt's rich-text subset: sizes in pt, alignment by attribute)."""
    return f"""
        body {{ color: {INK}; }}
        p {{ margin-top: 0; margin-bottom: 0; }}
        h2 {{ font-size: 10pt; font-weight: bold; color: {ACCENT};
              margin-top: 16pt; margin-bottom: 5pt; }}
        .caption {{ font-size: {SMALL_POINTS}pt; color: {MUTED}; }}
        .small {{ font-size: {SMALL_POINTS}pt; }}
        .muted {{ color: {MUTED}; }}
        .strong {{ font-weight: bold; }}
        .big {{ font-size: 11pt; font-weight: bold; }}
        table.grid th {{ background-color: {SHADE}; font-weight: bold; color: {INK};
                        font-size: {SMALL_POINTS + 0.5}pt;
                        border-bottom-style: solid; border-bottom-width: 3px;
                        border-bottom-color: {ACCENT}; }}
        table.grid td {{ border-bottom-style: solid; border-bottom-width: 1px;
                        border-bottom-color: {RULE}; }}
        table.dense td {{ font-size: {BODY_POINTS - 1}pt; }}
        td.total {{ font-weight: bold; font-size: 10pt; border-top-style: solid;
                   border-top-width: 3px; border-top-color: {INK}; }}
    """


# --- the page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    """The top of page 1: the company beside its logo, and the document's title and facts."""

    company_name: str
    company_lines: tuple[str, ...]
    title: str
    #: Under the title, in large print: the number (``FT 2026/17``), the month of a statement.
    number: str
    #: (caption, value) pairs under the number: dates, period.
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageParts:
    """What every page repeats."""

    #: From page 2 on, top left and top right: who sends it and what it is.
    running_left: str
    running_right: str
    #: At the foot of every page (P22's notice), beside ``Página 1 de 3``.
    notice: str


@dataclass(frozen=True)
class _Geometry:
    body: QRectF
    running: QRectF
    footer: QRectF


def _geometry(writer: QPdfWriter) -> _Geometry:
    page = QRectF(writer.pageLayout().fullRectPixels(RESOLUTION))
    width = page.width() - _LEFT - _RIGHT
    body_top = _TOP + _RUNNING_HEADER
    body_height = page.height() - body_top - _FOOTER - _BOTTOM
    return _Geometry(
        body=QRectF(_LEFT, body_top, width, body_height),
        running=QRectF(_LEFT, _TOP, width, _RUNNING_HEADER - 3 * MM),
        footer=QRectF(_LEFT, body_top + body_height + 4 * MM, width, _FOOTER - 4 * MM),
    )


def _new_writer(device: QIODevice, title: str, author: str) -> QPdfWriter:
    writer = QPdfWriter(device)
    writer.setPdfVersion(QPagedPaintDevice.PdfVersion.PdfVersion_A1b)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setResolution(RESOLUTION)
    writer.setTitle(title)
    writer.setAuthor(author)
    writer.setCreator(_("Balcão"))
    return writer


def _document(html_text: str, writer: QPdfWriter, width: float, points: float) -> QTextDocument:
    document = QTextDocument()
    document.documentLayout().setPaintDevice(writer)
    document.setDefaultFont(font(points))
    document.setDefaultStyleSheet(style_sheet())
    document.setDocumentMargin(0)
    # Print, not screen: the font's own metrics, unrounded (and a little faster to lay out).
    document.setUseDesignMetrics(True)
    # The width before the text: laid out once as it is read, rather than read, laid out for
    # the default width, then laid out again (half the time of a long invoice).
    document.setTextWidth(width)
    document.setHtml(html_text)
    return document


def _letterhead_html(head: Letterhead) -> str:
    facts = "".join(
        f"<tr><td align='right' class='caption'>{text(caption)}&nbsp;&nbsp;</td>"
        f"<td align='right'>{text(value)}</td></tr>"
        for caption, value in head.facts
    )
    return (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='55%'><p class='big'>{text(head.company_name)}</p>"
        f"<p class='small muted'>{lines_of(*head.company_lines)}</p></td>"
        "<td width='45%' align='right'>"
        f"<p align='right' style='font-size: 16pt; font-weight: bold; color: {ACCENT};'>"
        f"{text(head.title)}</p>"
        f"<p align='right' style='font-size: 12pt; font-weight: bold;'>{text(head.number)}</p>"
        f"<table align='right' cellspacing='0' cellpadding='1'>{facts}</table>"
        "</td></tr></table>"
    )


class _Letterhead:
    """The letterhead laid out for the page's width: its height is known before painting."""

    def __init__(self, head: Letterhead, writer: QPdfWriter, body: QRectF) -> None:
        self._logo = _logo()
        self._body = body
        self._beside = _LOGO + 5 * MM
        self._document = _document(
            _letterhead_html(head), writer, body.width() - self._beside, BODY_POINTS
        )
        self.height = max(_LOGO, self._document.size().height()) + _LETTERHEAD_GAP

    def paint(self, painter: QPainter) -> None:
        body = self._body
        self._logo.render(painter, QRectF(body.left(), body.top(), _LOGO, _LOGO))
        painter.save()
        painter.translate(body.left() + self._beside, body.top())
        self._document.drawContents(painter)
        painter.restore()
        painter.setPen(QPen(QColor(RULE), 0.3 * MM))
        rule_y = body.top() + self.height - _LETTERHEAD_GAP / 2
        painter.drawLine(QPointF(body.left(), rule_y), QPointF(body.right(), rule_y))


def _logo() -> QSvgRenderer:
    renderer = QSvgRenderer(str(resource_path("balcao.svg")))
    if not renderer.isValid():
        raise RuntimeError("resources/balcao.svg cannot be drawn")
    return renderer


# --- pagination -------------------------------------------------------------------------------
#
# Qt's own pagination of a QTextDocument breaks a table row line by line, so a two-line row can
# start at the foot of one page and end on the next. The body is therefore laid out as one long
# page and cut here, only where a cut is clean: between top-level paragraphs or tables, between
# the lines of a paragraph, and between the rows of a table — whose header rows (<thead>) are
# then painted again at the top of the next page.


@dataclass(frozen=True)
class _Cut:
    """A place the body may be cut at (document coordinates), and the table header to repeat
    above what follows it."""

    y: float
    header: tuple[float, float] | None = None


def _table_cuts(table: QTextTable, layout: QAbstractTextDocumentLayout) -> tuple[list[_Cut], float]:
    """The cuts before and inside ``table`` (never right below its header rows), and where the
    table ends.

    Measured on the cells' paragraphs: ``frameBoundingRect`` of a table is offset by its first
    cell's position. A cut between two rows lies halfway through the padding between their
    contents; the body rows share one padding, measured once, so that a long table costs one
    query per row rather than one per cell.
    """
    rows, columns = table.rows(), table.columns()

    def start(row: int) -> float:  # the cells of a row start together
        return layout.blockBoundingRect(table.cellAt(row, 0).firstCursorPosition().block()).top()

    def end(row: int) -> float:  # the tallest cell ends it
        return max(
            layout.blockBoundingRect(table.cellAt(row, col).lastCursorPosition().block()).bottom()
            for col in range(columns)
        )

    starts = [start(row) for row in range(rows)]
    header_rows = min(max(table.format().headerRowCount(), 0), rows)
    exact = {row: (end(row - 1) + starts[row]) / 2 for row in range(1, min(header_rows + 2, rows))}
    half_gap = starts[1] - exact[1] if rows > 1 else 0.0
    body_gap = starts[header_rows + 1] - exact[header_rows + 1] if header_rows + 1 in exact else 0.0
    between = [exact.get(row, starts[row] - body_gap) for row in range(1, rows)]
    top = starts[0] - half_gap
    cuts = [_Cut(top)]
    if header_rows == 0:
        cuts += [_Cut(y) for y in between]
    elif header_rows < rows:
        header = (top, between[header_rows - 1])
        cuts += [_Cut(y, header) for y in between[header_rows:]]
    return cuts, end(rows - 1) + (body_gap or half_gap)


def _cuts(document: QTextDocument) -> list[_Cut]:
    """Every clean cut of the body, top to bottom."""
    layout = document.documentLayout()
    cuts: list[_Cut] = []
    floor = 0.0  # where the last paragraph or table ended
    item = document.rootFrame().begin()
    while not item.atEnd():
        block = item.currentBlock()  # invalid on a table
        if not block.isValid():
            # Asked only here: PySide6 6.12.0 lost a reference to None each time currentFrame()
            # returned None (on a paragraph).
            frame = item.currentFrame()
            if isinstance(frame, QTextTable):
                inside, floor = _table_cuts(frame, layout)
                cuts += inside
        else:
            rect = layout.blockBoundingRect(block)
            # Qt keeps an empty paragraph after each table, placed relative to the table: it
            # takes no room in the flow, and its position means nothing here.
            if rect.top() >= floor - 1:
                lines = block.layout()
                cuts.append(_Cut(rect.top()))
                cuts += [
                    _Cut(rect.top() + lines.lineAt(n).y()) for n in range(1, lines.lineCount())
                ]
                floor = rect.bottom()
        item += 1
    return cuts


@dataclass(frozen=True)
class _Page:
    start: _Cut
    end: float


def _paginate(cuts: list[_Cut], total: float, first_page: float, page: float) -> list[_Page]:
    """Cuts the body into pages: as much as fits on each, ended at the lowest clean cut; a part
    taller than a page (a huge paragraph) is cut where the page ends."""
    pages: list[_Page] = []
    start = _Cut(0.0)
    while start.y < total - 1 or not pages:
        room = first_page if not pages else page
        if start.header is not None:
            room -= start.header[1] - start.header[0]
        limit = start.y + room
        if limit >= total:
            pages.append(_Page(start, total))
            break
        fitting = [cut for cut in cuts if start.y < cut.y <= limit]
        end = max(fitting, key=lambda cut: cut.y) if fitting else _Cut(limit)
        pages.append(_Page(start, end.y))
        start = end
    return pages


def _paint_part(
    painter: QPainter, document: QTextDocument, left: float, y: float, part: tuple[float, float]
) -> float:
    """Paints the body from ``part[0]`` to ``part[1]`` with its top at ``y``; the next ``y``."""
    top, bottom = part
    height = bottom - top
    width = document.textWidth()
    painter.save()
    painter.setClipRect(QRectF(left, y, width, height))
    painter.translate(left, y - top)
    document.drawContents(painter, QRectF(0, top, width, height))
    painter.restore()
    return y + height


def _paint_running_parts(
    painter: QPainter, geometry: _Geometry, parts: PageParts, page: int, pages: int
) -> None:
    painter.setPen(QColor(MUTED))
    if page > 1:
        painter.setFont(font(SMALL_POINTS))
        flags = Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextSingleLine
        painter.drawText(geometry.running, flags | Qt.AlignmentFlag.AlignLeft, parts.running_left)
        painter.drawText(geometry.running, flags | Qt.AlignmentFlag.AlignRight, parts.running_right)
        painter.setPen(QPen(QColor(RULE), 0.2 * MM))
        y = geometry.running.bottom() + 1 * MM
        painter.drawLine(QPointF(geometry.running.left(), y), QPointF(geometry.running.right(), y))
    footer = geometry.footer
    painter.setPen(QPen(QColor(RULE), 0.2 * MM))
    painter.drawLine(footer.topLeft(), footer.topRight())
    painter.setPen(QColor(MUTED))
    painter.setFont(font(SMALL_POINTS - 0.5))
    number_width = 30 * MM
    inner = footer.adjusted(0, 1.5 * MM, 0, 0)
    painter.drawText(
        inner.adjusted(0, 0, -number_width - 4 * MM, 0),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
        parts.notice,
    )
    painter.setFont(font(SMALL_POINTS, bold=True))
    painter.drawText(
        inner.adjusted(inner.width() - number_width, 0, 0, 0),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
        _("Page {page} of {pages}").format(page=page, pages=pages),
    )


def render_pdf(
    path: Path,
    *,
    title: str,
    author: str,
    head: Letterhead,
    parts: PageParts,
    body_html: str,
) -> int:
    """Lays out ``body_html`` below the letterhead over as many A4 pages as it needs, paints
    the running parts on each, and writes the PDF to ``path``. Returns the number of pages.

    ``OSError`` when ``path`` cannot be written; nothing is written then.
    """
    _require_gui_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = _new_writer(buffer, title, author)
    geometry = _geometry(writer)
    body = geometry.body
    letterhead = _Letterhead(head, writer, body)
    document = _document(body_html, writer, body.width(), BODY_POINTS)
    pages = _paginate(
        _cuts(document),
        document.size().height(),
        first_page=body.height() - letterhead.height,
        page=body.height(),
    )
    painter = QPainter(writer)
    try:
        for number, page in enumerate(pages, start=1):
            y = body.top()
            if number == 1:
                letterhead.paint(painter)
                y += letterhead.height
            else:
                writer.newPage()
            if page.start.header is not None:
                y = _paint_part(painter, document, body.left(), y, page.start.header)
            _paint_part(painter, document, body.left(), y, (page.start.y, page.end))
            _paint_running_parts(painter, geometry, parts, number, len(pages))
    finally:
        painter.end()
        buffer.close()
    write_bytes(path, bytes(data.data()))  # whole or not at all: never a 0-byte PDF
    return len(pages)


def rows_html(rows: Iterable[Iterable[tuple[str, str]]]) -> str:
    """Table rows from cells given as (attributes, HTML content)."""
    return "".join(
        "<tr>" + "".join(f"<td {attrs}>{content}</td>" for attrs, content in row) + "</tr>"
        for row in rows
    )
