"""The intake's settings and its lease, without a mail server (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest

from app.clock import ManualClock
from app.domain.sla import Channel
from app.intake.imap import MailboxError
from app.services.context import Desk
from app.services.errors import InputError, RuleError
from app.services.intake import lease
from app.services.intake.addresses import add_address, addresses, known_addresses, remove_address
from app.services.intake.fetch import backoff
from app.services.intake.mailboxes import add_mailbox, mailboxes, password_of, remove_mailbox
from app.store.models import MailboxFolder, MailboxLease

Nothing = Callable[[], AbstractContextManager[None]]


def test_addresses_need_an_administrator(desk: Desk, nothing_written: Nothing) -> None:
    with nothing_written(), pytest.raises(RuleError):
        add_address(desk, "suporte@empresa.pt", "email")


def test_p24_addresses_give_the_channels_and_all_count_as_the_team(admin_desk: Desk) -> None:
    add_address(admin_desk, "Suporte@Empresa.pt", "email")
    add_address(admin_desk, "prioritario@empresa.pt", "priority_email")
    add_address(admin_desk, "rui@empresa.pt", "team")
    known = known_addresses()
    assert known.support == {
        "suporte@empresa.pt": Channel.EMAIL,
        "prioritario@empresa.pt": Channel.PRIORITY_EMAIL,
    }
    assert known.team == {"suporte@empresa.pt", "prioritario@empresa.pt", "rui@empresa.pt"}
    with pytest.raises(RuleError):
        add_address(admin_desk, "suporte@empresa.pt", "team")
    with pytest.raises(InputError):
        add_address(admin_desk, "não é endereço", "team")
    remove_address(admin_desk, "rui@empresa.pt")
    assert [a.address for a in addresses()] == ["suporte@empresa.pt", "prioritario@empresa.pt"]


def _mailbox(desk: Desk, **changes: object) -> object:
    values: dict[str, object] = {
        "name": "geral",
        "host": "127.0.0.1",
        "port": 993,
        "security": "ssl",
        "user": "suporte",
        "password_env": "BALCAO_NO_SUCH_VARIABLE",
        "check": False,
    }
    values.update(changes)
    return add_mailbox(desk, **values)  # type: ignore[arg-type]


def test_mailboxes_need_an_administrator(desk: Desk, nothing_written: Nothing) -> None:
    with nothing_written(), pytest.raises(RuleError):
        _mailbox(desk)


def test_clear_text_only_to_this_computer(admin_desk: Desk, nothing_written: Nothing) -> None:
    with nothing_written(), pytest.raises(MailboxError) as refused:
        _mailbox(admin_desk, host="mail.example.com", security="none")
    assert refused.value.failure.value == "insecure"
    _mailbox(admin_desk, host="localhost", security="none", port=143)


def test_password_env_is_a_name_read_at_fetch_time(
    admin_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError):
        _mailbox(admin_desk, password_env="NOT A NAME")
    with pytest.raises(InputError):
        _mailbox(admin_desk, password_env=None)  # neither a password nor a variable
    _mailbox(admin_desk)
    (record,) = mailboxes()
    assert record.password_env == "BALCAO_NO_SUCH_VARIABLE"
    with pytest.raises(Exception, match="BALCAO_NO_SUCH_VARIABLE"):
        password_of(record)
    monkeypatch.setenv("BALCAO_NO_SUCH_VARIABLE", "segredo")
    assert password_of(record) == "segredo"
    assert MailboxFolder.select().count() == 2  # the inbox and the sent folder
    remove_mailbox(admin_desk, "geral")
    assert mailboxes() == () and MailboxLease.select().count() == 0


def test_the_lease_lets_one_desk_at_a_time_and_expires(
    admin_desk: Desk, clock: ManualClock
) -> None:
    _mailbox(admin_desk)
    (record,) = mailboxes()
    assert lease.acquire(admin_desk, record.id, "host-a:1:x")
    assert not lease.acquire(admin_desk, record.id, "host-b:2:y")
    clock.advance(lease.LEASE + timedelta(seconds=1))
    assert lease.acquire(admin_desk, record.id, "host-b:2:y")  # a dead desk's lease expired
    with pytest.raises(lease.LeaseLost):
        lease.renew(admin_desk, record.id, "host-a:1:x")
    lease.release(record.id, "host-b:2:y")
    assert lease.acquire(admin_desk, record.id, "host-a:1:x")


def test_the_lease_of_a_dead_process_of_this_computer_is_free_at_once(admin_desk: Desk) -> None:
    _mailbox(admin_desk)
    (record,) = mailboxes()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = f"{lease.new_holder().split(':')[0]}:{int(finished.stdout)}:x"
    assert lease.acquire(admin_desk, record.id, dead)
    mine = lease.new_holder()
    assert lease.acquire(admin_desk, record.id, mine)
    lease.release(record.id, mine)
    alive = f"{lease.new_holder().split(':')[0]}:{os.getppid()}:x"
    assert lease.acquire(admin_desk, record.id, alive)
    assert not lease.acquire(admin_desk, record.id, lease.new_holder())


def test_back_off_doubles_up_to_half_an_hour() -> None:
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 6, 20)] == [1, 2, 4, 30, 30]
