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
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    Qt,
    QTextBoundaryFinder,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
    QTextLayout,
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


#: Text that needs no shaping: Latin, Greek, Cyrillic, and the punctuation and symbols of
#: U+2000–U+2BFF (the euro sign, dashes, arrows). Anything else (Arabic, Hebrew, Indic scripts,
#: CJK, emoji) is shaped, or Arabic would print as unjoined letters.
_NEEDS_SHAPING = re.compile(r"[^\x00-\u058f\u2000-\u2bff\ufffd]")
_NO_LIGATURES = ("liga", "clig", "dlig", "hlig")


def needs_shaping(text: str) -> bool:
    return _NEEDS_SHAPING.search(text) is not None


def font(points: float, *, bold: bool = False, shaped: bool = False) -> QFont:
    """The documents' font. Without ligatures: "certificado" must come out of the PDF as typed
    (copied, searched, read back), not with an "ﬁ" glyph. Unshaped (faster) unless ``shaped``,
    for text in a script that needs it (``needs_shaping``); its ligatures are turned off then."""
    chosen = QFont(font_family())
    chosen.setPointSizeF(points)
    chosen.setBold(bold)
    if shaped:
        for tag in _NO_LIGATURES:
            chosen.setFeature(QFont.Tag(tag), 0)
    else:
        chosen.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return chosen


# --- text -------------------------------------------------------------------------------------


# User text is printed as typed, but it must not change how its neighbours read, nor print as
# empty boxes (issue 9):
# - every paragraph is left-to-right (``_document``), whatever its first letter;
# - overrides and embeddings typed in a field are removed: an override (U+202E) in a name would
#   print "LDA" as "ADL". Isolates are kept only when they pair up within the line;
# - a line holding right-to-left letters (Arabic, Hebrew) outside any isolate is wrapped in a
#   first-strong isolate (FSI … PDI): inside, the name reads as its script does; outside, it
#   counts as one neutral character, so it stays in its place, left-aligned in its column, and
#   the text around it keeps its order. ``field`` may be applied to a piece and again to the
#   line it goes into (an address's postcode and city): the pieces stay isolated;
# - a character no font has (an emoji, a CJK name without a CJK font) prints as U+FFFD, one per
#   character as the reader sees it (a grapheme: 👍🏽 is one), never as an empty box. Qt's font
#   fallback comes first: a character in any installed font prints, embedded from there.

_OPENING_ISOLATES = frozenset("\u2066\u2067\u2068")
_FSI, _PDI = "\u2068", "\u2069"
#: Removed: control characters (they print nothing, or a box), and the overrides and embeddings.
_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]")
#: What prints in place of a character no font has (DejaVu Sans has it).
REPLACEMENT = "\ufffd"
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})
#: Whether DejaVu Sans has a character, found once per character and process.
_IN_FONT: dict[str, bool] = {}
#: The characters found in it: most lines are checked by one set operation.
_FOUND: set[str] = set()
#: Where right-to-left letters and isolates may be (Hebrew, Arabic, Syriac, Thaana, N'Ko…, their
#: presentation forms, the isolates, and the right-to-left planes): lines without any skip the
#: letter-by-letter look.
_MAYBE_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u2066-\u2069\U00010800-\U00010fff"
    "\U0001e800-\U0001efff]"
)


def _in_document_fonts(character: str) -> bool:
    """Whether DejaVu Sans, regular and bold, has ``character`` (the quick test, most text)."""
    found = _IN_FONT.get(character)
    if found is None:
        code = ord(character)
        found = all(
            QFontMetricsF(font(BODY_POINTS, bold=bold)).inFontUcs4(code) for bold in (False, True)
        )
        _IN_FONT[character] = found
        if found:
            _FOUND.add(character)
    return found


@cache
def _cluster_prints(cluster: str) -> bool:
    """Whether Qt finds a glyph for every part of ``cluster``, in the document's font or by its
    font fallback (glyph 0 is the empty box; format characters make no glyph at all)."""
    for bold in (False, True):
        layout = QTextLayout(cluster, font(BODY_POINTS, bold=bold))
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        if any(0 in run.glyphIndexes() for run in layout.glyphRuns()):
            return False
    return True


