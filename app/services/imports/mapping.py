"""One row of the file → what the customer services are given, or why the row is refused.

Everything the services would refuse about a single cell is found here already (the same checks,
so the same Portuguese messages), and also what only a file can hold: a spreadsheet formula, a
sender list, a plan written as words. What needs the database (a NIF or an address that belongs
to another customer) is the services' to say when the row is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from app.domain.sla import Plan
from app.domain.validation import (
    ValidationError,
    check_text,
    normalize_email,
    normalize_nif,
    normalize_phone,
    normalize_sender,
)
from app.i18n import N_, _
from app.services.checks import LONG_TEXT, NAME_MAX

#: What the user calls each column (English source; translated when shown).
_LABELS = {
    "name": N_("Name"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "company": N_("Company"),
    "nif": N_("NIF"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "address1": N_("Address"),
    "address2": N_("Address (second line)"),
    "postcode": N_("Postcode"),
    "city": N_("City"),
    "country": N_("Country"),
    "plan": N_("Plan"),
    "senders": N_("Registered senders"),
    "notes": N_("Notes"),
}
_MULTILINE = frozenset({"address", "notes", "senders"})
_LONG = frozenset({"address", "address1", "address2", "notes", "senders"})
#: What starts a formula in a spreadsheet (OWASP "CSV injection"); "+" and "-" also start a
#: phone number, which is let through when the rest is one.
_FORMULA_START = ("=", "+", "-", "@")
_PHONE_LIKE = re.compile(r"\+?[\d\s.()\-/]+", re.ASCII)
_SENDER_SEPARATOR = re.compile(r"[;\r\n]+")
#: Plans as a file may write them: the codes, and the names in Portuguese and English.
_PLANS = {
    "none": Plan.NONE,
    "nenhum": Plan.NONE,
    "semplano": Plan.NONE,
    "noplan": Plan.NONE,
    "standard": Plan.STANDARD,
    "suportestandard": Plan.STANDARD,
    "standardsupport": Plan.STANDARD,
    "priority": Plan.PRIORITY,
    "prioritario": Plan.PRIORITY,
    "suporteprioritario": Plan.PRIORITY,
    "prioritysupport": Plan.PRIORITY,
    "priority247": Plan.PRIORITY_24_7,
    "prioritario247": Plan.PRIORITY_24_7,
    "suporteprioritario247": Plan.PRIORITY_24_7,
    "prioritysupport247": Plan.PRIORITY_24_7,
}


def label(field: str) -> str:
    known = _LABELS.get(field)
    return field if known is None else _(known)


@dataclass(frozen=True)
class ImportRow:
    """A customer as the file gives it. ``None`` (and empty) fields leave a matched customer's
    record as it is: a file never blanks what the record holds."""

    line: int
    name: str
    nif: str | None  # normalised as the services keep it
    emails: tuple[str, ...]  # normalised
    phones: tuple[str, ...]  # E.164
    address: str
    postcode: str
    city: str
    country: str  # "" when the file does not say: Portugal for a new customer
    plan: Plan | None
    notes: str | None


@dataclass(frozen=True)
class RowFault:
    """A row that is not imported, and why (already in the user's language)."""

    line: int
    reason: str
    name: str = ""  # the customer's name, when the row gives one


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _cell(record: dict[str, str], field: str) -> str:
    """The cell, checked: no formula, no control character, within its length; stripped."""
    value = record.get(field, "")
    start = value.lstrip(" ")[:1]
    if start in _FORMULA_START and not (
        field in ("phone", "senders") and _PHONE_LIKE.fullmatch(value.strip())
    ):
        raise _Refused(
            _(
                "{field}: starts with “{start}” like a spreadsheet formula, which is not "
                "imported; remove it."
            ).format(field=label(field), start=start)
        )
    try:
        return check_text(
            field,
            label(field),
            value,
            max_length=LONG_TEXT if field in _LONG else NAME_MAX,
            multiline=field in _MULTILINE,
        )
    except ValidationError as error:
        raise _Refused(error.message) from None


def _checked(kind: str, value: str) -> str:
    try:
        if kind == "email":
            return normalize_email(value)
        return normalize_phone(value.replace(".", " "))  # WHMCS writes +351.912345678
    except ValidationError as error:
        raise _Refused(error.message) from None


def _nif(typed: str, country: str) -> str | None:
    """The NIF as the customer services keep it (a Portuguese one checked, P21), for matching."""
    if not typed:
        return None
    if country in ("", "PT") or typed.upper().startswith("PT"):
        try:
            return normalize_nif(typed)
        except ValidationError as error:
            raise _Refused(error.message) from None
    return re.sub(r"[\s.\-]", "", typed).upper()


def _plan(typed: str) -> Plan | None:
    if not typed:
        return None
    code = re.sub(r"[^a-z0-9]", "", typed.casefold().replace("á", "a"))
    plan = _PLANS.get(code)
    if plan is None:
        raise _Refused(
            _(
                "Plan: “{plan}” is not a plan; write none, standard, priority or priority_24_7."
            ).format(plan=typed)
        )
    return plan


def _senders(typed: str) -> tuple[list[str], list[str]]:
    emails: list[str] = []
    phones: list[str] = []
    for part in _SENDER_SEPARATOR.split(typed):
        if not part.strip():
            continue
        try:
            kind, normalised = normalize_sender(part.replace(".", " ") if "@" not in part else part)
        except ValidationError as error:
            raise _Refused(_("Registered senders: {reason}").format(reason=error.message)) from None
        (emails if kind == "email" else phones).append(normalised)
    return emails, phones


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def map_record(
    kind: Literal["whmcs", "balcao"], line: int, record: dict[str, str]
) -> ImportRow | RowFault:
    """The row at ``line`` (``record``: its cells by field) as the services' input."""
    try:
        cells = {field: _cell(record, field) for field in record}
        get = cells.get
        if kind == "whmcs":
            person = " ".join(p for p in (get("first_name", ""), get("last_name", "")) if p)
            name = get("company", "") or person
            address = "\n".join(p for p in (get("address1", ""), get("address2", "")) if p)
            missing = _("Name: neither a company nor a first and last name.")
        else:
            name = get("name", "")
            address = get("address", "")
            missing = _("Name: cannot be empty.")
        if not name:
            raise _Refused(missing)
        country = get("country", "").upper()
        emails, phones = _senders(get("senders", ""))
        if get("email"):
            emails.insert(0, _checked("email", get("email", "")))
        if get("phone"):
            phones.insert(0, _checked("phone", get("phone", "")))
        notes = get("notes", "")
        return ImportRow(
            line=line,
            name=name,
            nif=_nif(get("nif", ""), country),
            emails=_unique(emails),
            phones=_unique(phones),
            address=address,
            postcode=get("postcode", ""),
            city=get("city", ""),
            country=country,
            plan=_plan(get("plan", "")),
            notes=notes or None,
        )
    except _Refused as refused:
        return RowFault(line, refused.reason, _shown_name(kind, record))


def _shown_name(kind: Literal["whmcs", "balcao"], record: dict[str, str]) -> str:
    """The name of a refused row, to say whose it is; "" when the name is itself at fault."""
    fields = ("company", "first_name", "last_name") if kind == "whmcs" else ("name",)
    try:
        cells = {field: _cell(record, field) for field in fields}
    except _Refused:
        return ""
    person = " ".join(p for p in (cells.get("first_name"), cells.get("last_name")) if p)
    return cells.get("company") or cells.get("name") or person
