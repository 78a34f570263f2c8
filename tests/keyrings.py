"""Keyrings for the tests: one in memory that works, and the "no keyring" of this machine."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from app import credentials


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict, as the system's would in its vault."""

    priority = 1  # type: ignore[assignment]  # a real backend's rank (the base computes it)

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A working keyring, and nothing remembered in this process's memory."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    credentials._memory.clear()
    yield backend
    keyring.set_keyring(previous)
    credentials._memory.clear()


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No usable keyring (``keyring.backends.fail.Keyring``, this machine's), nothing remembered."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    credentials._memory.clear()
    yield
    keyring.set_keyring(previous)
    credentials._memory.clear()
