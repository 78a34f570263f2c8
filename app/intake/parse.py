"""A message's raw bytes → a ``ParsedMessage`` value: never raises (issue 11).

The standard library's ``email`` (``policy.default``) finds the MIME structure; header values are
decoded here, from their raw text, so that an 8-bit header, an encoded word in an unknown charset
or a broken address costs only that value, never the message. Everything that could not be read
is listed in ``problems`` (codes translated at display by ``problem_text``), and the message is
taken with what could be read.

HTML-only messages become plain text with the standard library's ``html.parser``: nothing remote
is ever fetched (images are their ``alt`` text, links their text).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum
from html.parser import HTMLParser

from app.domain.intake import Recipients, Signals, message_id_or_synthetic, message_ids
from app.domain.validation import ValidationError, normalize_email
from app.i18n import _

#: Deeper MIME nesting than this is hostile (a parser bomb), not mail: the rest is not read.
MAX_DEPTH = 30
#: Problems keep at most this many characters of technical detail.
_DETAIL = 200


class Problem(StrEnum):
    UNREADABLE = "unreadable"  # the MIME structure could not be read: headers only
    BROKEN_MIME = "broken_mime"  # the parser met defects (bad boundaries, base64…)
    TOO_DEEP = "too_deep"  # parts nested deeper than MAX_DEPTH were left out
    MISSING_MESSAGE_ID = "missing_message_id"  # a synthetic one was made (P28)
    MISSING_FROM = "missing_from"
    BAD_ADDRESS = "bad_address"  # an address that is not a valid email address
    EIGHT_BIT_HEADER = "eight_bit_header"  # raw non-ASCII bytes in a header
    BAD_ENCODED_WORD = "bad_encoded_word"  # an =?…?= that could not be decoded
    UNKNOWN_CHARSET = "unknown_charset"
    UNDECODABLE_TEXT = "undecodable_text"  # bytes not valid in the declared charset
    BAD_DATE = "bad_date"  # an unreadable Date: header (shown only, P23)
    NO_TEXT = "no_text"  # no text part: attachments only, or nothing
    TRUNCATED = "truncated"  # over 25 MB: only the headers and the text were fetched


def problem_text(problem: Problem) -> str:
    """What a problem means, for the intake log."""
    return {
        Problem.UNREADABLE: _("The message's structure could not be read; only its headers."),
        Problem.BROKEN_MIME: _("The message is malformed; what could be read was kept."),
        Problem.TOO_DEEP: _("Parts nested too deeply were left out."),
        Problem.MISSING_MESSAGE_ID: _("The message has no Message-ID; one was made from it."),
        Problem.MISSING_FROM: _("The message has no sender address."),
        Problem.BAD_ADDRESS: _("An address in the message is not a valid email address."),
        Problem.EIGHT_BIT_HEADER: _("A header has unencoded accented characters."),
        Problem.BAD_ENCODED_WORD: _("An encoded header word could not be decoded."),
        Problem.UNKNOWN_CHARSET: _(
            "Unknown character set; the text was read as UTF-8 or Windows-1252."
        ),
        Problem.UNDECODABLE_TEXT: _("Part of the text is not in its declared character set."),
        Problem.BAD_DATE: _("The Date header cannot be read."),
        Problem.NO_TEXT: _("The message has no text part."),
        Problem.TRUNCATED: _("The message is over 25 MB: only its headers and text were kept."),
    }[Problem(problem)]


@dataclass(frozen=True)
class ProblemNote:
    code: Problem
    #: Technical detail (the charset, the address, the defect), for the log only.
    detail: str = ""


@dataclass(frozen=True)
class Attachment:
    name: str  # as sent, without any folder part; "" when the part had none
    size: int  # decoded bytes
    content_type: str
    #: Where the part is in the message: ``attachment_bytes(raw, path)`` reads it again.
    path: tuple[int, ...]


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str  # stored form, without angle brackets (P28)
    message_id_synthetic: bool
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str | None  # normalised like a typed-in sender (P9)
    from_name: str
    from_header: str  # the sender as received (P19), decoded
    to: tuple[str, ...]
    cc: tuple[str, ...]
    envelope: tuple[str, ...]  # Delivered-To and X-Original-To (P24)
    subject: str
    date: datetime | None  # the sender's Date: shown only, never a received time (P23)
    text: str
    text_from_html: bool
    attachments: tuple[Attachment, ...]
    signals: Signals  # what P26 looks at
    size: int
    header_bytes: bytes
    problems: tuple[ProblemNote, ...] = ()

    @property
    def recipients(self) -> Recipients:
        return Recipients(envelope=self.envelope, visible=(*self.to, *self.cc))

    @property
    def problem_codes(self) -> tuple[Problem, ...]:
        return tuple(dict.fromkeys(note.code for note in self.problems))


@dataclass
class _Problems:
    notes: list[ProblemNote] = field(default_factory=list)

    def add(self, code: Problem, detail: object = "") -> None:
        note = ProblemNote(code, str(detail)[:_DETAIL])
        if note not in self.notes:
            self.notes.append(note)


# --- Text decoding ------------------------------------------------------------------------------


def _charset(name: str | None, problems: _Problems) -> str | None:
    """A usable codec name for a declared charset, or None (recorded when unknown)."""
    declared = (name or "").strip().strip("\"'").lower()
    if not declared:
        return None
    try:
        codecs.lookup(declared)
    except (LookupError, ValueError):
        problems.add(Problem.UNKNOWN_CHARSET, declared)
        return None
    return declared


def _decode_bytes(data: bytes, charset: str | None, problems: _Problems) -> str:
    """Bytes in a declared charset → text; UTF-8, then Windows-1252 (Portuguese mail's usual
    suspects) when the charset is missing, unknown or wrong."""
    known = _charset(charset, problems)
    if known:
        try:
            return data.decode(known)
        except (UnicodeError, ValueError, TypeError, LookupError):
            # TypeError/LookupError: a text transform posing as a charset ("rot13", "base64").
            problems.add(Problem.UNDECODABLE_TEXT, known)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if known is None and charset is None:
            problems.add(Problem.UNDECODABLE_TEXT, "utf-8")
        return data.decode("cp1252", errors="replace")


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_SPACE = re.compile(r"\s+")
_PLACEHOLDER = re.compile("\ue000([0-9]+)\ue001")


def _fix_8bit(value: str, problems: _Problems) -> str:
    """A raw header value with undecoded bytes (surrogate escapes) → text (UTF-8 or cp1252)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    text = _decode_bytes(value.encode("utf-8", "surrogateescape"), None, problems)
    problems.add(Problem.EIGHT_BIT_HEADER, text[:60])
    return text


