"""Writing files so that a failure leaves nothing behind, and making files only their owner reads.

- ``atomic_write(path)``: the content goes to a temporary file beside ``path`` (same folder, so
  same file system), is flushed to the disk (``fsync``) and only then renamed over ``path``
  (``os.replace``, atomic). A failure half-way — a full disk, an exception in the code that
  writes — removes the temporary file: ``path`` is either the old file, untouched, or the new one
  whole; never a 0-byte or truncated file.
- ``staged_new_file(path)``: the same for a file made by someone else (SQLite): the caller fills
  a temporary path, which becomes ``path`` at the end only if nothing is there by then.
- ``create_private(path)``: a new empty file readable and writable by its owner only (0600 on
  POSIX). SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file, so a
  database created this way keeps all three private.

On Windows the modes do not apply (a user's files are private by their folder's ACL): the
functions still write atomically there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, overload

#: Owner read and write; nothing for the group and the others.
PRIVATE_MODE = 0o600
#: What ``open`` asks for a shared file; the user's umask takes away from it (0644 usually).
_SHARED_MODE = 0o666
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation on the descriptor
_POSIX = os.name == "posix"


def temporary_name(target: Path) -> Path:
    """A name beside ``target`` that no other writer picks: hidden, with the process and a random
    token, ending in ``.part`` so that a leftover says what it is."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")


def _create(path: Path, mode: int) -> int:
    """A new file opened for writing (never an existing one: ``FileExistsError``)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, mode)


def _sync_folder(folder: Path) -> None:
    """Makes a rename in ``folder`` durable (POSIX; Windows has no folder handles for this)."""
    if not _POSIX:
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems refuse fsync on a folder; the data itself is synced
        pass
    finally:
        os.close(descriptor)


@overload
def atomic_write(
    path: Path | str,
    mode: Literal["wb"] = "wb",
    *,
    encoding: None = None,
    newline: None = None,
    private: bool = False,
) -> contextlib.AbstractContextManager[IO[bytes]]: ...


@overload
def atomic_write(
    path: Path | str,
    mode: Literal["w"],
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    private: bool = False,
) -> contextlib.AbstractContextManager[IO[str]]: ...


def atomic_write(
    path: Path | str,
    mode: Literal["w", "wb"] = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    private: bool = False,
) -> contextlib.AbstractContextManager[IO[Any]]:
    """A file to write ``path`` through, whole or not at all (see the module's docstring).

    ``mode`` is ``"wb"`` or ``"w"`` (text, with ``encoding`` and ``newline`` as for ``open``).
    A new file gets the user's usual mode, or 0600 when ``private``; an existing file being
    replaced keeps its mode. ``OSError`` when the folder cannot be written.
    """
    return _atomic_write(Path(path), mode, encoding, newline, private)


@contextlib.contextmanager
def _atomic_write(
    target: Path, mode: str, encoding: str | None, newline: str | None, private: bool
) -> Iterator[IO[Any]]:
    temporary = temporary_name(target)
    descriptor = _create(temporary, PRIVATE_MODE if private else _SHARED_MODE)
    try:
        if mode == "w":
            file: IO[Any] = os.fdopen(
                descriptor, "w", encoding=encoding or "utf-8", newline=newline
            )
        else:
            file = os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _keep_mode(target: Path, temporary: Path) -> None:
    """A file replaced keeps its permissions (a private file stays private)."""
    if not _POSIX:
        return
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return
    if stat.S_ISREG(existing.st_mode):
        os.chmod(temporary, stat.S_IMODE(existing.st_mode))


def write_bytes(path: Path | str, data: bytes, *, private: bool = False) -> None:
    """Writes ``data`` to ``path`` whole or not at all (``atomic_write``)."""
    with atomic_write(path, "wb", private=private) as file:
        file.write(data)


def create_private(path: Path | str) -> bool:
    """Creates ``path`` empty, readable and writable by its owner only; True when it was made,
    False when a file was already there (left as it is)."""
    try:
        descriptor = _create(Path(path), PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def make_private(path: Path | str) -> None:
    """Takes away the group's and the others' access to ``path`` (POSIX; nothing elsewhere)."""
    if _POSIX:
        os.chmod(path, PRIVATE_MODE)


def publish_new(temporary: Path, target: Path) -> None:
    """Gives the finished file ``temporary`` its name ``target``, unless a file took that name in
    the meantime (``FileExistsError``; ``temporary`` is then left for the caller to remove)."""
    if _POSIX:
        try:
            os.link(temporary, target)  # fails if target exists: no file is ever overwritten
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (some network shares)
            if target.exists():
                taken = errno.EEXIST
                raise FileExistsError(taken, os.strerror(taken), str(target)) from None
            os.rename(temporary, target)
        else:
            temporary.unlink()
    else:
        os.rename(temporary, target)  # Windows: fails if target exists
    _sync_folder(target.parent)


@contextlib.contextmanager
def staged_new_file(target: Path | str, sidecars: tuple[str, ...] = ()) -> Iterator[Path]:
    """A temporary path for the caller to make a new file at; when the block ends without an
    error, the file there becomes ``target`` (``publish_new``). On an error, the temporary file
    and its ``sidecars`` (suffixes such as SQLite's ``-wal``, ``-shm``) are removed."""
    final = Path(target)
    temporary = temporary_name(final)
    try:
        yield temporary
        publish_new(temporary, final)
    except BaseException:
        for leftover in (temporary, *(Path(f"{temporary}{suffix}") for suffix in sidecars)):
            leftover.unlink(missing_ok=True)
        raise
