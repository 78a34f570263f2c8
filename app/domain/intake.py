"""What an email that reaches a support mailbox is (P23–P28), decided without any I/O.

The intake service (a later round) reads a mailbox through ``app.intake.imap``, parses each
message with ``app.intake.parse``, and asks this module, in order:

1. ``ignore_reason``: is it an automatic message, a delivery report or the team's own (P26)? —
   a chain of small named filters, each deciding one thing (Zammad's ``channel/filter``).
2. ``thread_link`` / ``follow_up``: does it continue a known contact (P25)?
3. ``choose_channel``: on which channel, with which terms (P24, P9, P10a)?
4. For the sent folder, ``is_team_response`` and ``first_response`` (P27).

``decide_incoming`` and ``decide_sent`` put those steps together for one message and return an
``Outcome`` for the intake log. Every message is keyed by ``MessageKey`` and
``message_id_or_synthetic`` so that it is taken once (P28). The received time is always the
server's INTERNALDATE (P23): nothing here reads ``Date:``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.calendar import BusinessCalendar, elapsed, require_aware
from app.domain.sla import Channel, Plan, Reason, Terms, response_terms
from app.i18n import _

#: P25: a message on a contact closed less than this long ago reopens it.
REOPEN_WINDOW = timedelta(days=7)
#: Issue 11: raw sources above this are kept as headers and text only.
MAX_RAW_SIZE = 25 * 1024 * 1024
#: The only channels a support address can have (issue 11: general and dedicated addresses).
EMAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.PRIORITY_EMAIL})


# --- Connection security (issue 11: `--security {ssl,starttls,none}`) ---------------------------


class Security(StrEnum):
    SSL = "ssl"  # implicit TLS (port 993)
    STARTTLS = "starttls"
    NONE = "none"  # clear text: only to this machine


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def security_allowed(host: str, security: Security) -> bool:
    """A password never crosses a network in clear text: ``none`` only for a loopback host."""
    return Security(security) is not Security.NONE or is_loopback(host)


# --- P26: what is not a contact ----------------------------------------------------------------


class IgnoreReason(StrEnum):
    AUTO_SUBMITTED = "auto_submitted"  # Auto-Submitted other than "no" (RFC 3834)
    AUTO_REPLY = "auto_reply"  # X-Autoreply / X-Autorespond
    BULK = "bulk"  # Precedence: bulk, junk or list
    MAILING_LIST = "mailing_list"  # List-Id
    DELIVERY_REPORT = "delivery_report"  # multipart/report (bounces, read receipts)
    MAILER_DAEMON = "mailer_daemon"  # from MAILER-DAEMON or postmaster
    TEAM_ADDRESS = "team_address"  # from one of the team's own addresses


@dataclass(frozen=True)
class Signals:
    """The parts of a message that P26 looks at, as the parser found them (header values
    unfolded; ``None`` when the header is absent)."""

    from_address: str | None = None  # normalised (lowercase)
    auto_submitted: str | None = None
    x_autoreply: str | None = None
    x_autorespond: str | None = None
    precedence: str | None = None
    list_id: str | None = None
    content_type: str = "text/plain"  # of the whole message, lowercase


def _token(value: str | None) -> str:
    """A header's first token, lowercase: ``"Auto-Replied; x=1"`` → ``"auto-replied"``."""
    return (value or "").split(";", 1)[0].strip().lower()


def auto_submitted_filter(signals: Signals) -> IgnoreReason | None:
    # RFC 3834: "no" (or no header) is a person; every other value is a machine.
    value = _token(signals.auto_submitted)
    return IgnoreReason.AUTO_SUBMITTED if value and value != "no" else None


def autoreply_header_filter(signals: Signals) -> IgnoreReason | None:
    # Set by vacation programs (Exchange, Zimbra…) that do not send Auto-Submitted.
    for value in (signals.x_autoreply, signals.x_autorespond):
        if value is not None and _token(value) not in ("no", "false", "0"):
            return IgnoreReason.AUTO_REPLY
    return None