def _unfold(value: str) -> str:
    return _SPACE.sub(" ", value).strip()


def decode_words(text: str, problems: _Problems | None = None) -> str:
    """RFC 2047 encoded words → text; whitespace between two adjacent encoded words is dropped.
    A word that cannot be decoded stays as it was."""
    problems = problems if problems is not None else _Problems()
    out: list[str] = []
    position = 0
    after_word = False
    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        if not (after_word and not between.strip()):
            out.append(between)
        charset, encoding, data = match[1].split("*", 1)[0], match[2].upper(), match[3]
        try:
            ascii_data = data.encode("ascii")
            if encoding == "Q":
                raw = binascii.a2b_qp(ascii_data, header=True)
            else:
                raw = base64.b64decode(ascii_data + b"=" * (-len(ascii_data) % 4), validate=True)
        except (binascii.Error, ValueError):
            problems.add(Problem.BAD_ENCODED_WORD, match[0])
            out.append(match[0])
        else:
            out.append(_decode_bytes(raw, charset, problems))
        position = match.end()
        after_word = True
    out.append(text[position:])
    return "".join(out)


# --- Headers ------------------------------------------------------------------------------------


class _Headers:
    """A message's header values, from their raw text, each decoded at most once."""

    def __init__(self, message: Message, problems: _Problems) -> None:
        self._values: dict[str, list[str]] = {}
        self._problems = problems
        try:
            items = list(message.raw_items())
        except Exception as error:
            problems.add(Problem.UNREADABLE, repr(error))
            items = []
        for name, value in items:
            self._values.setdefault(name.lower(), []).append(
                _unfold(_fix_8bit(str(value), problems))
            )

    def raw(self, name: str) -> list[str]:
        """Every value of a header, unfolded, encoded words left as they are."""
        return self._values.get(name, [])

    def first(self, name: str) -> str | None:
        values = self.raw(name)
        return values[0] if values else None

    def text(self, name: str) -> str | None:
        """The first value, encoded words decoded."""
        value = self.first(name)
        return None if value is None else decode_words(value, self._problems)

    def addresses(self, *names: str) -> list[tuple[str, str]]:
        """(display name decoded, address) of every address in these headers."""
        found: list[tuple[str, str]] = []
        for name in names:
            values = self.raw(name)
            if not values:
                continue
            try:
                pairs = _split_addresses(values)
            except Exception as error:
                self._problems.add(Problem.BAD_ADDRESS, repr(error))
                continue
            for display, address in pairs:
                if address:
                    found.append((decode_words(display, self._problems), address))
                elif display:
                    self._problems.add(Problem.BAD_ADDRESS, display)
        return found


