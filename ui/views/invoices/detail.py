"""One invoice, credit note or draft in the Faturas view: its lines, its totals per VAT rate,
and what can be done with it (a draft is edited and issued; an issued invoice is exported and
cancelled by a credit note; P20–P22).

Over 500 lines, on purpose: the actions on a document (edit, issue, cancel, export, hand over to
the certified program) share the document shown and the buttons' state; the parts that stand
alone (the totals, the tables' columns, the dialogs, the hand-over lock) are modules beside it.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import _, format_date, format_money
from app.services import invoices
from app.services.context import Desk
from app.services.invoices import InvoiceDocument, InvoiceRef
from app.services.invoicing import push
from app.services.invoicing.queries import LegalState, LegalStatus, legal_status
from app.services.labels import invoice_period_text, invoice_state_label
from ui.context import UiContext
from ui.feedback import act_with_reason, ask_pdf_path, confirm, offer_to_open
from ui.operations import Operation, op
from ui.views.invoices.dialogs import AddLineDialog
from ui.views.invoices.handover import one_at_a_time
from ui.views.invoices.tables import legal_state_text, line_model, line_samples
from ui.views.invoices.totals import MUTED_STYLE, TotalsPanel
from ui.widgets import RowTable, fit_columns_to_samples

T = TypeVar("T")


def pdf_file_name(document: InvoiceDocument) -> str:
    """``FT 2026-17.pdf``: the number without the slash a file name cannot hold."""
    if document.number_text is None:
        return _("Draft {id}").format(id=document.id) + ".pdf"
    return document.number_text.replace("/", "-").replace("\\", "-") + ".pdf"


def legal_pdf_path(document: InvoiceDocument, legal: LegalStatus) -> Path:
    """Where the legal PDF is written to be opened: a temporary folder of Balcão's, the file
    named after the legal number (``FT A2026-1.pdf``)."""
    name = legal.legal_number or document.number_text or str(document.id)
    safe = "".join("-" if c in '/\\:*?"<>|' else c for c in name)
    return Path(tempfile.gettempdir()) / "balcao-legal" / f"{safe}.pdf"


def _link(ref: InvoiceRef) -> str:
    number = html.escape(ref.number or _("(draft)"))
    return f"<a href='invoice:{ref.id}'>{number}</a>"


class InvoiceDetail(QWidget):
    #: Asks the view to show another document (the credit note just issued, a linked one).
    navigate = Signal(int)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.document: InvoiceDocument | None = None
        #: The shown document's state in the certified program (None: a draft, or none shown).
        self.legal: LegalStatus | None = None
        #: A call to the certified program for the shown document is running.
        self._handing_over = False
        self._make_labels()
        self._make_buttons()
        self.lines = line_model()
        self.line_table = RowTable(self.lines, _("Lines of the document"))
        fit_columns_to_samples(self.line_table, line_samples())
        self.line_table.stretch_column(1)
        self.line_table.setSortingEnabled(False)  # the lines keep their printed order
        self.line_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.totals = TotalsPanel()
        self.totals.setMinimumWidth(300)

        header = QHBoxLayout()
        header.addWidget(self.heading)
        header.addWidget(self.state)
        header.addStretch(1)
        for button in (self.add_line_button, self.remove_line_button, self.delete_button):
            header.addWidget(button)
        header.addSpacing(16)
        header.addWidget(self.issue_button)
        header.addSpacing(16)
        header.addWidget(self.export_button)
        header.addWidget(self.credit_button)
        legal_row = QHBoxLayout()
        legal_row.addWidget(self.legal_label, 1)
        for button in (self.send_button, self.finalize_button, self.legal_pdf_button):
            legal_row.addWidget(button)
        side = QVBoxLayout()
        side.addWidget(self.totals)
        side.addWidget(self.status)
        side.addStretch(1)
        lines = QVBoxLayout()
        lines.addWidget(self.empty)
        lines.addWidget(self.line_table, 1)
        body = QHBoxLayout()
        body.addLayout(lines, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.facts)
        layout.addLayout(legal_row)
        layout.addLayout(body, 1)
        self.show_document(None)

    def _make_labels(self) -> None:
        self.heading = QLabel()
        heading_font = QFont(self.heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.35)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        self.facts = QLabel()
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setWordWrap(True)
        self.facts.linkActivated.connect(self._follow)
        self.legal_label = QLabel()
        self.legal_label.setWordWrap(True)
        self.legal_label.setTextFormat(Qt.TextFormat.PlainText)
        self.legal_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legal_label.setAccessibleName(_("Legal state"))
        self.status = QLabel()
        self.status.setStyleSheet(MUTED_STYLE)
        self.status.setWordWrap(True)
        self.empty = QLabel(
            _("Nothing to invoice was found for this month: add lines by hand or delete the draft.")
        )
        self.empty.setStyleSheet("color: #6b4a00;")
        self.empty.setWordWrap(True)

    def _make_buttons(self) -> None:
        self.add_line_button = QPushButton(_("&Add line…"))
        self.remove_line_button = QPushButton(_("&Remove line"))
        self.delete_button = QPushButton(_("&Delete draft"))
        self.issue_button = QPushButton(_("&Issue…"))
        self.export_button = QPushButton(_("E&xport PDF…"))
        self.credit_button = QPushButton(_("Credit &note…"))
        self.issue_button.setToolTip(_("Gives the draft its number; it can never change again."))
        self.credit_button.setToolTip(_("Cancels the invoice with a credit note, with a reason."))
        # P29, as buttons here and as actions in the list's context menu.
        self.send_action = QAction(_("Send to the certified program"), self)
        self.finalize_action = QAction(_("Finalize"), self)
        self.legal_pdf_action = QAction(_("Open legal PDF"), self)
        self.send_action.setToolTip(
            _("Sends the issued document to the certified invoicing program as a draft.")
        )
        self.finalize_action.setToolTip(
            _("Finalizes the draft there: it gets its legal number and ATCUD.")
        )
        self.legal_pdf_action.setToolTip(_("Opens the certified program's PDF of the document."))
        self.send_button = QPushButton(self.send_action.text())
        self.finalize_button = QPushButton(self.finalize_action.text())
        self.legal_pdf_button = QPushButton(self.legal_pdf_action.text())
        for action, button, act in (
            (self.send_action, self.send_button, self.send_to_program),
            (self.finalize_action, self.finalize_button, self.finalize_there),
            (self.legal_pdf_action, self.legal_pdf_button, self.open_legal_pdf),
        ):
            button.setToolTip(action.toolTip())
            action.triggered.connect(lambda _checked=False, act=act: act())
            button.clicked.connect(lambda _checked=False, act=act: act())
        for button, slot in (
            (self.add_line_button, self.add_line),
            (self.remove_line_button, self.remove_selected_line),
            (self.delete_button, self.delete_draft),
            (self.issue_button, self.issue),
            (self.export_button, self.export_pdf),
            (self.credit_button, self.credit_note),
        ):
            button.clicked.connect(slot)

    # --- showing ------------------------------------------------------------------------------

    def show_document(self, document: InvoiceDocument | None) -> None:
        if document is None or self.document is None or document.id != self.document.id:
            self.status.clear()
        self.document = document
        self.legal = self._legal_of(document)
        self.lines.set_rows([] if document is None else document.lines)
        self.totals.show_document(document)
        if document is None:
            self.heading.setText(_("No document chosen"))
            self.state.clear()
            self.facts.setText(
                html.escape(_("Choose an invoice in the list, or make a new draft."))
            )
            self.empty.hide()
            self.legal_label.clear()
        else:
            self.heading.setText(self._heading(document))
            self.state.setText(invoice_state_label(document.state))
            self.state.setStyleSheet(self._state_style(document.state))
            self.facts.setText(self._facts(document))
            self.empty.setVisible(document.state is InvoiceState.DRAFT and not document.lines)
            self._show_legal()
        self._update_buttons()

    def _legal_of(self, document: InvoiceDocument | None) -> LegalStatus | None:
        if document is None or document.state is InvoiceState.DRAFT:
            return None
        shown_id = document.id
        return op(self, lambda: legal_status(shown_id)).run()

    def _show_legal(self) -> None:
        legal = self.legal
        if legal is None:
            self.legal_label.setText(_("Certified program: a draft is sent once issued."))
            self.legal_label.setStyleSheet(MUTED_STYLE)
            return
        self.legal_label.setText(
            _("Certified program: {state}").format(state=legal_state_text(legal))
        )
        failed = legal.state is LegalState.ERROR or (legal.queued and bool(legal.message))
        self.legal_label.setStyleSheet("color: #a31515;" if failed else "")

    @staticmethod
    def _heading(document: InvoiceDocument) -> str:
        if document.number_text is None:
            return _("Draft invoice")
        return _("{title} {number}").format(title=document.title, number=document.number_text)

    @staticmethod
    def _state_style(state: InvoiceState) -> str:
        colours = {
            InvoiceState.DRAFT: ("#0d3b66", "#e3f0ff"),
            InvoiceState.ISSUED: ("#1b5e20", "#e2f3e4"),
            InvoiceState.CANCELLED: ("#7a1010", "#fde2e1"),
        }
        text, background = colours[state]
        return (
            f"color: {text}; background: {background}; border-radius: 4px; "
            "padding: 2px 8px; font-weight: 600;"
        )

    def _facts(self, document: InvoiceDocument) -> str:
        customer = html.escape(document.customer.name)
        parts = [
            _("Customer: {customer} (NIF: {nif})").format(
                customer=f"<a href='customer:{document.customer_id}'>{customer}</a>",
                nif=html.escape(document.customer.nif_text),
            )
        ]
        period = invoice_period_text(document.period_start, document.period_end)
        if period:
            parts.append(_("Period: {period}").format(period=html.escape(period)))
        if document.issue_date is not None:
            parts.append(
                _("Issued on {date} by {name}").format(
                    date=format_date(document.issue_date),
                    name=html.escape(document.issued_by_name or _("the program")),
                )
            )
        if document.corrects is not None:
            parts.append(
                _("Cancels invoice {number}: {reason}").format(
                    number=_link(document.corrects),
                    reason=html.escape(document.correction_reason),
                )
            )
        if document.corrected_by is not None:
            parts.append(
                _("Cancelled by credit note {number}").format(number=_link(document.corrected_by))
            )
        return " · ".join(parts)

    def _follow(self, link: str) -> None:
        kind, _colon, record = link.partition(":")
        if not record.isdigit():
            return
        if kind == "invoice":
            self.navigate.emit(int(record))
        elif kind == "customer":
            self.context.show_record.emit("customer", int(record))

    def _update_buttons(self) -> None:
        document = self.document
        draft = document is not None and document.state is InvoiceState.DRAFT
        issued_invoice = (
            document is not None
            and document.kind is InvoiceKind.INVOICE
            and document.state is InvoiceState.ISSUED
        )
        self.add_line_button.setEnabled(draft)
        self.remove_line_button.setEnabled(draft and self.line_table.selected_key() is not None)
        self.delete_button.setEnabled(draft)
        self.issue_button.setEnabled(draft and bool(document and document.lines))
        self.export_button.setEnabled(document is not None)
        self.credit_button.setEnabled(issued_invoice)
        legal = self.legal
        free = not self._handing_over
        sendable = legal is not None and legal.state in (LegalState.NOT_SENT, LegalState.ERROR)
        finalizable = legal is not None and legal.state is LegalState.DRAFT_SENT
        has_pdf = legal is not None and bool(legal.legal_number)
        for action, button, enabled in (
            (self.send_action, self.send_button, free and sendable),
            (self.finalize_action, self.finalize_button, free and finalizable),
            (self.legal_pdf_action, self.legal_pdf_button, free and has_pdf),
        ):
            action.setEnabled(enabled)
            button.setEnabled(enabled)

    # --- acting -------------------------------------------------------------------------------

    def _act(self, act: Callable[[InvoiceDocument], InvoiceDocument | None]) -> bool:
        """Runs a use case on the shown document; its refusal is shown and nothing changes."""
        document = self.document
        if document is None:
            return False
        done = op(self, lambda: (act(document),)).run()
        if done is None:
            return False
        (changed,) = done
        if changed is not None:
            self.show_document(changed)
        self.context.sync()
        return True

    def open_add_line_dialog(self) -> AddLineDialog | None:
        """The dialog of a line typed by hand (window-modal; returns at once)."""
        if self.document is None or self.document.state is not InvoiceState.DRAFT:
            return None
        dialog = AddLineDialog(self.context, self.document, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def added() -> None:
            if dialog.document is not None:
                self.show_document(dialog.document)

        dialog.accepted.connect(added)
        dialog.open()
        return dialog

    def add_line(self) -> None:
        self.open_add_line_dialog()

    def remove_selected_line(self) -> bool:
        line_id = self.line_table.selected_key()
        if line_id is None:
            return False
        return self._act(
            lambda doc: invoices.remove_line(self.context.desk, doc.id, doc.version, line_id)
        )

    def delete_draft(self) -> bool:
        if self.document is None or not confirm(
            self,
            _("Delete the draft"),
            _("Delete this draft for {customer}? Nothing was numbered yet.").format(
                customer=self.document.customer.name
            ),
        ):
            return False

        def delete(doc: InvoiceDocument) -> None:
            invoices.delete_draft(self.context.desk, doc.id, doc.version)
            self.show_document(None)

        return self._act(delete)

    def issue(self) -> bool:
        document = self.document
        if document is None or not confirm(
            self,
            _("Issue the invoice"),
            _(
                "Issue this invoice to {customer}, {total}?\n\nIt gets the next number of the "
                "series {series} and can never be changed again: a mistake is corrected with a "
                "credit note."
            ).format(
                customer=document.customer.name,
                total=format_money(document.gross),
                series=document.series,
            ),
        ):
            return False
        issued = self._act(
            lambda doc: invoices.issue_invoice(self.context.desk, doc.id, doc.version)
        )
        if issued and self.document is not None:
            self.status.setText(_("Issued as {number}.").format(number=self.document.number_text))
        return issued

    def credit_note(self) -> bool:
        document = self.document
        if document is None:
            return False
        question = _(
            "Cancel {number} ({total}) with a credit note?\nWhy? The reason is printed on the "
            "credit note."
        ).format(number=document.number_text, total=format_money(document.gross))
        cancelled = act_with_reason(
            self,
            _("Credit note"),
            question,
            lambda reason: invoices.cancel_invoice(
                self.context.desk, document.id, document.version, reason=reason
            ),
        )
        if cancelled is None:
            return False
        self.show_document(cancelled.invoice)
        self.context.sync()
        self.navigate.emit(cancelled.credit_note.id)
        self.status.setText(
            _("Cancelled by credit note {number}.").format(number=cancelled.credit_note.number_text)
        )
        return True

    # --- the certified program (P29) ------------------------------------------------------------

    def _hand_over(self, work: Callable[[], T], label: str) -> Operation[T] | None:
        """Runs a call to the certified program in the background (one at a time); the shown
        document's legal state is shown again whatever the outcome, as the refusal is kept
        there too."""
        document = self.document
        if document is None or self._handing_over:
            return None
        self._handing_over = True
        self._update_buttons()

        def ended() -> None:
            self._handing_over = False
            self.context.sync()  # a refusal changed the legal state too
            if self.document is not None and self.document.id == document.id:
                self.show_document(self.document)
            else:
                self._update_buttons()

        operation = (
            op(self, one_at_a_time(work), sync=self.context).in_background(label).finally_(ended)
        )
        operation.run()
        return operation

    def send_to_program(self) -> Operation[LegalStatus] | None:
        """ "Enviar para o programa certificado": the issued document as a draft there (and
        finalized, where the company's setting says so)."""
        return self._act_there(push.push, _("Sending {document} to the certified program…"))

    def finalize_there(self) -> Operation[LegalStatus] | None:
        """ "Finalizar": the deliberate act that gives the draft there its legal number."""
        return self._act_there(push.finalize, _("Finalizing {document} in the certified program…"))

    def _act_there(
        self, act: Callable[[Desk, int], LegalStatus], label: str
    ) -> Operation[LegalStatus] | None:
        """The shown document handed to the certified program by ``act``, in the background;
        ``label`` (with ``{document}``) says so meanwhile."""
        document = self.document
        if document is None:
            return None
        desk = self.context.desk
        operation = self._hand_over(
            lambda: act(desk, document.id), label.format(document=self._heading(document))
        )
        if operation is not None:
            operation.success(self._handed_over)
        return operation

    def _handed_over(self, legal: LegalStatus) -> None:
        self.status.setText(_("Certified program: {state}.").format(state=legal_state_text(legal)))

    def open_legal_pdf(self) -> Operation[Path] | None:
        """ "Abrir PDF legal": fetched in the background (kept once fetched), written to a
        temporary file and opened with the desktop's PDF viewer."""
        document, legal = self.document, self.legal
        if document is None or legal is None:
            return None
        desk = self.context.desk
        path = legal_pdf_path(document, legal)

        def fetch() -> Path:
            content = push.fetch_legal_pdf(desk, document.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            return path

        def opened(written: Path) -> None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(written)))
            self.status.setText(_("Legal PDF opened: {path}").format(path=written))

        operation = self._hand_over(
            fetch,
            _("Fetching the legal PDF of {document}…").format(document=self._heading(document)),
        )
        if operation is not None:
            operation.writes(path).success(opened)
        return operation

    def export_pdf(self) -> Operation[Path] | None:
        """Asks where, and writes the document's PDF there (``write_invoice_pdf``) in the
        background; the operation writing it (``None``: nothing asked to be written)."""
        document = self.document
        if document is None:
            return None
        path = ask_pdf_path(self, _("Export the PDF"), pdf_file_name(document))
        if path is None:
            return None
        # Imported here: the PDF module loads Qt's PDF machinery, needed only now.
        from ui.pdf.invoice import write_invoice_pdf

        def write() -> Path:
            # Balcão's PDF names the legal document it corresponds to, once there is one (P29).
            legal = None if document.state is InvoiceState.DRAFT else legal_status(document.id)
            write_invoice_pdf(document, path, legal)
            return path

        def written(path: Path) -> None:
            self.status.setText(_("PDF saved: {path}").format(path=path))
            offer_to_open(self, path)

        operation = (
            op(self, write)
            .writes(path)
            .in_background(
                _("Writing the PDF of {document}…").format(document=self._heading(document))
            )
            .success(written)
        )
        operation.run()
        return operation