def precedence_filter(signals: Signals) -> IgnoreReason | None:
    return IgnoreReason.BULK if _token(signals.precedence) in ("bulk", "junk", "list") else None


def mailing_list_filter(signals: Signals) -> IgnoreReason | None:
    return IgnoreReason.MAILING_LIST if (signals.list_id or "").strip() else None


def delivery_report_filter(signals: Signals) -> IgnoreReason | None:
    # Bounces (DSN), read receipts (MDN) and the like: RFC 6522's container.
    is_report = signals.content_type.strip().lower() == "multipart/report"
    return IgnoreReason.DELIVERY_REPORT if is_report else None


def mailer_daemon_filter(signals: Signals) -> IgnoreReason | None:
    local = (signals.from_address or "").rpartition("@")[0] or (signals.from_address or "")
    is_daemon = local.lower() in ("mailer-daemon", "postmaster")
    return IgnoreReason.MAILER_DAEMON if is_daemon else None


#: P26's automatic messages, in the order the intake log reports the first that matches.
AUTOMATIC_FILTERS: tuple[Callable[[Signals], IgnoreReason | None], ...] = (
    auto_submitted_filter,
    autoreply_header_filter,
    precedence_filter,
    mailing_list_filter,
    delivery_report_filter,
    mailer_daemon_filter,
)


def automatic_reason(signals: Signals) -> IgnoreReason | None:
    """Why a message was sent by a machine rather than a person, or None (P26)."""
    for check in AUTOMATIC_FILTERS:
        reason = check(signals)
        if reason is not None:
            return reason
    return None


def team_address_filter(signals: Signals, team: Collection[str]) -> IgnoreReason | None:
    """A message from the team's own addresses (the support addresses count, issue 11) is the
    team talking, never a customer's contact."""
    sender = (signals.from_address or "").lower()
    return IgnoreReason.TEAM_ADDRESS if sender and sender in team else None


def ignore_reason(signals: Signals, team: Collection[str]) -> IgnoreReason | None:
    """P26 for a message in a support mailbox: why it is not a contact, or None.

    ``team`` holds the team's addresses, normalised (lowercase)."""
    return automatic_reason(signals) or team_address_filter(signals, team)


def ignore_reason_text(reason: IgnoreReason) -> str:
    return {
        IgnoreReason.AUTO_SUBMITTED: _("Automatic message (Auto-Submitted)."),
        IgnoreReason.AUTO_REPLY: _("Automatic reply (X-Autoreply or X-Autorespond)."),
        IgnoreReason.BULK: _("Bulk mail (Precedence: bulk, junk or list)."),
        IgnoreReason.MAILING_LIST: _("Mailing list message (List-Id)."),
        IgnoreReason.DELIVERY_REPORT: _("Delivery report (multipart/report)."),
        IgnoreReason.MAILER_DAEMON: _("Sent by a mail server (MAILER-DAEMON or postmaster)."),
        IgnoreReason.TEAM_ADDRESS: _("Sent from one of the team's own addresses."),
    }[IgnoreReason(reason)]


