"""Email intake rules (P23–P28): channel by recipient, automatic messages, threading, the first
response, and the keys that take each message once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import i18n
from app.domain.calendar import BusinessCalendar
from app.domain.intake import (
    REOPEN_WINDOW,
    Decision,
    FollowUp,
    IgnoreReason,
    LinkVia,
    MessageKey,
    Outcome,
    Recipients,
    Security,
    Signals,
    ThreadLink,
    automatic_reason,
    choose_channel,
    contact_token,
    decide_incoming,
    decide_sent,
    earliest_received,
    first_response,
    follow_up,
    ignore_reason,
    ignore_reason_text,
    is_loopback,
    is_team_response,
    message_id_or_synthetic,
    message_ids,
    normalize_message_id,
    security_allowed,
    subject_tokens,
    support_channels,
    synthetic_message_id,
    thread_link,
)
from app.domain.sla import Channel, Plan, Reason

CAL = BusinessCalendar.portugal(municipality="Lisboa")
# Monday 9 March 2026, 10:00 in Lisbon (UTC in winter): an ordinary open morning.
MONDAY_10 = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
GENERAL = "suporte@empresa.pt"
PRIORITY = "prioritario@empresa.pt"
SUPPORT = {GENERAL: Channel.EMAIL, PRIORITY: Channel.PRIORITY_EMAIL}
TEAM = frozenset({GENERAL, PRIORITY, "ana@empresa.pt"})


def choose(recipients: Recipients, plan: Plan, registered: bool = True) -> tuple[Channel, Reason]:
    choice = choose_channel(
        recipients, SUPPORT, plan=plan, registered=registered, received_at=MONDAY_10, calendar=CAL
    )
    return choice.channel, choice.terms.reason


# --- P24 ---------------------------------------------------------------------------------------


def test_p24_envelope_recipient_wins() -> None:
    # Sent to the general address, delivered through an alias to the priority one: the envelope.
    recipients = Recipients(envelope=(PRIORITY,), visible=(GENERAL,))
    assert support_channels(recipients, SUPPORT) == (Channel.PRIORITY_EMAIL,)
    assert choose(recipients, Plan.PRIORITY) == (Channel.PRIORITY_EMAIL, Reason.GUARANTEED)


def test_p24_visible_recipients_count_when_the_envelope_names_no_support_address() -> None:
    recipients = Recipients(envelope=("caixa-interna@mx.empresa.pt",), visible=(PRIORITY,))
    assert support_channels(recipients, SUPPORT) == (Channel.PRIORITY_EMAIL,)


def test_p24_general_address_is_email_ticket() -> None:
    assert choose(Recipients(visible=(GENERAL,)), Plan.STANDARD) == (
        Channel.EMAIL,
        Reason.GUARANTEED,
    )


def test_p24_p10a_priority_address_from_unregistered_sender_is_rejected() -> None:
    assert choose(Recipients(visible=(PRIORITY,)), Plan.PRIORITY, registered=False) == (
        Channel.PRIORITY_EMAIL,
        Reason.REJECTED,
    )
    assert choose(Recipients(visible=(PRIORITY,)), Plan.STANDARD) == (
        Channel.PRIORITY_EMAIL,
        Reason.REJECTED,
    )


def test_p24_several_support_addresses_guaranteed_beats_rejected() -> None:
    # A Standard customer writes To the priority address, Cc the general one: served by P5.
    both = Recipients(visible=(PRIORITY, GENERAL))
    assert choose(both, Plan.STANDARD) == (Channel.EMAIL, Reason.GUARANTEED)


def test_p24_several_support_addresses_guaranteed_beats_unguaranteed() -> None:
    # A Priority customer: the dedicated address guarantees 4 h, the public one nothing.
    both = Recipients(visible=(GENERAL, PRIORITY))
    assert choose(both, Plan.PRIORITY) == (Channel.PRIORITY_EMAIL, Reason.GUARANTEED)


def test_p24_several_support_addresses_unguaranteed_beats_rejected() -> None:
    # An unregistered sender of a Priority customer: public channel, ordinary support.
    both = Recipients(visible=(PRIORITY, GENERAL))
    assert choose(both, Plan.PRIORITY, registered=False) == (Channel.EMAIL, Reason.PUBLIC_CHANNEL)


def test_p24_copies_in_two_mailboxes_merge_their_recipients() -> None:
    # Cc'd to both addresses, one copy in each mailbox, each with its own Delivered-To.
    general_copy = Recipients(envelope=(GENERAL,), visible=(GENERAL, PRIORITY))
    priority_copy = Recipients(envelope=(PRIORITY,), visible=(GENERAL, PRIORITY))
    merged = general_copy.merged(priority_copy)
    assert merged.envelope == (GENERAL, PRIORITY)
    assert choose(merged, Plan.PRIORITY_24_7) == (Channel.PRIORITY_EMAIL, Reason.GUARANTEED)
    assert choose(merged, Plan.STANDARD) == (Channel.EMAIL, Reason.GUARANTEED)


def test_p24_no_support_recipient_falls_back_to_the_public_channel() -> None:
    choice = choose_channel(
        Recipients(visible=("outra@empresa.pt",)),
        SUPPORT,
        plan=Plan.PRIORITY,
        registered=True,
        received_at=MONDAY_10,
        calendar=CAL,
    )
    assert (choice.channel, choice.terms.reason, choice.matched) == (
        Channel.EMAIL,
        Reason.PUBLIC_CHANNEL,
        False,
    )


@given(
    st.lists(st.sampled_from([GENERAL, PRIORITY]), min_size=1, max_size=4),
    st.sampled_from(list(Plan)),
    st.booleans(),
)
def test_p24_the_choice_is_never_worse_than_any_single_address(
    addresses: list[str], plan: Plan, registered: bool
) -> None:
    chosen = choose_channel(
        Recipients(visible=tuple(addresses)),
        SUPPORT,
        plan=plan,
        registered=registered,
        received_at=MONDAY_10,
        calendar=CAL,
    )
    for address in addresses:
        alone = choose_channel(
            Recipients(visible=(address,)),
            SUPPORT,
            plan=plan,
            registered=registered,
            received_at=MONDAY_10,
            calendar=CAL,
        )
        if alone.terms.guaranteed:
            assert chosen.terms.guaranteed
            assert chosen.terms.deadline is not None and alone.terms.deadline is not None
            assert chosen.terms.deadline <= alone.terms.deadline
        if alone.terms.reason is not Reason.REJECTED:
            assert chosen.terms.reason is not Reason.REJECTED


def test_p24_naive_received_time_is_refused() -> None:
    with pytest.raises(ValueError):
        choose_channel(
            Recipients(visible=(GENERAL,)),
            SUPPORT,
            plan=Plan.STANDARD,
            registered=True,
            received_at=datetime(2026, 3, 9, 10),
            calendar=CAL,
        )


# --- P26 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signals", "reason"),
    [
        (Signals(auto_submitted="auto-replied"), IgnoreReason.AUTO_SUBMITTED),
        (Signals(auto_submitted="Auto-Generated; foo=bar"), IgnoreReason.AUTO_SUBMITTED),
        (Signals(x_autoreply="yes"), IgnoreReason.AUTO_REPLY),
        (Signals(x_autorespond=""), IgnoreReason.AUTO_REPLY),
        (Signals(precedence="bulk"), IgnoreReason.BULK),
        (Signals(precedence=" Junk "), IgnoreReason.BULK),
        (Signals(precedence="list"), IgnoreReason.BULK),
        (Signals(list_id="<clientes.lists.example.com>"), IgnoreReason.MAILING_LIST),
        (Signals(content_type="multipart/report"), IgnoreReason.DELIVERY_REPORT),
        (Signals(from_address="mailer-daemon@mx.cliente.pt"), IgnoreReason.MAILER_DAEMON),
        (Signals(from_address="POSTMASTER@cliente.pt"), IgnoreReason.MAILER_DAEMON),
    ],
)
def test_p26_automatic_messages_are_ignored(signals: Signals, reason: IgnoreReason) -> None:
    assert automatic_reason(signals) is reason
    assert ignore_reason(signals, TEAM) is reason


@pytest.mark.parametrize(
    "signals",
    [
        Signals(from_address="maria@cliente.pt"),
        Signals(from_address="maria@cliente.pt", auto_submitted="no"),
        Signals(from_address="maria@cliente.pt", auto_submitted="NO ; comment"),
        Signals(from_address="maria@cliente.pt", x_autoreply="no"),
        Signals(from_address="maria@cliente.pt", precedence="first-class"),
        Signals(from_address="maria@cliente.pt", list_id="  "),
        Signals(from_address="maria@cliente.pt", content_type="multipart/mixed"),
        Signals(from_address="postmaster-fan@cliente.pt"),
        Signals(from_address=None),
    ],
)
def test_p26_a_person_writing_is_not_ignored(signals: Signals) -> None:
    assert ignore_reason(signals, TEAM) is None


def test_p26_team_address_is_ignored_in_the_inbox() -> None:
    assert ignore_reason(Signals(from_address="ana@empresa.pt"), TEAM) is IgnoreReason.TEAM_ADDRESS
    # The support addresses count as the team's (issue 11).
    assert ignore_reason(Signals(from_address=GENERAL), TEAM) is IgnoreReason.TEAM_ADDRESS


def test_p26_an_automatic_reason_is_reported_before_the_team_address() -> None:
    team_bounce = Signals(from_address="ana@empresa.pt", auto_submitted="auto-replied")
    assert ignore_reason(team_bounce, TEAM) is IgnoreReason.AUTO_SUBMITTED


def test_p26_every_reason_has_portuguese_text() -> None:
    texts = {reason: ignore_reason_text(reason) for reason in IgnoreReason}
    assert len(set(texts.values())) == len(IgnoreReason)
    assert texts[IgnoreReason.TEAM_ADDRESS] != "Sent from one of the team's own addresses."
    i18n.set_language("en")
    assert (
        ignore_reason_text(IgnoreReason.TEAM_ADDRESS)
        == "Sent from one of the team's own addresses."
    )


# --- P25 ---------------------------------------------------------------------------------------


def test_p25_token_in_subject_links() -> None:
    assert subject_tokens("Re: [#42] Servidor em baixo") == (42,)
    link = thread_link(
        in_reply_to=(),
        references=(),
        subject="RE: RE: [#42] Servidor em baixo",
        known_messages={},
        contact_exists={42}.__contains__,
    )
    assert link == ThreadLink(42, LinkVia.TOKEN)


def test_p25_token_of_an_unknown_contact_does_not_link() -> None:
    link = thread_link(
        in_reply_to=(),
        references=(),
        subject="[#999] [#7] duas fichas",
        known_messages={},
        contact_exists={7}.__contains__,
    )
    assert link == ThreadLink(7, LinkVia.TOKEN)
    assert subject_tokens("[#0] [# 3] [#x] #4 [#12a]") == ()


def test_p25_in_reply_to_wins_then_latest_reference_then_token() -> None:
    known = {"a@cliente.pt": 1, "b@cliente.pt": 2, "c@cliente.pt": 3}

    def link(in_reply_to: tuple[str, ...], references: tuple[str, ...]) -> ThreadLink | None:
        return thread_link(
            in_reply_to=in_reply_to,
            references=references,
            subject="[#9]",
            known_messages=known,
            contact_exists=lambda _id: True,
        )

    assert link(("c@cliente.pt",), ("a@cliente.pt", "b@cliente.pt")) == ThreadLink(
        3, LinkVia.IN_REPLY_TO
    )
    assert link(("x@y",), ("a@cliente.pt", "b@cliente.pt", "z@y")) == ThreadLink(
        2, LinkVia.REFERENCES
    )
    assert link((), ("z@y",)) == ThreadLink(9, LinkVia.TOKEN)


def test_p25_references_header_parsing() -> None:
    header = "<a@x.pt>\r\n <b@x.pt> <a@x.pt>"
    assert message_ids(header) == ("a@x.pt", "b@x.pt")
    assert message_ids("bare-id@x.pt") == ("bare-id@x.pt",)
    assert message_ids(None) == ()
    assert normalize_message_id("  <abc@x.pt> (comment)") == "abc@x.pt"
    assert normalize_message_id("<>") is None


@given(st.integers(min_value=1, max_value=10**18 - 1), st.text(max_size=30), st.text(max_size=30))
def test_p25_token_round_trips_inside_any_subject(number: int, before: str, after: str) -> None:
    tokens = subject_tokens(before + contact_token(number) + after)
    assert number in tokens


@given(st.lists(st.from_regex(r"[a-z0-9.]{1,12}@[a-z]{1,8}\.pt", fullmatch=True), max_size=8))
def test_p25_message_ids_round_trip(ids: list[str]) -> None:
    header = " ".join(f"<{i}>" for i in ids)
    assert message_ids(header) == tuple(dict.fromkeys(ids))


def test_p25_open_contact_is_joined() -> None:
    assert follow_up(None, MONDAY_10) is FollowUp.JOIN


def test_p25_closed_less_than_7_days_ago_reopens() -> None:
    closed = MONDAY_10 - timedelta(days=6, hours=23)
    assert follow_up(closed, MONDAY_10) is FollowUp.REOPEN


def test_p25_closed_7_days_ago_or_more_opens_a_new_linked_contact() -> None:
    assert follow_up(MONDAY_10 - REOPEN_WINDOW, MONDAY_10) is FollowUp.NEW_LINKED
    assert follow_up(MONDAY_10 - timedelta(days=30), MONDAY_10) is FollowUp.NEW_LINKED


@given(st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=30)))
def test_p25_reopen_window_boundary(since_closed: timedelta) -> None:
    outcome = follow_up(MONDAY_10 - since_closed, MONDAY_10)
    assert outcome is (FollowUp.REOPEN if since_closed < REOPEN_WINDOW else FollowUp.NEW_LINKED)


# --- P23, P27 ----------------------------------------------------------------------------------


def test_p23_copies_in_several_mailboxes_take_the_earliest_internaldate() -> None:
    later = MONDAY_10 + timedelta(seconds=3)
    assert earliest_received([later, MONDAY_10]) == MONDAY_10
    with pytest.raises(ValueError):
        earliest_received([])


def test_p27_team_reply_linked_is_a_response() -> None:
    link = ThreadLink(5, LinkVia.IN_REPLY_TO)
    assert is_team_response(Signals(from_address="ana@empresa.pt"), TEAM, link)
    assert not is_team_response(Signals(from_address="ana@empresa.pt"), TEAM, None)
    assert not is_team_response(Signals(from_address="maria@cliente.pt"), TEAM, link)


def test_p27_automatic_acknowledgement_is_not_a_response() -> None:
    ack = Signals(from_address=GENERAL, auto_submitted="auto-replied")
    assert not is_team_response(ack, TEAM, ThreadLink(5, LinkVia.TOKEN))


def test_p27_earliest_of_sent_folder_and_hand_recorded() -> None:
    sent = MONDAY_10 + timedelta(hours=1)
    by_hand = MONDAY_10 + timedelta(minutes=30)
    assert first_response(sent, by_hand) == by_hand
    assert first_response(sent, None) == sent
    assert first_response(None, None) is None


@given(st.lists(st.datetimes(timezones=st.just(UTC)) | st.none(), max_size=5))
def test_p27_first_response_is_the_minimum(candidates: list[datetime | None]) -> None:
    present = [c for c in candidates if c is not None]
    assert first_response(*candidates) == (min(present) if present else None)


# --- P28 ---------------------------------------------------------------------------------------

HEADERS = (
    b"From: Maria <maria@cliente.pt>\r\n"
    b"To: suporte@empresa.pt\r\n"
    b"Subject: =?utf-8?q?Impressora_avariada?=\r\n"
    b"Date: Mon, 9 Mar 2026 10:00:00 +0000\r\n"
)


def test_p28_message_key_orders_and_compares() -> None:
    assert MessageKey("suporte", 7, 3) == MessageKey("suporte", 7, 3)
    assert MessageKey("suporte", 7, 3) < MessageKey("suporte", 7, 4)
    assert MessageKey("suporte", 7, 3) != MessageKey("suporte", 8, 3)


def test_p28_present_message_id_is_kept() -> None:
    assert message_id_or_synthetic("<abc@cliente.pt>", HEADERS) == ("abc@cliente.pt", False)


def test_p28_missing_message_id_gets_a_stable_synthetic_one() -> None:
    made, synthetic = message_id_or_synthetic(None, HEADERS)
    assert synthetic
    assert made.endswith("@synthetic.balcao.invalid")
    assert message_id_or_synthetic("", HEADERS) == (made, True)
    other = HEADERS.replace(b"avariada", b"nova")
    assert synthetic_message_id(other) != made


def test_p28_synthetic_id_ignores_what_delivery_adds() -> None:
    delivered = (
        b"Return-Path: <maria@cliente.pt>\r\nDelivered-To: prioritario@empresa.pt\r\n"
        b"Received: from mx.cliente.pt\r\n\tby mx.empresa.pt; Mon, 9 Mar 2026\r\n" + HEADERS
    )
    assert synthetic_message_id(delivered) == synthetic_message_id(HEADERS)
    refolded = HEADERS.replace(b"To: suporte", b"To:\r\n suporte")
    assert synthetic_message_id(refolded) == synthetic_message_id(HEADERS + b"\r\nbody")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Received", "Delivered-To", "X-Original-To", "X-Spam-Score"]),
            st.from_regex(r"[ -~]{0,40}", fullmatch=True),
        ),
        max_size=5,
    )
)
def test_p28_synthetic_id_is_stable_under_any_delivery_headers(
    added: list[tuple[str, str]],
) -> None:
    prefix = b"".join(f"{name}: {value}\r\n".encode() for name, value in added)
    assert synthetic_message_id(prefix + HEADERS) == synthetic_message_id(HEADERS)


# --- Connection security -----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]"])
def test_security_none_is_allowed_for_a_loopback_host(host: str) -> None:
    assert is_loopback(host)
    assert security_allowed(host, Security.NONE)


@pytest.mark.parametrize("host", ["imap.empresa.pt", "10.0.0.5", "192.168.1.2", "localhost.pt"])
def test_security_none_is_refused_for_any_other_host(host: str) -> None:
    assert not security_allowed(host, Security.NONE)
    assert security_allowed(host, Security.SSL)
    assert security_allowed(host, Security.STARTTLS)


# --- The whole decision ------------------------------------------------------------------------


def incoming(
    signals: Signals,
    recipients: Recipients,
    *,
    link: ThreadLink | None = None,
    closed_at: datetime | None = None,
    plan: Plan = Plan.STANDARD,
    registered: bool = True,
) -> Decision:
    return decide_incoming(
        signals,
        recipients,
        team=TEAM,
        support=SUPPORT,
        link=link,
        linked_closed_at=closed_at,
        plan=plan,
        registered=registered,
        received_at=MONDAY_10,
        calendar=CAL,
    )


CUSTOMER = Signals(from_address="maria@cliente.pt")
TO_GENERAL = Recipients(visible=(GENERAL,))
LINK = ThreadLink(5, LinkVia.IN_REPLY_TO)


def test_p26_ignored_before_anything_else() -> None:
    auto = Signals(from_address="maria@cliente.pt", auto_submitted="auto-replied")
    decision = incoming(auto, TO_GENERAL, link=LINK)
    assert (decision.outcome, decision.ignored, decision.choice) == (
        Outcome.IGNORED,
        IgnoreReason.AUTO_SUBMITTED,
        None,
    )


def test_p25_linked_message_joins_or_reopens_without_new_terms() -> None:
    joined = incoming(CUSTOMER, TO_GENERAL, link=LINK)
    assert (joined.outcome, joined.link, joined.choice) == (Outcome.JOINED, LINK, None)
    reopened = incoming(CUSTOMER, TO_GENERAL, link=LINK, closed_at=MONDAY_10 - timedelta(days=2))
    assert (reopened.outcome, reopened.choice) == (Outcome.REOPENED, None)


def test_p25_late_follow_up_is_a_new_contact_naming_the_old_one() -> None:
    late = incoming(CUSTOMER, TO_GENERAL, link=LINK, closed_at=MONDAY_10 - timedelta(days=8))
    assert late.outcome is Outcome.NEW_LINKED
    assert late.link == LINK
    assert late.choice is not None and late.choice.terms.reason is Reason.GUARANTEED


def test_p24_new_contact_or_rejection() -> None:
    new = incoming(CUSTOMER, TO_GENERAL)
    assert new.outcome is Outcome.NEW
    assert new.choice is not None and new.choice.channel is Channel.EMAIL
    rejected = incoming(CUSTOMER, Recipients(visible=(PRIORITY,)), plan=Plan.PRIORITY,
                        registered=False)  # fmt: skip
    assert rejected.outcome is Outcome.REJECTED
    assert rejected.choice is not None and rejected.choice.channel is Channel.PRIORITY_EMAIL


def test_p27_sent_folder_decisions() -> None:
    ours = Signals(from_address="ana@empresa.pt")
    assert decide_sent(ours, team=TEAM, link=LINK).outcome is Outcome.RESPONSE
    assert decide_sent(ours, team=TEAM, link=None) == Decision(Outcome.IGNORED)
    ack = Signals(from_address=GENERAL, auto_submitted="auto-generated")
    assert decide_sent(ack, team=TEAM, link=LINK) == Decision(
        Outcome.IGNORED, IgnoreReason.AUTO_SUBMITTED, LINK
    )
