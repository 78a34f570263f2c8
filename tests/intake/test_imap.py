"""The IMAP reader against a real Dovecot (``.ci/dovecot``): read-only, INTERNALDATE in UTC,
UIDs from a given one, SINCE, big messages, IDLE, and each failure said in Portuguese."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from app.domain.intake import MAX_RAW_SIZE, Security
from app.intake import imap
from app.intake.imap import MAX_TEXT_BYTES, MailboxError, MailboxFailure, connect, open_mailbox
from app.intake.parse import Problem, parse_message
from tests.intake.conftest import Dovecot, append, sample

pytestmark = pytest.mark.imap

WHEN = datetime(2026, 3, 9, 10, 0, 5, tzinfo=UTC)


def test_p28_reading_changes_no_flag(dovecot: Dovecot, folder: str) -> None:
    writer = dovecot.writer()
    raws = [sample(n) for n in range(3)]
    uids = [append(writer, folder, raw, WHEN + timedelta(minutes=n)) for n, raw in enumerate(raws)]
    with open_mailbox(dovecot.settings()) as reader:
        state = reader.examine(folder)
        fetched = list(reader.fetch_from(1))
    assert state.exists == 3
    assert state.uidnext == uids[-1] + 1
    assert [m.uid for m in fetched] == uids
    assert [m.raw for m in fetched] == raws
    assert [m.size for m in fetched] == [len(raw) for raw in raws]
    assert not any(m.truncated for m in fetched)
    # BODY.PEEK and EXAMINE: still unread, no flag set (\Recent is the server's own).
    writer.select_folder(folder, readonly=True)
    flags = writer.get_flags(uids)
    assert set(flags) == set(uids)
    assert all(set(f) <= {b"\\Recent"} for f in flags.values())
    writer.logout()


def test_p23_internaldate_is_an_aware_utc_instant(dovecot: Dovecot, folder: str) -> None:
    writer = dovecot.writer()
    azores = timezone(timedelta(hours=-1))
    stored = datetime(2026, 7, 1, 23, 30, 0, tzinfo=azores)
    # The Date: header lies (2099): only the server's time counts.
    append(writer, folder, sample(1).replace(b"2026", b"2099"), stored)
    writer.logout()
    with open_mailbox(dovecot.settings()) as reader:
        reader.examine(folder)
        (message,) = reader.fetch_from(1)
    assert message.internaldate == datetime(2026, 7, 2, 0, 30, tzinfo=UTC)
    assert message.internaldate.tzinfo is UTC


def test_fetch_from_takes_only_uids_at_or_above(dovecot: Dovecot, folder: str) -> None:
    writer = dovecot.writer()
    for n in range(3):
        append(writer, folder, sample(n), WHEN)
    with open_mailbox(dovecot.settings()) as reader:
        state = reader.examine(folder)
        # "UID n:*" names the last message even when n is past it: nothing new is nothing.
        assert list(reader.fetch_from(state.uidnext)) == []
        new_uid = append(writer, folder, sample(9), WHEN)
        assert reader.uids_from(state.uidnext) == [new_uid]
        assert reader.status("INBOX").uidvalidity > 0
        assert [m.uid for m in reader.fetch_from(state.uidnext)] == [new_uid]
        assert reader.uids_from(2) == [2, 3, new_uid]
        assert [m.uid for m in reader.fetch([new_uid, 1, 999])] == [1, new_uid]
    writer.logout()


def test_since_uses_the_server_date(dovecot: Dovecot, folder: str) -> None:
    writer = dovecot.writer()
    days = [datetime(2026, 1, 1, 12, tzinfo=UTC), datetime(2026, 3, 1, 12, tzinfo=UTC)]
    days.append(datetime(2026, 3, 5, 12, tzinfo=UTC))
    uids = [append(writer, folder, sample(n), when) for n, when in enumerate(days)]
    writer.logout()
    with open_mailbox(dovecot.settings()) as reader:
        reader.examine(folder)
        assert reader.uids_since(date(2026, 3, 1)) == uids[1:]
        assert reader.uids_since(date(2026, 4, 1)) == []


def test_p28_a_recreated_folder_has_a_new_uidvalidity(dovecot: Dovecot, folder: str) -> None:
    writer = dovecot.writer()
    append(writer, folder, sample(1), WHEN)
    with open_mailbox(dovecot.settings()) as reader:
        before = reader.examine(folder)
        reader.examine("INBOX")
        writer.delete_folder(folder)
        writer.create_folder(folder)
        append(writer, folder, sample(1), WHEN)
        after = reader.examine(folder)
    writer.logout()
    assert after.uidvalidity != before.uidvalidity


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS, Security.NONE])
def test_each_security_connects_on_loopback(
    dovecot: Dovecot, folder: str, security: Security
) -> None:
    with open_mailbox(dovecot.settings(security=security)) as reader:
        assert reader.examine(folder).exists == 0


def test_messages_over_25_mb_come_as_headers_and_text(dovecot: Dovecot, folder: str) -> None:
    mail = EmailMessage()
    mail["From"] = "maria@cliente.pt"
    mail["To"] = "suporte@empresa.pt"
    mail["Subject"] = "Cópia de segurança"
    mail["Message-ID"] = "<grande@cliente.pt>"
    mail.set_content("Segue a cópia em anexo.")
    mail.add_attachment(bytes(26 * 1024 * 1024), maintype="application", subtype="zip",
                        filename="copia.zip")  # fmt: skip
    raw = mail.as_bytes()
    writer = dovecot.writer()
    append(writer, folder, raw, WHEN)
    writer.logout()
    with open_mailbox(dovecot.settings()) as reader:
        reader.examine(folder)
        (message,) = reader.fetch_from(1)
    assert message.truncated
    assert message.size > MAX_RAW_SIZE
    assert len(message.raw) < 10_000
    parsed = parse_message(message.raw, truncated=message.truncated)
    assert parsed.message_id == "grande@cliente.pt"
    assert parsed.subject == "Cópia de segurança"
    assert parsed.text.strip() == "Segue a cópia em anexo."
    assert Problem.TRUNCATED in parsed.problem_codes


def test_big_messages_are_read_in_parts_whole_and_unchanged(
    dovecot: Dovecot, folder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11: one huge literal would hold the interpreter (and the window) for tens of ms.
    monkeypatch.setattr(imap, "PART_BYTES", 1000)
    small = sample(1)
    exact = sample(2, body="x" * (4000 - len(sample(2, body=""))))
    big = sample(3, body="Linha do registo. " * 400)
    assert len(small) < 1000 < len(big) and len(exact) == 4000
    writer = dovecot.writer()
    for raw in (small, exact, big):
        append(writer, folder, raw, WHEN)
    writer.logout()
    asked: list[str] = []
    fetch = imap.IMAPClient.fetch

    def counted(client: imap.IMAPClient, uids: object, items: list[str]) -> object:
        asked.extend(item for item in items if item.startswith("BODY.PEEK[]<"))
        return fetch(client, uids, items)

    monkeypatch.setattr(imap.IMAPClient, "fetch", counted)
    with open_mailbox(dovecot.settings()) as reader:
        reader.examine(folder)
        fetched = list(reader.fetch_from(1))
    assert [m.raw.replace(b"\r\n", b"\n") for m in fetched] == [
        raw.replace(b"\r\n", b"\n") for raw in (small, exact, big)
    ]
    assert not any(m.truncated for m in fetched)
    assert len(asked) == 4 + -(-len(big) // 1000)  # the exact one in 4 parts, the big one in its


def test_idle_is_detected_and_wakes_on_a_new_message(dovecot: Dovecot, folder: str) -> None:
    writer = dovecot.writer()
    with open_mailbox(dovecot.settings()) as reader:
        assert reader.supports_idle
        reader.examine(folder)
        assert not reader.idle_wait(0.2)
        append(writer, folder, sample(1), WHEN)
        # Dovecot reports what changed since EXAMINE as soon as IDLE starts.
        assert reader.idle_wait(10)
        assert [m.uid for m in reader.fetch_from(1)] == [1]
    writer.logout()


# --- Failures, each in Portuguese, the driver's words in the detail ----------------------------


def failure(settings_call: object) -> MailboxError:
    with pytest.raises(MailboxError) as raised:
        reader = connect(settings_call)  # type: ignore[arg-type]
        reader.close()
    return raised.value


def test_wrong_password(dovecot: Dovecot) -> None:
    error = failure(dovecot.settings(password="errada"))
    assert error.failure is MailboxFailure.LOGIN
    assert str(error) == "O servidor de correio 127.0.0.1 recusou o utilizador ou a palavra-passe."
    assert "LoginError" in error.detail


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused(dovecot: Dovecot) -> None:
    error = failure(dovecot.settings(port=_free_port()))
    assert error.failure is MailboxFailure.REFUSED
    assert "127.0.0.1" in str(error) and "recusou a ligação" in str(error)
    assert "ConnectionRefusedError" in error.detail


def test_unknown_certificate_authority(dovecot: Dovecot) -> None:
    for security in (Security.SSL, Security.STARTTLS):
        error = failure(dovecot.settings(security=security, ca_file=None))
        assert error.failure is MailboxFailure.CERTIFICATE
        assert "certificado" in str(error)
        assert "CERTIFICATE_VERIFY_FAILED" in error.detail


def test_unreadable_ca_file(dovecot: Dovecot, tmp_path: Path) -> None:
    error = failure(dovecot.settings(ca_file=tmp_path / "nao-existe.pem"))
    assert error.failure is MailboxFailure.CA_FILE


def test_a_ca_file_replaced_is_read_again(dovecot: Dovecot, tmp_path: Path) -> None:
    """Connections share one TLS context (making one holds the interpreter about 20 ms), but a
    company CA file renewed in place is read again: here replaced by one that does not sign the
    server's certificate, then put back."""
    ca_file = tmp_path / "empresa.pem"
    ca_file.write_bytes(dovecot.ca_file.read_bytes())
    settings = dovecot.settings(ca_file=ca_file)
    connect(settings).close()
    shared = imap._ssl_context(settings)
    assert imap._ssl_context(settings) is shared
    other = tmp_path / "outra.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=Outra CA", "-keyout", str(tmp_path / "outra.key"), "-out", str(other)),
        ],
        check=True,
        capture_output=True,
    )
    ca_file.write_bytes(other.read_bytes())
    assert failure(settings).failure is MailboxFailure.CERTIFICATE
    ca_file.write_bytes(dovecot.ca_file.read_bytes())
    connect(settings).close()