# --- P24: the channel from the recipients -------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    """Where a message was sent: the envelope (``Delivered-To``, ``X-Original-To``) and the
    visible ``To``/``Cc``; every address normalised (lowercase)."""

    envelope: tuple[str, ...] = ()
    visible: tuple[str, ...] = ()

    def merged(self, other: Recipients) -> Recipients:
        """The recipients of copies of one message that reached several mailboxes."""
        return Recipients(
            envelope=_unique((*self.envelope, *other.envelope)),
            visible=_unique((*self.visible, *other.visible)),
        )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def support_channels(recipients: Recipients, support: Mapping[str, Channel]) -> tuple[Channel, ...]:
    """The channels of the support addresses a message was sent to (P24).

    ``support`` maps each support address (lowercase) to its channel. The envelope recipient wins
    over ``To``/``Cc`` (an alias or a forward shows the alias there); ``To``/``Cc`` count only when
    no envelope recipient is a support address."""
    for addresses in (recipients.envelope, recipients.visible):
        found = tuple(dict.fromkeys(Channel(support[a]) for a in addresses if a in support))
        if found:
            return found
    return ()


@dataclass(frozen=True)
class ChannelChoice:
    channel: Channel
    terms: Terms
    #: False when no recipient was a support address and ``fallback`` was used.
    matched: bool = True


def _favour(choice: ChannelChoice) -> tuple[int, float, int]:
    """Sort key, best first: guaranteed, then served without a guarantee, then rejected; within
    one rank the earlier deadline (or target) is the better for the customer."""
    terms = choice.terms
    rank = 0 if terms.guaranteed else (2 if terms.reason is Reason.REJECTED else 1)
    when = terms.deadline or terms.target
    at = when.timestamp() if when is not None else float("inf")
    return (rank, at, list(Channel).index(choice.channel))


def choose_channel(
    recipients: Recipients,
    support: Mapping[str, Channel],
    *,
    plan: Plan,
    registered: bool,
    received_at: datetime,
    calendar: BusinessCalendar,
    fallback: Channel = Channel.EMAIL,
) -> ChannelChoice:
    """P24: the channel of a message and its terms (``sla.response_terms`` decides what each
    channel gives, P5–P10a).

    Several support addresses → the one most favourable to the customer: a guaranteed one beats
    one without a guarantee, anything beats a rejection. No support address among the recipients
    (a Bcc, a forward from elsewhere) → ``fallback``: the mailbox's general channel, the public
    one unless the caller knows better (**decision**: never a rejection for a message that did not
    name a dedicated address)."""
    require_aware(received_at)
    channels = support_channels(recipients, support)
    matched = bool(channels)
    choices = [
        ChannelChoice(
            channel,
            response_terms(plan, channel, received_at, registered, calendar),
            matched,
        )
        for channel in (channels or (fallback,))
    ]
    return min(choices, key=_favour)


# --- P25: one conversation is one contact ------------------------------------------------------

_TOKEN = re.compile(r"\[#([0-9]{1,18})\]", re.ASCII)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def contact_token(contact_id: int) -> str:
    """The token a reply's subject carries so that it links back to its contact (P25)."""
    if contact_id < 1:
        raise ValueError("a contact id is positive")
    return f"[#{contact_id}]"


def reply_subject(subject: str, contact_id: int) -> str:
    """The subject of a reply from the user's mail program: "Re: subject" with the contact's
    token, so the reply links back even where ``In-Reply-To`` is dropped (issue 11)."""
    text = " ".join((subject or "").split())
    if not re.match(r"(?i)re\s*:", text):
        text = f"Re: {text}".rstrip()
    if contact_id not in subject_tokens(text):
        text = f"{text} {contact_token(contact_id)}"
    return text


def subject_tokens(subject: str) -> tuple[int, ...]:
    """The contact ids named by ``[#N]`` tokens in a subject, in order, without repeats."""
    return _unique_ints(int(m[1]) for m in _TOKEN.finditer(subject or "") if int(m[1]) > 0)


def _unique_ints(items: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(items))


def normalize_message_id(text: str) -> str | None:
    """A Message-ID's stored form: what is inside the angle brackets, whitespace removed;
    None when there is nothing usable."""
    found = _MESSAGE_ID.search(text or "")
    value = found[1] if found else "".join((text or "").split()).strip("<>")
    return value or None


def message_ids(header: str | None) -> tuple[str, ...]:
    """The Message-IDs named in ``In-Reply-To`` or ``References``, in order, without repeats.
    Bare ids without brackets (some mail programs) count when there is no bracketed one."""
    text = header or ""
    found = [m[1] for m in _MESSAGE_ID.finditer(text)]
    if not found:
        found = [word for word in text.split() if "@" in word]
    return tuple(dict.fromkeys(found))


class LinkVia(StrEnum):
    IN_REPLY_TO = "in_reply_to"
    REFERENCES = "references"
    TOKEN = "token"


