"""The Faturas view (P20–P22): the invoices and credit notes, filtered by year and state; the
chosen one below, with its lines and totals; drafts made per customer and month, reviewed,
issued (numbered and frozen), exported as PDF, and cancelled by a credit note; each issued one's
state in the certified invoicing program, sent, finalized and its legal PDF opened there (P29)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.states import InvoiceState
from app.i18n import _
from app.services import invoices
from app.services.changes import Topic
from app.services.errors import NotFoundError
from app.services.invoices import InvoiceRow
from app.services.invoicing.queries import legal_statuses
from app.services.labels import invoice_state_label
from app.services.settings import company_today
from ui.context import UiContext
from ui.operations import op
from ui.resources import view_icon
from ui.views.base import View
from ui.views.customers.view import SEARCH_DELAY_MS
from ui.views.invoices.detail import InvoiceDetail
from ui.views.invoices.dialogs import NewDraftDialog
from ui.views.invoices.tables import (
    DATE_COLUMN,
    LEGAL_COLUMN,
    LEGAL_WIDTH,
    ListedInvoice,
    invoice_list_model,
    invoice_list_samples,
)
from ui.widgets import RowTable, combo_index, fit_columns_to_samples

#: The list holds at most this many documents, the newest: a busy company's 150,000 would take
#: seconds and half a gigabyte (and a sort by a column reads every row listed). The filters and
#: the search find the others.
LIST_LIMIT = 1_000
#: The list reads this many documents at a time, as they scroll into sight.
PAGE = 100


def listed(rows: Sequence[InvoiceRow]) -> list[ListedInvoice]:
    """The documents as the list shows them: with their state in the certified program (one
    query for all of them)."""
    legal = legal_statuses(row.id for row in rows if row.state is not InvoiceState.DRAFT)
    return [ListedInvoice(row, legal.get(row.id)) for row in rows]


class InvoicesView(View):
    # Documents keep a snapshot of the customer: only changes to invoices matter here.
    topics = frozenset({Topic.INVOICES})

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("invoices")
        self._years: set[int] = {company_today(context.now()).year}
        #: The list holds the newest ``LIST_LIMIT`` documents only (the search then asks the
        #: services too); what the services were last asked to search for.
        self.capped = False
        self._searched = ""
        #: A document shown by ``show_invoice`` stays listed even if older than the list.
        self._pinned: int | None = None
        #: The filters and search the list was last read with (a change reads the same again).
        self._reading: tuple[int | None, InvoiceState | None, str] | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.new_draft_action = QAction(_("&New draft invoice…"), self)
        self.new_draft_action.triggered.connect(self.open_new_draft_dialog)

        top = self._build_bar()
        self.capped_note = QLabel()
        self.capped_note.setWordWrap(True)
        self.capped_note.hide()

        self.list_model = invoice_list_model()
        self.table = RowTable(self.list_model, _("Invoices and credit notes"))
        # From their content (every state and kind whole); the customer takes the rest.
        fit_columns_to_samples(self.table, invoice_list_samples())
        self.table.fit_columns({LEGAL_COLUMN: LEGAL_WIDTH})
        self.table.stretch_column(2)
        # Newest first, drafts above, as the services read the pages: a draft issued later goes
        # to the top with its number, whenever it was made (FT 2026/22 showed below FT 2026/1).
        self.table.sortByColumn(DATE_COLUMN, Qt.SortOrder.DescendingOrder)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.detail = InvoiceDetail(context)
        self.detail.navigate.connect(self.show_invoice)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 390])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(top)
        layout.addWidget(self.capped_note)
        layout.addWidget(split, 1)

        self._fill_years()
        self.year_filter.currentIndexChanged.connect(self._on_filter)
        self.state_filter.currentIndexChanged.connect(self._on_filter)
        self.search.textChanged.connect(self._on_search)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)

    def _build_bar(self) -> QHBoxLayout:
        """The filters (year, state), the search and New draft."""
        self.year_filter = QComboBox()
        self.year_filter.setAccessibleName(_("Year"))
        self.state_filter = QComboBox()
        self.state_filter.addItem(_("Every state"), None)
        for state in InvoiceState:
            self.state_filter.addItem(invoice_state_label(state), state)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search: number, customer, amount…"))
        self.search.setAccessibleName(_("Search invoices"))
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton(_("&New draft…"))
        self.new_button.clicked.connect(self.open_new_draft_dialog)
        year_label = QLabel(_("&Year:"))
        year_label.setBuddy(self.year_filter)
        state_label_widget = QLabel(_("&State:"))
        state_label_widget.setBuddy(self.state_filter)
        top = QHBoxLayout()
        for widget in (year_label, self.year_filter, state_label_widget, self.state_filter):
            top.addWidget(widget)
        top.addSpacing(12)
        top.addWidget(self.search, 1)
        top.addSpacing(24)
        top.addWidget(self.new_button)
        return top

    # --- View ---------------------------------------------------------------------------------

    def title(self) -> str:
        return _("Invoices")

    def icon(self) -> QIcon:
        return view_icon("invoices")

    def window_actions(self) -> list[tuple[str, QAction]]:
        return [(_("&Invoices"), self.new_draft_action)]

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def reload(self) -> None:
        year = self.year_filter.currentData()
        state = self.state_filter.currentData()
        chosen_year = year if isinstance(year, int) else None
        chosen_state = None if state is None else InvoiceState(state)
        searched = self._searched
        reading = (chosen_year, chosen_state, searched)

        def page(offset: int, limit: int) -> list[ListedInvoice]:
            """The newest ``LIST_LIMIT`` documents, a page at a time, with their legal state."""
            limit = min(limit, LIST_LIMIT - offset)
            if limit <= 0:
                return []
            rows = invoices.invoices(
                year=chosen_year, state=chosen_state, search=searched, limit=limit, offset=offset
            )
            return listed(rows)

        if reading == self._reading:
            self.list_model.refresh_pages()
        else:
            self._reading = reading
            self.list_model.set_pages(
                page, page=PAGE, order=(DATE_COLUMN, Qt.SortOrder.DescendingOrder)
            )
        count = invoices.count_invoices(
            year=chosen_year, state=chosen_state, search=searched, at_most=LIST_LIMIT + 1
        )
        self.capped = count > LIST_LIMIT
        self._keep_pinned()
        self.capped_note.setText(
            _(
                "The {count} newest documents: choose a year or a state, or search, to see "
                "older ones."
            ).format(count=LIST_LIMIT)
        )
        self.capped_note.setVisible(self.capped)
        found = set(invoices.invoice_years())
        if not found <= self._years:
            self._years |= found
            self._fill_years()
        self._show_selected()

    def _keep_pinned(self) -> None:
        """The document ``show_invoice`` asked for stays listed, even when older than the list
        or on a page not read yet."""
        pinned = self._pinned
        if pinned is None or self.list_model.position_of(pinned) is not None:
            return
        self.list_model.fetch_all()
        if self.list_model.position_of(pinned) is not None:
            return
        row = op(self, lambda: invoices.invoice_row(pinned)).allow(NotFoundError).run()
        if row is None:
            self._pinned = None
        else:
            self.list_model.update_rows(listed([row]))

    # --- cross-navigation ---------------------------------------------------------------------

    def show_invoice(self, invoice_id: int) -> None:
        """Selects that invoice or credit note and shows it, clearing filters that hide it."""
        if self.table.select_key(invoice_id):
            return
        filters = (self.year_filter, self.state_filter, self.search)
        blocked = [w.blockSignals(True) for w in filters]
        self.year_filter.setCurrentIndex(0)
        self.state_filter.setCurrentIndex(0)
        self.search.clear()
        for widget, was in zip(filters, blocked, strict=True):
            widget.blockSignals(was)
        self.table.proxy.setFilterFixedString("")
        self._search_timer.stop()
        self._searched = ""
        self._pinned = invoice_id
        self.reload()
        self.table.select_key(invoice_id)

    # --- inside -------------------------------------------------------------------------------

    def _on_filter(self) -> None:
        self._pinned = None
        self.reload()

    def _on_search(self, text: str) -> None:
        """Narrows the list at once; when it does not hold every document, the services are
        asked too, after a pause in the typing."""
        self.table.proxy.setFilterFixedString(text)
        if self.capped or self._searched:
            self._search_timer.start()

    def run_search(self) -> None:
        """Asks the services for what is typed, now (the pause after typing ends here too)."""
        self._search_timer.stop()
        self._searched = self.search.text().strip()
        self._pinned = None
        self.reload()

    def _fill_years(self) -> None:
        chosen = self.year_filter.currentData()
        blocked = self.year_filter.blockSignals(True)
        self.year_filter.clear()
        self.year_filter.addItem(_("Every year"), None)
        for year in sorted(self._years, reverse=True):
            self.year_filter.addItem(str(year), year)
        self.year_filter.setCurrentIndex(max(combo_index(self.year_filter, chosen), 0))
        self.year_filter.blockSignals(blocked)

    def _show_selected(self) -> None:
        invoice_id = self.table.selected_key()
        if invoice_id is None:
            self.detail.show_document(None)
            return
        # Gone meanwhile (a draft deleted at another desk): nothing to show.
        document = op(self, lambda: invoices.invoice(invoice_id)).allow(NotFoundError).run()
        self.detail.show_document(document)

    def context_menu(self) -> QMenu:
        """The menu of the selected document: what can be done with it in the certified
        program (the detail's actions, enabled as there)."""
        menu = QMenu(self)
        detail = self.detail
        for action in (detail.send_action, detail.finalize_action, detail.legal_pdf_action):
            menu.addAction(action)
        return menu

    def _context_menu(self, position: QPoint) -> None:
        if self.table.selected_key() is None:
            return
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def open_new_draft_dialog(self) -> NewDraftDialog:
        """The "New draft" dialog (window-modal; returns at once); the draft made is shown."""
        shown = self.detail.document
        dialog = NewDraftDialog(self.context, None if shown is None else shown.customer_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def made() -> None:
            if dialog.document is not None:
                self.show_invoice(dialog.document.id)

        dialog.accepted.connect(made)
        dialog.open()
        return dialog
