"""Benchmark: 1,000 new messages of about 20 KB registered from the loopback Dovecot (issue 11:
under 20 s), and a pass with nothing new.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_intake_register.py [COUNT] [DB]

Needs the test Dovecot running (``eval "$(bash .ci/dovecot start)"``). DB: a SQLite file made in a
temporary folder by default, or a PostgreSQL URL (an empty database or schema).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter

from imapclient import IMAPClient

from app.clock import SystemClock
from app.services.context import Desk
from app.services.intake.addresses import add_address
from app.services.intake.fetch import fetch_mailbox
from app.services.intake.mailboxes import add_mailbox
from app.store.database import close_database, open_database
from app.store.models import Contact, Technician

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    env = dict(
        line.split("=", 1)
        for line in subprocess.run(
            ["bash", str(ROOT / ".ci" / "dovecot"), "env"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    )
    folder = f"bench-{uuid.uuid4().hex[:10]}"
    writer = IMAPClient(env["BALCAO_IMAP_HOST"], port=int(env["BALCAO_IMAP_PORT"]), ssl=False)
    writer.login("suporte", env["BALCAO_IMAP_PASSWORD"])
    writer.create_folder(folder)
    with tempfile.TemporaryDirectory() as scratch:
        location = sys.argv[2] if len(sys.argv) > 2 else str(Path(scratch) / "bench.sqlite")
        clock = SystemClock()
        open_database(location, clock=clock)
        admin = Desk(
            clock, Technician.create(name="Marta", is_admin=True, created_at=clock.now()).id
        )
        add_address(admin, "suporte@empresa.pt", "email")
        os.environ["BALCAO_BENCH_IMAP"] = env["BALCAO_IMAP_PASSWORD"]
        box = add_mailbox(
            admin,
            name="geral",
            host=env["BALCAO_IMAP_HOST"],
            port=int(env["BALCAO_IMAPS_PORT"]),
            security="ssl",
            user="suporte",
            password_env="BALCAO_BENCH_IMAP",
            ca_file=env["BALCAO_IMAP_CA"],
            folder=folder,
            sent_folder=None,
        )
        body = ("Bom dia, o servidor de correio deixou de aceitar ligações. " * 330)[:20_000]
        for n in range(count):
            raw = (
                f"From: cliente{n % 50}@cliente.pt\r\nTo: suporte@empresa.pt\r\n"
                f"Subject: Pedido {n}\r\nMessage-ID: <{n}.{uuid.uuid4().hex}@cliente.pt>\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            ).encode()
            writer.append(folder, raw, msg_time=WHEN + timedelta(seconds=n))
        program = Desk(clock, None)
        started = perf_counter()
        summary = fetch_mailbox(program, box.id)
        whole = perf_counter() - started
        started = perf_counter()
        fetch_mailbox(program, box.id)
        empty = perf_counter() - started
        print(
            f"{count} messages registered in {whole:.2f} s ({summary.counts.new} new, "
            f"{Contact.select().count()} contacts); a pass with nothing new: {empty * 1000:.0f} ms"
        )
        close_database()
    writer.delete_folder(folder)
    writer.logout()


if __name__ == "__main__":
    main()
