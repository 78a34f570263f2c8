"""The accountant's CSV files: UTF-8 with BOM, ``;``, decimal commas, ISO dates, whole or not at
all."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.states import LedgerKind, SessionState
from app.i18n import _
from app.services import exports, packs, sessions
from app.services.context import Desk
from app.services.errors import InputError
from app.services.exports import decimal_text, write_ledger_csv, write_sessions_csv
from app.services.labels import ledger_kind_label, pack_kind_label, session_state_label
from app.store.models import Customer
from tests.services.b_fixtures import lisbon, timed
from tests.ui.pdf_fixtures import SILVA_NAME, SILVA_NIF, Sample, company, sample, silva

__all__ = ["company", "sample", "silva"]

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def read(path: Path) -> list[list[str]]:
    """The file as a Portuguese spreadsheet reads it."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: the accents are read as UTF-8
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    assert all(len(row) == len(header) for row in body)
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234.5"), 2, "1234,50"),
        (Decimal("-0.05"), 2, "-0,05"),
        (Decimal("40"), 2, "40,00"),
        (Decimal("12.5"), 1, "12,5"),
    ],
)
def test_decimal_text_has_a_decimal_comma_and_no_grouping(
    value: Decimal, places: int, expected: str
) -> None:
    assert decimal_text(value, places) == expected