#: An address as written between angle brackets, for a header no parser could read.
_ANGLE_ADDRESS = re.compile(r"<([^<>]*)>")


def _split_addresses(values: list[str]) -> list[tuple[str, str]]:
    """``getaddresses`` with encoded words kept whole: one may hide a comma
    ("=?utf-8?q?Silva,_Maria?="), so each is set aside while the list is split."""
    words: list[str] = []

    def set_aside(match: re.Match[str]) -> str:
        words.append(match[0])
        return f"\ue000{len(words) - 1}\ue001"

    def restore(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: words[int(m[1])], text)

    pairs: list[tuple[str, str]] = []
    for value in values:
        hidden = _ENCODED_WORD.sub(set_aside, value)
        found = getaddresses([hidden])
        if not any(address for _display, address in found):
            # Python's stricter parser (security releases of 3.11 on some systems) gives nothing
            # for a malformed address where older ones guess: keep what was written, so that the
            # message still names its sender (a bad address, which matches no customer).
            bracketed = _ANGLE_ADDRESS.search(hidden)
            written = (bracketed[1] if bracketed else hidden).strip()
            found = [("", written)] if written else found
        pairs.extend(found)
    return [(restore(display), restore(address)) for display, address in pairs]


def _normal_address(address: str, problems: _Problems) -> str:
    try:
        return normalize_email(address)
    except ValidationError:
        problems.add(Problem.BAD_ADDRESS, address)
        return address.strip().lower()


def _address_list(headers: _Headers, problems: _Problems, *names: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            _normal_address(address, problems) for _n, address in headers.addresses(*names)
        )
    )


def _date(value: str | None, problems: _Problems) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        problems.add(Problem.BAD_DATE, value)
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


# --- Body and attachments -----------------------------------------------------------------------

_SAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def _leaves(
    part: Message, path: tuple[int, ...], problems: _Problems, defects: set[str]
) -> Iterator[tuple[tuple[int, ...], Message, str]]:
    """The message's leaf parts with their paths and content types, depth first (an attached
    message is a leaf); the parser's defects of every part met go to ``defects``."""
    if len(path) > MAX_DEPTH:
        problems.add(Problem.TOO_DEEP, len(path))
        return
    defects.update(type(defect).__name__ for defect in part.defects)
    # Asked once per part: policy.default parses Content-Type again on every call.
    content_type = part.get_content_type()
    payload = part.get_payload() if content_type.startswith("multipart/") else None
    if isinstance(payload, list):
        for index, sub in enumerate(payload):
            yield from _leaves(sub, (*path, index), problems, defects)
    else:
        yield path, part, content_type


def _part_at(message: Message, path: tuple[int, ...]) -> Message | None:
    part = message
    for index in path:
        payload = part.get_payload()
        if not isinstance(payload, list) or index >= len(payload):
            return None
        sub = payload[index]
        if not isinstance(sub, Message):
            return None
        part = sub
    return part


def _part_bytes(part: Message, content_type: str) -> bytes:
    if content_type == "message/rfc822":
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return bytes(payload[0].as_bytes(policy=policy.default))
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _filename(part: Message, problems: _Problems) -> str:
    try:
        name = part.get_filename() or ""
    except Exception as error:
        problems.add(Problem.BROKEN_MIME, repr(error))
        name = ""
    name = decode_words(_fix_8bit(str(name), problems), problems)
    # Never a folder: a name such as "../../.bashrc" is only its last part.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _SAFE_NAME.sub("", name).strip().lstrip(".")


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _is_attachment(part: Message, name: str, content_type: str) -> bool:
    return (
        bool(name)
        or not content_type.startswith(("text/", "multipart/"))
        or _disposition(part) == "attachment"
    )


def _text_of(part: Message, content_type: str, problems: _Problems) -> str:
    try:
        charset = part.get_param("charset")
    except Exception:
        charset = None
    data = _part_bytes(part, content_type)
    return _decode_bytes(data, charset if isinstance(charset, str) else None, problems)


