"""A stand-in for the ``anydesk`` program, for the remote-session tests.

Run as ``fake_anydesk.py ADDRESS…``: writes its arguments, one a line, to the file named by the
environment variable ``FAKE_ANYDESK_RECORD``, then stays open like a remote session until its
standard input reaches end-of-file (the test closes it) or a line is read; it gives up by itself
after ``LIFETIME_S`` so that a failed test never leaves it behind.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

RECORD_ENV = "FAKE_ANYDESK_RECORD"
LIFETIME_S = 30.0


def main() -> int:
    threading.Timer(LIFETIME_S, os._exit, args=(3,)).start()
    record = os.environ.get(RECORD_ENV)
    if record:
        partial = Path(record + ".part")
        partial.write_text("".join(f"{arg}\n" for arg in sys.argv[1:]), encoding="utf-8")
        partial.replace(record)  # the test sees the whole file or none of it
    sys.stdin.readline()
    os._exit(0)  # not the waiting timer thread


if __name__ == "__main__":
    sys.exit(main())