def test_sessions_csv(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "sessoes.csv"
    assert write_sessions_csv(path, *MARCH) == 2
    rows = read(path)
    assert rows[0][:4] == [_("Session"), _("Date"), _("Start"), _("End")]
    day, night = as_dicts(rows)
    assert day[_("Date")] == "2025-03-12"
    assert (day[_("Start")], day[_("End")]) == ("2025-03-12 14:00", "2025-03-12 17:20")
    assert (day[_("Customer")], day[_("NIF")]) == (SILVA_NAME, SILVA_NIF)
    assert (day[_("Technician")], day[_("Subject")]) == (
        sample.technician_name,
        sample.contact_subject,
    )
    assert day[_("State")] == session_state_label(SessionState.STOPPED)
    assert day[_("Real time (min)")] == "200,00"
    assert day[_("Billed inside (min)")] == "210"
    assert day[_("Paid by packs (min)")] == "120"
    assert day[_("Uncovered inside (min)")] == "90"
    assert day[_("Hourly rate inside (€)")] == "40,00"
    assert day[_("Uncovered amount, net (€)")] == "60,00"  # 90 min at 40 €/h
    assert day[_("Invoice")] == "FT 2025/1"
    assert night[_("Outside business hours (min)")] == "40,00"
    assert night[_("Billed outside (min)")] == "60"
    assert night[_("Uncovered amount, net (€)")] == "60,00"  # 60 min at 60 €/h
    assert night[_("Subject")] == "Cópias de segurança"


def test_sessions_csv_period_is_local_days_and_leaves_out_discarded(
    desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path
) -> None:
    # 31 March 23:30 in Lisbon is still March, though 22:30 UTC... and 1 April 00:10 is April.
    timed(desk, clock, silva.id, lisbon(2025, 3, 31, 23, 30), 20)
    timed(desk, clock, silva.id, lisbon(2025, 4, 1, 0, 10), 20)
    discarded = timed(desk, clock, silva.id, lisbon(2025, 3, 20, 10), 20)
    sessions.discard_session(desk, discarded.id, discarded.version)
    flagged = timed(desk, clock, silva.id, lisbon(2025, 3, 21, 8), 11 * 60)
    path = tmp_path / "s.csv"
    assert write_sessions_csv(path, *MARCH) == 2
    first, second = as_dicts(read(path))  # by start
    assert first[_("Session")] == str(flagged.id)
    assert first[_("State")] == _("{state}, waiting for review").format(
        state=session_state_label(SessionState.STOPPED)
    )
    assert first[_("Billed inside (min)")] == ""  # not billed until reviewed
    assert second[_("Date")] == "2025-03-31"


def test_a_field_with_the_separator_is_quoted(
    desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path
) -> None:
    clock.set(lisbon(2025, 3, 3, 10))
    started = sessions.start_session(desk, customer_id=silva.id, note='Rede; "router" novo')
    clock.advance(timedelta(minutes=5))
    sessions.stop_session(desk, started.id, started.version)
    path = tmp_path / "s.csv"
    write_sessions_csv(path, *MARCH)
    (row,) = as_dicts(read(path))
    assert row[_("Subject")] == 'Rede; "router" novo'


def test_ledger_csv(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "movimentos.csv"
    assert write_ledger_csv(path, *MARCH) == 4
    entries = as_dicts(read(path))
    assert [(e[_("Movement")], e[_("Minutes")]) for e in entries] == [
        (ledger_kind_label(LedgerKind.PURCHASE), "60"),
        (ledger_kind_label(LedgerKind.COMPENSATION), "60"),
        (ledger_kind_label(LedgerKind.CONSUMPTION), "-60"),
        (ledger_kind_label(LedgerKind.CONSUMPTION), "-60"),
    ]
    purchase, grant, *_rest = entries
    assert purchase[_("Date")] == "2025-03-03"
    assert purchase[_("Recorded at")] == "2025-03-03 09:30"
    assert purchase[_("Pack kind")] == pack_kind_label(PackKind.UNIT)
    assert purchase[_("Recorded by")] == "Rui"
    assert grant[_("Pack kind")] == pack_kind_label(PackKind.FREE)
    assert grant[_("Recorded by")] == _("the program")
    assert grant[_("Contact")] != ""
    assert {e[_("Customer")] for e in entries} == {SILVA_NAME}


def test_ledger_csv_has_signed_minutes_months_and_reversals(
    desk: Desk, admin_desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path
) -> None:
    clock.set(lisbon(2025, 3, 3, 10))
    packs.sell_pack(
        desk, customer_id=silva.id, kind=PackKind.MONTHLY, minutes=120, price=Decimal("80.00")
    )
    unit = packs.sell_pack(
        desk, customer_id=silva.id, kind=PackKind.UNIT, minutes=60, price=Decimal("40.00")
    ).pack.id
    (purchase,) = packs.ledger(pack_id=unit)
    packs.correct_entry(admin_desk, purchase.id, "vendido por engano")
    path = tmp_path / "l.csv"
    write_ledger_csv(path, *MARCH)
    allotment, bought, corrected = as_dicts(read(path))
    assert allotment[_("Month")] == "2025-03"
    assert allotment[_("Recorded by")] == _("the program")
    assert bought[_("Month")] == ""
    assert corrected[_("Minutes")] == "-60"
    assert corrected[_("Reverses entry")] == str(purchase.id)
    assert corrected[_("Reason")] == "vendido por engano"
    assert corrected[_("Recorded by")] == "Marta"
    # Nothing of March is in April's file.
    assert write_ledger_csv(tmp_path / "april.csv", date(2025, 4, 1), date(2025, 4, 30)) == 0
    assert len(read(tmp_path / "april.csv")) == 1  # the header only


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder of its own for the files (the test database is in ``tmp_path``)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_a_period_that_ends_before_it_starts_is_refused(silva: Customer, out: Path) -> None:
    with pytest.raises(InputError):
        write_sessions_csv(out / "x.csv", date(2025, 3, 2), date(2025, 3, 1))
    assert list(out.iterdir()) == []


def test_a_file_in_place_of_the_folder_is_an_os_error_with_a_message(
    silva: Customer, out: Path
) -> None:
    (out / "file").write_text("")
    target = out / "file" / "x.csv"
    with pytest.raises(NotADirectoryError) as refused:
        write_ledger_csv(target, *MARCH)
    assert sorted(p.name for p in out.iterdir()) == ["file"]
    message = exports.cannot_write(target, refused.value)
    assert message.startswith(_("Cannot write {path}: {reason}.").split("{")[0])
    assert str(target) in message


def test_a_missing_folder_is_an_os_error_with_a_message(silva: Customer, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.csv"
    with pytest.raises(FileNotFoundError) as refused:
        write_sessions_csv(target, *MARCH)
    message = exports.cannot_write(target, refused.value)
    assert message == _("Cannot write {path}: {reason}.").format(
        path=target, reason=_("its folder does not exist")
    )


def test_a_failure_while_writing_removes_the_partial_file(
    sample: Sample, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(row: object, zone: object) -> list[str]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "_session_row", broken)
    target = out / "s.csv"
    target.write_text("the previous export")
    with pytest.raises(RuntimeError):
        write_sessions_csv(target, *MARCH)
    assert target.read_text() == "the previous export"  # untouched
    assert sorted(p.name for p in out.iterdir()) == ["s.csv"]
