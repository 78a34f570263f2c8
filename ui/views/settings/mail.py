"""Settings → Mail: the support mailboxes the intake reads, the company's addresses, and the
intake log (issue 11).

The mailboxes and the addresses are the administrators' (the services refuse anyone else; the
page says so and keeps its controls off). A password typed here goes to the system keyring
through the services and is never shown back; "Testar ligação" and saving talk to the mail
server, so they run in the background and say in Portuguese what failed.

The log is a tab of this page rather than of Contactos: it explains what the mailboxes above
did (a failure, a message set aside), which is what an administrator setting them up needs to
see next to "Testar ligação"; the queue stays a list of contacts.
"""

from __future__ import annotations

from typing import TypedDict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.intake import Security, security_allowed
from app.domain.states import AddressKind
from app.errors import KnownError
from app.i18n import _
from app.services import settings as company
from app.services.errors import InputError, NotFoundError
from app.services.intake import addresses as address_book
from app.services.intake import mailboxes as boxes
from app.services.intake.addresses import AddressRecord
from app.services.intake.mailboxes import MailboxRecord
from app.services.labels import address_kind_label, security_label
from ui.context import UiContext
from ui.feedback import confirm
from ui.operations import op
from ui.table_model import KEY_ROLE, TableProxy
from ui.views.settings.form import SUCCESS_COLOUR, add_row, form_layout, list_table, note_label
from ui.views.settings.mail_log import IntakeLogPage, stretch_last
from ui.views.settings.mail_tables import address_model, mailbox_model
from ui.widgets import ERROR_COLOUR, FieldErrors

#: The usual port of each security (changed with it until the user types a port).
DEFAULT_PORTS = {Security.SSL: 993, Security.STARTTLS: 143, Security.NONE: 143}


class MailboxFields(TypedDict):
    """What the mailbox form says, as the services take it."""

    host: str
    port: int
    security: Security
    user: str
    password: str | None
    password_env: str | None
    ca_file: str | None
    folder: str
    sent_folder: str | None


