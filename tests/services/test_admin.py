"""Who may do what an administrator does: a fresh database names its first administrator; from
then on settings and technicians are changed at an administrator's desk, the program itself (a
desk with no technician) passes no admin check, and only an administrator cancels an invoice."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from peewee import Database

from app.clock import ManualClock
from app.domain.states import InvoiceState
from app.services import invoices, settings
from app.services.context import Desk
from app.services.errors import InputError, RuleError
from app.store.models import Customer, Technician
from tests.services.b_fixtures import company, customer
from tests.store import factories

__all__ = ["company", "customer"]

Nothing = Callable[[], AbstractContextManager[None]]


def _admin_actions(desk: Desk) -> dict[str, Callable[[], Any]]:
    """Every use case kept for administrators, as ``desk`` would run it."""
    someone = factories.technician(name="Joana")
    return {
        "settings": lambda: settings.update_settings(
            desk, settings.settings().version, city="Porto"
        ),
        "add technician": lambda: settings.add_technician(desk, name="Intruso", is_admin=True),
        "make admin": lambda: settings.set_technician_admin(
            desk, someone.id, someone.version, True
        ),
        "rename": lambda: settings.rename_technician(desk, someone.id, someone.version, "Outra"),
        "exception": lambda: settings.add_company_exception(desk, day=date(2025, 8, 14)),
    }


# --- the first administrator ----------------------------------------------------------------------


def test_a_fresh_database_names_its_first_administrator(
    database: Database, clock: ManualClock, nothing_written: Nothing
) -> None:
    first = settings.add_first_administrator(clock, name="  Ana Sousa ").technician
    assert (first.name, first.is_admin, first.active) == ("Ana Sousa", True, True)
    with nothing_written(), pytest.raises(RuleError, match="já tem técnicos"):
        settings.add_first_administrator(clock, name="Bruno")


def test_the_first_administrator_is_named_only_while_there_is_no_technician(
    database: Database, clock: ManualClock, nothing_written: Nothing
) -> None:
    factories.technician(name="Rui")  # an old database: technicians, none an administrator
    with nothing_written(), pytest.raises(RuleError):
        settings.add_first_administrator(clock, name="Ana")


def test_the_first_administrators_name_is_checked(
    database: Database, clock: ManualClock, nothing_written: Nothing
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        settings.add_first_administrator(clock, name="   ")
    assert refused.value.field == "name"


def test_the_first_administrator_then_sets_up_at_her_desk(
    database: Database, clock: ManualClock
) -> None:
    first = settings.add_first_administrator(clock, name="Ana").technician
    at_her_desk = Desk(clock, first.id)
    settings.update_settings(at_her_desk, settings.settings().version, city="Braga")
    helper = settings.add_technician(at_her_desk, name="Rui").technician
    assert not helper.is_admin
    assert settings.settings().city == "Braga"


# --- no admin check passed without an administrator ---------------------------------------------


@pytest.mark.parametrize(
    "action", ["settings", "add technician", "make admin", "rename", "exception"]
)
def test_the_program_passes_no_admin_check_once_an_administrator_exists(
    admin: Technician, clock: ManualClock, nothing_written: Nothing, action: str
) -> None:
    run = _admin_actions(Desk(clock))[action]
    with nothing_written(), pytest.raises(RuleError, match="administrador"):
        run()


@pytest.mark.parametrize(
    "action", ["settings", "add technician", "make admin", "rename", "exception"]
)
def test_an_ordinary_technician_passes_no_admin_check(
    desk: Desk, nothing_written: Nothing, action: str
) -> None:
    run = _admin_actions(desk)[action]
    with nothing_written(), pytest.raises(RuleError, match="administrador"):
        run()


@pytest.mark.parametrize(
    "action", ["settings", "add technician", "make admin", "rename", "exception"]
)
def test_an_administrator_passes_them(admin_desk: Desk, action: str) -> None:
    _admin_actions(admin_desk)[action]()


def test_a_deactivated_administrator_passes_no_admin_check(
    admin_desk: Desk, clock: ManualClock, nothing_written: Nothing
) -> None:
    other = settings.add_technician(admin_desk, name="Bia", is_admin=True).technician
    me = settings.technician(admin_desk.technician_id or 0)
    settings.deactivate_technician(Desk(clock, other.id), me.id, me.version)
    with nothing_written(), pytest.raises(RuleError):
        settings.update_settings(admin_desk, settings.settings().version, city="Porto")


def test_without_an_administrator_any_desk_may_name_one(
    database: Database, clock: ManualClock
) -> None:
    """An old database whose technicians are none of them administrators can still name one."""
    rui = factories.technician(name="Rui")
    settings.set_technician_admin(Desk(clock, rui.id), rui.id, rui.version, True)
    with pytest.raises(RuleError):
        settings.update_settings(Desk(clock), settings.settings().version, city="Porto")


# --- cancelling an issued invoice ----------------------------------------------------------------


def _issued(desk: Desk, customer_id: int) -> invoices.InvoiceDocument:
    made = invoices.draft_invoice(
        desk, customer_id=customer_id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 1)
    )
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Instalação",
        quantity=Decimal(1),
        unit_price=Decimal("10.00"),
    )
    return invoices.issue_invoice(desk, made.id, made.version)


def test_p20_only_an_administrator_cancels_an_issued_invoice(
    desk: Desk, admin_desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    issued = _issued(desk, customer.id)
    for not_admin in (desk, Desk(clock)):
        with nothing_written(), pytest.raises(RuleError, match="administrador"):
            invoices.cancel_invoice(not_admin, issued.id, issued.version, reason="NIF errado")
    done = invoices.cancel_invoice(admin_desk, issued.id, issued.version, reason="NIF errado")
    assert done.invoice.state is InvoiceState.CANCELLED
    assert done.credit_note.correction_reason == "NIF errado"


def test_p20_an_administrator_cancels_only_with_a_reason(
    desk: Desk, admin_desk: Desk, customer: Customer, nothing_written: Nothing
) -> None:
    issued = _issued(desk, customer.id)
    for reason in ("", "  \n "):
        with nothing_written(), pytest.raises(InputError) as refused:
            invoices.cancel_invoice(admin_desk, issued.id, issued.version, reason=reason)
        assert refused.value.field == "reason"
