"""The guarantees report: per month (of receipt, company time) and plan at receipt, the contacts
with a guarantee and what became of it (P17), and the free hours granted and revoked for them.

The database counts the contacts in four buckets by comparing the instants each contact stored
(its frozen deadline, its first response) with ``now``; which bucket is met, missed or still open
is asked of the domain (``sla.guarantee_outcome``) once per bucket, on an instance of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from peewee import JOIN, SQL, Case, fn

from app.domain.sla import GuaranteeOutcome, Plan, Reason, Terms, guarantee_outcome
from app.domain.states import ContactState
from app.services.reports.period import Period, dict_rows
from app.services.settings import company_zone
from app.store.models import CompensationGrant, Contact

HEADER = (
    "month",
    "plan",
    "guaranteed",
    "met",
    "missed",
    "open",
    "free_hours_granted",
    "free_hours_revoked",
)

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class GuaranteeRow:
    month: str  # YYYY-MM
    plan: Plan
    guaranteed: int
    met: int
    missed: int
    open: int
    hours_granted: int
    hours_revoked: int

    @property
    def met_share(self) -> float | None:
        """Met among those decided (met + missed); None when none is decided yet."""
        decided = self.met + self.missed
        return None if decided == 0 else self.met / decided

    def cells(self) -> tuple[str, ...]:
        return (
            self.month,
            self.plan.value,
            str(self.guaranteed),
            str(self.met),
            str(self.missed),
            str(self.open),
            str(self.hours_granted),
            str(self.hours_revoked),
        )


@dataclass(frozen=True)
class MissedContact:
    """A contact whose guarantee was missed, for the view's list (opening it)."""

    id: int
    customer_id: int | None
    plan: Plan
    received_at: datetime
    deadline: datetime
    first_response_at: datetime | None
    subject: str


def _bucket_outcomes() -> dict[str, GuaranteeOutcome]:
    """What the domain calls each bucket the SQL counts, asked on one instance of each."""
    deadline = datetime(2000, 1, 3, 12, tzinfo=UTC)
    terms = Terms(True, deadline, None, Reason.GUARANTEED)
    return {
        "by_deadline": guarantee_outcome(terms, deadline, deadline),  # answered at the deadline
        "late": guarantee_outcome(terms, deadline + _TICK, deadline + _TICK),
        "unanswered_past": guarantee_outcome(terms, None, deadline + _TICK),
        "unanswered_ahead": guarantee_outcome(terms, None, deadline),
    }


def _guaranteed(period: Period, technician_id: int | None) -> Any:
    """The contacts with a guarantee received in the period; with ``technician_id``, those that
    technician looks after."""
    start, end = period.instants(company_zone())
    chosen = (
        (Contact.received_at >= start)
        & (Contact.received_at < end)
        & (Contact.guaranteed == True)  # noqa: E712 -- SQL
        & Contact.deadline.is_null(False)
        & (Contact.state != ContactState.REJECTED)
    )
    if technician_id is not None:
        chosen &= Contact.technician == technician_id
    return chosen


def _count(condition: Any) -> Any:
    return fn.COUNT(Case(None, [(condition, 1)]))


def guarantees(
    period: Period, now: datetime, technician_id: int | None = None
) -> tuple[GuaranteeRow, ...]:
    """One row per month and plan that had contacts with a guarantee, oldest month first; with
    ``technician_id``, the contacts that technician looks after."""
    month = period.month_of_instant(Contact.received_at, company_zone()).alias("rep_month")
    answered = Contact.first_response_at.is_null(False)
    buckets = {
        "by_deadline": answered & (Contact.first_response_at <= Contact.deadline),
        "late": answered & (Contact.first_response_at > Contact.deadline),
        "unanswered_past": Contact.first_response_at.is_null() & (Contact.deadline < now),
        "unanswered_ahead": Contact.first_response_at.is_null() & (Contact.deadline >= now),
    }
    revoked = CompensationGrant.revoked_at.is_null(False)
    query = (
        Contact.select(
            month,
            Contact.plan_at_receipt.alias("plan_at_receipt"),
            fn.COUNT(Contact.id).alias("guaranteed"),
            *(_count(condition).alias(name) for name, condition in buckets.items()),
            fn.COALESCE(fn.SUM(CompensationGrant.hours), 0).alias("granted"),
            fn.COALESCE(fn.SUM(Case(None, [(revoked, CompensationGrant.hours)], 0)), 0).alias(
                "revoked"
            ),
        )
        .join(
            CompensationGrant,
            JOIN.LEFT_OUTER,
            on=(CompensationGrant.contact == Contact.id),
        )
        .where(_guaranteed(period, technician_id))
        .group_by(SQL("rep_month"), Contact.plan_at_receipt)
        .order_by(SQL("rep_month"), Contact.plan_at_receipt)
    )
    outcome_of = _bucket_outcomes()
    rows = []
    for found in dict_rows(query):
        by_outcome = dict.fromkeys(GuaranteeOutcome, 0)
        for name, outcome in outcome_of.items():
            by_outcome[outcome] += int(found[name])
        rows.append(
            GuaranteeRow(
                month=found["rep_month"],
                plan=Plan(found["plan_at_receipt"]),
                guaranteed=int(found["guaranteed"]),
                met=by_outcome[GuaranteeOutcome.MET],
                missed=by_outcome[GuaranteeOutcome.MISSED],
                open=by_outcome[GuaranteeOutcome.PENDING],
                hours_granted=int(found["granted"]),
                hours_revoked=int(found["revoked"]),
            )
        )
    return tuple(rows)


def missed_contacts(
    period: Period, now: datetime, *, limit: int = 500, technician_id: int | None = None
) -> tuple[MissedContact, ...]:
    """The contacts of the period whose guarantee was missed, oldest first (at most ``limit``);
    the database picks candidates, the domain decides each of these few."""
    late = Contact.first_response_at > Contact.deadline
    unanswered = Contact.first_response_at.is_null() & (Contact.deadline < now)
    query = (
        Contact.select()
        .where(_guaranteed(period, technician_id) & (late | unanswered))
        .order_by(Contact.received_at, Contact.id)
        .limit(limit)
    )
    found = []
    for row in query:
        terms = Terms(row.guaranteed, row.deadline, row.target, row.reason, row.urgent)
        missed = guarantee_outcome(terms, row.first_response_at, now) is GuaranteeOutcome.MISSED
        if missed and row.deadline is not None:
            found.append(
                MissedContact(
                    id=row.id,
                    customer_id=row.customer_id,
                    plan=row.plan_at_receipt,
                    received_at=row.received_at,
                    deadline=row.deadline,
                    first_response_at=row.first_response_at,
                    subject=row.subject,
                )
            )
    return tuple(found)
