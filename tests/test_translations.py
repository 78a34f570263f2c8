"""Every string of app/ and ui/ has a European Portuguese translation with the same fields."""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "i18n" / "pt_PT" / "LC_MESSAGES" / "balcao.po"

#: Brazilian words a pt_PT catalog must not use (with their European forms in the comment).
BRAZILIAN = {
    "arquivo": "ficheiro",
    "usuário": "utilizador",
    "tela": "ecrã",
    "salvar": "guardar",
    "excluir": "eliminar",
    "deletar": "eliminar",
    "celular": "telemóvel",
    "contato": "contacto",
    "contatos": "contactos",
    "cadastro": "registo",
    "cadastrar": "registar",
    "registrar": "registar",
    "ônibus": "autocarro",
    "equipe": "equipa",
    "planilha": "folha de cálculo",
    "fatura eletrônica": "fatura eletrónica",
    "baixar": "transferir",
    "mouse": "rato",
    "time": "equipa",
    "senha": "palavra-passe",
}


def _load_update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_update", ROOT / "i18n" / "update.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    template = tmp_path_factory.mktemp("i18n") / "messages.pot"
    _load_update_script().extract(template)
    with template.open("rb") as pot:
        return read_po(pot)


@pytest.fixture(scope="module")
def translations() -> Catalog:
    with PO.open("rb") as po:
        return read_po(po, locale="pt_PT")


def _strings(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _fields(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<malformed>"}


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def test_every_string_has_a_translation(source_messages: Catalog, translations: Catalog) -> None:
    missing = []
    for message in _messages(source_messages):
        translated = translations.get(message.id, message.context)
        if translated is None or not all(_strings(translated.string)):
            missing.append(message.id)
        elif translated.fuzzy:
            missing.append(f"(fuzzy) {message.id}")
    assert not missing, "untranslated in pt_PT (run i18n/update.py and translate):\n" + "\n".join(
        str(m) for m in missing
    )


def test_placeholders_match_the_original(translations: Catalog) -> None:
    wrong = []
    for message in _messages(translations):
        expected = set().union(*(_fields(text) for text in _strings(message.id)))
        for text in _strings(message.string):
            if text and _fields(text) != expected:
                wrong.append(f"{message.id!r} → {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_no_brazilian_words(translations: Catalog) -> None:
    found = []
    for message in _messages(translations):
        for text in _strings(message.string):
            words = re.sub(r"\{[^}]*\}", "", text.lower())  # placeholders are not words
            for brazilian, european in BRAZILIAN.items():
                if re.search(rf"\b{brazilian}\b", words):
                    found.append(f"{text!r}: {brazilian} → {european}")
    assert not found, "pt_BR words in the pt_PT catalog:\n" + "\n".join(sorted(set(found)))


def test_a_fresh_checkout_speaks_portuguese() -> None:
    from app import i18n

    assert i18n.language() == "pt_PT"
    assert i18n._("A duration cannot be negative.") != "A duration cannot be negative."


def test_no_translation_inside_an_f_string() -> None:
    # Babel cannot see a call inside an f-string: its text would never reach the catalog.
    import ast

    keywords = {"_", "ngettext", "pgettext", "N_", "qt_noop"}
    hidden = []
    for folder in ("app", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Name)
                        and call.func.id in keywords
                    ):
                        hidden.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert hidden == [], "translate outside the f-string:\n" + "\n".join(hidden)


#: A rule's code ("P18") is for the code and its tests, not for the people at the desk.
RULE_CODE = re.compile(r"\(P\d+[a-z]?\)|\bP\d+[a-z]?\b")


def test_no_rule_code_is_shown_to_users(source_messages: Catalog, translations: Catalog) -> None:
    shown = [
        text
        for catalog in (source_messages, translations)
        for message in _messages(catalog)
        for text in (*_strings(message.id), *_strings(message.string))
        if RULE_CODE.search(text)
    ]
    assert shown == [], "rule codes in user-facing strings:\n" + "\n".join(shown)


#: A count followed by what it counts, in a string that is not plural ("1 h gratuitas"): it must
#: go through ngettext. These count what is never one (thousands, a page of fifty).
COUNTED = re.compile(
    r"\{\w+\} (?:h free|h of|free hours?|hours?|days?|sessions?|messages?|tries|customers?|"
    r"contacts?|invoices?|movements?|documents?|entries|rows?|months?|weeks?)\b"
)
NEVER_ONE = {
    "The first {count} customers: type more to narrow the search.",
    "{count} customers…",
}


def test_counts_shown_to_users_go_through_ngettext(source_messages: Catalog) -> None:
    singular_only = [
        message.id
        for message in _messages(source_messages)
        if isinstance(message.id, str)
        and message.id not in NEVER_ONE
        and not message.id.startswith("Demo data written")  # the demo's totals: never one
        and COUNTED.search(message.id)
    ]
    assert singular_only == [], "use ngettext for:\n" + "\n".join(singular_only)
