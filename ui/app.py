"""Starting the Qt application and the main window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from app.i18n import _


def run_window(args: argparse.Namespace) -> int:
    application = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle(_("Balcão"))
    window.setCentralWidget(QLabel(_("Balcão")))
    window.resize(1280, 720)
    window.show()
    return application.exec()
