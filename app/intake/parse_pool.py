"""Parsing mail in a process of its own, so that no thread beside the window's waits for it.

The ``email`` package is Python, but decoding a big attachment or a long body runs single C
calls (base64, bytes joins, charset decoding) that hold the interpreter lock throughout: while
a 20 MB attachment was parsed in a thread, a thread beside it waiting for a 1 ms sleep waited
245 ms (issue 11: no slice on the window's thread over 16 ms). In another process the parse
holds nobody: the fetching thread waits on a pipe, with the lock released.

``ParsePool.parse(raw, truncated=...)`` gives what ``parse_message`` gives, from one worker
process (``app.worker_process``: the server imports this parser alone, not the program).
Whatever goes wrong with the worker costs the message nothing: it is parsed in the calling
thread as before (``TIMEOUT_S``, ``MAX_RESTARTS``).
"""

from __future__ import annotations

from app.intake.parse import ParsedMessage, parse_message
from app.worker_process import WorkerProcess

#: A message the worker has not parsed in this time is parsed here instead (a stuck worker).
TIMEOUT_S = 120.0
#: Workers started again after a fault, at most; then every message is parsed in the thread.
MAX_RESTARTS = 3


class ParsePool(WorkerProcess):
    """One worker process parsing messages for every thread that asks (thread-safe)."""

    def __init__(self, *, timeout: float = TIMEOUT_S, max_restarts: int = MAX_RESTARTS) -> None:
        super().__init__(
            "the mail parser",
            preload=[parse_message.__module__],
            timeout=timeout,
            max_restarts=max_restarts,
        )

    def parse(self, raw: bytes, *, truncated: bool = False) -> ParsedMessage:
        return self.call(parse_message, raw, truncated=truncated)


#: The program's one pool; the intake's pass parses through it.
pool = ParsePool()


def parse(raw: bytes, *, truncated: bool = False) -> ParsedMessage:
    return pool.parse(raw, truncated=truncated)
