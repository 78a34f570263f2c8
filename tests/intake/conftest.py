"""A real Dovecot for the IMAP tests (issue 11: no stand-in server).

The session starts one with ``.ci/dovecot start`` unless one is running already (``.ci/test``
may start it for the whole run), and stops only one it started. Where Dovecot is not installed
the IMAP tests are skipped with the reason. Each test works in a folder of its own, made for it
and removed after it, so runs and tests never see each other's messages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient

from app.domain.intake import Security
from app.intake.imap import ImapSettings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "dovecot"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int  # plain, with STARTTLS
    tls_port: int  # implicit TLS
    ca_file: Path
    password: str

    def settings(
        self, user: str = "suporte", *, security: Security = Security.SSL, **changes: object
    ) -> ImapSettings:
        port = self.tls_port if security is Security.SSL else self.port
        values: dict[str, object] = {
            "host": self.host,
            "port": port,
            "security": security,
            "user": user,
            "password": self.password,
            "ca_file": self.ca_file,
            "timeout": 10.0,
        }
        values.update(changes)
        return ImapSettings(**values)  # type: ignore[arg-type]

    def writer(self, user: str = "suporte") -> IMAPClient:
        """A plain client to put messages in, as a mail server's delivery would."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(user, self.password)
        return client


def _installed() -> bool:
    return bool(shutil.which("dovecot") or Path("/usr/sbin/dovecot").exists())


