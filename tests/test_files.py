"""``app.files``: a file is written whole or not at all, and private files are the owner's only."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from app import files
from tests.small_disk import fill, small_disk

__all__ = ["small_disk"]

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    with files.atomic_write(target, "w", encoding="utf-8", newline="") as file:
        file.write("olá\r\n")
    assert target.read_bytes() == "olá\r\n".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_an_error_while_writing_leaves_the_old_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"the previous one")
    with pytest.raises(RuntimeError), files.atomic_write(target) as file:
        file.write(b"half of the new one")
        raise RuntimeError("the writer broke")
    assert target.read_bytes() == b"the previous one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]  # no temporary file left


def test_an_error_while_writing_a_new_file_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError), files.atomic_write(tmp_path / "new.csv") as file:
        file.write(b"x")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_leaves_the_old_file_and_nothing_else(small_disk: Path) -> None:
    target = small_disk / "fatura.pdf"
    target.write_bytes(b"%PDF the previous one")
    fill(small_disk, leave=8 * 1024)
    with pytest.raises(OSError) as refused:
        files.write_bytes(target, b"%PDF" + b"x" * 64 * 1024)
    assert refused.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"%PDF the previous one"
    assert sorted(p.name for p in small_disk.iterdir()) == ["fatura.pdf", "filler"]


@posix_only
def test_new_files_get_the_usual_mode_or_the_private_one(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        files.write_bytes(tmp_path / "shared", b"x")
        files.write_bytes(tmp_path / "private", b"x", private=True)
    finally:
        os.umask(previous)
    assert mode(tmp_path / "shared") == 0o644
    assert mode(tmp_path / "private") == 0o600


@posix_only
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "kept"
    target.write_bytes(b"old")
    target.chmod(0o600)
    files.write_bytes(target, b"new")
    assert (target.read_bytes(), mode(target)) == (b"new", 0o600)


@posix_only
def test_create_private_makes_an_owner_only_file_and_leaves_an_existing_one(
    tmp_path: Path,
) -> None:
    target = tmp_path / "db.sqlite"
    assert files.create_private(target) is True
    assert (target.read_bytes(), mode(target)) == (b"", 0o600)
    target.write_bytes(b"data")
    target.chmod(0o640)
    assert files.create_private(target) is False
    assert (target.read_bytes(), mode(target)) == (b"data", 0o640)


def test_a_staged_file_takes_its_name_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite"
    with files.staged_new_file(target, sidecars=("-wal",)) as temporary:
        assert temporary.parent == tmp_path and temporary != target
        temporary.write_bytes(b"complete")
        assert not target.exists()
    assert target.read_bytes() == b"complete"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]


def test_a_failed_staged_file_leaves_nothing_not_even_its_sidecars(tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError),
        files.staged_new_file(tmp_path / "demo.sqlite", sidecars=("-wal", "-shm")) as temporary,
    ):
        temporary.write_bytes(b"half")
        Path(f"{temporary}-wal").write_bytes(b"log")
        Path(f"{temporary}-shm").write_bytes(b"index")
        raise RuntimeError("the demo broke")
    assert list(tmp_path.iterdir()) == []


def test_a_staged_file_never_replaces_one_made_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite"
    with pytest.raises(FileExistsError), files.staged_new_file(target) as temporary:
        temporary.write_bytes(b"demo")
        target.write_bytes(b"someone else's")
    assert target.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]
