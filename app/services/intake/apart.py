"""The window's mail passes, in a process of their own (issue 11).

While a pass registered messages in a thread beside the window, each call the window made into
Python waited for that thread: a part of the queue that paints in 9 ms took 20–50 ms, and one
step of the pass (a batch of 200 bodies read and parsed) held the interpreter 20–30 ms at a
time. In a worker process (``app.worker_process``) the pass holds nobody: the window's thread
waits on a pipe, and the window learns of the new contacts from the change log, as of any
change. The worker opens the database the window opened, and parses in its own thread (one
process beside the window is enough). If it cannot start or fails, the pass runs in the calling
thread as before (logged).
"""

from __future__ import annotations

import threading

from app.clock import Clock
from app.errors import KnownError
from app.intake import parse_pool
from app.services.context import Desk
from app.services.intake.fetch import FetchSummary, fetch_all
from app.store.database import open_database, opened_location
from app.worker_process import WorkerProcess

#: A pass the worker has not finished in this time is run here instead (a stuck worker; the
#: mailbox's lease keeps the two from reading one mailbox at once).
PASS_TIMEOUT_S = 900.0
MAX_RESTARTS = 3

_workers: dict[str, WorkerProcess] = {}
_workers_lock = threading.Lock()


def _open(location: str) -> None:
    """In the worker, once: the database, and parsing in this process."""
    parse_pool.pool.max_restarts = -1
    open_database(location)


def _pass(clock: Clock, force: bool) -> tuple[list[FetchSummary], str | None, str]:
    """One pass (in the worker, or in the calling thread); a refusal comes back as words, since
    an exception crossing the pipe would lose its Portuguese message."""
    try:
        return fetch_all(Desk(clock, None), force=force), None, ""
    except KnownError as error:
        return [], error.message, error.detail


def _worker(location: str) -> WorkerProcess:
    with _workers_lock:
        worker = _workers.get(location)
        if worker is None:
            # Another database opened since (Definições › Base de dados): its worker ends.
            for other in _workers.values():
                other.close(wait=False)
            _workers.clear()
            worker = _workers[location] = WorkerProcess(
                "the mail passes",
                preload=[fetch_all.__module__],
                timeout=PASS_TIMEOUT_S,
                max_restarts=MAX_RESTARTS,
                initializer=_open,
                initargs=(location,),
            )
        return worker


def fetch_all_apart(clock: Clock, *, force: bool = False) -> list[FetchSummary]:
    """``fetch_all`` for the open database, as the program (no technician), in the worker."""
    summaries, refused, detail = _worker(opened_location()).call(_pass, clock, force)
    if refused is not None:
        raise KnownError(refused, detail=detail)
    return summaries


def close_workers() -> None:
    """Ends the workers (tests; the program's end with the program)."""
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for worker in workers:
        worker.close()
