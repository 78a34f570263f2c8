"""A customer's record (ficha de cliente) with its tabs: the fields and the contract, saved with
Guardar or Ctrl+S; the emails and phones, registered at once; archiving; and the customer's
contacts, sessions, balances and invoices.

What the technician typed is never lost: a refusal shows next to its field, and an edit saved
meanwhile at another desk (a conflict) is announced above the record, with a button to reload.

Over 500 lines, on purpose: it is one panel whose save, conflict and reload paths share the
form's state; its parts that stand alone (the fields, the contract, the senders, the tabs, the
statement) are modules of their own beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.contract import NO_CONTRACT, ContractTerms
from app.domain.sla import Plan
from app.errors import KnownError
from app.i18n import _, format_date
from app.services.changes import Topic
from app.services.customers import (
    CustomerRecord,
    CustomerResult,
    add_customer_email,
    add_customer_phone,
    archive_customer,
    change_plan,
    create_customer,
    customer,
    remove_customer_email,
    remove_customer_phone,
    unarchive_customer,
    update_customer,
)
from app.services.errors import ConflictError, ServiceError
from app.services.labels import plan_label
from app.services.settings import company_today, settings
from ui.context import UiContext
from ui.feedback import confirm, show_error
from ui.operations import op
from ui.views.customers.balances_tab import BalancesTab
from ui.views.customers.contract import ContractForm, default_texts
from ui.views.customers.form import RecordForm, TypedRecord
from ui.views.customers.senders import SenderEntry, SenderKind, SenderList, normalised
from ui.views.customers.statement import StatementButton
from ui.views.customers.tabs import ContactsTab, CustomerTab, InvoicesTab, SessionsTab

CONFLICT_STYLE = (
    "#conflict { background: #fde2e1; border: 1px solid #7a1010; border-radius: 3px; }"
    "#conflict QLabel { color: #7a1010; }"
)


class ConflictStrip(QFrame):
    """Above the record: another desk saved it first; reload, or keep what was typed."""

    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict")
        self.setStyleSheet(CONFLICT_STYLE)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.reload_button = QPushButton(_("&Get the saved version"))
        self.reload_button.setToolTip(_("Shows the record as saved; what you typed is dropped."))
        keep = QPushButton(_("&Keep my values"))
        keep.setToolTip(_("Hides this message; nothing is saved until you reload."))
        self.reload_button.clicked.connect(self.reload_requested)
        keep.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.reload_button)
        layout.addWidget(keep)
        self.hide()

    def announce(self, text: str) -> None:
        self.text.setText(text)
        self.show()


class CustomerRecordPanel(QWidget):
    """The right-hand side of the Clientes view."""

    #: A customer was created or saved here (its id): the list shows and selects it.
    saved = Signal(int)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._record: CustomerRecord | None = None
        self._pending: dict[SenderKind, list[SenderEntry]] = {"email": [], "phone": []}
        self._stale_tabs: set[CustomerTab] = set()
        header = self._make_header()
        self.conflict = ConflictStrip()
        self._make_tabs()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.conflict)
        layout.addWidget(self.tabs, 1)
        self._connect()
        self.new_customer()

    def _make_header(self) -> QVBoxLayout:
        self.title = QLabel()
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle = QLabel()
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.title, self.subtitle):
            # A long name is cut rather than widening the panel (its tooltip shows it whole).
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statement_button = StatementButton(
            self._statement_customer, self.context.now, self._today
        )
        self.archive_button = QPushButton()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Reset
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip(_("Saves the record and the contract terms (Ctrl+S)."))
        self.reset_button = self.buttons.button(QDialogButtonBox.StandardButton.Reset)
        self.reset_button.setToolTip(_("Puts back the record as saved."))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.buttons)
        actions = QHBoxLayout()
        actions.addWidget(self.subtitle, 1)
        actions.addWidget(self.statement_button)
        actions.addWidget(self.archive_button)
        header = QVBoxLayout()
        header.setSpacing(2)
        header.addLayout(top)
        header.addLayout(actions)
        return header

    def _make_tabs(self) -> None:
        self.form = RecordForm()
        self.contract = ContractForm()
        self.contacts_tab = ContactsTab(self.context)
        self.sessions_tab = SessionsTab(self.context)
        self.balances_tab = BalancesTab(self.context)
        self.invoices_tab = InvoicesTab(self.context)
        self.tabs = QTabWidget()
        self.tabs.addTab(_scrolled(self.form), _("Record"))
        self.tabs.addTab(_scrolled(self.contract), _("Contract"))
        #: Each tab of the customer's history, and the topics whose changes it shows.
        self._data_tabs: dict[CustomerTab, frozenset[Topic]] = {
            self.contacts_tab: frozenset({Topic.CONTACTS}),
            self.sessions_tab: frozenset({Topic.SESSIONS, Topic.INVOICES}),
            self.balances_tab: frozenset({Topic.PACKS, Topic.SESSIONS, Topic.CONTACTS}),
            self.invoices_tab: frozenset({Topic.INVOICES}),
        }
        for tab, title in (
            (self.contacts_tab, _("Contacts")),
            (self.sessions_tab, _("Sessions")),
            (self.balances_tab, _("Balances")),
            (self.invoices_tab, _("Invoices")),
        ):
            self.tabs.addTab(tab, title)

    def _connect(self) -> None:
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.discard_changes)
        self.archive_button.clicked.connect(self._toggle_archived)
        self.conflict.reload_requested.connect(self.reload_record)
        self.form.changed.connect(self._update_buttons)
        self.contract.changed.connect(self._update_buttons)
        self.form.plan.currentIndexChanged.connect(lambda _index: self._show_defaults())
        self.form.name.textChanged.connect(lambda _text: self._show_heading())
        self.tabs.currentChanged.connect(lambda _index: self._load_current_tab())
        for senders in (self.form.emails, self.form.phones):
            senders.add_requested.connect(
                lambda text, label, kind=senders.kind: self.add_sender(kind, text, label)
            )
            senders.remove_requested.connect(
                lambda key, kind=senders.kind: self.remove_sender(kind, key)
            )
        for edit in (*self.form.line_edits(), *self.contract.edits.values()):
            edit.returnPressed.connect(self.save)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save)

    # --- which customer -------------------------------------------------------------------------

    @property
    def record(self) -> CustomerRecord | None:
        """The record as last saved or loaded; None while a new customer is being typed."""
        return self._record

    @property
    def customer_id(self) -> int | None:
        return None if self._record is None else self._record.id

    def _today(self) -> date:
        return company_today(self.context.now())

    def new_customer(self) -> None:
        """An empty record for a new customer (nothing is written until Guardar)."""
        self._record = None
        self._pending = {"email": [], "phone": []}
        self._fill(TypedRecord(), NO_CONTRACT)
        for tab in self._data_tabs:
            tab.clear()
            self.tabs.setTabEnabled(self.tabs.indexOf(tab), False)
        self._stale_tabs.clear()
        self.tabs.setCurrentIndex(0)
        self.form.name.setFocus()

    def show_customer(self, customer_id: int) -> bool:
        """Loads a customer's record (what was typed in the previous one is dropped)."""
        record = op(self, lambda: customer(customer_id)).run()
        if record is None:
            return False
        self._show(record)
        return True

    def reload_record(self) -> None:
        """Reloads the record as saved (after a conflict), dropping what was typed."""
        if self._record is None:
            self.new_customer()
        else:
            self.show_customer(self._record.id)

    def _show(self, record: CustomerRecord) -> None:
        same_customer = self._record is not None and self._record.id == record.id
        self._record = record
        self._fill(TypedRecord.of(record), record.contract)
        for tab in self._data_tabs:
            self.tabs.setTabEnabled(self.tabs.indexOf(tab), True)
        if not same_customer:
            for tab in self._data_tabs:
                tab.clear()
            self._stale_tabs = set(self._data_tabs)
            self._load_current_tab()

    def _fill(self, typed: TypedRecord, contract: ContractTerms) -> None:
        self.conflict.hide()
        self.form.show_record(typed, self._today())
        self.contract.show_terms(contract)
        self._show_senders()
        self._show_defaults()
        self._show_heading()
        self._update_buttons()

    def _show_senders(self) -> None:
        record = self._record
        owner = None if record is None else record.id
        for senders in (self.form.emails, self.form.phones):
            senders.set_owner(owner)
            senders.set_labels_enabled(record is not None)
        if record is None:
            self.form.emails.set_entries(self._pending["email"])
            self.form.phones.set_entries(self._pending["phone"])
            return
        self.form.emails.set_entries([SenderEntry(e.id, e.email, e.label) for e in record.emails])
        self.form.phones.set_entries([SenderEntry(p.id, p.number, p.label) for p in record.phones])

    def _show_defaults(self) -> None:
        self.contract.show_defaults(default_texts(self.form.chosen_plan(), settings()))

    def _show_heading(self) -> None:
        record = self._record
        typed_name = self.form.name.text().strip()
        if record is None:
            self.title.setText(typed_name or _("New customer"))
            self.subtitle.setText(_("Not saved yet"))
        else:
            self.title.setText(typed_name or record.name)
            self.title.setToolTip(record.name)
            parts = [plan_label(record.plan)]
            if record.plan is not Plan.NONE and record.plan_since is not None:
                parts = [
                    _("{plan} since {date}").format(
                        plan=plan_label(record.plan), date=format_date(record.plan_since)
                    )
                ]
            if record.archived:
                parts.append(_("archived"))
            self.subtitle.setText(" · ".join(parts))
        archived = record is not None and record.archived
        self.archive_button.setText(_("Unarchi&ve") if archived else _("Archi&ve"))
        self.archive_button.setToolTip(
            _("Puts the customer back in the lists.")
            if archived
            else _("Hides the customer from the lists; its history stays.")
        )
        self.archive_button.setEnabled(record is not None)
        self.statement_button.setEnabled(record is not None)

    def _update_buttons(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty or self._record is None)
        self.reset_button.setEnabled(dirty)

    # --- the tabs -------------------------------------------------------------------------------

    def _load_current_tab(self) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, CustomerTab) and tab in self._stale_tabs and self._record is not None:
            tab.load(self._record.id)
            self._stale_tabs.discard(tab)

    def refresh(self, topics: frozenset[Topic] | None = None) -> None:
        """Another use case (here or at another desk) changed ``topics`` (None: anything)."""
        record = self._record
        if record is None:
            return
        if topics is None or Topic.CUSTOMERS in topics:
            fresh = op(self, lambda: customer(record.id)).failure(self._gone).run()
            if fresh is None:
                return
            if fresh.version != record.version:
                if self.is_dirty():
                    self.conflict.announce(
                        _(
                            "Another desk has just changed this customer. What you typed is "
                            "still here, but it can no longer be saved over their change: "
                            "reload to see their version."
                        )
                    )
                else:
                    self._show(fresh)
        for tab, shown in self._data_tabs.items():
            if topics is None or shown & topics:
                self._stale_tabs.add(tab)
        self._load_current_tab()

    # --- changes --------------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        """Whether the fields or the contract differ from what was saved (or, for a new
        customer, whether anything was typed)."""
        record = self._record
        typed = self.form.typed()
        if record is None:
            nothing_typed = typed.same_as(TypedRecord(plan_since=typed.plan_since))
            pending = any(self._pending.values())
            return not (
                nothing_typed and not pending and not self.contract.differs_from(NO_CONTRACT)
            )
        return not typed.same_as(TypedRecord.of(record)) or self.contract.differs_from(
            record.contract
        )

    def can_leave(self) -> bool:
        """True when nothing typed would be lost, or the technician agrees to drop it."""
        if not self.is_dirty():
            return True
        name = self.form.name.text().strip() or _("the new customer")
        return confirm(
            self,
            _("Unsaved changes"),
            _("Drop the changes you typed for {name}?").format(name=name),
        )

    def discard_changes(self) -> None:
        if self._record is None:
            self.new_customer()
        else:
            self._fill(TypedRecord.of(self._record), self._record.contract)

    def save(self) -> bool:
        """Guardar: creates or updates the customer; True when saved. A refusal is shown next
        to its field and nothing is written."""
        self.form.clear_messages(senders=False)
        self.contract.clear_messages()
        self.conflict.hide()
        form_ok = self.form.check()
        contract_ok = self.contract.check()
        if not (form_ok and contract_ok):
            self.tabs.setCurrentIndex(0 if not form_ok else 1)
            return False
        if self._record is not None and not self.is_dirty():
            return True
        result = (
            op(self, self._create if self._record is None else self._update)
            .failure(lambda error: self._refused(error, self._show_refusal))
            .run()
        )
        if result is None:
            return False
        self._show(result.customer)
        self.context.sync()
        self.saved.emit(result.customer.id)
        return True

    def _create(self) -> CustomerResult:
        typed = self.form.typed()
        return create_customer(
            self.context.desk,
            name=typed.name,
            nif=typed.nif or None,
            plan=typed.plan,
            plan_since=typed.plan_since,
            address=typed.address,
            postcode=typed.postcode,
            city=typed.city,
            country=typed.country,
            anydesk=typed.anydesk,
            notes=typed.notes,
            contract=self.contract.terms(),
            emails=[entry.text for entry in self._pending["email"]],
            phones=[entry.text for entry in self._pending["phone"]],
        )

    def _update(self) -> CustomerResult:
        record = self._record
        assert record is not None
        typed = self.form.typed()
        saved_as = TypedRecord.of(record)
        result: CustomerResult | None = None
        plan_fields = (typed.plan, typed.plan_since)
        plan_kept = replace(typed, plan=record.plan, plan_since=record.plan_since)
        other_fields_changed = not plan_kept.same_as(saved_as) or self.contract.differs_from(
            record.contract
        )
        if other_fields_changed:
            result = update_customer(
                self.context.desk,
                record.id,
                record.version,
                name=typed.name,
                nif=typed.nif or None,
                address=typed.address,
                postcode=typed.postcode,
                city=typed.city,
                country=typed.country,
                anydesk=typed.anydesk,
                notes=typed.notes,
                contract=self.contract.terms(),
            )
            # Saved: should the plan change below be refused, the fields stay saved and the
            # record knows its new version; the plan stays as typed, still to save.
            self._record = result.customer
            self.context.sync()
        if plan_fields != (saved_as.plan, saved_as.plan_since):
            current = self._record
            assert current is not None
            result = change_plan(
                self.context.desk,
                current.id,
                current.version,
                typed.plan,
                since=typed.plan_since,
            )
        assert result is not None  # is_dirty() said something changed
        return result

    def _gone(self, error: KnownError) -> None:
        """The record shown could not be read again (deleted at another desk…): said above it."""
        self.conflict.announce(error.message)

    def _refused(self, error: KnownError, otherwise: Callable[[KnownError], object]) -> None:
        """Another desk's change first: said above the record, what was typed kept."""
        if isinstance(error, ConflictError):
            self._announce_conflict(error)
        else:
            otherwise(error)

    def _announce_conflict(self, error: KnownError) -> None:
        self.conflict.announce(
            _(
                "Not saved: {reason} What you typed is still here. Reload to see the record "
                "as it was saved (your changes will be dropped)."
            ).format(reason=error.message)
        )

    def _show_refusal(self, error: KnownError) -> None:
        field = (error.field if isinstance(error, ServiceError) else None) or ""
        if self.form.show_message(field, error.message):
            self.tabs.setCurrentIndex(0)
            self.form.focus_field(field)
        elif self.contract.show_message(field, error.message):
            self.tabs.setCurrentIndex(1)
            self.contract.edits[field].setFocus()
        else:
            show_error(self, error)

    # --- emails and phones (registered at once, P9) ----------------------------------------------

    def _senders(self, kind: SenderKind) -> SenderList:
        return self.form.emails if kind == "email" else self.form.phones

    def add_sender(self, kind: SenderKind, text: str, label: str) -> None:
        senders = self._senders(kind)
        record = self._record
        if record is None:
            value = normalised(kind, text)  # checked by the list already
            self._pending[kind].append(SenderEntry(value, value, ""))
            senders.set_entries(self._pending[kind])
            senders.added()
            self._update_buttons()
            return
        add = add_customer_email if kind == "email" else add_customer_phone
        result = (
            op(self, lambda: add(self.context.desk, record.id, record.version, text, label=label))
            .failure(lambda error: self._refused(error, lambda e: senders.message.say(e.message)))
            .run()
        )
        if result is None:
            return
        self._sender_saved(result)
        senders.added()

    def remove_sender(self, kind: SenderKind, key: object) -> None:
        senders = self._senders(kind)
        record = self._record
        if record is None:
            self._pending[kind] = [entry for entry in self._pending[kind] if entry.key != key]
            senders.set_entries(self._pending[kind])
            self._update_buttons()
            return
        entry = next((entry for entry in senders.entries() if entry.key == key), None)
        if entry is None or not isinstance(key, int):
            return
        question = (
            _(
                "Remove {address} from {name}'s record? Contacts from it will no longer be "
                "recognised as this customer's."
            )
        ).format(address=entry.text, name=record.name)
        if not confirm(self, _("Remove from the record"), question):
            return
        remove = remove_customer_email if kind == "email" else remove_customer_phone
        result = (
            op(self, lambda: remove(self.context.desk, record.id, record.version, key))
            .failure(lambda error: self._refused(error, lambda e: show_error(self, e)))
            .run()
        )
        if result is not None:
            self._sender_saved(result)

    def _sender_saved(self, result: CustomerResult) -> None:
        """An email or phone was registered or removed: the lists and the version follow, what
        is typed in the other fields stays as typed."""
        self._record = result.customer
        self._show_senders()
        self._update_buttons()
        self.context.sync()

    # --- archiving ------------------------------------------------------------------------------

    def _toggle_archived(self) -> None:
        record = self._record
        if record is None:
            return
        if not record.archived and not confirm(
            self,
            _("Archive the customer"),
            _(
                "Archive {name}? The customer leaves the lists; its contacts, sessions and "
                "invoices stay, and it can be unarchived at any time."
            ).format(name=record.name),
        ):
            return
        change = unarchive_customer if record.archived else archive_customer
        result = (
            op(self, lambda: change(self.context.desk, record.id, record.version))
            .failure(lambda error: self._refused(error, lambda e: show_error(self, e)))
            .run()
        )
        if result is None:
            return
        self._record = result.customer
        self._show_heading()
        self._update_buttons()
        self.context.sync()

    # --- the statement --------------------------------------------------------------------------

    def _statement_customer(self) -> tuple[int, str] | None:
        record = self._record
        return None if record is None else (record.id, record.name)


def _scrolled(widget: QWidget) -> QScrollArea:
    """A tab's content that scrolls when the window is short rather than squeezing fields."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
