"""A mailbox as typed (Definições › Correio or ``balcao mailbox``), checked once for adding,
testing and changing alike: host, port, security (clear text only for this machine), user,
folders, CA file and the environment variable that may hold the password."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.intake import Security, security_allowed
from app.domain.validation import ValidationError
from app.i18n import _
from app.intake.imap import ImapSettings, MailboxError, MailboxFailure
from app.services.checks import check_text
from app.services.errors import InputError


def _security(value: object) -> Security:
    try:
        return Security(str(value))
    except ValueError:
        raise InputError(
            _("Unknown security: {value} (ssl, starttls or none).").format(value=value),
            field="security",
        ) from None


def _port(value: object) -> int:
    try:
        port = int(str(value))
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise InputError(_("The port is a number from 1 to 65535."), field="port")
    return port


def _variable(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    name = value.strip()
    if not name.replace("_", "").isalnum() or name[0].isdigit():
        raise InputError(
            _("{name} is not the name of an environment variable.").format(name=name),
            field="password_env",
        )
    return name


@dataclass(frozen=True)
class MailboxForm:
    """A mailbox as typed (Definições › Correio or ``balcao mailbox``), checked once for adding,
    testing and changing alike."""

    host: str
    port: int
    security: Security
    user: str
    folder: str
    sent_folder: str | None
    ca_file: str | None
    variable: str | None

    def settings(self, secret: str) -> ImapSettings:
        return ImapSettings(
            self.host,
            self.port,
            self.security,
            self.user,
            secret,
            Path(self.ca_file) if self.ca_file else None,
        )


def check_form(
    *,
    host: str,
    port: int | str,
    security: Security | str,
    user: str,
    password_env: str | None,
    ca_file: str | None,
    folder: str,
    sent_folder: str | None,
) -> MailboxForm:
    try:
        form = MailboxForm(
            host=check_text("host", host, required=True),
            port=_port(port),
            security=_security(security),
            user=check_text("user", user, required=True),
            folder=check_text("folder", folder, required=True),
            sent_folder=check_text("folder", sent_folder or "") or None,
            ca_file=(ca_file or "").strip() or None,
            variable=_variable(password_env),
        )
    except ValidationError as error:
        raise InputError(error.message, field=error.field) from error
    if not security_allowed(form.host, form.security):
        raise MailboxError(MailboxFailure.INSECURE, host=form.host)
    return form
