"""DESIGN.md's layers: app/ never imports Qt; the domain touches no database and no clock; the
window (ui/) reaches the database only through the services, never the store nor peewee."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What ui/ may not import: the records and the database library under them.
STORE = ("app.store", "peewee", "playhouse")
#: Modules of ui/ allowed to import the store anyway, with the reason. None: the start-up (the
#: composition root, ``ui/app.py``) opens the database through ``app.services.database``.
UI_REACHES_THE_STORE: dict[str, str] = {}


def _names(source: str) -> set[str]:
    """Every module an import in ``source`` names, in any form: ``import a.b`` gives ``a.b``;
    ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a module: ``from app import
    store``). Imports inside functions count too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _imports(folder: Path) -> dict[str, set[str]]:
    return {
        str(path.relative_to(ROOT)): _names(path.read_text(encoding="utf-8"))
        for path in folder.rglob("*.py")
    }


def _banned(name: str, banned: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in banned)


def _offenders(folder: Path, banned: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path}: {name}"
        for path, names in _imports(folder).items()
        for name in names
        if _banned(name, banned)
    )


def test_app_never_imports_qt() -> None:
    assert _offenders(ROOT / "app", ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")) == []


def test_domain_has_no_database_and_no_clock() -> None:
    assert (
        _offenders(ROOT / "app" / "domain", ("peewee", "playhouse", "app.store", "app.clock")) == []
    )


def test_the_window_never_reaches_into_the_store() -> None:
    offenders = [
        found
        for found in _offenders(ROOT / "ui", STORE)
        if found.partition(":")[0] not in UI_REACHES_THE_STORE
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "import app.store.models",
        "import peewee",
        "from app.store import database",
        "from app.store.enums import ContactState",
        "from app import store",
        "from playhouse.db_url import connect",
        "def later():\n    from app.store.database import current_database",
    ],
)
def test_every_form_of_a_store_import_is_seen(source: str) -> None:
    assert any(_banned(name, STORE) for name in _names(source))


@pytest.mark.parametrize(
    "source",
    [
        "from app.services import database",
        "from app.services.database import probe_location",
        "from app.domain.states import ContactState",
        "import app.storehouse",
    ],
)
def test_services_and_the_domain_are_not_the_store(source: str) -> None:
    assert not any(_banned(name, STORE) for name in _names(source))
