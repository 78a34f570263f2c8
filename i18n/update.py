"""Extracts the strings of app/ and ui/, updates the pt_PT catalog and compiles it.

    .venv/bin/python i18n/update.py

English is the source language. New strings arrive in balcao.po untranslated; translate them
(European Portuguese) and run this again: the tests fail while any string lacks a translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "i18n"
TEMPLATE = CATALOGS / "messages.pot"
DOMAIN = "balcao"
LANGUAGES = ("pt_PT",)
#: Beyond Babel's defaults (_, ngettext, pgettext, N_…): Qt's own strings, marked with context.
KEYWORDS = ("qt_noop:1c,2",)


def _babel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *arguments])


def extract(template: Path = TEMPLATE) -> None:
    """Writes every translatable string of app/ and ui/ to ``template`` (a .pot file)."""
    keywords = [option for keyword in KEYWORDS for option in ("-k", keyword)]
    _babel(
        "extract",
        "-F",
        str(CATALOGS / "babel.cfg"),
        *keywords,
        "--no-location",
        "--sort-output",
        "--project=Balcão",
        "--copyright-holder=Balcão",
        "-o",
        str(template),
        str(ROOT),
    )


def main() -> None:
    extract()
    for language in LANGUAGES:
        po = CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        command = "update" if po.exists() and po.stat().st_size > 200 else "init"
        _babel(
            command,
            "-i",
            str(TEMPLATE),
            "-d",
            str(CATALOGS),
            "-D",
            DOMAIN,
            "-l",
            language,
            *(["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []),
        )
    _babel("compile", "-d", str(CATALOGS), "-D", DOMAIN, "--statistics")


if __name__ == "__main__":
    main()
