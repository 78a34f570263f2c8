"""A PostgreSQL server of the test's own, to stop and start: ``.ci/postgres`` on a new folder and
a free port, so that restarting it cannot disturb a server other tests or other people use."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "postgres"


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    folder: str
    port: int
    url: str = ""

    def _run(self, command: str) -> subprocess.CompletedProcess[str]:
        environment = os.environ | {"BALCAO_PG_DIR": self.folder, "BALCAO_PG_PORT": str(self.port)}
        return subprocess.run(
            ["bash", str(SCRIPT), command],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def start(self) -> str:
        done = self._run("start")
        if done.returncode != 0:
            raise RuntimeError(f"the test server did not start: {done.stderr.strip()}")
        self.url = done.stdout.strip()
        return self.url

    def stop(self) -> None:
        self._run("stop")


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """A new PostgreSQL server (skips the test where PostgreSQL is not installed)."""
    if not SCRIPT.exists() or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("PostgreSQL is not installed on this machine")
    # Not under pytest's tmp_path: the server runs as `postgres`, which cannot enter root's.
    folder = tempfile.mkdtemp(prefix="balcao-pg-restart-")
    cluster = Cluster(folder, _free_port())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
