"""P20: invoice numbers run unbroken per series and year, whatever the desks do at once."""

from __future__ import annotations

import threading

import pytest
from peewee import Database

from app.store.database import current_database, write_transaction
from app.store.numbering import next_invoice_number


def test_p20_numbers_run_per_series_and_year(database: Database) -> None:
    with write_transaction():
        taken = [next_invoice_number("FT", 2025) for _ in range(3)]
        taken += [next_invoice_number("NC", 2025), next_invoice_number("FT", 2026)]
        taken.append(next_invoice_number("FT", 2025))
    assert taken == [1, 2, 3, 1, 1, 4]


def test_p20_a_number_given_in_a_rolled_back_transaction_is_given_again(
    database: Database,
) -> None:
    with write_transaction():
        assert next_invoice_number("FT", 2025) == 1
    with pytest.raises(RuntimeError), write_transaction():
        assert next_invoice_number("FT", 2025) == 2
        raise RuntimeError("the invoice could not be issued")
    with write_transaction():
        assert next_invoice_number("FT", 2025) == 2


def test_numbers_are_only_given_inside_a_write_transaction(database: Database) -> None:
    with pytest.raises(RuntimeError, match="write_transaction"):
        next_invoice_number("FT", 2025)


def test_p20_desks_issuing_at_once_never_share_nor_skip_a_number(database: Database) -> None:
    desks, per_desk = 4, 8
    start = threading.Barrier(desks)
    taken: list[int] = []
    errors: list[BaseException] = []

    def desk() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(per_desk):
                with write_transaction():
                    number = next_invoice_number("FT", 2025)
                taken.append(number)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            current_database().close()

    threads = [threading.Thread(target=desk) for _ in range(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(taken) == list(range(1, desks * per_desk + 1))
