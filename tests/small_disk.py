"""A real full disk for the tests of failed writes: a tiny tmpfs, where the machine lets the tests
mount one (root on Linux); the tests that need it are skipped elsewhere, saying why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Small enough to fill in a moment, large enough for a previous file to sit there.
DISK_SIZE = "256k"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on a 256 KiB file system of its own, unmounted after the test."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root on Linux")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine refuses a tmpfs mount: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> None:
    """Fills the file system of ``folder`` until about ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free - leave
    with (folder / "filler").open("wb") as file:
        chunk = b"\0" * 4096
        while free > 0:
            try:
                file.write(chunk[: min(free, len(chunk))])
                file.flush()
            except OSError:
                break
            free -= len(chunk)
