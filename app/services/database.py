"""The database as the window asks about it: which one to open, opening it (with its password),
testing another one, and describing the one in use. The window never touches the store itself.

These are not use cases on a ``Desk``: they come before one (the start) or look at a database
beside the one in use (the connection test in Definições → Database).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from app.clock import Clock
from app.credentials import AskPassword, complete, open_with_password, save_password, split_password
from app.errors import KnownError
from app.i18n import _
from app.store.database import (
    LOCATION_VARIABLE,
    connect_database,
    current_database,
    default_location,
    describe_location,
    execute_sql,
    is_sqlite,
    resolve_location,
)
from app.store.errors import DatabaseOpenError

__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "LOCATION_VARIABLE",
    "KeptAddress",
    "Probe",
    "default_location",
    "describe_location",
    "describe_open_database",
    "keep_address",
    "open_location",
    "probe_location",
    "resolve_location",
]

#: A server that does not answer must not freeze the test for minutes.
CONNECT_TIMEOUT_SECONDS = 5
_POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_location(location: str | None, *, clock: Clock, ask: AskPassword) -> str:
    """Opens the database to use (``location``, else ``$BALCAO_DB``, else the default file),
    brings its schema up to date, and returns the location opened (with the password that
    worked). The password is the one written in the address, else the one kept for it, else
    ``ask``'s (``app.credentials.open_with_password``). Raises ``DatabaseOpenError``."""
    return open_with_password(resolve_location(location), clock=clock, ask=ask)


def describe_open_database() -> str:
    """A description of the open database, for a window that was not told its location: the
    file, or the server's address without a password."""
    database = current_database()
    if is_sqlite(database):
        return str(database.database)
    params = database.connect_params
    host = params.get("host", "")
    port = params.get("port")
    server = f"{host}:{port}" if port else host
    user = params.get("user")
    return f"postgresql://{user + '@' if user else ''}{server}/{database.database}"


@dataclass(frozen=True)
class Probe:
    """What testing a location found: whether it can be used, and a sentence saying so."""

    ok: bool
    message: str


def _with_timeout(location: str) -> str:
    try:
        parsed = urlparse(location)
    except ValueError:  # "[::1": connect_database says what is wrong with it
        return location
    if parsed.scheme not in _POSTGRES_SCHEMES:
        return location
    query = parse_qsl(parsed.query, keep_blank_values=True)
    if any(key == "connect_timeout" for key, _value in query):
        return location
    query.append(("connect_timeout", str(CONNECT_TIMEOUT_SECONDS)))
    return urlunparse(parsed._replace(query=urlencode(query)))


def _sqlite_file_problem(path: Path, shown: str) -> Probe | None:
    """The answer for a SQLite location that is not an existing file; None for a file to open."""
    if str(path) == ":memory:":
        return Probe(False, _("A database in memory is lost when Balcão closes: give a file."))
    if path.exists():
        return None
    if not os.access(path.parent, os.W_OK):
        return Probe(
            False,
            _("Balcão cannot create files in the folder {folder}.").format(folder=path.parent),
        )
    return Probe(
        True,
        _(
            "There is no database at {location} yet: Balcão will create an empty one "
            "there at the next start."
        ).format(location=shown),
    )


def probe_location(location: str) -> Probe:
    """Connects to ``location`` on a connection of its own, runs a trivial query and closes it:
    the database in use stays open and bound. A SQLite file that does not exist yet is not
    created: the folder only must let Balcão create it at the next start."""
    # An address typed without its password (as the settings show it) uses the one kept for it.
    typed = complete(location.strip())
    if not typed:
        return Probe(False, _("Write the path of a database file or a postgresql:// address."))
    shown = describe_location(typed)
    try:
        candidate = connect_database(_with_timeout(typed))
    except DatabaseOpenError as error:
        return Probe(False, str(error))
    if is_sqlite(candidate):
        refused = _sqlite_file_problem(Path(str(candidate.database)), shown)
        if refused is not None:
            return refused
    try:
        candidate.connect()
        execute_sql("SELECT 1", database=candidate)
    except KnownError as error:  # unreachable, damaged, busy…: already in the user's words
        return Probe(False, str(error))
    except Exception as error:  # peewee's and the drivers' own classes, in their words
        return Probe(
            False,
            _("Cannot connect to {location}: {detail}").format(
                location=shown, detail=" ".join(str(error).split())
            ),
        )
    finally:
        candidate.close()
    return Probe(True, _("Connected to {location}.").format(location=shown))


@dataclass(frozen=True)
class KeptAddress:
    """A location to keep for the next start: ``address`` without its password, and where the
    password went (``None``: there was none; True: the keyring; False: this process's memory,
    the computer having no keyring)."""

    address: str
    in_keyring: bool | None


def keep_address(location: str) -> KeptAddress:
    """Takes the password out of ``location`` and keeps it (the keyring, else memory); the
    address returned is what the computer's settings may hold."""
    address, password = split_password(location.strip())
    if password is None:
        return KeptAddress(address, None)
    return KeptAddress(address, save_password(address, password))
