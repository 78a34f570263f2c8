"""DESIGN.md's layers: app/ never imports Qt; the domain touches no database and no clock."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offenders(folder: Path, banned: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path}: {name}"
        for path, names in _imports(folder).items()
        for name in names
        if name.split(".")[0] in banned or name in banned
    )


def test_app_never_imports_qt() -> None:
    assert _offenders(ROOT / "app", ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")) == []


def test_domain_has_no_database_and_no_clock() -> None:
    assert (
        _offenders(ROOT / "app" / "domain", ("peewee", "playhouse", "app.store", "app.clock")) == []
    )