def _env(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not _installed():
        reason = "Dovecot is not installed (apt-get install dovecot-imapd; .ci/setup --test)"
        if os.environ.get("CI"):  # CI installs it: a skip there would hide a broken set-up
            pytest.fail(reason)
        pytest.skip(reason)
    running = subprocess.run(["bash", str(SCRIPT), "status"], check=False).returncode == 0
    started = subprocess.run(
        ["bash", str(SCRIPT), "env" if running else "start"],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    env = _env(started.stdout)
    try:
        yield Dovecot(
            host=env["BALCAO_IMAP_HOST"],
            port=int(env["BALCAO_IMAP_PORT"]),
            tls_port=int(env["BALCAO_IMAPS_PORT"]),
            ca_file=Path(env["BALCAO_IMAP_CA"]),
            password=env["BALCAO_IMAP_PASSWORD"],
        )
    finally:
        if not running:
            subprocess.run(["bash", str(SCRIPT), "stop"], check=False)


@pytest.fixture
def folder(dovecot: Dovecot) -> Iterator[str]:
    """A new, empty folder in the ``suporte`` account, removed after the test."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    client = dovecot.writer()
    client.create_folder(name)
    try:
        yield name
    finally:
        if client.folder_exists(name):
            client.delete_folder(name)
        client.logout()


def sample(number: int, *, subject: str = "Pedido", body: str = "Bom dia.") -> bytes:
    return (
        f"From: Maria <maria@cliente.pt>\r\nTo: suporte@empresa.pt\r\n"
        f"Subject: {subject} {number}\r\nMessage-ID: <m{number}.{uuid.uuid4().hex}@cliente.pt>\r\n"
        f"Date: Mon, 9 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    ).encode()


def append(client: IMAPClient, folder: str, raw: bytes, when: datetime) -> int:
    """APPENDs a message with a chosen INTERNALDATE; returns its UID (UIDPLUS)."""
    response = client.append(folder, raw, flags=(), msg_time=when)
    # b"[APPENDUID <uidvalidity> <uid>] Append completed."
    return int(response.split(b"]", 1)[0].split()[-1])


# --- the intake's services over that Dovecot (a database each test, SQLite or PostgreSQL) -----

from app.clock import ManualClock  # noqa: E402
from app.services.context import Desk  # noqa: E402
from app.services.intake import addresses as address_book  # noqa: E402
from app.services.intake.mailboxes import MailboxRecord, add_mailbox  # noqa: E402
from app.store.models import Technician  # noqa: E402
from tests.store.fixtures import database, db_location  # noqa: E402

__all__ = ["database", "db_location"]

#: Tuesday 10 March 2026, 12:00 UTC: the desks' "now"; messages are stored before it.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
#: Monday 9 March 2026, 10:00 UTC (Lisbon is UTC+0): a business day.
MONDAY_10H = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
PASSWORD_VARIABLE = "BALCAO_TEST_IMAP_PASSWORD"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def admin_desk(database: object, clock: ManualClock) -> Desk:
    admin = Technician.create(name="Marta", is_admin=True, created_at=NOW)
    return Desk(clock, admin.id)


@pytest.fixture
def program(clock: ManualClock) -> Desk:
    """The program itself, as `balcao fetch-mail` runs."""
    return Desk(clock, None)


@pytest.fixture
def addresses(admin_desk: Desk) -> None:
    """The company's addresses: general, priority, team."""
    address_book.add_address(admin_desk, "suporte@empresa.pt", "email")
    address_book.add_address(admin_desk, "prioritario@empresa.pt", "priority_email")
    address_book.add_address(admin_desk, "rui@empresa.pt", "team")


@pytest.fixture
def sent_folder(dovecot: Dovecot) -> Iterator[str]:
    """A second new folder in the ``suporte`` account, for a sent folder."""
    name = f"s-{uuid.uuid4().hex[:12]}"
    client = dovecot.writer()
    client.create_folder(name)
    try:
        yield name
    finally:
        if client.folder_exists(name):
            client.delete_folder(name)
        client.logout()


def make_mailbox(
    dovecot: Dovecot,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    *,
    name: str = "geral",
    folder: str = "INBOX",
    sent_folder: str | None = None,
    user: str = "suporte",
    **changes: object,
) -> MailboxRecord:
    monkeypatch.setenv(PASSWORD_VARIABLE, dovecot.password)
    values: dict[str, object] = {
        "name": name,
        "host": dovecot.host,
        "port": dovecot.tls_port,
        "security": "ssl",
        "user": user,
        "password_env": PASSWORD_VARIABLE,
        "ca_file": str(dovecot.ca_file),
        "folder": folder,
        "sent_folder": sent_folder,
    }
    values.update(changes)
    return add_mailbox(desk, **values)  # type: ignore[arg-type]


@pytest.fixture
def writer(dovecot: Dovecot) -> Iterator[IMAPClient]:
    """A client of the ``suporte`` account that puts messages in, logged out after the test."""
    client = dovecot.writer()
    try:
        yield client
    finally:
        client.logout()


@dataclass
class Intake:
    """A test's intake set-up: the Dovecot, a folder for the inbox and one for the sent folder,
    a client that puts messages in, the administrator's desk and the program's."""

    dovecot: Dovecot
    folder: str
    sent: str
    writer: IMAPClient
    admin: Desk
    program: Desk
    clock: ManualClock
    monkeypatch: pytest.MonkeyPatch

    def mailbox(self, **changes: object) -> MailboxRecord:
        values: dict[str, object] = {"folder": self.folder, "sent_folder": self.sent}
        values.update(changes)
        return make_mailbox(self.dovecot, self.admin, self.monkeypatch, **values)  # type: ignore[arg-type]

    def put(self, raw: bytes, when: datetime, folder: str | None = None) -> int:
        return append(self.writer, folder or self.folder, raw, when)

    def new_folder(self) -> str:
        name = f"x-{uuid.uuid4().hex[:12]}"
        self.writer.create_folder(name)
        self._made.append(name)
        return name

    _made: list[str] = field(default_factory=list)


@pytest.fixture
def intake(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Intake]:
    request.getfixturevalue("addresses")
    admin: Desk = request.getfixturevalue("admin_desk")
    writer: IMAPClient = request.getfixturevalue("writer")
    clock = admin.clock
    assert isinstance(clock, ManualClock)
    made = Intake(
        request.getfixturevalue("dovecot"),
        request.getfixturevalue("folder"),
        request.getfixturevalue("sent_folder"),
        writer,
        admin,
        Desk(clock, None),
        clock,
        monkeypatch,
    )
    yield made
    for name in made._made:
        if writer.folder_exists(name):
            writer.delete_folder(name)
