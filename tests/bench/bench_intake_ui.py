"""How long the window's UI thread is held while the mailboxes are read in the background.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_intake_ui.py [MESSAGES]

Starts a throwaway Dovecot (``.ci/dovecot``, in its own folder and ports), puts MESSAGES
(default 300) messages of about 20 KB in a new folder, makes a small demo database with the
general support address and that mailbox (read from the day it was added), opens the main
window offscreen and starts one pass of ``ui.mail.MailFetcher``. Meanwhile a 1 ms timer on the
UI thread records the gaps between its ticks: a gap is how long the UI thread could not run
(its own work, or waiting for the interpreter lock the worker holds). Issue 11's goal: no slice
longer than 16 ms while fetching.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dovecot(folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "BALCAO_DOVECOT_DIR": str(folder),
        "BALCAO_IMAP_PORT": "54143",
        "BALCAO_IMAPS_PORT": "54993",
    }
    os.environ.update({k: env[k] for k in ("BALCAO_DOVECOT_DIR", "BALCAO_IMAP_PORT")})
    os.environ["BALCAO_IMAPS_PORT"] = env["BALCAO_IMAPS_PORT"]
    started = subprocess.run(
        ["bash", str(ROOT / ".ci" / "dovecot"), "start"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)


def _fill(env: dict[str, str], count: int) -> str:
    from imapclient import IMAPClient

    client = IMAPClient(env["BALCAO_IMAP_HOST"], port=int(env["BALCAO_IMAP_PORT"]), ssl=False)
    client.login("suporte", env["BALCAO_IMAP_PASSWORD"])
    folder = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_folder(folder)
    body = ("Linha de texto do pedido de suporte, com pormenores. " * 380).encode()
    for number in range(count):
        raw = (
            f"From: Cliente {number} <cliente{number}@exemplo.pt>\r\n"
            f"To: suporte@empresa.pt\r\nSubject: Pedido {number}\r\n"
            f"Message-ID: <b{number}.{uuid.uuid4().hex}@exemplo.pt>\r\n\r\n"
        ).encode() + body
        client.append(folder, raw, msg_time=datetime.now(UTC))
    client.logout()
    return folder


def main(count: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="balcao-bench-intake-"))
    # Not inside the private temporary folder: Dovecot's own users must read its files.
    env = _dovecot(Path(tempfile.gettempdir()) / "balcao-bench-dovecot")
    try:
        folder = _fill(env, count)
        database = str(work / "demo.sqlite")
        balcao = [sys.executable, "-c", "import sys; from ui.main import main; sys.exit(main())"]
        subprocess.run([*balcao, "demo", "--db", database], check=True, capture_output=True)
        from app.clock import SystemClock
        from app.services import settings as company
        from app.services.database import open_location

        open_location(database, clock=SystemClock(), ask=lambda *_: None)
        admin = next(person for person in company.technicians() if person.is_admin)
        os.environ["BENCH_IMAP_PASSWORD"] = env["BALCAO_IMAP_PASSWORD"]
        at_admin = ["--db", database, "--technician", str(admin.id)]
        subprocess.run(
            [*balcao, "address", "add", *at_admin, "suporte@empresa.pt", "email"], check=True
        )
        subprocess.run(
            [
                *balcao,
                "mailbox",
                "add",
                *at_admin,
                "geral",
                "--host",
                env["BALCAO_IMAP_HOST"],
                "--port",
                env["BALCAO_IMAPS_PORT"],
                "--security",
                "ssl",
                "--user",
                "suporte",
                "--password-env",
                "BENCH_IMAP_PASSWORD",
                "--ca-file",
                env["BALCAO_IMAP_CA"],
                "--folder",
                folder,
                "--sent-folder",
                "",
                "--since",
                datetime.now(UTC).date().isoformat(),
            ],
            check=True,
        )
        _measure(admin.id, admin.name, count)
    finally:
        subprocess.run(["bash", str(ROOT / ".ci" / "dovecot"), "stop"], check=False)


def _measure(technician_id: int, technician_name: str, count: int) -> None:
    # ``application()`` sets the window's switch interval; BENCH_SWITCH=0.005: Python's default.
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from app.clock import SystemClock
    from app.services.context import Desk
    from ui.app import application, build_window
    from ui.context import UiContext
    from ui.mail import MailFetcher

    application()
    if os.environ.get("BENCH_SWITCH"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH"]))
    context = UiContext(Desk(SystemClock(), technician_id))
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    window = build_window(context, technician_name=technician_name, settings=settings)
    window.show()
    QApplication.processEvents()
    gaps: list[float] = []
    last = [time.perf_counter()]

    during: list[bool] = []

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        during.append(fetcher.running is not None)
        last[0] = now

    ticker = QTimer()
    ticker.setInterval(1)
    ticker.timeout.connect(tick)
    fetcher = MailFetcher(context, window.statusBar())
    started = time.perf_counter()
    ticker.start()
    fetcher.fetch()
    while fetcher.running is not None:
        QApplication.processEvents()
        time.sleep(0.0005)
    # The window applies what the pass changed (the new contacts' rows) after it ends.
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        QApplication.processEvents()
        time.sleep(0.0005)
    ticker.stop()
    took = time.perf_counter() - started - 1.0
    ordered = sorted(gaps)
    over = sum(1 for gap in gaps if gap > 0.016)
    over_during = sum(1 for gap, busy in zip(gaps, during, strict=True) if gap > 0.016 and busy)
    print(f"{count} messages read and registered in {took:.1f} s (window open, offscreen)")
    print(
        f"UI thread gaps: {len(gaps)} ticks, median {ordered[len(ordered) // 2] * 1000:.1f} ms, "
        f"p99 {ordered[int(len(ordered) * 0.99)] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms; "
        f"{over} gaps over 16 ms ({over_during} while the pass ran, the rest applying its changes)"
    )
    window.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
