"""The window's mail passes in a process of their own (issue 11): the same pass as here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import worker_process
from app.services.contacts import all_contacts
from app.services.intake import apart
from app.services.intake.fetch import fetch_all
from app.store.database import opened_location
from tests.intake.conftest import MONDAY_10H, Intake
from tests.intake.test_fetch import mail


@pytest.fixture(autouse=True)
def _workers_end() -> Iterator[None]:
    yield
    apart.close_workers()


def test_a_pass_apart_registers_what_a_pass_here_would(intake: Intake) -> None:
    intake.mailbox(name="boa")
    intake.put(mail()[0], MONDAY_10H)
    [summary] = apart.fetch_all_apart(intake.clock)
    worker = apart._workers[opened_location()]
    assert (worker.started, worker.faults) == (1, 0)  # in the worker, at its first try
    assert (summary.mailbox, summary.counts.new, summary.error) == ("boa", 1, None)
    [contact] = all_contacts()
    assert contact.received_at == MONDAY_10H  # the server's INTERNALDATE (P23)
    # Read again here, nothing is new: the worker's pass moved the mailbox on (P28).
    [again] = fetch_all(intake.program)
    assert again.counts.new == 0 and len(all_contacts()) == 1


def test_a_worker_that_cannot_start_costs_no_pass(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(_preload: object) -> object:
        raise OSError("no processes left")

    monkeypatch.setattr(worker_process, "start_context", refused)
    intake.mailbox(name="boa")
    intake.put(mail()[0], MONDAY_10H)
    [summary] = apart.fetch_all_apart(intake.clock)
    assert summary.counts.new == 1 and len(all_contacts()) == 1  # run in this thread
    assert apart._workers[opened_location()].faults == 1
