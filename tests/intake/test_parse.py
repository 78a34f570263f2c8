"""Parsing what reaches a support mailbox: ordinary, hostile and malformed messages, built as
bytes here. Nothing raises; what could not be read is a problem code (issue 11)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.intake import IgnoreReason, ignore_reason
from app.intake.parse import (
    Problem,
    attachment_bytes,
    decode_words,
    html_to_text,
    parse_message,
    problem_text,
)

CRLF = b"\r\n"


def message(*headers: bytes, body: bytes = b"Bom dia,\r\nO servidor caiu.\r\n") -> bytes:
    return CRLF.join(headers) + CRLF + CRLF + body


PLAIN = message(
    b"Return-Path: <maria@cliente.pt>",
    b"Delivered-To: prioritario@empresa.pt",
    b"X-Original-To: urgente@empresa.pt",
    b"From: Maria Silva <Maria.Silva@Cliente.PT>",
    b"To: Suporte <suporte@empresa.pt>, =?utf-8?q?Silva,_Jo=C3=A3o?= <joao@cliente.pt>",
    b"Cc: ana@empresa.pt",
    b"Subject: =?utf-8?q?Impressora_avariada_=E2=80=94_urgente?= [#12]",
    b"Date: Mon, 9 Mar 2026 10:00:00 +0000",
    b"Message-ID: <abc.123@cliente.pt>",
    b"In-Reply-To: <prev@empresa.pt>",
    b"References: <first@cliente.pt>\r\n <prev@empresa.pt>",
    b"Content-Type: text/plain; charset=utf-8",
)


def test_ordinary_message_is_read_whole() -> None:
    parsed = parse_message(PLAIN)
    assert parsed.problems == ()
    assert parsed.message_id == "abc.123@cliente.pt"
    assert not parsed.message_id_synthetic
    assert parsed.in_reply_to == ("prev@empresa.pt",)
    assert parsed.references == ("first@cliente.pt", "prev@empresa.pt")
    assert parsed.from_address == "maria.silva@cliente.pt"
    assert parsed.from_name == "Maria Silva"
    assert parsed.from_header == "Maria Silva <Maria.Silva@Cliente.PT>"
    assert parsed.to == ("suporte@empresa.pt", "joao@cliente.pt")
    assert parsed.cc == ("ana@empresa.pt",)
    assert parsed.envelope == ("prioritario@empresa.pt", "urgente@empresa.pt")
    assert parsed.recipients.visible == ("suporte@empresa.pt", "joao@cliente.pt", "ana@empresa.pt")
    assert parsed.subject == "Impressora avariada — urgente [#12]"
    assert parsed.date == datetime(2026, 3, 9, 10, tzinfo=UTC)
    assert parsed.text == "Bom dia,\r\nO servidor caiu."
    assert parsed.attachments == ()
    assert parsed.size == len(PLAIN)
    assert parsed.header_bytes.startswith(b"Return-Path:")
    assert parsed.header_bytes.endswith(b"charset=utf-8")


def test_p26_signals_reach_the_filters() -> None:
    auto = parse_message(
        message(
            b"From: maria@cliente.pt",
            b"Auto-Submitted: auto-replied",
            b"Precedence: bulk",
            b"List-Id: <lista.cliente.pt>",
            b"X-Autoreply: yes",
        )
    )
    assert auto.signals.auto_submitted == "auto-replied"
    assert auto.signals.precedence == "bulk"
    assert auto.signals.list_id == "<lista.cliente.pt>"
    assert auto.signals.x_autoreply == "yes"
    assert ignore_reason(auto.signals, ()) is IgnoreReason.AUTO_SUBMITTED


def test_p26_bounce_is_a_delivery_report() -> None:
    bounce = message(
        b"From: Mail Delivery System <MAILER-DAEMON@mx.cliente.pt>",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=XX",
        body=b"--XX\r\nContent-Type: text/plain\r\n\r\nUndeliverable\r\n"
        b"--XX\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--XX--\r\n",
    )
    parsed = parse_message(bounce)
    assert parsed.signals.content_type == "multipart/report"
    assert parsed.signals.from_address == "mailer-daemon@mx.cliente.pt"
    assert ignore_reason(parsed.signals, ()) is IgnoreReason.DELIVERY_REPORT


def test_p28_missing_message_id_gets_a_synthetic_one() -> None:
    raw = message(b"From: maria@cliente.pt", b"Subject: sem id")
    parsed = parse_message(raw)
    assert parsed.message_id_synthetic
    assert Problem.MISSING_MESSAGE_ID in parsed.problem_codes
    # The same message delivered again (another Received line): the same id.
    again = parse_message(b"Received: from mx by mx2\r\n" + raw)
    assert again.message_id == parsed.message_id


def test_html_only_becomes_text_without_remote_content() -> None:
    html = (
        b"<html><head><style>p{color:red}</style><title>t</title></head><body>"
        b"<p>Ol&aacute; <b>equipa</b>,</p><p>O site est\xc3\xa1 em baixo.</p>"
        b'<img src="https://tracker.example.com/pixel.gif" alt="logotipo">'
        b"<script>alert(1)</script><ul><li>um</li><li>dois</li></ul></body></html>"
    )
    parsed = parse_message(
        message(
            b"From: maria@cliente.pt",
            b"Message-ID: <h@x>",
            b"Content-Type: text/html; charset=utf-8",
            body=html,
        )
    )
    assert parsed.text_from_html
    assert parsed.text == "Olá equipa,\n\nO site está em baixo.\n[logotipo]\n\n• um\n\n• dois"
    assert (
        "tracker" not in parsed.text and "alert" not in parsed.text and "color" not in parsed.text
    )


def test_plain_is_preferred_to_html_in_an_alternative() -> None:
    mail = EmailMessage()
    mail["From"] = "maria@cliente.pt"
    mail["Message-ID"] = "<alt@x>"
    mail.set_content("texto simples")
    mail.add_alternative("<p>texto <b>rico</b></p>", subtype="html")
    parsed = parse_message(mail.as_bytes())
    assert parsed.text.strip() == "texto simples"
    assert not parsed.text_from_html
    assert parsed.attachments == ()


def test_attachments_are_listed_and_read_again_by_path() -> None:
    mail = EmailMessage()
    mail["From"] = "maria@cliente.pt"
    mail["Message-ID"] = "<att@x>"
    mail.set_content("segue o registo")
    pdf = b"%PDF-1.4 fatura" * 100
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="fatura março.pdf")
    mail.add_attachment(b"\x89PNG...", maintype="image", subtype="png", filename="../../.bashrc")
    raw = mail.as_bytes()
    parsed = parse_message(raw)
    assert parsed.text.strip() == "segue o registo"
    names = [(a.name, a.size, a.content_type) for a in parsed.attachments]
    assert names == [("fatura março.pdf", len(pdf), "application/pdf"), ("bashrc", 7, "image/png")]
    assert attachment_bytes(raw, parsed.attachments[0].path) == pdf
    assert attachment_bytes(raw, (9,)) is None


def test_attachment_only_message_has_no_text_problem() -> None:
    raw = message(
        b"From: maria@cliente.pt",
        b"Message-ID: <only@x>",
        b'Content-Type: application/octet-stream; name="dados.bin"',
        b"Content-Transfer-Encoding: base64",
        body=base64.encodebytes(b"\x00\x01\x02" * 50),
    )
    parsed = parse_message(raw)
    assert parsed.text == ""
    assert Problem.NO_TEXT in parsed.problem_codes
    assert [(a.name, a.size) for a in parsed.attachments] == [("dados.bin", 150)]


def test_no_text_part_at_all() -> None:
    raw = message(
        b"From: maria@cliente.pt",
        b"Message-ID: <img@x>",
        b"Content-Type: multipart/mixed; boundary=B",
        body=b"--B\r\nContent-Type: image/jpeg\r\n\r\nJFIF\r\n--B--\r\n",
    )
    parsed = parse_message(raw)
    assert parsed.problem_codes == (Problem.NO_TEXT,)
    assert parsed.attachments[0].content_type == "image/jpeg"
    assert parsed.attachments[0].name == ""


def test_unknown_charset_is_read_as_utf8_then_windows_1252() -> None:
    raw = message(
        b"From: maria@cliente.pt",
        b"Message-ID: <cs@x>",
        b"Content-Type: text/plain; charset=x-desconhecido",
        body=b"Ol\xe1, n\xe3o funciona",
    )
    parsed = parse_message(raw)
    assert parsed.text == "Olá, não funciona"
    assert Problem.UNKNOWN_CHARSET in parsed.problem_codes


def test_text_not_in_its_declared_charset() -> None:
    raw = message(
        b"From: maria@cliente.pt",
        b"Message-ID: <bad@x>",
        b"Content-Type: text/plain; charset=utf-8",
        body=b"Ol\xe1 mundo",
    )
    parsed = parse_message(raw)
    assert parsed.text == "Olá mundo"
    assert Problem.UNDECODABLE_TEXT in parsed.problem_codes


@pytest.mark.parametrize("charset", [b"rot13", b"base64", b"zlib", b"utf-8\x00", b'"'])
def test_charsets_that_are_not_text_encodings(charset: bytes) -> None:
    raw = message(
        b"From: a@cliente.pt", b"Content-Type: text/plain; charset=" + charset, body=b"ok"
    )
    assert parse_message(raw).text == "ok"


def test_eight_bit_headers_are_read_as_utf8_or_windows_1252() -> None:
    raw = message(
        b"From: Jo\xc3\xa3o <joao@cliente.pt>",
        b"Subject: Pedido de or\xe7amento",
        b"Message-ID: <8bit@x>",
    )
    parsed = parse_message(raw)
    assert parsed.from_name == "João"
    assert parsed.subject == "Pedido de orçamento"
    assert Problem.EIGHT_BIT_HEADER in parsed.problem_codes
    parsed.subject.encode("utf-8")  # no surrogates left: storable as it is


def test_encoded_words_decode_and_broken_ones_stay() -> None:
    assert decode_words("=?ISO-8859-1?Q?Jos=E9?= =?utf-8?B?w6k=?= ok") == "Joséé ok"
    assert decode_words("=?utf-8*pt?q?ol=C3=A1?=") == "olá"
    assert decode_words("=?x-nada?q?abc?=") == "abc"
    assert decode_words("=?utf-8?B?###?=") == "=?utf-8?B?###?="
    parsed = parse_message(message(b"From: a@cliente.pt", b"Subject: =?klingon?q?nuqneH?="))
    assert parsed.subject == "nuqneH"
    assert Problem.UNKNOWN_CHARSET in parsed.problem_codes


def test_bad_addresses_and_missing_sender() -> None:
    parsed = parse_message(message(b"To: nobody, @@, <>", b"Subject: x"))
    assert parsed.from_address is None
    assert Problem.MISSING_FROM in parsed.problem_codes
    weird = parse_message(message(b"From: Maria <maria@@cliente..pt>"))
    assert weird.from_address is not None
    assert Problem.BAD_ADDRESS in weird.problem_codes


@pytest.mark.parametrize(
    "date", [b"Sat, 1 Jan 2099 10:00:00 +0000", b"Fri, 1 Jan 1999 10:00 -0500"]
)
def test_p23_date_header_is_kept_for_display_only(date: bytes) -> None:
    parsed = parse_message(message(b"From: a@cliente.pt", b"Date: " + date))
    assert parsed.date is not None and parsed.date.year in (2099, 1999)


def test_unreadable_date() -> None:
    parsed = parse_message(message(b"From: a@cliente.pt", b"Date: ontem \xe0 tarde"))
    assert parsed.date is None
    assert Problem.BAD_DATE in parsed.problem_codes


def test_broken_mime_keeps_what_can_be_read() -> None:
    raw = message(
        b"From: a@cliente.pt",
        b"Message-ID: <broken@x>",
        b"Content-Type: multipart/mixed; boundary=NEVER",
        body=b"no boundary here at all\r\n",
    )
    parsed = parse_message(raw)
    assert Problem.BROKEN_MIME in parsed.problem_codes
    assert parsed.message_id == "broken@x"
    bad_base64 = message(
        b"From: a@cliente.pt",
        b"Content-Type: text/plain; charset=utf-8",
        b"Content-Transfer-Encoding: base64",
        body=b"T2zDoSBtdW5kbw=\r\n!!!!",
    )
    assert parse_message(bad_base64).text.startswith("Olá")


def test_hostile_nesting_does_not_stop_the_fetch() -> None:
    raw = b"From: a@cliente.pt\r\nMessage-ID: <deep@x>\r\n"
    for level in range(3000):
        raw += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    raw += b"Content-Type: text/plain\r\n\r\nfundo\r\n"
    parsed = parse_message(raw)
    assert parsed.message_id == "deep@x"
    assert parsed.from_address == "a@cliente.pt"
    assert {Problem.UNREADABLE, Problem.TOO_DEEP} & set(parsed.problem_codes)


def test_thirty_megabyte_message() -> None:
    mail = EmailMessage()
    mail["From"] = "maria@cliente.pt"
    mail["Message-ID"] = "<big@x>"
    mail.set_content("o ficheiro segue em anexo")
    mail.add_attachment(b"\x00" * (30 * 1024 * 1024), maintype="application", subtype="zip",
                        filename="copia.zip")  # fmt: skip
    parsed = parse_message(mail.as_bytes())
    assert parsed.text.strip() == "o ficheiro segue em anexo"
    assert parsed.attachments[0].size == 30 * 1024 * 1024
    assert parsed.size > 30 * 1024 * 1024


def test_truncated_message_is_noted() -> None:
    parsed = parse_message(PLAIN, truncated=True)
    assert parsed.problem_codes == (Problem.TRUNCATED,)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"no headers at all",
        b"From:\r\n\r\n",
        b":::\r\n\r\n",
        b"From: a@b.pt\r\nContent-Type: multipart/alternative\r\n\r\nno boundary",
        b"From: a@b.pt\r\nContent-Type: message/rfc822\r\n\r\n",
        b"From: a@b.pt\r\nContent-Disposition: attachment; filename*=utf-8''%ff%fe\r\n\r\nx",
        b"From: a@b.pt\r\nContent-Type: text/plain; charset*=bogus'pt'%C3\r\n\r\nx",
        b"\xff\xfe\x00\x00" * 100,
    ],
)
def test_malformed_input_never_raises(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert parsed.size == len(raw)
    assert parsed.message_id


@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_raising(raw: bytes) -> None:
    parsed = parse_message(raw)
    (parsed.subject + parsed.text + parsed.from_header).encode("utf-8")


@given(st.text(max_size=200))
def test_any_header_text_parses_without_raising(text: str) -> None:
    raw = b"From: " + text.encode("utf-8", "replace").replace(b"\r", b"").replace(b"\n", b" ")
    raw += b"\r\nSubject: " + text.encode("utf-8", "replace").replace(b"\n", b" ") + b"\r\n\r\nx"
    parsed = parse_message(raw)
    parsed.subject.encode("utf-8")


def test_html_to_text_survives_broken_markup() -> None:
    assert html_to_text("<p>um<div>dois</p></td>tr&ecirc;s</b></i>") == "um\ndois\ntrês"
    assert html_to_text("<style>unterminated") == ""


def test_every_problem_has_portuguese_text() -> None:
    texts = {problem_text(problem) for problem in Problem}
    assert len(texts) == len(Problem)
    assert problem_text(Problem.NO_TEXT) == "A mensagem não tem nenhuma parte de texto."