class MailPage(QWidget):
    """Definições › Correio: mailboxes and addresses, and the intake log."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_mail")
        self.context = context
        self.mailboxes = MailboxesPage(context)
        self.log = IntakeLogPage(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.mailboxes, _("&Mailboxes and addresses"))
        self.tabs.addTab(self.log, _("Intake &log"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _index: self._log_shown())

    def reload(self) -> None:
        self.mailboxes.reload()
        if self.tabs.currentWidget() is self.log:
            self.log.reload()
        else:
            self.log.stale = True

    def _log_shown(self) -> None:
        if self.tabs.currentWidget() is self.log and self.log.stale:
            self.log.reload()


class MailboxesPage(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.errors = FieldErrors(self)
        #: The mailbox shown in the form (None: a new one).
        self.editing: MailboxRecord | None = None
        self._port_typed = False
        self.admin_note = note_label(
            _("Only administrators change the mailboxes and the addresses.")
        )
        self.admin_note.setVisible(False)

        self.model = mailbox_model()
        self.proxy = TableProxy(self.model, self)
        self.table = list_table(self.proxy, _("Mailboxes"))
        stretch_last(self.table)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._selected())
        self.new_button = QPushButton(_("&New mailbox"))
        self.new_button.clicked.connect(self.new_mailbox)
        self.remove_button = QPushButton(_("Re&move mailbox"))
        self.remove_button.clicked.connect(self.remove_mailbox)
        boxes_group = QGroupBox(_("Mailboxes the intake reads"))
        boxes_layout = QVBoxLayout(boxes_group)
        boxes_layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        boxes_layout.addLayout(row)

        self.form_group = QGroupBox(_("New mailbox"))
        self.form_group.setLayout(self._mailbox_form())

        self.address_group = self._addresses_group()

        left = QVBoxLayout()
        left.addWidget(boxes_group, 1)
        left.addWidget(self.form_group)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addWidget(self.address_group, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.admin_note)
        layout.addLayout(columns, 1)
        self.new_mailbox()

    # --- building -----------------------------------------------------------------------------

    def _mailbox_fields(self) -> QWidget:
        self.name = QLineEdit()
        self.name.setMaxLength(64)
        self.name.setPlaceholderText(_("e.g. support"))
        self.host = QLineEdit()
        self.host.setPlaceholderText(_("e.g. mail.company.pt"))
        self.host.textChanged.connect(lambda _text: self._offer_security())
        self.security = QComboBox()
        for security in Security:
            self.security.addItem(security_label(security), security.value)
        self.security.currentIndexChanged.connect(lambda _index: self._security_changed())
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORTS[Security.SSL])
        self.port.valueChanged.connect(self._port_changed)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(_("Optional: the company's own CA (PEM)"))
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._choose_ca)
        ca_row = QWidget()
        ca_layout = QHBoxLayout(ca_row)
        ca_layout.setContentsMargins(0, 0, 0, 0)
        ca_layout.addWidget(self.ca_file, 1)
        ca_layout.addWidget(browse)
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_env = QLineEdit()
        self.password_env.setPlaceholderText(
            _("Or the name of an environment variable that holds it")
        )
        self.folder = QLineEdit("INBOX")
        self.sent_folder = QLineEdit("Sent")
        self.sent_folder.setPlaceholderText(_("Empty: replies are not looked for"))

        return ca_row

    def _mailbox_form(self) -> QFormLayout:
        ca_row = self._mailbox_fields()
        server_row = QWidget()
        server_layout = QHBoxLayout(server_row)
        server_layout.setContentsMargins(0, 0, 0, 0)
        server_layout.addWidget(self.host, 1)
        server_layout.addWidget(QLabel(_("Port:")))
        server_layout.addWidget(self.port)

        form = form_layout()
        add_row(form, _("N&ame:"), self.name, self.errors, "name")
        add_row(form, _("Ser&ver:"), server_row, self.errors, "host", buddy=self.host)
        self.errors.add("port", self.port)
        add_row(form, _("Sec&urity:"), self.security, self.errors, "security")
        add_row(form, _("CA &file:"), ca_row, self.errors, "ca_file", buddy=self.ca_file)
        add_row(form, _("U&ser:"), self.user, self.errors, "user")
        add_row(form, _("Pass&word:"), self.password, self.errors, "password")
        add_row(form, "", self.password_env, self.errors, "password_env")
        add_row(form, _("F&older:"), self.folder, self.errors, "folder")
        add_row(form, _("Sen&t folder:"), self.sent_folder)
        form.addRow(self._form_buttons())
        return form

    def _form_buttons(self) -> QHBoxLayout:
        self.test_button = QPushButton(_("&Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton(_("&Add mailbox"))
        self.save_button.clicked.connect(self.save)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setAccessibleName(_("Result of the connection test"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        return buttons

    def _addresses_group(self) -> QGroupBox:
        self.address_model = address_model()
        self.address_proxy = TableProxy(self.address_model, self)
        self.address_table = list_table(self.address_proxy, _("The company's addresses"))
        self.address_table.selectionModel().selectionChanged.connect(
            lambda *_args: self._update_buttons()
        )
        self.new_address = QLineEdit()
        self.new_address.setPlaceholderText(_("e.g. support@company.pt"))
        self.new_address.returnPressed.connect(self.add_address)
        self.address_kind = QComboBox()
        for kind in AddressKind:
            self.address_kind.addItem(address_kind_label(kind), kind.value)
        self.add_address_button = QPushButton(_("Add a&ddress"))
        self.add_address_button.clicked.connect(self.add_address)
        self.remove_address_button = QPushButton(_("Remove address"))
        self.remove_address_button.clicked.connect(self.remove_address)
        group = QGroupBox(_("The company's addresses"))
        layout = QVBoxLayout(group)
        layout.addWidget(self.address_table, 1)
        form = form_layout()
        add_row(form, _("Add&ress:"), self.new_address, self.errors, "address")
        add_row(form, _("&Kind:"), self.address_kind, self.errors, "kind")
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_address_button)
        buttons.addWidget(self.add_address_button)
        layout.addLayout(buttons)
        layout.addWidget(
            note_label(
                _(
                    "The channel of a message follows the support address it was sent to. "
                    "Messages from the team's addresses (and the support addresses) are not "
                    "contacts; their replies record the first response."
                )
            )
        )
        return group

    # --- showing ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.model.set_rows(boxes.mailboxes())
        self.address_model.set_rows(address_book.addresses())
        admin = self._is_admin()
        self.admin_note.setVisible(not admin)
        for widget in (self.form_group, self.address_group, self.new_button):
            widget.setEnabled(admin)
        if self.editing is not None:
            current = self.model.position_of(self.editing.id)
            if current is None:
                self.new_mailbox()
            else:
                self.editing = self.model.row_at(current)
        self._update_buttons()

    def _is_admin(self) -> bool:
        technician_id = self.context.desk.technician_id
        if technician_id is None:
            return False
        found = op(self, lambda: company.technician(technician_id)).allow(NotFoundError).run()
        return found is not None and found.is_admin

    def selected(self) -> MailboxRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        position = self.model.position_of(rows[0].data(KEY_ROLE))
        return None if position is None else self.model.row_at(position)

    def selected_address(self) -> AddressRecord | None:
        rows = self.address_table.selectionModel().selectedRows()
        if not rows:
            return None
        position = self.address_model.position_of(rows[0].data(KEY_ROLE))
        return None if position is None else self.address_model.row_at(position)

    def _update_buttons(self) -> None:
        admin = self.new_button.isEnabled()
        self.remove_button.setEnabled(admin and self.selected() is not None)
        self.remove_address_button.setEnabled(admin and self.selected_address() is not None)

    def _selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.edit(chosen)
        self._update_buttons()

    def new_mailbox(self) -> None:
        """An empty form for a new mailbox."""
        self.editing = None
        self.table.clearSelection()
        self.form_group.setTitle(_("New mailbox"))
        self.save_button.setText(_("&Add mailbox"))
        self.name.setEnabled(True)
        for edit in (self.name, self.host, self.ca_file, self.user, self.password):
            edit.clear()
        self.password_env.clear()
        self.password.setPlaceholderText("")
        self.folder.setText("INBOX")
        self.sent_folder.setText("Sent")
        self._set_security(Security.SSL)
        self.port.setValue(DEFAULT_PORTS[Security.SSL])
        self._port_typed = False
        self.errors.clear()
        self.result.clear()

    def edit(self, record: MailboxRecord) -> None:
        """The form shows a mailbox to change; its password is never shown back."""
        self.editing = record
        self.form_group.setTitle(_("Mailbox {name}").format(name=record.name))
        self.save_button.setText(_("&Save mailbox"))
        self.name.setText(record.name)
        self.name.setEnabled(False)  # the keyring and the log know it by its name
        self.host.setText(record.host)
        self._set_security(record.security)
        self.port.setValue(record.port)
        self._port_typed = True
        self.ca_file.setText(record.ca_file or "")
        self.user.setText(record.user)
        self.password.clear()
        self.password.setPlaceholderText(
            "" if record.password_env else _("Kept in the keyring: type to change it")
        )
        self.password_env.setText(record.password_env or "")
        self.folder.setText(record.folder)
        self.sent_folder.setText(record.sent_folder or "")
        self.errors.clear()
        self.result.clear()

    def _set_security(self, security: Security) -> None:
        self._offer_security()
        self.security.setCurrentIndex(self.security.findData(Security(security).value))

    def _offer_security(self) -> None:
        """Clear text is offered only for this computer (a loopback host)."""
        allowed = security_allowed(self.host.text().strip() or "-", Security.NONE)
        position = self.security.findData(Security.NONE.value)
        item = self.security.model().item(position)  # type: ignore[attr-defined]
        item.setEnabled(allowed)
        if not allowed and self.security.currentIndex() == position:
            self.security.setCurrentIndex(self.security.findData(Security.STARTTLS.value))

    def chosen_security(self) -> Security:
        return Security(self.security.currentData())

    def _security_changed(self) -> None:
        if not self._port_typed:
            blocked = self.port.blockSignals(True)
            self.port.setValue(DEFAULT_PORTS[self.chosen_security()])
            self.port.blockSignals(blocked)

    def _port_changed(self, _value: int) -> None:
        self._port_typed = True

    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The company's CA file"), "", _("Certificates (*.pem *.crt *.cer);;All (*)")
        )
        if path:
            self.ca_file.setText(path)

    def _fields(self) -> MailboxFields:
        return {
            "host": self.host.text(),
            "port": self.port.value(),
            "security": self.chosen_security(),
            "user": self.user.text(),
            "password": self.password.text() or None,
            "password_env": self.password_env.text() or None,
            "ca_file": self.ca_file.text() or None,
            "folder": self.folder.text(),
            "sent_folder": self.sent_folder.text() or None,
        }

    # --- acting -------------------------------------------------------------------------------

    def _say(self, text: str, colour: str) -> None:
        self.result.setStyleSheet(f"color: {colour};")
        self.result.setText(text)

    def _refused(self, error: KnownError) -> None:
        if isinstance(error, InputError) and self.errors.knows(error.field):
            self.errors.show(error.field, error.message)
            self._say(_("See the message by the field."), ERROR_COLOUR)
        else:
            self._say(error.message, ERROR_COLOUR)

    def _busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)

    def test_connection(self) -> None:
        """Logs in and opens the folders, in the background; says what failed."""
        self.errors.clear()
        self._say(_("Testing the connection…"), "")
        fields = self._fields()
        editing = self.editing.id if self.editing is not None else None
        self._busy(True)
        (
            op(self, lambda: boxes.check_mailbox(**fields, mailbox_id=editing))
            .in_background(_("Testing the connection…"))
            .success(lambda _uids: self._say(_("Connection OK."), SUCCESS_COLOUR))
            .failure(self._refused)
            .finally_(lambda: self._busy(False))
            .run()
        )

    def save(self) -> None:
        """Adds the mailbox, or saves the one shown; both test the connection first."""
        self.errors.clear()
        fields = self._fields()
        editing = self.editing
        if editing is None:
            name = self.name.text()

            def work() -> MailboxRecord:
                return boxes.add_mailbox(self.context.desk, name=name, **fields)
        else:
            chosen = editing

            def work() -> MailboxRecord:
                return boxes.update_mailbox(self.context.desk, chosen.id, chosen.version, **fields)

        self._say(_("Connecting to the mail server…"), "")
        self._busy(True)
        (
            op(self, work, sync=self.context)
            .in_background(_("Connecting to the mail server…"))
            .success(self._saved)
            .failure(self._refused)
            .finally_(lambda: self._busy(False))
            .run()
        )

    def _saved(self, record: MailboxRecord) -> None:
        self.reload()
        self.password.clear()
        for row in range(self.proxy.rowCount()):
            if self.proxy.key_at(row) == record.id:
                self.table.selectRow(row)
        self.edit(record)
        self._say(_("Saved: the connection works."), SUCCESS_COLOUR)

    def remove_mailbox(self) -> None:
        chosen = self.selected()
        if chosen is None or not confirm(
            self,
            _("Remove mailbox"),
            _(
                "Stop reading the mailbox {name}? The contacts and messages already taken from "
                "it stay."
            ).format(name=chosen.name),
        ):
            return
        op(
            self, lambda: boxes.remove_mailbox(self.context.desk, chosen.name), sync=self.context
        ).run()
        self.reload()

    def add_address(self) -> None:
        self.errors.clear()
        kind = AddressKind(self.address_kind.currentData())
        address = self.new_address.text()
        result = (
            op(
                self,
                lambda: address_book.add_address(self.context.desk, address, kind),
                sync=self.context,
            )
            .failure(self.errors.report)
            .run()
        )
        if result is not None:
            self.new_address.clear()
            self.reload()

    def remove_address(self) -> None:
        chosen = self.selected_address()
        if chosen is None:
            return
        op(
            self,
            lambda: address_book.remove_address(self.context.desk, chosen.address),
            sync=self.context,
        ).run()
        self.reload()
