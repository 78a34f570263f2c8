"""The window reads the mailboxes in the background and names a failing one (issue 11)."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QStatusBar
from pytestqt.qtbot import QtBot

from app.services.contacts import all_contacts
from app.services.intake import fetch as fetch_module
from tests.intake.conftest import MONDAY_10H, Intake
from tests.intake.test_fetch import mail
from ui.context import UiContext
from ui.mail import MailFetcher


def test_mail_is_read_in_a_process_apart_and_a_failing_mailbox_shows_in_the_status_bar(
    intake: Intake, qtbot: QtBot
) -> None:
    intake.mailbox(name="boa")
    intake.mailbox(name="desligada", port=1, check=False)
    intake.put(mail()[0], MONDAY_10H)
    in_this_process: list[threading.Thread] = []
    original = fetch_module.fetch_mailbox

    def spy(*args: object, **kwargs: object) -> fetch_module.FetchSummary:
        in_this_process.append(threading.current_thread())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    intake.monkeypatch.setattr(fetch_module, "fetch_mailbox", spy)
    bar = QStatusBar()
    qtbot.addWidget(bar)
    fetcher = MailFetcher(UiContext(intake.admin), bar)

    assert fetcher.fetch() is not None
    assert fetcher.fetch() is None  # not started again over itself
    qtbot.waitUntil(lambda: fetcher.running is None, timeout=30_000)

    # Neither on the window's thread nor beside it: in the worker process (issue 11).
    assert in_this_process == []
    assert len(all_contacts()) == 1
    assert "desligada" in fetcher.label.text() and "boa" not in fetcher.label.text()
    assert not fetcher.label.isHidden()


def test_idle_brings_a_new_message_without_waiting_for_the_minute(
    intake: Intake, qtbot: QtBot
) -> None:
    intake.mailbox(name="boa")
    bar = QStatusBar()
    qtbot.addWidget(bar)
    fetcher = MailFetcher(UiContext(intake.admin), bar)
    fetcher.watching = True  # as start() does, without the minute timer
    try:
        fetcher.fetch()
        qtbot.waitUntil(lambda: bool(fetcher.watches), timeout=30_000)
        qtbot.waitUntil(lambda: fetcher.running is None, timeout=30_000)
        assert all_contacts() == ()
        intake.put(mail()[0], MONDAY_10H)
        # No pass is asked for: the server's IDLE announcement starts one.
        qtbot.waitUntil(lambda: len(all_contacts()) == 1, timeout=30_000)
    finally:
        fetcher.stop()
        qtbot.waitUntil(lambda: not fetcher.watches, timeout=30_000)
