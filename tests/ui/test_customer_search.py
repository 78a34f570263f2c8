"""The one customer search (``ui.views.customer_search.CustomerSearch``): the same widget in every
view and dialog that chooses a customer, and what it does in each."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.services import customers
from app.services.context import Desk
from ui.context import UiContext
from ui.views import customer_search
from ui.views.customer_search import CustomerSearch
from ui.views.invoices.dialogs import NewDraftDialog
from ui.views.packs.sell_dialog import SellPackDialog
from ui.views.packs.view import PacksView
from ui.views.queue.new_contact import NewContactDialog
from ui.views.sessions.timer import TimerPanel

#: Each place a customer is chosen: how to build it, and its customer search.
HOSTS: dict[str, tuple[Callable[[UiContext], QWidget], Callable[[QWidget], CustomerSearch]]] = {
    "packs": (PacksView, lambda host: host.picker),  # type: ignore[attr-defined]
    "sell-pack": (SellPackDialog, lambda host: host.picker),  # type: ignore[attr-defined]
    "invoice-draft": (NewDraftDialog, lambda host: host.picker),  # type: ignore[attr-defined]
    "session-timer": (TimerPanel, lambda host: host.chooser),  # type: ignore[attr-defined]
    "new-contact": (NewContactDialog, lambda host: host.customer),  # type: ignore[attr-defined]
}


def _customer(desk: Desk, name: str, nif: str | None = None) -> int:
    return customers.create_customer(desk, name=name, nif=nif).customer.id


@pytest.fixture(params=sorted(HOSTS))
def search(
    request: pytest.FixtureRequest, qtbot: QtBot, context: UiContext
) -> Iterator[CustomerSearch]:
    build, search_of = HOSTS[request.param]
    host = build(context)
    qtbot.addWidget(host)
    host.show()
    if isinstance(host, TimerPanel):
        host.reload()
    found = search_of(host)
    assert type(found) is CustomerSearch
    yield found  # the host lives until the test ends
    host.close()


def test_typing_chooses_the_first_match_in_every_dialog(
    qtbot: QtBot, desk: Desk, search: CustomerSearch
) -> None:
    _customer(desk, "Oficina Auto Mendes")
    flor = _customer(desk, "Padaria Flor de Sal")
    search.refresh()
    announced: list[int | None] = []
    search.customer_changed.connect(announced.append)
    qtbot.keyClicks(search.search, "flor")
    assert announced[-1] == flor
    assert search.customer_id() == flor
    assert search.listed() == ["Padaria Flor de Sal"]
    assert search.by_hand


def test_a_customer_chosen_elsewhere_is_listed_and_chosen(
    desk: Desk, search: CustomerSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(customer_search, "SEARCH_LIMIT", 1)
    _customer(desk, "Adega Central")
    zulmira = _customer(desk, "Zulmira Flores", nif="123456789")
    search.refresh()
    assert search.listed() == ["Adega Central"]
    search.set_customer(zulmira)
    assert search.customer_id() == zulmira
    assert search.customer_name() == "Zulmira Flores (NIF 123456789)"
    search.set_customer(None)
    assert search.customer_id() is None


def test_nothing_found_chooses_nobody_and_keeps_what_was_typed(
    qtbot: QtBot, desk: Desk, search: CustomerSearch
) -> None:
    _customer(desk, "Padaria Flor de Sal")
    search.refresh()
    qtbot.keyClicks(search.search, "xyz")
    assert search.customer_id() is None
    assert search.search.text() == "xyz"


def test_a_suggestion_gives_way_to_the_technicians_choice(qtbot: QtBot, desk: Desk) -> None:
    suggested = _customer(desk, "Loja da Ana")
    other = _customer(desk, "Clinica Sorriso")
    search = CustomerSearch()
    qtbot.addWidget(search)
    search.suggest(suggested)
    assert (search.customer_id(), search.by_hand) == (suggested, False)
    qtbot.keyClicks(search.search, "clinica")
    assert (search.customer_id(), search.by_hand) == (other, True)
    search.suggest(suggested)  # the sender changed: the technician's choice stays
    assert search.customer_id() == other
    search.search.selectAll()
    qtbot.keyClick(search.search, Qt.Key.Key_Backspace)  # cleared: the suggestion is back
    assert (search.customer_id(), search.by_hand) == (suggested, False)


def test_archived_customers_only_where_they_may_be_chosen(qtbot: QtBot, desk: Desk) -> None:
    archived = customers.create_customer(desk, name="Antiga Loja").customer
    customers.archive_customer(desk, archived.id, archived.version)
    for allowed in (True, False):
        search = CustomerSearch(archived=allowed)
        qtbot.addWidget(search)
        assert search.listed() == []  # the search lists active customers only
        search.set_customer(archived.id)
        assert search.customer_id() == (archived.id if allowed else None)
