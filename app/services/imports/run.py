"""Writing the rows: matched by NIF, then email; each row in its own transaction.

Every write goes through the customer services (``app.services.customers``), so a row is checked
exactly as a record typed in Clientes is, and refused with the same message. No administrator is
needed, as for creating or editing a customer by hand. A dry run writes every row inside one
transaction that is then rolled back: its report, which the window shows as the preview, is the
one the import would give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from app.domain.sla import Plan
from app.i18n import _
from app.progress import NO_PROGRESS, Progress
from app.services import customers
from app.services.changes import Changes, Topic
from app.services.context import Desk
from app.services.errors import ServiceError
from app.services.imports.mapping import ImportRow, RowFault
from app.services.imports.reader import ImportFile
from app.store.database import write_transaction
from app.store.models import Customer

Action = Literal["created", "updated", "unchanged", "failed"]


@dataclass(frozen=True)
class RowOutcome:
    line: int
    action: Action
    name: str  # the customer's name as the file gives it ("" when the row could not be read)
    reason: str = ""  # failed: why, in the user's language
    customer_id: int | None = None


@dataclass(frozen=True)
class ImportReport:
    outcomes: tuple[RowOutcome, ...]
    dry_run: bool
    changes: Changes

    def count(self, action: Action) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def failed(self) -> tuple[RowOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.action == "failed")

    def summary(self) -> str:
        return _(
            "Created: {created}. Updated: {updated}. Skipped (unchanged): {unchanged}. "
            "Failed: {failed}."
        ).format(
            created=self.count("created"),
            updated=self.count("updated"),
            unchanged=self.count("unchanged"),
            failed=self.count("failed"),
        )

    def lines(self) -> list[str]:
        """The report as text: a first line for a dry run, the counts, each failed row."""
        text = [_("Dry run: nothing was written.")] if self.dry_run else []
        text.append(self.summary())
        text += [failure_line(outcome) for outcome in self.failed]
        return text


def failure_line(outcome: RowOutcome) -> str:
    return _("line {line}: {reason}").format(line=outcome.line, reason=outcome.reason)


class _RollBack(Exception):
    """Ends a dry run's transaction without keeping anything."""


def _duplicates(rows: tuple[ImportRow | RowFault, ...]) -> list[ImportRow | RowFault]:
    """A second row with the NIF or an email of an earlier row of the file is refused: which of
    the two is right is the user's to say."""
    nifs: dict[str, int] = {}
    emails: dict[str, int] = {}

    def checked(row: ImportRow) -> ImportRow | RowFault:
        if row.nif is not None and row.nif in nifs:
            reason = _("the NIF {nif} is also on line {other} of this file.").format(
                nif=row.nif, other=nifs[row.nif]
            )
            return RowFault(row.line, reason, row.name)
        repeated = next((e for e in row.emails if e in emails), None)
        if repeated is not None:
            reason = _("{email} is also on line {other} of this file.").format(
                email=repeated, other=emails[repeated]
            )
            return RowFault(row.line, reason, row.name)
        if row.nif is not None:
            nifs[row.nif] = row.line
        for email in row.emails:
            emails.setdefault(email, row.line)
        return row

    return [checked(row) if isinstance(row, ImportRow) else row for row in rows]


def _match(row: ImportRow) -> int | None:
    """The customer this row is: the one with its NIF, else the one registering one of its
    emails."""
    if row.nif is not None:
        found = Customer.select(Customer.id).where(Customer.nif == row.nif).first()
        if found is not None:
            return int(found.id)
    for email in row.emails:
        owner = customers.find_customer_by_sender(email).customer_id
        if owner is not None:
            return owner
    return None


def _content(record: customers.CustomerRecord) -> tuple[object, ...]:
    return (
        record.name,
        record.nif,
        record.address,
        record.postcode,
        record.city,
        record.country,
        record.plan,
        record.notes,
        frozenset(e.email for e in record.emails),
        frozenset(p.number for p in record.phones),
    )


def _create(desk: Desk, row: ImportRow) -> RowOutcome:
    result = customers.create_customer(
        desk,
        name=row.name,
        nif=row.nif,
        plan=row.plan or Plan.NONE,
        address=row.address,
        postcode=row.postcode,
        city=row.city,
        country=row.country or "PT",
        notes=row.notes or "",
        emails=row.emails,
        phones=row.phones,
    )
    return RowOutcome(row.line, "created", row.name, customer_id=result.customer.id)


def _update(desk: Desk, row: ImportRow, customer_id: int) -> RowOutcome:
    """What the file gives over the record; an empty cell leaves the record's value, and emails
    and phones are added, never removed."""
    before = customers.customer(customer_id)
    record = before
    given = {
        "name": row.name,
        "nif": row.nif,
        "country": row.country,
        "address": row.address,
        "postcode": row.postcode,
        "city": row.city,
        "notes": row.notes,
    }
    fields = cast(
        customers.CustomerFields,
        {
            field: value
            for field, value in given.items()
            if value and value != getattr(record, field)
        },
    )
    if fields:
        record = customers.update_customer(desk, customer_id, record.version, **fields).customer
    if row.plan is not None and row.plan != record.plan:
        record = customers.change_plan(desk, customer_id, record.version, row.plan).customer
    for email in row.emails:
        if email not in {e.email for e in record.emails}:
            record = customers.add_customer_email(desk, customer_id, record.version, email).customer
    for number in row.phones:
        if number not in {p.number for p in record.phones}:
            record = customers.add_customer_phone(
                desk, customer_id, record.version, number
            ).customer
    action: Action = "unchanged" if _content(record) == _content(before) else "updated"
    return RowOutcome(row.line, action, row.name, customer_id=customer_id)


def _apply(desk: Desk, row: ImportRow | RowFault) -> RowOutcome:
    if isinstance(row, RowFault):
        return RowOutcome(row.line, "failed", row.name, row.reason)
    try:
        with write_transaction():  # a savepoint inside a dry run's transaction
            existing = _match(row)
            return _create(desk, row) if existing is None else _update(desk, row, existing)
    except ServiceError as error:
        return RowOutcome(row.line, "failed", row.name, str(error))


def run_import(
    desk: Desk,
    file: ImportFile,
    *,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
    on_row: Callable[[RowOutcome], object] | None = None,
) -> ImportReport:
    """Imports the file's rows in file order; ``progress`` counts them (cancelling a dry run
    stops it; a real import stops after the row being written, keeping the rows before)."""
    rows = _duplicates(file.rows)
    outcomes: list[RowOutcome] = []

    def every_row() -> None:
        for done, row in enumerate(rows):
            progress.report(done, len(rows))
            outcome = _apply(desk, row)
            outcomes.append(outcome)
            if on_row is not None:
                on_row(outcome)
        progress.report(len(rows), len(rows))

    if dry_run:
        try:
            with write_transaction():
                every_row()
                raise _RollBack
        except _RollBack:
            pass
    else:
        every_row()
    written = not dry_run and any(o.action in ("created", "updated") for o in outcomes)
    changes = Changes(frozenset({Topic.CUSTOMERS})) if written else Changes()
    return ImportReport(tuple(outcomes), dry_run, changes)
