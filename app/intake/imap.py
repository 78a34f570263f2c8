"""Reading one IMAP folder without changing it (P28), through ``imapclient``.

    with open_mailbox(settings) as reader:
        state = reader.examine("INBOX")          # read-only: EXAMINE, never SELECT
        for message in reader.fetch_from(first_uid):
            ...                                   # store it, then remember message.uid

The folder is opened read-only and messages are read with ``BODY.PEEK[]``: no flag changes, no
\\Seen, nothing a technician's mail program would notice. Each message comes with its UID, the
server's INTERNALDATE as an aware UTC instant (the received time, P23) and its size; messages
over 25 MB come as their headers and text part only (issue 11). Every failure is a
``MailboxError`` whose message says in Portuguese what failed (name resolution, refused,
timeout, certificate, login, folder) and whose ``detail`` keeps the driver's text.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import (
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

from app.domain.intake import MAX_RAW_SIZE, Security, security_allowed
from app.errors import KnownError
from app.i18n import _

#: Metadata (UID, size, INTERNALDATE) is asked for this many messages at a time.
META_BATCH = 500
#: Bodies are fetched in batches of at most this many messages and about this many bytes.
BODY_BATCH = 200
BODY_BATCH_BYTES = 16 * 1024 * 1024
#: A message bigger than this is read in parts of this size: ``imaplib`` holds the interpreter
#: while it takes in one literal (an 11 MB message held it 50 ms; 1 MB parts, 6 ms), and the
#: window's thread waits meanwhile (issue 11: no slice over 16 ms).
PART_BYTES = 1024 * 1024
#: Of an over-25 MB message's text part, at most this much is read.
MAX_TEXT_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0


class MailboxFailure(StrEnum):
    NAME_RESOLUTION = "name_resolution"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    CERTIFICATE = "certificate"
    TLS = "tls"  # no STARTTLS offered, or a handshake that failed for another reason
    CA_FILE = "ca_file"
    INSECURE = "insecure"  # clear text asked for a host that is not this machine
    LOGIN = "login"
    FOLDER_MISSING = "folder_missing"
    CONNECTION = "connection"  # reset, closed, unreachable
    PROTOCOL = "protocol"  # the server refused a command we did not expect it to


def failure_text(failure: MailboxFailure) -> str:
    """What failed, for the status bar and the intake log; ``{host}``, ``{folder}`` filled in."""
    return {
        MailboxFailure.NAME_RESOLUTION: _(
            "The mail server {host} was not found: check its name and the network."
        ),
        MailboxFailure.REFUSED: _(
            "The mail server {host} refused the connection: check the port and the security."
        ),
        MailboxFailure.TIMEOUT: _("The mail server {host} did not answer in time."),
        MailboxFailure.CERTIFICATE: _(
            "The certificate of the mail server {host} could not be verified (expired, "
            "self-signed or from an unknown authority): give the company's CA file."
        ),
        MailboxFailure.TLS: _("A secure connection to the mail server {host} failed."),
        MailboxFailure.CA_FILE: _("The CA file for the mail server {host} cannot be read."),
        MailboxFailure.INSECURE: _(
            "A connection without encryption is only allowed to this computer, not to {host}."
        ),
        MailboxFailure.LOGIN: _("The mail server {host} refused the user name or password."),
        MailboxFailure.FOLDER_MISSING: _("The folder {folder} does not exist on {host}."),
        MailboxFailure.CONNECTION: _("The connection to the mail server {host} was lost."),
        MailboxFailure.PROTOCOL: _("The mail server {host} refused a command."),
    }[MailboxFailure(failure)]


class MailboxError(KnownError):
    """A mailbox could not be read; ``failure`` says why (a code for the intake log)."""

    def __init__(
        self, failure: MailboxFailure, *, host: str, folder: str = "", detail: str = ""
    ) -> None:
        super().__init__(failure_text(failure).format(host=host, folder=folder), detail=detail)
        self.failure = MailboxFailure(failure)


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: Security
    user: str
    password: str = field(repr=False)
    #: A company's own CA (PEM); without it the system's authorities are trusted.
    ca_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int
    exists: int


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    #: When the server stored the message (P23), UTC.
    internaldate: datetime
    #: RFC822.SIZE: the size of the whole message on the server.
    size: int
    raw: bytes
    #: Over 25 MB: ``raw`` holds only the headers and the text part.
    truncated: bool = False


_RESPONSE_CODE = re.compile(r"\[([A-Z-]+)")


def _response_code(error: BaseException) -> str:
    """An IMAP response code (RFC 5530: NONEXISTENT, AUTHENTICATIONFAILED…) in a server reply."""
    found = _RESPONSE_CODE.search(str(error))
    return found[1] if found else ""


#: Driver and socket errors by what failed, checked in order (subclasses before their bases).
_FAILURES: tuple[
    tuple[type[BaseException] | tuple[type[BaseException], ...], MailboxFailure], ...
] = (
    (socket.gaierror, MailboxFailure.NAME_RESOLUTION),
    (ConnectionRefusedError, MailboxFailure.REFUSED),
    (TimeoutError, MailboxFailure.TIMEOUT),  # socket.timeout is TimeoutError
    (ssl.SSLCertVerificationError, MailboxFailure.CERTIFICATE),
    ((ssl.SSLError, CapabilityError), MailboxFailure.TLS),
    (LoginError, MailboxFailure.LOGIN),
    ((IMAPClientAbortError, OSError), MailboxFailure.CONNECTION),
)
#: A server's NO by its response code (RFC 5530), never by its English text.
_RESPONSE_CODES = {
    "NONEXISTENT": MailboxFailure.FOLDER_MISSING,
    "AUTHENTICATIONFAILED": MailboxFailure.LOGIN,
    "AUTHORIZATIONFAILED": MailboxFailure.LOGIN,
}


def _classify(error: BaseException, codes: Iterable[str] = ()) -> MailboxFailure | None:
    """The failure behind a driver or socket error (``codes``: the response codes the server
    sent with its NO); None for anything we do not understand (a bug, left to the crash path)."""
    for kinds, failure in _FAILURES:
        if isinstance(error, kinds):
            return failure
    if isinstance(error, IMAPClientError):
        for code in (*codes, _response_code(error)):
            if code in _RESPONSE_CODES:
                return _RESPONSE_CODES[code]
        return MailboxFailure.PROTOCOL
    return None


def _take_codes(client: IMAPClient | None) -> list[str]:
    """The response codes (RFC 5530) the server sent since the last call, cleared as read.

    imaplib keeps a NO's bracketed code among its untagged responses rather than in the
    exception's text, so it is read (and removed) there."""
    responses = getattr(getattr(client, "_imap", None), "untagged_responses", None)
    if not isinstance(responses, dict):
        return []
    return [code for code in _RESPONSE_CODES if responses.pop(code, None) is not None]


