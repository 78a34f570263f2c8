"""Benchmark: reading and parsing a support mailbox from the loopback Dovecot (issue 11).

Run as a script (pytest does not collect tests/bench):

    PYTHONPATH=. .venv/bin/python tests/bench/bench_intake_fetch.py [COUNT]

It starts the test Dovecot with ``.ci/dovecot start`` (and stops it after, unless it was already
running), APPENDs ``COUNT`` (default 1,000) messages of about 20 KB to a new folder of the
``suporte`` user over the plain port, then times, over implicit TLS with the test CA:

- the whole read: connect, log in, EXAMINE, fetch every message from UID 1 (``fetch_from``) and
  parse each (``parse_message``) — issue 11's goal for the whole registration is 1,000 messages
  in under 20 s, so this part must leave room for the database;
- the read alone and the parse alone, in the thread and through the worker process the pass
  parses in (``app.intake.parse_pool``);
- a poll with nothing new on a connection already open: ``uids_from(uidnext)`` (NOOP + UID
  SEARCH) — goal under 100 ms (median and max of ``REPEATS``);
- the same poll on a new connection each time (TLS handshake, login, EXAMINE, search, logout).

The folder is removed afterwards.
"""

from __future__ import annotations

import base64
import statistics
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter

from imapclient import IMAPClient

from app.domain.intake import Security
from app.intake.imap import ImapSettings, open_mailbox
from app.intake.parse import parse_message
from app.intake.parse_pool import ParsePool

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "dovecot"
REPEATS = 15
POLL_GOAL_MS = 100.0
WHOLE_GOAL_S = 20.0

PARAGRAPH = (
    "Bom dia, o servidor de correio deixou de aceitar ligações desde as 9h e os utilizadores "
    "da contabilidade não conseguem enviar as faturas aos clientes. Já reiniciámos o router. "
)


def message(number: int) -> bytes:
    """About 20 KB: a text part and a small base64 attachment, like a customer's report."""
    text = (PARAGRAPH * 60).encode()  # ~11 KB of text
    attachment = (bytes(range(256)) * 26)[:6500]
    encoded = base64.encodebytes(attachment)
    return (
        b"From: Maria Silva <maria.silva@cliente.pt>\r\n"
        b"To: suporte@empresa.pt\r\nCc: prioritario@empresa.pt\r\n"
        b"Subject: =?utf-8?q?Servidor_de_correio_em_baixo?= " + str(number).encode() + b"\r\n"
        b"Message-ID: <" + f"bench{number}.{uuid.uuid4().hex}".encode() + b"@cliente.pt>\r\n"
        b"Date: Mon, 9 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + text + b"\r\n"
        b"--XYZ\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="registo.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"--XYZ--\r\n"
    )


def _env(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def main(count: int) -> None:
    running = subprocess.run(["bash", str(SCRIPT), "status"], check=False).returncode == 0
    out = subprocess.run(
        ["bash", str(SCRIPT), "env" if running else "start"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    env = _env(out)
    host, password = env["BALCAO_IMAP_HOST"], env["BALCAO_IMAP_PASSWORD"]
    folder = f"bench-{uuid.uuid4().hex[:8]}"
    writer = IMAPClient(host, port=int(env["BALCAO_IMAP_PORT"]), ssl=False, timeout=30)
    writer.login("suporte", password)
    writer.create_folder(folder)
    settings = ImapSettings(
        host=host,
        port=int(env["BALCAO_IMAPS_PORT"]),
        security=Security.SSL,
        user="suporte",
        password=password,
        ca_file=Path(env["BALCAO_IMAP_CA"]),
    )
    try:
        start = perf_counter()
        raws = [message(n) for n in range(count)]
        base = datetime(2026, 3, 9, 9, tzinfo=UTC)
        for n, raw in enumerate(raws):
            writer.append(folder, raw, msg_time=base + timedelta(seconds=n))
        size = sum(map(len, raws))
        print(
            f"APPEND {count} messages, {size / count / 1024:.1f} KB each on average: "
            f"{perf_counter() - start:.2f} s (setup, not a goal)"
        )

        start = perf_counter()
        with open_mailbox(settings) as reader:
            reader.examine(folder)
            fetched = list(reader.fetch_from(1))
        read = perf_counter() - start
        start = perf_counter()
        parsed = [parse_message(m.raw, truncated=m.truncated) for m in fetched]
        parse = perf_counter() - start
        assert len(parsed) == count, len(parsed)
        assert all(not p.problems for p in parsed), parsed[0].problems
        whole = read + parse
        pool = ParsePool()
        pool.parse(fetched[0].raw)  # the worker process starts on first use
        start = perf_counter()
        pooled = [pool.parse(m.raw, truncated=m.truncated) for m in fetched]
        in_worker = perf_counter() - start
        pool.close()
        assert pooled == parsed
        print(
            f"parse in the worker process (app.intake.parse_pool, as the pass does): "
            f"{in_worker:.2f} s ({in_worker / count * 1000:.2f} ms each, started beforehand)"
        )
        verdict = "ok" if whole < WHOLE_GOAL_S else "OVER"
        print(
            f"read {count} over TLS (connect, EXAMINE, fetch_from): {read:.2f} s; "
            f"parse: {parse:.2f} s ({parse / count * 1000:.2f} ms each); "
            f"read + parse: {whole:.2f} s [{verdict}: goal for the whole registration "
            f"{WHOLE_GOAL_S:.0f} s]"
        )

        with open_mailbox(settings) as reader:
            state = reader.examine(folder)
            polls = []
            for _ in range(REPEATS):
                start = perf_counter()
                assert reader.uids_from(state.uidnext) == []
                polls.append((perf_counter() - start) * 1000)
        verdict = "ok" if max(polls) < POLL_GOAL_MS else "OVER"
        print(
            f"poll with nothing new, open connection: median {statistics.median(polls):.2f} ms, "
            f"max {max(polls):.2f} ms [{verdict}: goal {POLL_GOAL_MS:.0f} ms]"
        )

        fresh = []
        for _ in range(REPEATS):
            start = perf_counter()
            with open_mailbox(settings) as reader:
                state = reader.examine(folder)
                assert reader.uids_from(state.uidnext) == []
            fresh.append((perf_counter() - start) * 1000)
        verdict = "ok" if max(fresh) < POLL_GOAL_MS else "OVER"
        print(
            f"poll with nothing new, new TLS connection each time: median "
            f"{statistics.median(fresh):.2f} ms, max {max(fresh):.2f} ms "
            f"[{verdict}: goal {POLL_GOAL_MS:.0f} ms]"
        )
    finally:
        writer.delete_folder(folder)
        writer.logout()
        if not running:
            subprocess.run(["bash", str(SCRIPT), "stop"], check=False)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
