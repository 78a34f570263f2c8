"""Files of the top-level ``resources/`` folder: the application icon and other artwork.

``resources/`` holds no code, so it is a plain folder rather than a package, and it is found the
way ``app.i18n.catalog_dir`` finds ``i18n/`` (``app.bundle.data_folder``):

- in a checkout, and in the editable install (``pip install -e .``) that serves it: beside
  ``ui/``, since that install imports ``ui`` from the checkout itself;
- frozen by PyInstaller: ``sys._MEIPASS/resources``, where ``packaging/balcao.spec`` puts it.

A regular (non-editable) wheel would not carry the folder; Balcão ships as the PyInstaller bundle.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from app.bundle import data_folder
from app.i18n import _

#: The reverse-DNS name of the .desktop file, the AppStream id and the icon's theme name.
APPLICATION_ID = "pt.webplug.Balcao"

#: The sizes (px) the application icon is drawn at; ``packaging/render_icons.py`` renders them.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resources_dir() -> Path:
    """The ``resources`` folder: beside the code in a checkout, inside the bundle when frozen."""
    return data_folder("resources")


def resource_path(name: str) -> Path:
    """The file ``name`` (a path relative to ``resources/``, with ``/``) that must exist."""
    path = resources_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            _("A file of the program is missing: {path}. Reinstall Balcão.").format(path=path)
        )
    return path


def icon_name(size: int) -> str:
    """The application icon's PNG at ``size`` px, relative to ``resources/`` (hicolor layout)."""
    return f"icons/hicolor/{size}x{size}/apps/{APPLICATION_ID}.png"


def application_icon() -> QIcon:
    """The application icon at every drawn size, for the windows and the task bar."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path(icon_name(size))), QSize(size, size))
    return icon


def view_icon(name: str) -> QIcon:
    """The navigation icon of a view (``contacts``, ``customers``, ``sessions``…), an SVG."""
    return QIcon(str(resource_path(f"icons/views/{name}.svg")))


def status_icon(name: str) -> QIcon:
    """An icon of the status bar (``timer-running``, ``timer-paused``), an SVG: no font has to
    carry a glyph such as ⏱ or ⏸ (issue 15: they showed as empty boxes)."""
    return QIcon(str(resource_path(f"icons/status/{name}.svg")))
