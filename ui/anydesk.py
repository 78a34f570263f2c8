"""Remote sessions: ``anydesk ADDRESS`` as a child process, and word of when it ends.

The executable is the path set in the settings (Definições) when there is one, else ``anydesk``
found on the PATH. The process is a ``QProcess`` so that its end (``QProcess.finished``) can ask
the technician whether to stop the timer.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

from app.errors import KnownError
from app.i18n import _

#: How long a launch may take to be told it failed (the process is running well before).
_START_TIMEOUT_MS = 5_000


class AnyDeskError(KnownError):
    """AnyDesk cannot be launched; the message says why, for the technician."""


def anydesk_program(configured_path: str) -> str:
    """The AnyDesk executable to run: ``configured_path`` when set, else ``anydesk`` on the PATH.

    Raises ``AnyDeskError`` when neither can be run.
    """
    configured = configured_path.strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise AnyDeskError(
                _(
                    "AnyDesk was not found at {path}, the path set in the settings. Correct it "
                    "in Settings, or clear it to use the AnyDesk installed on this computer."
                ).format(path=configured)
            )
        if not os.access(path, os.X_OK):
            raise AnyDeskError(
                _("{path}, the AnyDesk set in the settings, cannot be run.").format(path=configured)
            )
        return str(path)
    found = shutil.which("anydesk")
    if found is None:
        raise AnyDeskError(
            _(
                "AnyDesk is not installed on this computer (no “anydesk” program was found). "
                "Install it, or set the path to its program in Settings."
            )
        )
    return found


class RemoteSession(QObject):
    """One ``anydesk ADDRESS`` process; ``ended`` is emitted once when it exits."""

    ended = Signal()

    def __init__(self, program: str, address: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.address = address
        self.process = QProcess(self)
        self.process.setProgram(program)
        self.process.setArguments([address])
        # AnyDesk writes its own log; nothing of it is read here.
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedChannels)
        self.process.finished.connect(self._on_finished)

    def start(self) -> None:
        """Launches the process; raises ``AnyDeskError`` if it does not start."""
        self.process.start()
        if not self.process.waitForStarted(_START_TIMEOUT_MS):
            raise AnyDeskError(
                _("AnyDesk could not be started ({program}): {reason}").format(
                    program=self.process.program(), reason=self.process.errorString()
                )
            )

    def running(self) -> bool:
        return self.process.state() is not QProcess.ProcessState.NotRunning

    def _on_finished(self, _exit_code: int, _status: QProcess.ExitStatus) -> None:
        self.ended.emit()


def launch(program: str, address: str, parent: QObject | None = None) -> RemoteSession:
    """Starts ``program ADDRESS``; raises ``AnyDeskError`` (nothing left running) on failure."""
    remote = RemoteSession(program, address, parent)
    try:
        remote.start()
    except AnyDeskError:
        remote.deleteLater()
        raise
    return remote