def test_missing_folder(dovecot: Dovecot) -> None:
    with open_mailbox(dovecot.settings()) as reader, pytest.raises(MailboxError) as raised:
        reader.examine("Nao-Existe")
    assert raised.value.failure is MailboxFailure.FOLDER_MISSING
    assert str(raised.value) == "A pasta Nao-Existe não existe em 127.0.0.1."
    assert "Nao-Existe" in raised.value.detail
    with open_mailbox(dovecot.settings()) as reader, pytest.raises(MailboxError) as raised:
        reader.status("Nao-Existe")
    assert raised.value.failure is MailboxFailure.FOLDER_MISSING


def test_unknown_host_name(dovecot: Dovecot) -> None:
    error = failure(dovecot.settings(host="servidor-que-nao-existe.invalid"))
    assert error.failure is MailboxFailure.NAME_RESOLUTION
    assert "servidor-que-nao-existe.invalid" in str(error)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung server)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield int(server.getsockname()[1])


def test_timeout(dovecot: Dovecot, silent_server: int) -> None:
    error = failure(dovecot.settings(port=silent_server, timeout=0.3))
    assert error.failure is MailboxFailure.TIMEOUT


def test_clear_text_is_refused_for_a_remote_host(dovecot: Dovecot) -> None:
    error = failure(dovecot.settings(host="imap.empresa.pt", security=Security.NONE))
    assert error.failure is MailboxFailure.INSECURE
    assert "imap.empresa.pt" in str(error)


def test_single_part_text_over_25_mb_keeps_its_beginning(dovecot: Dovecot, folder: str) -> None:
    line = b"linha de registo do servidor\r\n"
    raw = (
        b"From: maria@cliente.pt\r\nMessage-ID: <registo@cliente.pt>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + line * (MAX_RAW_SIZE // len(line) + 10)
    )
    writer = dovecot.writer()
    append(writer, folder, raw, WHEN)
    writer.logout()
    with open_mailbox(dovecot.settings()) as reader:
        reader.examine(folder)
        (message,) = reader.fetch_from(1)
    assert message.truncated
    assert len(message.raw) <= MAX_TEXT_BYTES + 200
    parsed = parse_message(message.raw, truncated=True)
    assert parsed.message_id == "registo@cliente.pt"
    assert parsed.text.startswith("linha de registo do servidor")
