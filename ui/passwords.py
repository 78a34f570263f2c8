"""The PostgreSQL password in the window: asked for when the server wants one, never kept in the
computer's settings (``app.credentials`` keeps it in the keyring or in memory).

``scrub_settings`` is the settings upgrade that takes out the passwords older versions wrote
there: in the keys (the per-database technician, ``desks/<address>/technician``) and in the
values (the database chosen for the next start, whose password moves to the keyring).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from app import credentials
from app.credentials import AskPassword
from app.i18n import _

#: A PostgreSQL address's user and password inside a settings key. QSettings folds the ``//``
#: of a URL into ``/`` in its keys (``desks/postgresql:/ana:pw@server/balcao/technician``).
_KEY_PASSWORD = re.compile(r"(?i)(postgres(?:ql)?:/+[^/@:?#]*):[^/@?#]*@")
_KEY_PASSWORD_PARAMETER = re.compile(r"(?i)([?&])password=[^&/#]*&?")


def asker(parent: QWidget | None = None) -> AskPassword:
    """Asks the user for the password of an address, with the server's reason; None on Cancel.
    Without a screen (offscreen, a smoke test) nobody can answer: None."""

    def ask(address: str, reason: str) -> str | None:
        if QGuiApplication.platformName() == "offscreen":
            return None
        label = _(
            "{reason}\n\nPassword of {address} (kept in the system keyring, or only until Balcão "
            "closes where there is none):"
        ).format(reason=reason, address=address)
        dialog = QInputDialog(parent)
        dialog.setWindowTitle(_("Database password"))
        dialog.setLabelText(label)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        for shown in dialog.findChildren(QLabel):
            shown.setWordWrap(True)  # the server's reason can be long
        dialog.resize(480, dialog.sizeHint().height())
        accepted = dialog.exec()
        typed = dialog.textValue()
        dialog.deleteLater()
        return typed if accepted and typed else None

    return ask


def _scrubbed_key(key: str) -> str:
    key = _KEY_PASSWORD.sub(r"\1@", key)
    return _KEY_PASSWORD_PARAMETER.sub(
        lambda found: found[1] if found[0].endswith("&") else "", key
    )


def scrub_settings(settings: QSettings) -> int:
    """Takes every password out of ``settings`` (see the module's docstring); the number of
    entries changed. A value's password goes to the keyring (or memory, where there is none)."""
    changed = 0
    for key in settings.allKeys():
        value = settings.value(key)
        if isinstance(value, str):
            address, password = credentials.split_password(value)
            if password is not None:
                credentials.save_password(address, password)
                settings.setValue(key, address)
                changed += 1
        clean = _scrubbed_key(key)
        if clean != key:
            if not settings.contains(clean):
                settings.setValue(clean, settings.value(key))
            settings.remove(key)
            changed += 1
    if changed:
        settings.sync()
    return changed
