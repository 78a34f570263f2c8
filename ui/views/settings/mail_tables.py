"""The columns of Definições › Correio's tables: the mailboxes and the company's addresses."""

from __future__ import annotations

from app.i18n import _, format_datetime
from app.services.intake.addresses import AddressRecord
from app.services.intake.mailboxes import MailboxRecord
from app.services.labels import address_kind_label, security_label
from ui.table_model import Column, RowTableModel


def _state(row: MailboxRecord) -> str:
    if row.last_error:
        return row.last_error
    if row.last_fetch_at is None:
        return _("Not read yet")
    return _("OK")


def mailbox_model() -> RowTableModel[MailboxRecord]:
    return RowTableModel(
        [
            Column(_("Name"), lambda row: row.name),
            Column(
                _("Server"),
                lambda row: f"{row.host}:{row.port} · {security_label(row.security)}",
            ),
            Column(_("User"), lambda row: row.user),
            Column(
                _("Folders"),
                lambda row: row.folder + (f" · {row.sent_folder}" if row.sent_folder else ""),
            ),
            Column(
                _("Last read"),
                lambda row: format_datetime(row.last_fetch_at) if row.last_fetch_at else "",
                lambda row: row.last_fetch_at,
            ),
            Column(_("State"), _state, tooltip=_state),
        ],
        key=lambda row: row.id,
    )


def address_model() -> RowTableModel[AddressRecord]:
    return RowTableModel(
        [
            Column(_("Email address"), lambda row: row.address),
            Column(_("Kind"), lambda row: address_kind_label(row.kind)),
        ],
        key=lambda row: row.id,
    )