def _graphemes(line: str) -> Iterator[str]:
    """``line`` cut into what a reader sees as one character each (Qt counts in UTF-16 units)."""
    at_unit = {}
    units = 0
    for index, character in enumerate(line):
        at_unit[units] = index
        units += 2 if ord(character) > 0xFFFF else 1
    at_unit[units] = len(line)
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Grapheme, line)
    start = 0
    while (end := finder.toNextBoundary()) != -1:
        yield line[at_unit[start] : at_unit[end]]
        start = end


def _replace_missing(line: str) -> str:
    if _FOUND.issuperset(line) or all(map(_in_document_fonts, line)):
        return line
    return "".join(
        cluster
        if all(map(_in_document_fonts, cluster)) or _cluster_prints(cluster)
        else REPLACEMENT
        for cluster in _graphemes(line)
    )


def _isolated(line: str) -> str:
    """``line`` with its isolates paired (a closing one without an opening one dropped, those
    left open closed at its end), wrapped in one more when it has right-to-left letters outside
    them."""
    if _MAYBE_RIGHT_TO_LEFT.search(line) is None:
        return line
    kept = []
    depth = 0
    right_to_left = False
    for character in line:
        if character in _OPENING_ISOLATES:
            depth += 1
        elif character == _PDI:
            if depth == 0:
                continue
            depth -= 1
        elif depth == 0 and unicodedata.bidirectional(character) in _RIGHT_TO_LEFT:
            right_to_left = True
        kept.append(character)
    paired = "".join(kept) + _PDI * depth
    return f"{_FSI}{paired}{_PDI}" if right_to_left else paired


def field(value: object) -> str:
    """A value typed by a user, made safe to print beside others (see above); plain text."""
    raw = str(value)
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    raw = _REMOVED.sub("", raw)
    if raw.isascii() or not isinstance(QGuiApplication.instance(), QGuiApplication):
        return raw  # no right-to-left letters, every glyph in the font (or no fonts to ask)
    return "\n".join(_isolated(_replace_missing(line)) for line in raw.split("\n"))


def text(value: object) -> str:
    """A value from the database as HTML text: made safe to print (``field``), escaped, its line
    breaks kept."""
    return html.escape(field(value)).replace("\n", "<br>")


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
    # Two fields on one line: each isolated, so that an Arabic city does not move the postcode.
    place = " ".join(field(part) for part in (postcode.strip(), city.strip()) if part)
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

    #: From page 2 on, top left and top right: who sends it and what it is (names through
    #: ``field``: plain text, not HTML).
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
    document.setDefaultFont(font(points, shaped=needs_shaping(html_text)))
    document.setDefaultStyleSheet(style_sheet())
    document.setDocumentMargin(0)
    # Every paragraph left-to-right: a field of Arabic is isolated inside it (``field``) rather
    # than turning its paragraph, right-aligned, towards the next column.
    option = document.defaultTextOption()
    option.setTextDirection(Qt.LayoutDirection.LeftToRight)
    document.setDefaultTextOption(option)
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
        running = parts.running_left + parts.running_right
        painter.setFont(font(SMALL_POINTS, shaped=needs_shaping(running)))
        flags = Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextSingleLine
        # Each side kept to its share of the line: a long name is cut short ("…"), never
        # printed over the other side.
        metrics = QFontMetricsF(painter.font(), painter.device())
        room = geometry.running.width() - 4 * MM
        left, right = (
            metrics.elidedText(side, Qt.TextElideMode.ElideRight, room * share)
            for side, share in ((parts.running_left, 0.6), (parts.running_right, 0.4))
        )
        painter.drawText(geometry.running, flags | Qt.AlignmentFlag.AlignLeft, left)
        painter.drawText(geometry.running, flags | Qt.AlignmentFlag.AlignRight, right)
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
