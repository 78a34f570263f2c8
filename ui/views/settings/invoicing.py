"""Settings → Certified invoicing (P22, P29): the company's certified invoicing program, its
account, its API key, the tax names of its account, and "Testar ligação".

Administrators only, as the other company pages: the services refuse anyone else. The API key is
typed in a password field and goes to the system keyring through the setup service; it is never
shown back, nor written to a file of ours (QSettings included): the field stays empty, and a
note says that a key is kept. Instead of a key, the name of an environment variable that holds
it may be given.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import _, format_percent
from app.services.errors import InputError
from app.services.invoicing import setup
from app.services.invoicing.setup import (
    DEFAULT_TAX_NAMES,
    PROVIDERS,
    ProgramSettings,
    default_address,
)
from ui.context import UiContext
from ui.feedback import show_error
from ui.operations import Operation, op
from ui.views.settings.form import (
    FORM_MAX_WIDTH,
    SUCCESS_COLOUR,
    add_row,
    form_layout,
    note_label,
    save_bar,
    scrolling,
)
from ui.widgets import ERROR_COLOUR, FieldErrors

#: The VAT rates the company invoices (P21), as the settings key them; "0": exempt.
RATES = ("0.23", "0.22", "0.16", "0")
PROVIDER_NAMES = {"invoicexpress": "InvoiceXpress"}
_SHORT_WIDTH = 140


def parse_exemption_codes(text: str) -> dict[str, str]:
    """One exemption a line, ``reason = M10`` (the reason as written on the lines)."""
    codes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        reason, equals, code = line.rpartition("=")
        code = code.strip().upper()
        valid = len(code) == 3 and code[0] == "M" and code[1:].isdigit()
        if not equals or not reason.strip() or not valid:
            raise InputError(
                _("Line {number}: write the reason, then = and its code, e.g. {example}.").format(
                    number=number, example="Artigo 53.º do CIVA = M10"
                ),
                field="exemption_codes",
            )
        codes[reason.strip()] = code
    return codes


def exemption_codes_text(codes: dict[str, str]) -> str:
    return "\n".join(f"{reason} = {code}" for reason, code in sorted(codes.items()))


class InvoicingPage(QWidget):
    """The company's certified program: saved by its own Guardar; tested by Testar ligação."""

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_invoicing")
        self.context = context
        self.errors = FieldErrors(self)
        self.current: ProgramSettings | None = None
        self.modified = False
        self._loading = False
        self.testing: Operation[None] | None = None
        self._make_fields()
        body = QWidget()
        body.setMaximumWidth(2 * FORM_MAX_WIDTH)
        columns = QHBoxLayout(body)
        columns.addWidget(self._program_group(), 1, Qt.AlignmentFlag.AlignTop)
        columns.addWidget(self._taxes_group(), 1, Qt.AlignmentFlag.AlignTop)
        holder = QWidget()
        holder_layout = QHBoxLayout(holder)
        holder_layout.addWidget(body, 1)
        holder_layout.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scrolling(holder), 1)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.HLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(separator)
        layout.addLayout(self._save_bar())

        for edit in (self.account, self.base_url, self.api_key, self.api_key_env):
            edit.textEdited.connect(self.mark_modified)
            edit.returnPressed.connect(self.save)
        for edit in self.tax_names.values():
            edit.textEdited.connect(self.mark_modified)
        self.account.textEdited.connect(self._show_address)
        self.exemption_codes.textChanged.connect(self.mark_modified)
        self.provider.currentIndexChanged.connect(self.mark_modified)
        self.auto_finalize.toggled.connect(self.mark_modified)

    def _make_fields(self) -> None:
        self.provider = QComboBox()
        for provider in PROVIDERS:
            self.provider.addItem(PROVIDER_NAMES.get(provider, provider), provider)
        self.account = QLineEdit()
        self.account.setPlaceholderText(_("e.g. mycompany (from mycompany.app.invoicexpress.com)"))
        self.base_url = QLineEdit()
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setAccessibleName(_("API key"))
        self.key_note = note_label()
        self.api_key_env = QLineEdit()
        self.api_key_env.setMaximumWidth(FORM_MAX_WIDTH // 2)
        self.api_key_env.setPlaceholderText(_("e.g. INVOICEXPRESS_API_KEY"))
        self.tax_names = {rate: QLineEdit() for rate in RATES}
        for edit in self.tax_names.values():
            edit.setMaximumWidth(_SHORT_WIDTH)
        self.exemption_codes = QPlainTextEdit()
        self.exemption_codes.setTabChangesFocus(True)
        self.exemption_codes.setFixedHeight(72)
        self.exemption_codes.setPlaceholderText("Artigo 53.º do CIVA = M10")
        self.auto_finalize = QCheckBox(_("&Finalize automatically once the draft is sent"))
        self.test_button = QPushButton(_("&Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextFormat(Qt.TextFormat.PlainText)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result.setAccessibleName(_("Result of the connection test"))

    def _save_bar(self) -> QHBoxLayout:
        self.buttons, self.status, bar = save_bar()
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.reset_button = self.buttons.button(QDialogButtonBox.StandardButton.Reset)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        return bar

    def _program_group(self) -> QGroupBox:
        group = QGroupBox(_("Certified invoicing program"))
        form = form_layout()
        add_row(form, _("&Program:"), self.provider, self.errors, "provider")
        add_row(form, _("&Account:"), self.account, self.errors, "account")
        add_row(form, _("API &key:"), self.api_key, self.errors, "api_key")
        form.addRow("", self.key_note)
        add_row(form, _("Or the &variable:"), self.api_key_env, self.errors, "api_key_env")
        form.addRow(
            "",
            note_label(
                _(
                    "The key typed here goes to the system keyring, never to a file; or give "
                    "the name of an environment variable that holds it."
                )
            ),
        )
        add_row(form, _("A&ddress (advanced):"), self.base_url, self.errors, "base_url")
        form.addRow(
            "", note_label(_("Leave empty unless a proxy or a test server stands in between."))
        )
        form.addRow("", self.auto_finalize)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)
        form.addRow("", test_row)
        form.addRow(
            "",
            note_label(
                _(
                    "Issued invoices are sent there as drafts; finalizing there gives them "
                    "their legal number and ATCUD. Only administrators change these settings."
                )
            ),
        )
        group.setLayout(form)
        return group

    def _taxes_group(self) -> QGroupBox:
        group = QGroupBox(_("Tax names of the account"))
        form = form_layout()
        for rate in RATES:
            caption = (
                _("Exempt:")
                if rate == "0"
                else _("VAT {rate}:").format(rate=format_percent(Decimal(rate)))
            )
            add_row(form, caption, self.tax_names[rate])
        form.addRow("", note_label(_("As the taxes are named in the program's account.")))
        add_row(
            form,
            _("E&xemption codes:"),
            self.exemption_codes,
            self.errors,
            "exemption_codes",
        )
        form.addRow(
            "",
            note_label(
                _(
                    "One a line: the exemption reason as written on the lines, = and its code "
                    "(M01…M99). A reason that starts with its code needs none."
                )
            ),
        )
        self.errors.add("tax_names", self.tax_names["0.23"])
        form.addRow("", self.errors.labels["tax_names"])
        group.setLayout(form)
        return group

    # --- showing ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Shows the saved settings, unless the user changed this page."""
        if self.modified:
            return
        self.show_settings(setup.program_settings())

    def show_settings(self, current: ProgramSettings | None) -> None:
        self._loading = True
        try:
            self.current = current
            provider = PROVIDERS[0] if current is None else current.provider
            self.provider.setCurrentIndex(max(self.provider.findData(provider), 0))
            self.account.setText("" if current is None else current.account)
            self.base_url.setText("" if current is None else current.base_url)
            self.api_key.clear()  # never shown back
            self.api_key_env.setText("" if current is None else current.api_key_env)
            names = DEFAULT_TAX_NAMES if current is None else current.tax_names
            for rate, edit in self.tax_names.items():
                edit.setText(names.get(rate, DEFAULT_TAX_NAMES[rate]))
            codes = {} if current is None else current.exemption_codes
            self.exemption_codes.setPlainText(exemption_codes_text(codes))
            self.auto_finalize.setChecked(current is not None and current.auto_finalize)
        finally:
            self._loading = False
        self._show_address()
        self._show_key_note()
        self.modified = False
        self.errors.clear()

    def _show_key_note(self) -> None:
        current = self.current
        if current is not None and current.key_in_keyring:
            self.api_key.setPlaceholderText(_("kept in the system keyring"))
            self.key_note.setText(
                _("A key is kept in the system keyring; type another one to replace it.")
            )
        else:
            self.api_key.setPlaceholderText("")
            self.key_note.setText("")
        self.key_note.setVisible(bool(self.key_note.text()))

    def _show_address(self) -> None:
        account = self.account.text().strip() or _("account")
        self.base_url.setPlaceholderText(default_address(str(self.provider.currentData()), account))

    def mark_modified(self) -> None:
        if self._loading:
            return
        self.modified = True
        self.status.clear()

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> bool:
        """Saves the page (the key typed goes to the keyring); False, with the reason shown by
        its field, when refused."""
        self.errors.clear()
        self.status.clear()
        desk = self.context.desk
        provider = str(self.provider.currentData())
        account = self.account.text()
        base_url = self.base_url.text().strip()
        typed_key = self.api_key.text().strip() or None
        variable = "" if typed_key else self.api_key_env.text().strip()
        tax_names = {rate: edit.text().strip() for rate, edit in self.tax_names.items()}
        auto_finalize = self.auto_finalize.isChecked()
        codes_text = self.exemption_codes.toPlainText()

        def work() -> ProgramSettings:
            return setup.setup(
                desk,
                provider=provider,
                account=account,
                api_key_env=variable,
                api_key=typed_key,
                base_url=base_url,
                auto_finalize=auto_finalize,
                tax_names=tax_names,
                exemption_codes=parse_exemption_codes(codes_text),
            )

        saved = op(self, work, sync=self.context).failure(self.refused).run()
        if saved is None:
            return False
        self.show_settings(saved)
        self._report(_("Saved."), SUCCESS_COLOUR)
        return True

    def refused(self, error: KnownError) -> None:
        if isinstance(error, InputError) and self.errors.knows(error.field):
            self.errors.show(error.field, error.message)
            self._report(_("Not saved: see the message by the field."), ERROR_COLOUR)
            return
        show_error(self, error)

    def reset(self) -> None:
        self.modified = False
        self.reload()
        self.status.clear()

    def _report(self, text: str, colour: str) -> None:
        self.status.setStyleSheet(f"color: {colour};")
        self.status.setText(text)

    # --- Testar ligação -----------------------------------------------------------------------

    def test_connection(self) -> Operation[None] | None:
        """Saves what was changed, then makes one harmless request to the program in the
        background; the answer, in words, next to the button."""
        if self.testing is not None:
            return None
        if self.modified and not self.save():
            return None
        self.test_result.setStyleSheet("")
        self.test_result.setText(_("Testing…"))
        self.test_button.setEnabled(False)

        def ended() -> None:
            self.testing = None
            self.test_button.setEnabled(True)

        def answered(_none: None) -> None:
            self.test_result.setStyleSheet(f"color: {SUCCESS_COLOUR};")
            self.test_result.setText(_("Connection OK: the program answered."))

        def refused(error: KnownError) -> None:
            self.test_result.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.test_result.setText(str(error))

        operation = (
            op(self, setup.check_connection)
            .in_background(_("Testing the connection to the certified program…"))
            .success(answered)
            .failure(refused)
            .finally_(ended)
        )
        self.testing = operation
        operation.run()
        return operation
