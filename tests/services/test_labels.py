"""``app.services.labels``: every value the program shows has its own label, in every language
(the labels of the rules' values moved here from ``app.domain.sla``, the queue's short reason
from the queue's model)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

import pytest

from app import i18n
from app.domain.packs import PackKind
from app.domain.periods import Period
from app.domain.sla import Channel, GuaranteeOutcome, Plan, Reason
from app.domain.states import ContactState, InvoiceKind, InvoiceState, LedgerKind, SessionState
from app.services import labels


def test_p10b_every_reason_has_text() -> None:
    for language in i18n.LANGUAGES:
        i18n.set_language(language)
        texts = [labels.reason_text(reason) for reason in Reason]
        assert all(text.strip() for text in texts)
        assert len(set(texts)) == len(Reason)
        plans = [labels.plan_label(plan) for plan in Plan]
        assert all(plans) and len(set(plans)) == len(Plan)
        channels = [labels.channel_label(channel) for channel in Channel]
        assert all(channels) and len(set(channels)) == len(Channel)
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_every_guarantee_outcome_has_its_own_label() -> None:
    found = [labels.outcome_label(outcome) for outcome in GuaranteeOutcome]
    assert all(found) and len(set(found)) == len(found)


@pytest.mark.parametrize(
    ("label", "values"),
    [
        (labels.reason_short, Reason),
        (labels.period_label, Period),
        (labels.contact_state_label, ContactState),
        (labels.session_state_label, SessionState),
        (labels.pack_kind_label, PackKind),
        (labels.ledger_kind_label, LedgerKind),
        (labels.invoice_kind_label, InvoiceKind),
        (labels.invoice_state_label, InvoiceState),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_value_has_its_own_label(
    label: Callable[[Enum], str], values: Iterable[Enum]
) -> None:
    found = [label(value) for value in values]
    assert all(text.strip() for text in found)
    assert len(set(found)) == len(found)


def test_p10b_the_short_reason_is_shorter_than_the_reason() -> None:
    for reason in Reason:
        assert len(labels.reason_short(reason)) < len(labels.reason_text(reason))


def test_a_label_takes_the_stored_string_too() -> None:
    assert labels.reason_short("no_plan") == labels.reason_short(Reason.NO_PLAN)  # type: ignore[arg-type]
    assert labels.period_label("this_year") == labels.period_label(Period.THIS_YEAR)  # type: ignore[arg-type]
