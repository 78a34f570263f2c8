"""Qt's own strings (standard buttons, context menus, file dialogs) from our catalog.

PySide6 ships only a Brazilian ``qtbase`` catalog ("Salvar", "Arquivo"); European Portuguese needs
ours. The strings Qt asks for are listed below with Qt's context, so that Babel extracts them.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, QTranslator
from PySide6.QtWidgets import QApplication

from app import i18n


def qt_noop(context: str, text: str) -> tuple[str, str]:
    """Marks one of Qt's strings for extraction, with the context Qt translates it in."""
    return context, text


QT_STRINGS = (
    qt_noop("QPlatformTheme", "OK"),
    qt_noop("QPlatformTheme", "Save"),
    qt_noop("QPlatformTheme", "Save All"),
    qt_noop("QPlatformTheme", "Open"),
    qt_noop("QPlatformTheme", "&Yes"),
    qt_noop("QPlatformTheme", "Yes to &All"),
    qt_noop("QPlatformTheme", "&No"),
    qt_noop("QPlatformTheme", "N&o to All"),
    qt_noop("QPlatformTheme", "Abort"),
    qt_noop("QPlatformTheme", "Retry"),
    qt_noop("QPlatformTheme", "Ignore"),
    qt_noop("QPlatformTheme", "Close"),
    qt_noop("QPlatformTheme", "Cancel"),
    qt_noop("QPlatformTheme", "Discard"),
    qt_noop("QPlatformTheme", "Help"),
    qt_noop("QPlatformTheme", "Apply"),
    qt_noop("QPlatformTheme", "Reset"),
    qt_noop("QPlatformTheme", "Restore Defaults"),
    qt_noop("QMessageBox", "Show Details..."),
    qt_noop("QMessageBox", "Hide Details..."),
    qt_noop("QLineEdit", "&Undo"),
    qt_noop("QLineEdit", "&Redo"),
    qt_noop("QLineEdit", "Cu&t"),
    qt_noop("QLineEdit", "&Copy"),
    qt_noop("QLineEdit", "&Paste"),
    qt_noop("QLineEdit", "Delete"),
    qt_noop("QLineEdit", "Select All"),
    qt_noop("QWidgetTextControl", "&Undo"),
    qt_noop("QWidgetTextControl", "&Redo"),
    qt_noop("QWidgetTextControl", "Cu&t"),
    qt_noop("QWidgetTextControl", "&Copy"),
    qt_noop("QWidgetTextControl", "&Paste"),
    qt_noop("QWidgetTextControl", "Delete"),
    qt_noop("QWidgetTextControl", "Select All"),
    qt_noop("QAbstractSpinBox", "&Select All"),
    qt_noop("QAbstractSpinBox", "&Step up"),
    qt_noop("QAbstractSpinBox", "Step &down"),
    qt_noop("QInputDialog", "Enter a value:"),
    qt_noop("QFileDialog", "&Open"),
    qt_noop("QFileDialog", "&Save"),
    qt_noop("QFileDialog", "Open"),
    qt_noop("QFileDialog", "Save As"),
    qt_noop("QFileDialog", "&Look in:"),
    qt_noop("QFileDialog", "File &name:"),
    qt_noop("QFileDialog", "Files of &type:"),
    qt_noop("QFileDialog", "All Files (*)"),
    qt_noop("QFileDialog", "Files"),
    qt_noop("QFileDialog", "Back"),
    qt_noop("QFileDialog", "Forward"),
    qt_noop("QFileDialog", "Go back"),
    qt_noop("QFileDialog", "Go forward"),
    qt_noop("QFileDialog", "Parent Directory"),
    qt_noop("QFileDialog", "Go to the parent directory"),
    qt_noop("QFileDialog", "Create New Folder"),
    qt_noop("QFileDialog", "Create a New Folder"),
    qt_noop("QFileDialog", "&New Folder"),
    qt_noop("QFileDialog", "&Rename"),
    qt_noop("QFileDialog", "&Delete"),
    qt_noop("QFileDialog", "Show &hidden files"),
    qt_noop("QFileDialog", "List View"),
    qt_noop("QFileDialog", "Detail View"),
    qt_noop("QFileDialog", "Change to list view mode"),
    qt_noop("QFileDialog", "Change to detail view mode"),
    qt_noop("QFileDialog", "List of places and bookmarks"),
    qt_noop("QFileDialog", "Sidebar"),
    qt_noop("QFileSystemModel", "Name"),
    qt_noop("QFileSystemModel", "Size"),
    qt_noop("QFileSystemModel", "Type"),
    qt_noop("QFileSystemModel", "Date Modified"),
    qt_noop("QFileSystemModel", "Computer"),
    qt_noop("QAbstractFileIconProvider", "Folder"),
    qt_noop("QAbstractFileIconProvider", "Drive"),
    qt_noop("QWizard", "< &Back"),
    qt_noop("QWizard", "&Next >"),
    qt_noop("QWizard", "&Finish"),
    qt_noop("QWizard", "Cancel"),
)


class CatalogTranslator(QTranslator):
    """Answers Qt's ``tr()`` calls from the Babel catalog (msgctxt = Qt's context)."""

    def translate(
        self,
        context: str,
        source_text: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        translated = i18n.pgettext(context, source_text)
        # None (a null QString) tells Qt "not translated here": it asks the next translator or
        # keeps its English text. An empty string would blank the text instead.
        return None if translated == source_text else translated

    def isEmpty(self) -> bool:
        return False


def install(application: QApplication, parent: QObject | None = None) -> CatalogTranslator:
    """Routes Qt's strings through our catalog and sets Qt's locale (dates, numbers)."""
    portuguese = i18n.language() == "pt_PT"
    QLocale.setDefault(
        QLocale(QLocale.Language.Portuguese, QLocale.Country.Portugal)
        if portuguese
        else QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    )
    translator = CatalogTranslator(parent or application)
    application.installTranslator(translator)
    return translator
