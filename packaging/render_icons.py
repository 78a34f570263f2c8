"""Renders the application icon from its SVG sources with Qt, for the desktops that want pixels.

    .venv/bin/python packaging/render_icons.py

Writes, from ``resources/balcao.svg`` (and ``resources/balcao-16.svg`` for 16 px):
- ``resources/icons/hicolor/<n>x<n>/apps/pt.webplug.Balcao.png`` for every size of
  ``ui.resources.ICON_SIZES`` (Linux desktops, and the window icon on every system);
- ``resources/balcao.ico`` (Windows: the executable's icon) and ``resources/balcao.icns`` (macOS).

The outputs are committed, so a build needs no rendering; run this after editing an SVG.
Qt's own ICO and ICNS writers store a single size, so the two containers are assembled here from
the PNGs: both formats accept PNG data for every entry (Windows Vista and Mac OS X 10.7 onwards),
which keeps Pillow out of the build.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

from ui.resources import ICON_SIZES, icon_name, resources_dir

#: Sizes under this one are drawn from the pixel-aligned small SVG.
SMALL_DRAWING_MAX = 16

#: Windows shows 16–48 px in lists and the task bar, 256 px in large views.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

#: ICNS entry types with PNG data and their pixel size (``ic11``–``ic14`` are the @2x variants).
ICNS_ENTRIES = (
    (b"icp4", 16),
    (b"ic11", 32),
    (b"icp5", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def render(svg: Path, size: int) -> QImage:
    """The drawing of ``svg`` at ``size``×``size`` px on a transparent background."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG that Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # QImageWriter rather than QImage.save: PySide6 accepts no format argument type in the
    # latter that its own stubs allow.
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"Qt could not encode a PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon holding each PNG as is: the ICONDIR header, its entries, then the data."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = [], []
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # a byte: 0 means 256
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset))
        images.append(png)
        offset += len(png)
    return header + b"".join(entries) + b"".join(images)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon: ``icns`` and its length, then each entry's type, length and PNG data."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_ENTRIES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _application = QGuiApplication([])  # QPainter wants one, alive until the end; nothing is shown
    resources = resources_dir()
    drawing, small_drawing = resources / "balcao.svg", resources / "balcao-16.svg"
    sizes = sorted({*ICON_SIZES, *ICO_SIZES, *(size for _kind, size in ICNS_ENTRIES)})
    pngs = {
        size: png_bytes(render(small_drawing if size <= SMALL_DRAWING_MAX else drawing, size))
        for size in sizes
    }
    for size in ICON_SIZES:
        target = resources / icon_name(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[size])
    (resources / "balcao.ico").write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    (resources / "balcao.icns").write_bytes(icns_bytes(pngs))
    print(f"wrote {len(ICON_SIZES)} PNGs, balcao.ico and balcao.icns in {resources}")


if __name__ == "__main__":
    main()
