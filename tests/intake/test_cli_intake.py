"""The intake's commands (issue 11), and its faults across processes: ``kill -9`` in the middle
of a fetch, two processes fetching one mailbox at once. Each message is taken exactly once (P28).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from imapclient import IMAPClient

from app.clock import ManualClock
from app.store.database import close_database, open_database
from app.store.models import Contact, MailMessage, Technician
from tests.intake.conftest import Dovecot, append
from ui.main import main

ROOT = Path(__file__).resolve().parents[2]
MONDAY_10H = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
VARIABLE = "BALCAO_TEST_CLI_IMAP_PASSWORD"
_PYTHON_MAIN = (sys.executable, "-c", "import sys; from ui.main import main; sys.exit(main())")


@pytest.fixture
def location(db_location: str) -> Iterator[str]:
    """A database with an administrator, Marta, and the company's addresses."""
    if "://" not in db_location:
        Path(db_location).parent.mkdir(parents=True, exist_ok=True)
    open_database(db_location, clock=ManualClock(MONDAY_10H))
    Technician.create(name="Marta", is_admin=True, created_at=MONDAY_10H)
    Technician.create(name="Rui", created_at=MONDAY_10H)
    close_database()
    for address, kind in (("suporte@empresa.pt", "email"), ("rui@empresa.pt", "team")):
        assert (
            main(["address", "add", "--db", db_location, "--technician", "Marta", address, kind])
            == 0
        )
    yield db_location
    close_database()


@pytest.fixture
def monkeypatch_password(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, dovecot.password)


def _add_mailbox(location: str, dovecot: Dovecot, folder: str, *extra: str) -> int:
    return main(
        [
            "mailbox",
            "add",
            "--db",
            location,
            "--technician",
            "Marta",
            "geral",
            "--host",
            dovecot.host,
            "--port",
            str(dovecot.tls_port),
            "--security",
            "ssl",
            "--user",
            "suporte",
            "--password-env",
            VARIABLE,
            "--ca-file",
            str(dovecot.ca_file),
            "--folder",
            folder,
            "--sent-folder",
            "",
            *extra,
        ]
    )


def _message(number: int) -> bytes:
    return (
        f"From: cliente{number % 7}@cliente.pt\r\nTo: suporte@empresa.pt\r\n"
        f"Subject: Pedido {number}\r\nMessage-ID: <{number}.{uuid.uuid4().hex}@cliente.pt>\r\n"
        f"\r\n{'Texto. ' * 300}\r\n"
    ).encode()


def _fill(writer: IMAPClient, folder: str, count: int) -> None:
    for number in range(count):
        append(writer, folder, _message(number), MONDAY_10H + timedelta(seconds=number))


def _fetch_process(location: str, password: str) -> subprocess.Popen[str]:
    env = os.environ | {VARIABLE: password, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [*_PYTHON_MAIN, "fetch-mail", "--db", location],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _counts(location: str) -> tuple[int, int, int]:
    open_database(location, clock=ManualClock(MONDAY_10H))
    try:
        taken = MailMessage.select().count()
        single = MailMessage.select(MailMessage.incoming_message_id).distinct().count()
        return taken, single, Contact.select().count()
    finally:
        close_database()


def test_mailbox_and_address_need_an_administrator(
    location: str, dovecot: Dovecot, folder: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["address", "add", "--db", location, "x@empresa.pt", "team"]) == 1
    assert "--technician" in capsys.readouterr().err
    assert (
        main(["address", "add", "--db", location, "--technician", "Rui", "x@empresa.pt", "team"])
        == 1
    )
    assert "administrador" in capsys.readouterr().err
    assert main(["address", "list", "--db", location, "--technician", "Marta"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "suporte@empresa.pt\temail",
        "rui@empresa.pt\tteam",
    ]


def test_mailbox_add_refuses_clear_text_to_another_host(
    location: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, "x")
    code = main(
        [
            "mailbox",
            "add",
            "--db",
            location,
            "--technician",
            "Marta",
            "fora",
            "--host",
            "mail.example.com",
            "--port",
            "143",
            "--security",
            "none",
            "--user",
            "u",
            "--password-env",
            VARIABLE,
        ]
    )
    assert code == 1
    assert "sem cifra" in capsys.readouterr().err


@pytest.mark.usefixtures("monkeypatch_password")
def test_fetch_mail_and_the_nine_columns_of_contacts(
    location: str,
    dovecot: Dovecot,
    folder: str,
    writer: IMAPClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _add_mailbox(location, dovecot, folder) == 0
    append(writer, folder, _message(1), MONDAY_10H)
    capsys.readouterr()

    assert main(["fetch-mail", "--db", location]) == 0
    assert capsys.readouterr().out.startswith("geral: 1 ")
    assert main(["contacts", "--db", location, "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert lines[0].split("\t") == [
        "id",
        "received",
        "channel",
        "sender",
        "customer",
        "state",
        "reason",
        "due",
        "first_response",
    ]
    (row,) = (line.split("\t") for line in lines[1:])
    assert row[1:] == [
        "2026-03-09T10:00:00Z",
        "email",
        "cliente1@cliente.pt",
        "",
        "open",
        "no_plan",
        "2026-03-11T18:00:00Z",  # P8's indicative target: close of the second business day
        "",
    ]


def test_fetch_mail_exits_1_when_a_mailbox_fails(
    location: str,
    dovecot: Dovecot,
    folder: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(VARIABLE, dovecot.password)
    assert _add_mailbox(location, dovecot, folder) == 0
    monkeypatch.setenv(VARIABLE, "wrong")
    capsys.readouterr()
    assert main(["fetch-mail", "--db", location]) == 1
    err = capsys.readouterr().err
    assert err.startswith("geral: ") and "recusou" in err
    assert "Traceback" not in err


def test_p28_kill_9_in_the_middle_of_500_messages_then_a_restart(
    location: str,
    dovecot: Dovecot,
    folder: str,
    writer: IMAPClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(VARIABLE, dovecot.password)
    assert _add_mailbox(location, dovecot, folder) == 0
    _fill(writer, folder, 500)
    process = _fetch_process(location, dovecot.password)
    try:
        deadline = time.monotonic() + 120
        while _counts(location)[0] < 40:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.communicate()
    taken_when_killed = _counts(location)[0]
    assert 40 <= taken_when_killed < 500

    restart = _fetch_process(location, dovecot.password)
    _out, err = restart.communicate(timeout=300)
    assert restart.returncode == 0, err

    assert _counts(location) == (500, 500, 500)


def test_p28_two_processes_fetching_one_mailbox_at_once(
    location: str,
    dovecot: Dovecot,
    folder: str,
    writer: IMAPClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(VARIABLE, dovecot.password)
    assert _add_mailbox(location, dovecot, folder) == 0
    _fill(writer, folder, 150)
    first = _fetch_process(location, dovecot.password)
    second = _fetch_process(location, dovecot.password)
    for process in (first, second):
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    # Whatever the lease let through, a last pass finds nothing new.
    last = _fetch_process(location, dovecot.password)
    last.communicate(timeout=300)
    assert _counts(location) == (150, 150, 150)
