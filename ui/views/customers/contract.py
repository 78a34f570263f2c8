"""The contract's own terms (P18): each field left empty keeps the plan's (or the company's)
default, which its placeholder shows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.contract import ContractTerms
from app.domain.sla import Plan, plan_defaults
from app.domain.validation import ValidationError
from app.i18n import _, format_decimal, format_duration, format_money, ngettext
from app.services.customers import make_contract_terms
from app.services.errors import InputError
from app.services.settings import Settings
from ui.views.customers.fields import LiveCheck, optional_amount, whole_number
from ui.widgets import FieldErrors

_MINUTE = timedelta(minutes=1)

Value = int | Decimal | None


@dataclass(frozen=True)
class _Term:
    #: ``make_contract_terms``'s keyword, and the field its refusals name.
    field: str
    label: str
    tooltip: str
    #: The typed text → the value (``None`` when empty); ``ValidationError`` when not a number.
    parse: Callable[[str, str], Value]


def _terms() -> tuple[_Term, ...]:
    return (
        _Term(
            "next_business_days",
            _("&Deadline (business days):"),
            _("Standard plan: the answer is due by the close of this business day after receipt."),
            whole_number,
        ),
        _Term(
            "business_response_minutes",
            _("Res&ponse time (business minutes):"),
            _("Priority plans: business time allowed for the first response by email."),
            whole_number,
        ),
        _Term(
            "urgent_response_minutes",
            _("&Urgent line response (minutes):"),
            _("24/7 plan: minutes allowed to answer the dedicated priority phone, at any hour."),
            whole_number,
        ),
        _Term(
            "compensation_hours",
            _("&Compensation (free hours):"),
            _("Free hours granted for each missed guarantee."),
            whole_number,
        ),
        _Term(
            "inside_block_minutes",
            _("&Block inside business hours (minutes):"),
            _("Time inside business hours is billed in blocks of this length, rounded up."),
            whole_number,
        ),
        _Term(
            "outside_block_minutes",
            _("B&lock outside business hours (minutes):"),
            _("Time outside business hours is billed in blocks of this length, rounded up."),
            whole_number,
        ),
        _Term(
            "rate_inside",
            _("Hourly rate &inside hours (€):"),
            _("Price of an hour not covered by packs, inside business hours."),
            optional_amount,
        ),
        _Term(
            "rate_outside",
            _("Hourly rate &outside hours (€):"),
            _("Price of an hour not covered by packs, outside business hours."),
            optional_amount,
        ),
    )


def contract_values(contract: ContractTerms) -> dict[str, Value]:
    """The contract as the form's fields hold it (minutes, hours, euros)."""

    def minutes(duration: timedelta | None) -> int | None:
        return None if duration is None else duration // _MINUTE

    return {
        "next_business_days": contract.next_business_days,
        "business_response_minutes": minutes(contract.business_response),
        "urgent_response_minutes": minutes(contract.urgent_response),
        "compensation_hours": contract.compensation_hours,
        "inside_block_minutes": minutes(contract.inside_block),
        "outside_block_minutes": minutes(contract.outside_block),
        "rate_inside": contract.rate_inside,
        "rate_outside": contract.rate_outside,
    }


def _text_of(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value, 2)
    return str(value)


def default_texts(plan: Plan, company: Settings) -> dict[str, str]:
    """What each term is when the contract says nothing: the plan's, or the company's; nothing
    where the plan has no such term (a Standard customer has no priority response time)."""
    defaults = plan_defaults(plan)
    plan_default = _("plan default: {value}")
    company_default = _("company default: {value}")

    def of_plan(value: object, shown: Callable[[Any], str]) -> str:
        return "" if value is None else plan_default.format(value=shown(value))

    return {
        "next_business_days": of_plan(
            defaults.next_business_days,
            lambda days: ngettext("{count} business day", "{count} business days", days).format(
                count=days
            ),
        ),
        "business_response_minutes": of_plan(defaults.business_response, format_duration),
        "urgent_response_minutes": of_plan(defaults.urgent_response, format_duration),
        "compensation_hours": of_plan(
            defaults.compensation_hours,
            lambda hours: ngettext("{count} hour", "{count} hours", hours).format(count=hours),
        ),
        "inside_block_minutes": company_default.format(
            value=format_duration(timedelta(minutes=company.inside_block_minutes))
        ),
        "outside_block_minutes": company_default.format(
            value=format_duration(timedelta(minutes=company.outside_block_minutes))
        ),
        "rate_inside": company_default.format(value=format_money(company.rate_inside)),
        "rate_outside": company_default.format(value=format_money(company.effective_rate_outside)),
    }


class ContractForm(QWidget):
    """The P18 overrides of one customer."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._terms = {term.field: term for term in _terms()}
        self.edits: dict[str, QLineEdit] = {}
        self.errors = FieldErrors(self)
        self._checks: dict[str, LiveCheck] = {}

        group = QGroupBox(_("Contract terms"))
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for term in self._terms.values():
            edit = QLineEdit()
            edit.setToolTip(term.tooltip)
            edit.setMaximumWidth(320)
            message = self.errors.add(term.field, edit)
            self.edits[term.field] = edit
            self._checks[term.field] = LiveCheck(
                edit, message, self._problem_of(term), complete=lambda _text: True
            )
            edit.textChanged.connect(self.changed)
            label = QLabel(term.label)
            label.setBuddy(edit)
            form.addRow(label, self.errors.row(term.field))
        note = QLabel(
            _(
                "The contract's terms take precedence over the plan's. Leave a field "
                "empty to keep the default shown in it. Contacts already received keep the "
                "terms they were received with."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(group)
        layout.addStretch(1)

    def _problem_of(self, term: _Term) -> Callable[[str], str | None]:
        def problem(text: str) -> str | None:
            try:
                typed: dict[str, Any] = {term.field: term.parse(text, term.field)}
                make_contract_terms(**typed)
            except (ValidationError, InputError) as error:  # checking a typed term, no use case
                return error.message
            return None

        return problem

    # --- showing ----------------------------------------------------------------------------------

    def show_terms(self, contract: ContractTerms) -> None:
        for field, value in contract_values(contract).items():
            self.edits[field].setText(_text_of(value))
        self.errors.clear()

    def show_defaults(self, defaults: Mapping[str, str]) -> None:
        for field, text in defaults.items():
            self.edits[field].setPlaceholderText(text)

    def show_message(self, field: str, text: str) -> bool:
        """Shows a refusal next to its field; False when the field is not on this form."""
        if not self.errors.knows(field):
            return False
        self.errors.show(field, text, focus=False)
        return True

    def clear_messages(self) -> None:
        self.errors.clear()

    # --- reading --------------------------------------------------------------------------------

    def typed_values(self) -> dict[str, Value]:
        """The terms as typed; ``InputError`` naming the field of a value that is not a number."""
        values: dict[str, Value] = {}
        for field, term in self._terms.items():
            try:
                values[field] = term.parse(self.edits[field].text(), field)
            except ValidationError as error:  # parsing a typed term: names its field
                raise InputError(error.message, field=field) from None
        return values

    def terms(self) -> ContractTerms:
        """The terms typed; ``InputError`` naming the field at fault."""
        typed: dict[str, Any] = self.typed_values()
        return make_contract_terms(**typed)

    def differs_from(self, contract: ContractTerms) -> bool:
        try:
            return self.typed_values() != contract_values(contract)
        except InputError:  # what is typed is not even a number: it differs
            return True

    def check(self) -> bool:
        """Checks every field, showing each problem; True when all are fine."""
        results = [check.run() for check in self._checks.values()]
        return all(results)