class _HtmlText(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
    _BLOCK = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "tr",
            "table",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "hr",
            "section",
            "article",
            "header",
            "footer",
            "address",
            "dd",
            "dt",
            "dl",
            "form",
            "fieldset",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in self._BLOCK:
            self.pieces.append("\n")
            if tag == "li":
                self.pieces.append("• ")
        elif tag == "img":  # never loaded: its words only
            alt = dict(attrs).get("alt")
            if alt:
                self.pieces.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.pieces.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK and not self.skipping:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(_SPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    """An HTML body as readable plain text; nothing is fetched."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass
    lines = [line.strip() for line in "".join(parser.pieces).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class _Body:
    text: str = ""
    from_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def _body(message: Message, problems: _Problems) -> _Body:
    plain: list[str] = []
    html: list[str] = []
    body = _Body()
    defects: set[str] = set()
    for path, part, content_type in _leaves(message, (), problems, defects):
        name = _filename(part, problems)
        if _is_attachment(part, name, content_type):
            try:
                size = len(_part_bytes(part, content_type))
            except Exception as error:
                problems.add(Problem.BROKEN_MIME, repr(error))
                size = 0
            body.attachments.append(Attachment(name, size, content_type, path))
        elif content_type == "text/html":
            html.append(_text_of(part, content_type, problems))
        else:
            plain.append(_text_of(part, content_type, problems))
    if defects:
        problems.add(Problem.BROKEN_MIME, ", ".join(sorted(defects)))
    if any(text.strip() for text in plain):
        body.text = "\n\n".join(text.strip("\r\n") for text in plain if text.strip())
    elif html:
        body.text = "\n\n".join(html_to_text(text) for text in html)
        body.from_html = True
    else:
        problems.add(Problem.NO_TEXT)
    return body


# --- The message --------------------------------------------------------------------------------

_HEADER_END = re.compile(rb"\r?\n\r?\n")


def header_block(raw: bytes) -> bytes:
    """The raw header lines of a message (up to the first empty line)."""
    if raw.startswith((b"\r\n", b"\n")):
        return b""
    end = _HEADER_END.search(raw)
    return raw[: end.start()] if end else raw


def _read(raw: bytes, problems: _Problems) -> Message:
    try:
        return BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as error:
        problems.add(Problem.UNREADABLE, repr(error))
    try:
        return BytesParser(policy=policy.default).parsebytes(header_block(raw), headersonly=True)
    except Exception as error:
        problems.add(Problem.UNREADABLE, repr(error))
        return EmailMessage()


def parse_message(raw: bytes, *, truncated: bool = False) -> ParsedMessage:
    """Everything Balcão reads from a message; never raises. ``truncated``: the reader fetched
    only the headers and the text of a message over 25 MB."""
    problems = _Problems()
    if truncated:
        problems.add(Problem.TRUNCATED)
    message = _read(raw, problems)
    headers = _Headers(message, problems)
    headers_raw = header_block(raw)

    message_id, synthetic = message_id_or_synthetic(headers.first("message-id"), headers_raw)
    if synthetic:
        problems.add(Problem.MISSING_MESSAGE_ID)

    senders = headers.addresses("from") or headers.addresses("sender")
    from_name, from_address = (
        (senders[0][0], _normal_address(senders[0][1], problems)) if senders else ("", None)
    )
    if from_address is None:
        problems.add(Problem.MISSING_FROM)

    try:
        content_type = message.get_content_type()
        body = _body(message, problems)
    except Exception as error:
        problems.add(Problem.UNREADABLE, repr(error))
        content_type, body = "text/plain", _Body()

    signals = Signals(
        from_address=from_address,
        auto_submitted=headers.first("auto-submitted"),
        x_autoreply=headers.first("x-autoreply"),
        x_autorespond=headers.first("x-autorespond"),
        precedence=headers.first("precedence"),
        list_id=headers.first("list-id"),
        content_type=content_type,
    )
    return ParsedMessage(
        message_id=message_id,
        message_id_synthetic=synthetic,
        in_reply_to=message_ids(headers.first("in-reply-to")),
        references=message_ids(" ".join(headers.raw("references"))),
        from_address=from_address,
        from_name=from_name,
        from_header=headers.text("from") or "",
        to=_address_list(headers, problems, "to"),
        cc=_address_list(headers, problems, "cc"),
        envelope=_address_list(headers, problems, "delivered-to", "x-original-to"),
        subject=headers.text("subject") or "",
        date=_date(headers.first("date"), problems),
        text=body.text,
        text_from_html=body.from_html,
        attachments=tuple(body.attachments),
        signals=signals,
        size=len(raw),
        header_bytes=headers_raw,
        problems=tuple(problems.notes),
    )


def attachment_bytes(raw: bytes, path: tuple[int, ...]) -> bytes | None:
    """An attachment's decoded content, read again from the stored raw message; None when the
    path names no part (a message stored without its attachments, over 25 MB)."""
    problems = _Problems()
    part = _part_at(_read(raw, problems), path)
    if part is None or (
        isinstance(part.get_payload(), list) and part.get_content_maintype() == "multipart"
    ):
        return None
    try:
        return _part_bytes(part, part.get_content_type())
    except Exception:
        return None
