"""The application icon: found in a checkout and in the bundle, drawn at every size, up to date."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

from ui import resources
from ui.resources import ICON_SIZES, application_icon, icon_name, resource_path, resources_dir

ROOT = Path(__file__).resolve().parent.parent.parent


def _render_icons() -> ModuleType:
    path = ROOT / "packaging" / "render_icons.py"
    spec = importlib.util.spec_from_file_location("render_icons", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_resources_are_beside_the_code_in_a_checkout() -> None:
    assert resources_dir() == ROOT / "resources"


def test_resources_are_inside_the_bundle_when_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


def test_a_missing_resource_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    with pytest.raises(FileNotFoundError, match=r"balcao\.svg"):
        resource_path("balcao.svg")


@pytest.mark.parametrize("size", ICON_SIZES)
def test_each_icon_png_is_drawn_at_its_size(size: int) -> None:
    image = QImage(str(resource_path(icon_name(size))))
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    # The corners are outside the rounded tile: transparent, so the icon sits on any panel.
    assert image.pixelColor(0, 0).alpha() == 0


def test_the_application_icon_offers_every_size(qapp: QApplication) -> None:
    assert application_icon().availableSizes() == [QSize(size, size) for size in ICON_SIZES]


@pytest.mark.parametrize(
    ("name", "sizes"),
    [
        ("balcao.ico", [16, 24, 32, 48, 64, 128, 256]),
        ("balcao.icns", [16, 32, 32, 64, 128, 256, 256, 512, 512, 1024]),
    ],
)
def test_windows_and_macos_icons_hold_every_size(
    qapp: QApplication, name: str, sizes: list[int]
) -> None:
    reader = QImageReader(str(resource_path(name)))
    found = []
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        found.append(reader.read().width())
    assert found == sizes


@pytest.mark.parametrize("size", ICON_SIZES)
def test_the_committed_pngs_match_the_svg(qapp: QApplication, size: int) -> None:
    """Whoever edits resources/*.svg must run packaging/render_icons.py (and commit its PNGs)."""
    render_icons = _render_icons()
    source = "balcao-16.svg" if size <= render_icons.SMALL_DRAWING_MAX else "balcao.svg"
    drawn = render_icons.render(resources.resources_dir() / source, size)
    committed = QImage(str(resource_path(icon_name(size)))).convertToFormat(drawn.format())
    # A few levels of tolerance: another Qt version may anti-alias an edge differently.
    differences = [
        abs(a - b)
        for a, b in zip(bytes(drawn.constBits()), bytes(committed.constBits()), strict=True)
    ]
    assert max(differences) <= 24
    assert sum(differences) / len(differences) < 1