@dataclass(frozen=True)
class ThreadLink:
    contact_id: int
    via: LinkVia


def thread_link(
    *,
    in_reply_to: Iterable[str],
    references: Iterable[str],
    subject: str,
    known_messages: Mapping[str, int],
    contact_exists: Callable[[int], bool],
) -> ThreadLink | None:
    """The contact a message continues (P25), or None for a new conversation.

    ``known_messages`` maps stored Message-IDs (those this message names are enough) to their
    contact. Checked in order: ``In-Reply-To``, ``References`` from the most recent, then the
    ``[#N]`` token (**decision**: the headers are set by mail programs and name exactly one
    message; a token can be typed or copied by a person)."""
    for message_id in in_reply_to:
        if message_id in known_messages:
            return ThreadLink(known_messages[message_id], LinkVia.IN_REPLY_TO)
    for message_id in reversed(tuple(references)):
        if message_id in known_messages:
            return ThreadLink(known_messages[message_id], LinkVia.REFERENCES)
    for contact_id in subject_tokens(subject):
        if contact_exists(contact_id):
            return ThreadLink(contact_id, LinkVia.TOKEN)
    return None


class FollowUp(StrEnum):
    JOIN = "join"  # the contact is open: the message joins it, no new deadline
    REOPEN = "reopen"  # closed less than 7 days before: joins and reopens it
    NEW_LINKED = "new_linked"  # closed longer ago: a new contact that names the old one


def follow_up(closed_at: datetime | None, received_at: datetime) -> FollowUp:
    """P25: what a message linked to a contact does, from when that contact was closed (None
    while open) and when the message was received (INTERNALDATE, P23)."""
    require_aware(received_at)
    if closed_at is None:
        return FollowUp.JOIN
    require_aware(closed_at)
    # Real elapsed time on UTC instants (P13); a message stored before the closing joins too.
    return (
        FollowUp.REOPEN if elapsed(closed_at, received_at) < REOPEN_WINDOW else FollowUp.NEW_LINKED
    )


def earliest_received(internal_dates: Iterable[datetime]) -> datetime:
    """P23 with copies in several mailboxes (issue 11): the earliest INTERNALDATE counts."""
    dates = [require_aware(at) for at in internal_dates]
    if not dates:
        raise ValueError("no copy to take a received time from")
    return min(dates)


# --- P27: the first response -------------------------------------------------------------------


def is_team_response(signals: Signals, team: Collection[str], link: ThreadLink | None) -> bool:
    """P27: a message in a sent folder answers a contact when it comes from a team address, is
    linked to the contact as in P25 and is not automatic (**decision**: an automatic
    acknowledgement "we received your email" is not a response)."""
    return (
        link is not None
        and team_address_filter(signals, team) is not None
        and automatic_reason(signals) is None
    )


def first_response(*candidates: datetime | None) -> datetime | None:
    """P27: the earliest of the responses seen (the sent folder's stored time of each team
    reply, a response recorded by hand); None when there is none."""
    seen = [require_aware(at) for at in candidates if at is not None]
    return min(seen) if seen else None


# --- P28: each message exactly once ------------------------------------------------------------


@dataclass(frozen=True, order=True)
class MessageKey:
    """Where a message was taken from: the same key is never taken twice."""

    mailbox: str
    uidvalidity: int
    uid: int


#: Headers a mail server adds on delivery: they differ between copies of one message.
_DELIVERY_HEADERS = frozenset(
    {
        "received",
        "return-path",
        "delivered-to",
        "x-original-to",
        "authentication-results",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "received-spf",
        "x-received",
    }
)
_DELIVERY_PREFIXES = ("x-spam", "x-virus", "x-ms-exchange-organization")


def _header_lines(raw_headers: bytes) -> list[tuple[bytes, bytes]]:
    """The header block as (lowercase name, unfolded value) pairs; lines without a colon are
    dropped."""
    block = raw_headers.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    fields: list[tuple[bytes, bytes]] = []
    for line in block.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b" " + line.strip())
        elif b":" in line:
            name, _colon, value = line.partition(b":")
            fields.append((name.strip().lower(), value.strip()))
    return fields


