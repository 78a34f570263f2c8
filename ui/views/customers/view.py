"""Clientes: the customers, searched as they are typed, and the chosen one's record beside them.

The list answers every keystroke (after a short pause, so that a fast typist makes one query,
not ten); it keeps its selection and scroll position when it refreshes, since ``RowTableModel``
changes only the rows that changed.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.sla import Plan
from app.i18n import _, ngettext, pgettext
from app.services.changes import Changes, Topic
from app.services.customers import (
    DEFAULT_SEARCH_LIMIT,
    CustomerRecord,
    CustomerRow,
    search_customers,
)
from app.services.labels import plan_label, plan_short_label
from ui.context import UiContext
from ui.resources import view_icon
from ui.table_model import KEY_ROLE, RIGHT, Column, RowTableModel, TableProxy
from ui.views.base import View
from ui.views.customers.record import CustomerRecordPanel
from ui.widgets import fit_columns_to_samples, setup_table, stretch_columns

#: The pause after a keystroke before the list is searched again.
SEARCH_DELAY_MS = 150
ARCHIVED_COLOUR = QColor("#8a8a8a")
#: The share of the view's width the list takes at first.
LIST_SHARE = 0.46


def customer_columns() -> list[Column[CustomerRow]]:
    def muted(row: CustomerRow) -> tuple[QColor | None, QColor | None]:
        return (ARCHIVED_COLOUR, None) if row.archived else (None, None)

    def name_tip(row: CustomerRow) -> str:
        return _("{name} (archived)").format(name=row.name) if row.archived else row.name

    return [
        Column(
            _("Name"),
            lambda row: row.name,
            lambda row: row.name.casefold(),
            tooltip=name_tip,
            colours=muted,
        ),
        Column(_("NIF"), lambda row: row.nif or "", colours=muted),
        Column(
            _("Plan"),
            lambda row: plan_short_label(row.plan),
            tooltip=lambda row: plan_label(row.plan),
            colours=muted,
        ),
        Column(_("City"), lambda row: row.city, colours=muted),
        Column(
            pgettext("open contacts", "Open"),
            lambda row: str(row.open_contacts) if row.open_contacts else "",
            lambda row: row.open_contacts,
            align=RIGHT,
            tooltip=lambda row: ngettext(
                "{count} open contact", "{count} open contacts", row.open_contacts
            ).format(count=row.open_contacts),
            colours=muted,
        ),
    ]


class CustomersView(View):
    topics = frozenset(
        {Topic.CUSTOMERS, Topic.CONTACTS, Topic.SESSIONS, Topic.PACKS, Topic.INVOICES}
    )

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("customers")
        self._changed_topics: set[Topic] = set()
        self._updating_list = False
        self.panel = CustomerRecordPanel(context)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.list_panel = self._make_list()
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self._splitter_placed = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_and_go_to_list)
        self.include_archived.toggled.connect(lambda _checked: self.run_search())
        self.new_button.clicked.connect(self.new_customer)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.panel.saved.connect(self._on_saved)

        self.new_action = QAction(_("Ne&w customer"), self)
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_action.triggered.connect(self._new_customer_from_anywhere)
        self.import_action = QAction(_("&Import…"), self)
        self.import_action.setToolTip(_("Customers from a WHMCS client export or a Balcão CSV"))
        self.import_action.triggered.connect(self.import_customers)

    def _make_list(self) -> QWidget:
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Name, NIF, email or phone"))
        self.search.setClearButtonEnabled(True)
        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search)
        self.include_archived = QCheckBox(_("Include a&rchived"))
        self.new_button = QPushButton(_("Ne&w customer"))
        self.new_button.setToolTip(_("An empty record for a new customer (Ctrl+Shift+N)."))
        self.model: RowTableModel[CustomerRow] = RowTableModel(
            customer_columns(), key=lambda row: row.id
        )
        self.proxy = TableProxy(self.model)
        self.table = QTableView()
        setup_table(self.table, self.proxy, _("Customers"))
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        stretch_columns(self.table, 0)
        # From their content: a NIF, every plan, a longish town, a count ("aberto" showed for
        # "Em aberto"); the name takes the rest.
        fit_columns_to_samples(
            self.table,
            ("", "000000000", [plan_short_label(plan) for plan in Plan], "Guimarães", "00"),
        )
        self.count = QLabel()
        self.count.setAccessibleName(_("Number of customers found"))

        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        options = QHBoxLayout()
        options.addWidget(self.include_archived)
        options.addStretch(1)
        options.addWidget(self.new_button)
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addLayout(top)
        layout.addLayout(options)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.setTabOrder(self.search, self.include_archived)
        self.setTabOrder(self.include_archived, self.new_button)
        self.setTabOrder(self.new_button, self.table)
        return left

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._splitter_placed:
            # Placed once the width is known; afterwards the splitter keeps where it is dragged.
            self._splitter_placed = True
            width = self.splitter.width()
            left = max(int(width * LIST_SHARE), self.list_panel.minimumSizeHint().width())
            self.splitter.setSizes([left, width - left])

    def title(self) -> str:
        return _("Customers")

    def icon(self) -> QIcon:
        return view_icon("customers")

    def window_actions(self) -> list[tuple[str, QAction]]:
        return [(_("C&ustomers"), self.new_action), (_("C&ustomers"), self.import_action)]

    def import_customers(self) -> None:
        """Clientes › Importar…: the dialog, modal; the list follows through ``context.sync``."""
        from ui.views.customers.import_dialog import ImportCustomersDialog

        dialog = ImportCustomersDialog(self.context, self)
        dialog.exec()
        dialog.deleteLater()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- refreshing -----------------------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        # Remembered so that ``reload`` refreshes only the tabs showing what changed.
        self._changed_topics |= changes.topics & self.topics
        super()._on_changed(changes)

    def reload(self) -> None:
        topics = frozenset(self._changed_topics) or None
        self._changed_topics.clear()
        self.run_search()
        self.panel.refresh(topics)

    def run_search(self) -> None:
        """Searches now with what is typed (the pause after typing ends here too)."""
        self._search_timer.stop()
        rows = search_customers(
            self.search.text(), include_archived=self.include_archived.isChecked()
        )
        self._show_rows(rows)

    def _show_rows(self, rows: tuple[CustomerRow, ...]) -> None:
        self._updating_list = True
        try:
            self.model.set_rows(rows)
            self._select(self.panel.customer_id)
        finally:
            self._updating_list = False
        if len(rows) >= DEFAULT_SEARCH_LIMIT:
            self.count.setText(
                _("The first {count} customers: type more to narrow the search.").format(
                    count=len(rows)
                )
            )
        else:
            self.count.setText(
                ngettext("{count} customer", "{count} customers", len(rows)).format(count=len(rows))
            )

    def _select(self, customer_id: int | None) -> bool:
        """Selects the customer's line, if the list shows it; True when it does."""
        position = None if customer_id is None else self.model.position_of(customer_id)
        selection = self.table.selectionModel()
        if position is None:
            selection.clear()
            return False
        index = self.proxy.mapFromSource(self.model.index(position, 0))
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _search_and_go_to_list(self) -> None:
        self.run_search()
        if self.proxy.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- choosing a customer --------------------------------------------------------------------

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._updating_list or not current.isValid():
            return
        customer_id = current.siblingAtColumn(0).data(KEY_ROLE)
        if not isinstance(customer_id, int) or customer_id == self.panel.customer_id:
            return
        if self.panel.can_leave():
            self.panel.show_customer(customer_id)
        self._keep_selection()

    def _keep_selection(self) -> None:
        """The list's selection follows the record shown (also when leaving was refused)."""
        self._updating_list = True
        try:
            self._select(self.panel.customer_id)
        finally:
            self._updating_list = False

    def show_customer(self, customer_id: int) -> None:
        """Shows a customer's record (another view asked through ``context.show_record``),
        and its line in the list, searching for it when the list does not show it."""
        if customer_id != self.panel.customer_id and not (
            self.panel.can_leave() and self.panel.show_customer(customer_id)
        ):
            return
        self.run_search()  # the list may be stale (a hidden view reloads only when shown)
        record = self.panel.record
        if record is not None and self.model.position_of(customer_id) is None:
            self._search_for(record)

    def _search_for(self, record: CustomerRecord) -> None:
        if record.archived:
            self.include_archived.blockSignals(True)  # one search, below
            self.include_archived.setChecked(True)
            self.include_archived.blockSignals(False)
        self.search.setText(record.nif or record.name)
        self.run_search()

    def new_customer(self) -> None:
        if self.panel.record is None and not self.panel.is_dirty():
            self.panel.form.name.setFocus()
            return
        if self.panel.can_leave():
            self.panel.new_customer()
            self._keep_selection()

    def _new_customer_from_anywhere(self) -> None:
        """Ctrl+Shift+N from any view: this view comes forward with an empty record."""
        window = self.window()
        views = getattr(window, "views", None)
        show_view = getattr(window, "show_view", None)
        if isinstance(views, list) and self in views and callable(show_view):
            show_view(views.index(self))
        self.new_customer()

    def _on_saved(self, customer_id: int) -> None:
        self.run_search()
        record = self.panel.record
        if self.model.position_of(customer_id) is None and record is not None:
            self._search_for(record)
