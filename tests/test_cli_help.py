"""Issue 15, point 12: every command's ``--help`` explains every argument, in Portuguese, with
Portuguese metavariables; the command and option names stay as the issues fixed them."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from app.cli import build_parser
from app.i18n import DEFAULT_LANGUAGE, set_language
from ui.main import main

#: English words that were metavariables (PATH_OR_URL, NAME_OR_ID, COMMAND, OUT.pdf, …).
ENGLISH = {
    "PATH", "OR", "URL_OR", "NAME", "ID_OR", "COMMAND", "ACTION", "WHAT", "ADDRESS", "VAR",
    "VARIABLE", "OUT", "FROM", "TO", "FILE", "YYYY", "NUMBER", "CUSTOMER", "MONTH", "HOST",
    "SERVER", "PORT", "USER", "FOLDER", "SENT_FOLDER", "PASSWORD_ENV", "CA_FILE", "SINCE", "F",
    "KIND", "TABLE", "START", "END", "OUTPUT", "REPORT", "SIZE", "PROVIDER", "ACCOUNT",
}  # fmt: skip

#: The option names scripts call (issues 1, 11, 13, 14, 15): they must not be translated.
FIXED_OPTIONS = {"--db", "--technician", "--lang", "--size", "--all", "--dry-run", "--from"}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


@pytest.fixture(autouse=True)
def portuguese() -> Iterator[None]:
    set_language(DEFAULT_LANGUAGE)
    yield
    set_language(DEFAULT_LANGUAGE)


def _all_commands() -> list[tuple[str, ...]]:
    set_language(DEFAULT_LANGUAGE)
    return [path for path, _parser in _commands(build_parser())]


@pytest.mark.parametrize("path", _all_commands(), ids=lambda path: " ".join(path) or "balcao")
def test_every_argument_of_every_command_has_help_and_a_portuguese_metavar(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*path, "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    parser = dict(_commands(build_parser()))[path]
    for action in parser._actions:
        name = "/".join(action.option_strings) or action.dest
        assert action.help, f"{' '.join(path)} {name} has no help text"
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"{' '.join(path)} {choice.dest} has no help text"
    words = set(re.findall(r"\b[A-Z][A-Z_]*\b", shown.replace("BALCAO_DB", "")))
    assert not words & ENGLISH, f"English metavariables in {' '.join(path)}: {words & ENGLISH}"


def test_the_option_names_scripts_call_are_kept() -> None:
    options = {
        option
        for _path, parser in _commands(build_parser())
        for action in parser._actions
        for option in action.option_strings
    }
    assert options >= FIXED_OPTIONS
    parser = build_parser()
    args = parser.parse_args(["statement", "--db", "x.db", "Oficina", "2026-03", "out.pdf"])
    assert (args.command_db, args.customer, args.month, args.output) == (
        "x.db",
        "Oficina",
        "2026-03",
        "out.pdf",
    )
