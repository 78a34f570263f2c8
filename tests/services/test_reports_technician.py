"""The reports filtered by technician (issue 14), on the fixed March 2025 month of
``test_reports`` (its docstring and fixture tell the month), worked out by hand.

For guarantees and response times a contact counts for the technician who looks after it; for
hours, a session for the technician who timed it. On top of the month:
- Rui (the ``desk``) looks after c1 (met, 60 business min) and p2 (24/7, missed, 12 min, its 2 free
  hours revoked); Marta (the ``admin_desk``) after c2 (missed, 1440 business min, 1 free hour)
  and c3 (still open); p1 (met, 4 min) has nobody.
- Marta times a session for B on Monday 31 March 11:00–11:10 (Lisbon): 10 min inside, billed 15
  (P11's 15-min block), all of it drawn from B's unit pack (valid until 20 April, P16a): covered
  15, nothing uncovered, nothing to invoice.
"""

from __future__ import annotations

import pytest

from app.clock import ManualClock
from app.services import contacts
from app.services.context import Desk
from app.services.errors import InputError
from app.services.reports import guarantees, hours, response_times
from app.services.reports.tables import report_table
from app.store.models import Contact, Customer
from tests.services.b_fixtures import company, customer, lisbon, timed
from tests.services.test_reports import MARCH, NOW, month

__all__ = ["company", "customer", "month"]


@pytest.fixture
def assigned(
    month: dict[str, int], desk: Desk, admin_desk: Desk, clock: ManualClock
) -> dict[str, int]:
    c1, c2, _p1, p2, c3 = (row.id for row in Contact.select().order_by(Contact.id))
    rui, marta = desk.technician_id, admin_desk.technician_id
    assert rui is not None and marta is not None
    for contact_id, technician_id in ((c1, rui), (p2, rui), (c2, marta), (c3, marta)):
        record = contacts.contact(contact_id)
        contacts.assign_technician(desk, contact_id, record.version, technician_id)
    timed(admin_desk, clock, month["b"], lisbon(2025, 3, 31, 11), 10)
    return month | {"rui": rui, "marta": marta, "c2": c2}


def test_guarantees_of_a_technician(assigned: dict[str, int]) -> None:
    rui = guarantees.guarantees(MARCH, NOW, assigned["rui"])
    assert [row.cells() for row in rui] == [
        # p2: missed, its 2 free hours granted and revoked.
        ("2025-03", "priority_24_7", "1", "0", "1", "0", "2", "2"),
        # c1: met.
        ("2025-03", "standard", "1", "1", "0", "0", "0", "0"),
    ]
    marta = guarantees.guarantees(MARCH, NOW, assigned["marta"])
    # c2 missed (1 free hour), c3 still open.
    assert [row.cells() for row in marta] == [("2025-03", "standard", "2", "0", "1", "1", "1", "0")]
    # The missed ones of Marta's: c2 only (p2 is Rui's).
    assert [
        row.id for row in guarantees.missed_contacts(MARCH, NOW, technician_id=assigned["marta"])
    ] == [assigned["c2"]]


def test_response_times_of_a_technician(assigned: dict[str, int]) -> None:
    rui = response_times.response_times(MARCH, assigned["rui"])
    assert [row.cells() for row in rui] == [
        ("2025-03", "priority_24_7", "priority_phone", "1", "12", "12"),  # p2, wall clock
        ("2025-03", "standard", "email", "1", "60", "60"),  # c1, business time
    ]
    marta = response_times.response_times(MARCH, assigned["marta"])
    assert [row.cells() for row in marta] == [
        ("2025-03", "standard", "email", "1", "1440", "1440")  # c2 (c3 is not answered)
    ]


def test_hours_of_a_technician(assigned: dict[str, int]) -> None:
    a, b, rui, marta = (str(assigned[key]) for key in ("a", "b", "rui", "marta"))
    # Rui's: the month's two sessions for A, as in test_p11_p16a_hours.
    assert [row.cells() for row in hours.hours(MARCH, assigned["rui"])] == [
        ("2025-03", a, rui, "50", "20", "60", "30", "30", "60", "0")
    ]
    # Marta's: 10 min inside billed 15, drawn from B's unit pack.
    assert [row.cells() for row in hours.hours(MARCH, assigned["marta"])] == [
        ("2025-03", b, marta, "10", "0", "15", "0", "15", "0", "0")
    ]
    # Unfiltered: both rows.
    assert len(hours.hours(MARCH)) == 2


def test_report_tables_take_the_technician_where_it_means_something(
    assigned: dict[str, int],
) -> None:
    table = report_table("hours", MARCH, NOW, assigned["marta"])
    assert [row[2] for row in table.rows] == [str(assigned["marta"])]
    for name in ("packs", "revenue"):  # the customers' figures, not a technician's
        with pytest.raises(InputError):
            report_table(name, MARCH, NOW, assigned["rui"])


def test_nobody_assigned_means_empty_contact_reports(month: dict[str, int]) -> None:
    """Before any assignment, no contact is anybody's: a filtered report is empty, not all."""
    technician = month["technician"]
    assert guarantees.guarantees(MARCH, NOW, technician) == ()
    assert response_times.response_times(MARCH, technician) == ()
    assert Customer.select().count() == 2