def synthetic_message_id(raw_headers: bytes) -> str:
    """A stable Message-ID for a message that has none (P28): a hash of its headers without the
    ones added on delivery, so that copies of the message in two mailboxes, or the same message
    after the server renumbers its folder, get the same id."""
    digest = hashlib.sha256()
    for name, value in _header_lines(raw_headers):
        text = name.decode("ascii", "replace")
        if text in _DELIVERY_HEADERS or text.startswith(_DELIVERY_PREFIXES):
            continue
        digest.update(name + b":" + b" ".join(value.split()) + b"\n")
    return f"{digest.hexdigest()[:40]}@synthetic.balcao.invalid"


def message_id_or_synthetic(message_id: str | None, raw_headers: bytes) -> tuple[str, bool]:
    """The message's stored Message-ID and whether it was made up (P28)."""
    normal = normalize_message_id(message_id or "")
    if normal:
        return normal, False
    return synthetic_message_id(raw_headers), True


# --- The whole decision for one message ---------------------------------------------------------


class Outcome(StrEnum):
    """What became of a message, for the intake log's counts (issue 11: new, joined,
    responses, ignored, rejected)."""

    NEW = "new"  # a new contact
    NEW_LINKED = "new_linked"  # a new contact naming an old one closed 7 days ago or more
    JOINED = "joined"  # joins an open contact, no new deadline
    REOPENED = "reopened"  # joins a contact closed less than 7 days ago and reopens it
    REJECTED = "rejected"  # P10a: kept out of the queue, listed in "rejeitados"
    IGNORED = "ignored"  # P26, with its reason
    RESPONSE = "response"  # P27: the team's first (or a later) answer, from the sent folder


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    ignored: IgnoreReason | None = None
    link: ThreadLink | None = None
    #: The channel and frozen terms (P19) of a new contact or a rejection; None otherwise.
    choice: ChannelChoice | None = None


def decide_incoming(
    signals: Signals,
    recipients: Recipients,
    *,
    team: Collection[str],
    support: Mapping[str, Channel],
    link: ThreadLink | None,
    linked_closed_at: datetime | None,
    plan: Plan,
    registered: bool,
    received_at: datetime,
    calendar: BusinessCalendar,
) -> Decision:
    """A message in a support mailbox, in the order P26 → P25 → P24.

    ``link`` comes from ``thread_link``; ``linked_closed_at`` is when the linked contact was
    closed (None while it is open); ``plan`` and ``registered`` describe the sender's customer
    at ``received_at`` (the earliest INTERNALDATE of its copies, P23)."""
    reason = ignore_reason(signals, team)
    if reason is not None:
        return Decision(Outcome.IGNORED, ignored=reason, link=link)
    if link is not None:
        follow = follow_up(linked_closed_at, received_at)
        if follow is FollowUp.JOIN:
            return Decision(Outcome.JOINED, link=link)
        if follow is FollowUp.REOPEN:
            return Decision(Outcome.REOPENED, link=link)
    choice = choose_channel(
        recipients,
        support,
        plan=plan,
        registered=registered,
        received_at=received_at,
        calendar=calendar,
    )
    if choice.terms.reason is Reason.REJECTED:
        return Decision(Outcome.REJECTED, link=link, choice=choice)
    return Decision(Outcome.NEW if link is None else Outcome.NEW_LINKED, link=link, choice=choice)


def decide_sent(signals: Signals, *, team: Collection[str], link: ThreadLink | None) -> Decision:
    """A message in a sent folder: the team's response to a contact (P27), or nothing to do
    (``ignored`` None: not ours, or not linked; an automatic reason when it is one)."""
    if is_team_response(signals, team, link):
        return Decision(Outcome.RESPONSE, link=link)
    return Decision(Outcome.IGNORED, ignored=automatic_reason(signals), link=link)
