"""The PostgreSQL password: never in a file Balcão writes.

A database address is kept and shown without its password (``split_password``); the password
goes to the system keyring (``keyring``: the Secret Service on Linux, the Keychain on macOS, the
Credential Manager on Windows), under the service ``Balcao`` and the password-free address. Where
the computer has no usable keyring (``keyring.backends.fail.Keyring``, a plain-text or null
backend, a locked or broken one), the password is kept in this process's memory only, and the
window asks for it at the next start.

``open_with_password`` opens an address the way the window does: the password typed in the
address, else the one kept for it; when the server asks for a password, ``ask`` gets it from the
user. Nothing here logs a password, nor an address that holds one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

import keyring
import keyring.backends.fail
import keyring.errors

from app.clock import Clock

log = logging.getLogger(__name__)

#: The keyring's service name; the "user name" under it is the password-free address.
SERVICE = "Balcao"
_POSTGRES_SCHEMES = ("postgresql", "postgres")
#: keyring's own scale: backends below 1 are not recommended (keyrings.alt's files, null, fail).
_LEAST_PRIORITY = 1
# Parsed by hand rather than with urllib: a malformed address (``[::1``, a bad port) must still
# lose its password before it is kept or shown anywhere.
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<rest>.*)", re.S)

#: Passwords known to this process, by password-free address: those typed, asked or read.
_memory: dict[str, str] = {}


@dataclass(frozen=True)
class _Parts:
    scheme: str
    user: str | None  # as written (percent-encoded)
    password: str | None  # decoded
    host: str
    path: str
    query: list[str]  # the ``k=v`` items, as written, without ``password``
    fragment: str

    def address(self, password: str | None = None) -> str:
        netloc = self.host
        if self.user is not None or password is not None:
            secret = "" if password is None else ":" + quote(password, safe="")
            netloc = f"{self.user or ''}{secret}@{self.host}"
        query = "?" + "&".join(self.query) if self.query else ""
        return f"{self.scheme}://{netloc}{self.path}{query}{self.fragment}"


def _parts(location: str) -> _Parts | None:
    """A PostgreSQL address in parts; None for anything else (a file path, a sqlite:// URL)."""
    found = _URL.fullmatch(location.strip())
    if found is None or found["scheme"].lower() not in _POSTGRES_SCHEMES:
        return None
    user: str | None = None
    password: str | None = None
    userinfo, at, host = found["netloc"].rpartition("@")
    if at:
        user, colon, secret = userinfo.partition(":")
        if colon:
            password = unquote(secret)
    rest, hash_, fragment = found["rest"].partition("#")
    path, _question, query = rest.partition("?")
    items: list[str] = []
    for item in query.split("&") if query else []:
        key, _equals, value = item.partition("=")
        if unquote(key) == "password":
            password = password if password is not None else unquote(value.replace("+", " "))
        else:
            items.append(item)
    return _Parts(found["scheme"], user, password, host, path, items, hash_ + fragment)


def is_postgres(location: str) -> bool:
    return _parts(location) is not None


def split_password(location: str) -> tuple[str, str | None]:
    """The address without its password (in the user part or a ``password=`` parameter), and the
    password; other locations as they are, with None."""
    parts = _parts(location)
    if parts is None:
        return location, None
    return parts.address(), parts.password


def without_password(location: str) -> str:
    """The address as it may be kept, shown and used as a key: no password in it."""
    return split_password(location)[0]


def with_password(location: str, password: str | None) -> str:
    """The PostgreSQL ``location`` carrying ``password`` (encoded for a URL); any other location,
    or no password, as it is."""
    parts = _parts(location)
    if parts is None or password is None:
        return location
    return parts.address(password)


# --- where passwords are kept -----------------------------------------------------------------


def keyring_usable() -> bool:
    """Whether the system keyring can keep a password (a real backend, not a file nor a stub)."""
    try:
        backend = keyring.get_keyring()
        priority = float(backend.priority)
    except Exception:  # a backend that fails to load is no keyring
        log.warning("the system keyring cannot be used", exc_info=True)
        return False
    return not isinstance(backend, keyring.backends.fail.Keyring) and priority >= _LEAST_PRIORITY


def saved_password(location: str) -> str | None:
    """The password kept for ``location`` (by its password-free address): in memory, else in the
    keyring."""
    address = without_password(location)
    if address in _memory:
        return _memory[address]
    if not keyring_usable():
        return None
    try:
        found = keyring.get_password(SERVICE, address)
    except Exception:  # keyring.errors.KeyringError, or the backend's own (D-Bus…)
        log.warning("the system keyring did not answer for %s", address, exc_info=True)
        return None
    if found is not None:
        _memory[address] = found
    return found


def save_password(location: str, password: str) -> bool:
    """Keeps ``password`` for ``location``: in the keyring when there is one (True), else in
    this process's memory only (False)."""
    address = without_password(location)
    _memory[address] = password
    if not keyring_usable():
        return False
    try:
        keyring.set_password(SERVICE, address, password)
    except Exception:
        log.warning("the system keyring refused the password for %s", address, exc_info=True)
        return False
    return True


def forget_password(location: str) -> None:
    """Forgets the password of ``location``, in memory and in the keyring."""
    address = without_password(location)
    _memory.pop(address, None)
    if not keyring_usable():
        return
    try:
        keyring.delete_password(SERVICE, address)
    except keyring.errors.PasswordDeleteError:
        pass  # there was none
    except Exception:
        log.warning("the system keyring did not forget the password for %s", address, exc_info=True)


def complete(location: str) -> str:
    """``location`` with its password: the one written in it, else the one kept for it."""
    address, typed = split_password(location)
    if typed is not None or not is_postgres(location):
        return location
    return with_password(address, saved_password(address))


# --- opening ----------------------------------------------------------------------------------

#: Asked for a password: the password-free address and why (the server's refusal); the password
#: typed, or None when the user gives up.
AskPassword = Callable[[str, str], str | None]


def _password_refused(error: BaseException) -> bool:
    """Whether opening failed for want of the right password. libpq gives no error code for a
    refused connection, only its message ("no password supplied", "password authentication
    failed for user …")."""
    seen: BaseException | None = error
    while seen is not None:
        if "password" in str(seen).lower():
            return True
        seen = seen.__cause__
    return False


def open_with_password(location: str, *, clock: Clock, ask: AskPassword) -> str:
    """Opens ``location`` (``app.store.database.open_database``) and returns the location opened.

    For PostgreSQL: the password written in ``location``, else the one kept for its address;
    when the server refuses for want of a password, ``ask`` is called (with the reason) until one
    works or it returns None (the last ``DatabaseOpenError`` is raised then). A password typed in
    ``location`` is kept in memory only; one typed into ``ask`` goes to the keyring too.
    """
    from app.store.database import open_database
    from app.store.errors import DatabaseOpenError

    address, given = split_password(location)
    if not is_postgres(location):
        open_database(location, clock=clock)
        return location
    password = given if given is not None else saved_password(address)
    asked = False
    while True:
        attempt = with_password(address, password)
        try:
            open_database(attempt, clock=clock)
        except DatabaseOpenError as error:
            if not _password_refused(error):
                raise
            typed = ask(address, str(error))
            if typed is None:
                raise
            password, asked = typed, True
            continue
        if password is not None:
            if asked:
                save_password(address, password)
            else:
                _memory[address] = password
        return attempt