@contextmanager
def _mapped(host: str, folder: str = "", client: IMAPClient | None = None) -> Iterator[None]:
    _take_codes(client)  # forget codes of earlier commands
    try:
        yield
    except MailboxError:
        raise
    except Exception as error:
        failure = _classify(error, _take_codes(client))
        if failure is None:
            raise
        raise MailboxError(
            failure, host=host, folder=folder, detail=f"{type(error).__name__}: {error}"
        ) from error


#: Contexts made so far, by CA file and its version. Making one reads the system's authorities
#: in one C call that holds the interpreter about 20 ms (the window's thread waits meanwhile,
#: issue 11); a context is safe to share between connections and threads.
_contexts: dict[tuple[str | None, int, int], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def _ssl_context(settings: ImapSettings) -> ssl.SSLContext:
    ca_file = str(settings.ca_file) if settings.ca_file else None
    try:
        # A changed CA file (a renewed company CA) is read again.
        version = os.stat(ca_file) if ca_file else None
        key = (ca_file, version.st_mtime_ns if version else 0, version.st_size if version else 0)
        with _contexts_lock:
            context = _contexts.get(key)
            if context is None:
                context = ssl.create_default_context(cafile=ca_file)
                context.minimum_version = ssl.TLSVersion.TLSv1_2
                _contexts[key] = context
    except (OSError, ssl.SSLError) as error:
        raise MailboxError(
            MailboxFailure.CA_FILE, host=settings.host, detail=f"{settings.ca_file}: {error}"
        ) from error
    return context


class ImapReader:
    """One logged-in connection; read-only use of one folder at a time."""

    def __init__(self, client: IMAPClient, settings: ImapSettings) -> None:
        self._client = client
        self._host = settings.host
        self._folder = ""
        # Aware datetimes from INTERNALDATE (imapclient would make them naive local time).
        client.normalise_times = False

    def examine(self, folder: str) -> FolderState:
        """Opens ``folder`` read-only (EXAMINE) and returns its UIDVALIDITY and UIDNEXT."""
        try:
            with _mapped(self._host, folder, self._client):
                response = self._client.select_folder(folder, readonly=True)
        except MailboxError as error:
            # Not every server says NONEXISTENT (Dovecot 2.3 does not on EXAMINE): a NO for a
            # folder that LIST does not show is a missing folder.
            if error.failure is MailboxFailure.PROTOCOL and not self._exists(folder):
                raise MailboxError(
                    MailboxFailure.FOLDER_MISSING,
                    host=self._host,
                    folder=folder,
                    detail=error.detail,
                ) from error
            raise
        self._folder = folder
        return FolderState(
            uidvalidity=int(response[b"UIDVALIDITY"]),
            uidnext=int(response.get(b"UIDNEXT", 0)),
            exists=int(response.get(b"EXISTS", 0)),
        )

    def _exists(self, folder: str) -> bool:
        with _mapped(self._host, folder):
            return bool(self._client.folder_exists(folder))

    def status(self, folder: str) -> FolderState:
        """A folder's UIDVALIDITY and UIDNEXT without opening it: a cheap "anything new?" for a
        folder that is not the open one (for the open one, ``uids_from`` sees new mail at once;
        a server may answer STATUS on it from the state at EXAMINE)."""
        with _mapped(self._host, folder, self._client):
            if not self._client.folder_exists(folder):
                raise MailboxError(MailboxFailure.FOLDER_MISSING, host=self._host, folder=folder)
            status = self._client.folder_status(folder, ("UIDVALIDITY", "UIDNEXT", "MESSAGES"))
        return FolderState(
            uidvalidity=int(status[b"UIDVALIDITY"]),
            uidnext=int(status[b"UIDNEXT"]),
            exists=int(status[b"MESSAGES"]),
        )

    def uids_from(self, first_uid: int) -> list[int]:
        """The UIDs at or above ``first_uid`` in the open folder, ascending."""
        with _mapped(self._host, self._folder):
            # A server shows this session new mail only once it has announced it: NOOP first.
            self._client.noop()
            # "UID n:*" also names the last message when every UID is below n (RFC 3501).
            found = self._client.search(["UID", f"{max(1, first_uid)}:*"])
        return sorted(uid for uid in map(int, found) if uid >= first_uid)

    def uids_since(self, day: date) -> list[int]:
        """The UIDs of the messages the server stored on or after ``day`` (SINCE compares
        INTERNALDATE's date, P23), ascending."""
        with _mapped(self._host, self._folder):
            found = self._client.search(["SINCE", day])
        return sorted(map(int, found))

    def fetch_from(self, first_uid: int) -> Iterator[FetchedMessage]:
        """Every message at or above ``first_uid``, in UID order."""
        return self.fetch(self.uids_from(first_uid))

    def fetch(self, uids: Iterable[int]) -> Iterator[FetchedMessage]:
        """These messages, in UID order, a batch at a time so that the caller can store each
        one (and its UID) before the next batch is asked for. A UID no longer there is skipped."""
        ordered = sorted(set(uids))
        for start in range(0, len(ordered), META_BATCH):
            chunk = ordered[start : start + META_BATCH]
            with _mapped(self._host, self._folder):
                meta = self._client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE"])
            present = [uid for uid in chunk if uid in meta]
            for batch in _body_batches(present, meta):
                yield from self._fetch_bodies(batch, meta)

    def _fetch_bodies(
        self, uids: Sequence[int], meta: dict[int, dict[bytes, Any]]
    ) -> Iterator[FetchedMessage]:
        small = [uid for uid in uids if int(meta[uid][b"RFC822.SIZE"]) <= PART_BYTES]
        with _mapped(self._host, self._folder):
            bodies = self._client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        for uid in uids:
            size = int(meta[uid][b"RFC822.SIZE"])
            internal = _utc(meta[uid][b"INTERNALDATE"])
            if size > MAX_RAW_SIZE:
                yield FetchedMessage(uid, internal, size, self._headers_and_text(uid), True)
            elif size > PART_BYTES:
                whole = self._in_parts(uid, size)
                if whole is not None:
                    yield FetchedMessage(uid, internal, size, whole)
            elif uid in bodies:
                raw = bodies[uid].get(b"BODY[]") or b""
                yield FetchedMessage(uid, internal, size, bytes(raw))

    def _in_parts(self, uid: int, size: int) -> bytes | None:
        """A big message, ``PART_BYTES`` at a time (``BODY.PEEK[]<offset.length>``); None when
        it is no longer there."""
        parts: list[bytes] = []
        offset = 0
        while offset < size:
            with _mapped(self._host, self._folder):
                answer = self._client.fetch([uid], [f"BODY.PEEK[]<{offset}.{PART_BYTES}>"])
            if uid not in answer:
                return None
            part = _first_value(answer[uid], "BODY[]")
            if not part:
                break
            parts.append(part)
            offset += len(part)
        return b"".join(parts)

    def _headers_and_text(self, uid: int) -> bytes:
        """A large message as its headers and its text part, as one small message."""
        with _mapped(self._host, self._folder):
            structure = self._client.fetch([uid], ["BODYSTRUCTURE"])[uid][b"BODYSTRUCTURE"]
            section = _text_section(structure)
            items = ["BODY.PEEK[HEADER]"]
            if section is not None:
                items.append(f"BODY.PEEK[{section}]<0.{MAX_TEXT_BYTES}>")
                if "." in section or structure.is_multipart:
                    items.append(f"BODY.PEEK[{section}.MIME]")
            parts = self._client.fetch([uid], items)[uid]
        header = bytes(parts.get(b"BODY[HEADER]") or b"")
        if section is None:
            return header.rstrip(b"\r\n") + b"\r\n\r\n"
        text = _first_value(parts, f"BODY[{section}]")
        mime = bytes(parts.get(f"BODY[{section}.MIME]".encode()) or b"")
        if not mime:  # a single-part message: its own headers describe the text
            return header.rstrip(b"\r\n") + b"\r\n\r\n" + text
        return _without_content_headers(header) + mime.rstrip(b"\r\n") + b"\r\n\r\n" + text

    @property
    def supports_idle(self) -> bool:
        with _mapped(self._host):
            return bool(self._client.has_capability("IDLE"))

    def idle_wait(self, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds (keep it under the 29 minutes RFC 2177 allows) for
        the open folder to change; True when a message arrived or was removed."""
        with _mapped(self._host, self._folder):
            self._client.idle()
            try:
                responses = list(self._client.idle_check(timeout=timeout))
            finally:
                _text, more = self._client.idle_done()
                responses.extend(more)
        return any(
            isinstance(r, tuple) and len(r) >= 2 and r[1] in (b"EXISTS", b"EXPUNGE", b"RECENT")
            for r in responses
        )

    def close(self) -> None:
        try:
            self._client.logout()
        except (IMAPClientError, OSError):
            with suppress(OSError):
                self._client.shutdown()


def connect(settings: ImapSettings) -> ImapReader:
    """A logged-in reader; raises ``MailboxError`` naming what failed."""
    host = settings.host
    security = Security(settings.security)
    if not security_allowed(host, security):
        raise MailboxError(MailboxFailure.INSECURE, host=host)
    context = _ssl_context(settings) if security is not Security.NONE else None
    with _mapped(host):
        client = IMAPClient(
            host,
            port=settings.port,
            ssl=security is Security.SSL,
            ssl_context=context,
            timeout=settings.timeout,
        )
    # imapclient turns imaplib's debugging up to route it to a logger; imaplib then formats
    # every line read, and a whole FETCH response (4 MB for 200 messages) into one string, in
    # single C calls holding the interpreter 17 ms, before the logger drops it (issue 11).
    client._imap.debug = 0
    try:
        with _mapped(host):
            if security is Security.STARTTLS:
                client.starttls(context)
            client.login(settings.user, settings.password)
    except BaseException:
        with suppress(OSError):
            client.shutdown()
        raise
    return ImapReader(client, settings)


@contextmanager
def open_mailbox(settings: ImapSettings) -> Iterator[ImapReader]:
    reader = connect(settings)
    try:
        yield reader
    finally:
        reader.close()


def _utc(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise MailboxError(
            MailboxFailure.PROTOCOL, host="", detail=f"INTERNALDATE not a date: {value!r}"
        )
    if value.tzinfo is None:  # never with normalise_times off; kept for safety
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _body_batches(uids: Sequence[int], meta: dict[int, dict[bytes, Any]]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = min(int(meta[uid][b"RFC822.SIZE"]), MAX_RAW_SIZE)
        if batch and (len(batch) >= BODY_BATCH or total + size > BODY_BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def _text_section(structure: Any, prefix: str = "") -> str | None:
    """The section number of a message's text part (text/plain first, else text/html), from
    its BODYSTRUCTURE; None when it has none."""
    found: dict[bytes, str] = {}

    def walk(part: Any, number: str) -> None:
        if part.is_multipart:
            for index, sub in enumerate(part[0], start=1):
                walk(sub, f"{number}.{index}" if number else str(index))
            return
        kind = (bytes(part[0]) + b"/" + bytes(part[1])).lower()
        if kind in (b"text/plain", b"text/html"):
            found.setdefault(kind, number or "1")

    walk(structure, prefix)
    return found.get(b"text/plain") or found.get(b"text/html")


def _first_value(parts: dict[bytes, Any], prefix: str) -> bytes:
    """A partial fetch's answer comes back as ``BODY[1.2]<0>``: the first key starting so."""
    wanted = prefix.encode()
    for key, value in parts.items():
        if isinstance(key, bytes) and key.startswith(wanted) and not key.endswith(b".MIME]"):
            return bytes(value or b"")
    return b""


_CONTENT_HEADER = re.compile(rb"^(content-[a-z-]+|mime-version)\s*:", re.IGNORECASE)


def _without_content_headers(header: bytes) -> bytes:
    """Top-level headers without their MIME description (the text part's replaces it)."""
    kept: list[bytes] = []
    dropping = False
    for line in header.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = bool(_CONTENT_HEADER.match(line))
        if not dropping and line.strip():
            kept.append(line)
    return b"".join(kept).rstrip(b"\r\n") + b"\r\n"
