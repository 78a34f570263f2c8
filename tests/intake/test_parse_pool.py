"""Parsing in a worker process gives what parsing in the thread gives, and a worker that dies,
cannot start or never answers costs no message (issue 11)."""

from __future__ import annotations

import base64
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from app import worker_process
from app.intake.parse import parse_message
from app.intake.parse_pool import ParsePool
from tests.intake.test_parse import PLAIN, message


def _hostile() -> list[bytes]:
    deep = b"From: a@cliente.pt\r\nMessage-ID: <deep@x>\r\n"
    for level in range(300):
        deep += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    attached = EmailMessage()
    attached["From"] = "Maria <maria@cliente.pt>"
    attached["Subject"] = "=?utf-8?q?Fatura_em_anexo?="
    attached.set_content("segue em anexo")
    attached.add_attachment(os.urandom(300_000), maintype="application", subtype="pdf",
                            filename="fatura.pdf")  # fmt: skip
    return [
        PLAIN,
        deep,
        attached.as_bytes(),
        b"",
        b"no headers at all",
        b"\xff\xfe\x00\x00" * 100,
        message(b"From: a@cliente.pt", b"Content-Type: multipart/mixed; boundary=NEVER"),
        message(
            b"From: =?x-unknown?b?SGVsbG8=?= <\xe9@cliente.pt>",
            b"Subject: Ol\xe1 \xc3\xa9",
            b"Content-Type: text/html; charset=bogus",
            body=b"<p>Ol\xe1<script>x</script><img alt='logo' src='http://x/y'></p>",
        ),
        message(
            b"From: a@b.pt",
            b"Content-Type: text/plain; charset=utf-8",
            b"Content-Transfer-Encoding: base64",
            body=base64.encodebytes("Olá".encode()) + b"!!!!",
        ),
        message(b"From: a@b.pt", b"Message-ID: <no-date@x>", b"Date: yesterday"),
    ]


@pytest.fixture
def pool() -> Iterator[ParsePool]:
    made = ParsePool()
    yield made
    made.close()


def _worker_pids(pool: ParsePool) -> list[int]:
    executor = pool._executor
    assert executor is not None
    return [process.pid for process in (executor._processes or {}).values() if process.pid]


def test_the_worker_parses_hostile_mail_as_the_thread_does(pool: ParsePool) -> None:
    for raw in _hostile():
        assert pool.parse(raw) == parse_message(raw)
    assert pool.parse(PLAIN, truncated=True) == parse_message(PLAIN, truncated=True)
    assert (pool.started, pool.faults) == (1, 0)  # one worker did all of it


def test_a_dead_worker_costs_no_message_and_is_started_again(
    pool: ParsePool, caplog: pytest.LogCaptureFixture
) -> None:
    assert pool.parse(PLAIN) == parse_message(PLAIN)
    for pid in _worker_pids(pool):
        os.kill(pid, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger=worker_process.__name__):
        assert pool.parse(PLAIN) == parse_message(PLAIN)  # parsed in the thread
    assert pool.faults == 1
    assert "failed" in caplog.text and "started again" in caplog.text
    assert pool.parse(PLAIN) == parse_message(PLAIN)
    assert pool.started == 2  # a new worker for the next message


def test_after_too_many_faults_the_thread_parses_everything(pool: ParsePool) -> None:
    pool.max_restarts = 0
    pool.parse(PLAIN)
    for pid in _worker_pids(pool):
        os.kill(pid, signal.SIGKILL)
    for raw in _hostile()[:3]:
        assert pool.parse(raw) == parse_message(raw)
    assert (pool.started, pool.faults, pool._executor) == (1, 1, None)


def test_a_worker_that_cannot_start_costs_no_message(
    pool: ParsePool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refused(_preload: object) -> object:
        raise OSError("no processes left")

    monkeypatch.setattr(worker_process, "start_context", refused)
    with caplog.at_level(logging.WARNING, logger=worker_process.__name__):
        assert pool.parse(PLAIN) == parse_message(PLAIN)
    assert "could not start" in caplog.text
    assert pool.faults == 1


def test_a_stuck_worker_is_ended_and_the_thread_parses(pool: ParsePool) -> None:
    pool.parse(PLAIN)
    for pid in _worker_pids(pool):
        os.kill(pid, signal.SIGSTOP)  # alive, never answering
    pool.timeout = 0.5
    assert pool.parse(PLAIN) == parse_message(PLAIN)
    assert pool.faults == 1 and pool._executor is None


def test_the_worker_ends_with_the_program_even_after_kill_9() -> None:
    # A fetch-mail killed in the middle (P28's test) must not leave its worker behind.
    program = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from app.intake.parse_pool import pool; from tests.intake.test_parse_pool import "
            "PLAIN; pool.parse(PLAIN); import os; "
            "print(*[p.pid for p in pool._executor._processes.values()], flush=True); "
            "import time; time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert program.stdout is not None
    (worker,) = map(int, program.stdout.readline().split())
    os.kill(worker, 0)  # alive
    program.kill()
    program.wait()
    program.stdout.close()
    for _attempt in range(600):  # it notices within milliseconds; a loaded machine is slower
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("the worker outlived the program")
