"""Parsing mail in a process of its own, so that no thread beside the window's waits for it.

The ``email`` package is Python, but decoding a big attachment or a long body runs single C
calls (base64, bytes joins, charset decoding) that hold the interpreter lock throughout: while
a 20 MB attachment was parsed in a thread, a thread beside it waiting for a 1 ms sleep waited
245 ms (issue 11: no slice on the window's thread over 16 ms). In another process the parse
holds nobody: the fetching thread waits on a pipe, with the lock released.

``ParsePool.parse(raw, truncated=...)`` gives what ``parse_message`` gives, from one worker
process started on first use: "forkserver" where the platform has it (the server imports this
parser alone, not the program), else "spawn"; never "fork", which would copy a process with
threads and Qt in it. Whatever goes wrong with the worker (it died, could not start, did not
answer in ``TIMEOUT_S``) costs the message nothing: it is parsed in the calling thread as
before, the fault is logged, and the worker is started again for a later message, at most
``MAX_RESTARTS`` times in the program's life; after that every message is parsed in the thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext

from app.intake.parse import ParsedMessage, parse_message

log = logging.getLogger(__name__)

#: A message the worker has not parsed in this time is parsed here instead (a stuck worker).
TIMEOUT_S = 120.0
#: Workers started again after a fault, at most; then every message is parsed in the thread.
MAX_RESTARTS = 3
#: What a worker that failed raises (its own exceptions, the parser's, come back as they are).
_FAULTS = (BrokenProcessPool, FutureTimeout, OSError, EOFError, pickle.PicklingError)


def _end_with_the_program() -> None:
    """In the worker: it ends when the program does, however that ends (a kill -9 included);
    else it would wait for work for ever, holding the program's output open."""
    program = multiprocessing.parent_process()
    if program is None:
        return

    def watch() -> None:
        program.join()  # returns once the program's end of the pipe is closed
        os._exit(0)

    threading.Thread(target=watch, name="parse-pool-watch", daemon=True).start()


def start_context() -> BaseContext:
    """The way the worker is started (module level: tests replace it)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([parse_message.__module__])
        return context
    return multiprocessing.get_context("spawn")


class ParsePool:
    """One worker process parsing messages for every thread that asks (thread-safe)."""

    def __init__(self, *, timeout: float = TIMEOUT_S, max_restarts: int = MAX_RESTARTS) -> None:
        self.timeout = timeout
        self.max_restarts = max_restarts
        #: Workers started so far, and faults met (tests and the log read them).
        self.started = 0
        self.faults = 0
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def parse(self, raw: bytes, *, truncated: bool = False) -> ParsedMessage:
        executor = self._ready()
        if executor is not None:
            try:
                parsed = executor.submit(parse_message, raw, truncated=truncated).result(
                    timeout=self.timeout
                )
            except _FAULTS as error:
                self._failed(executor, error)
            else:
                if isinstance(parsed, ParsedMessage):
                    return parsed
        return parse_message(raw, truncated=truncated)

    def close(self) -> None:
        """Ends the worker (the program does not need to: it ends with the program)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _ready(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._executor is None and self.started <= self.max_restarts:
                self.started += 1
                try:
                    self._executor = ProcessPoolExecutor(
                        1, mp_context=start_context(), initializer=_end_with_the_program
                    )
                except Exception:  # no worker: the thread parses, as before
                    self.faults += 1
                    log.warning("the mail parser's process could not start", exc_info=True)
            return self._executor

    def _failed(self, executor: ProcessPoolExecutor, error: BaseException) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
                self.faults += 1
            else:
                return  # another thread met the same fault first
        again = self.started <= self.max_restarts
        log.warning(
            "the mail parser's process failed (%s: %s); this message is parsed in the thread%s",
            type(error).__name__,
            error,
            ", and the process is started again for the next" if again else "",
        )
        # A stuck worker would hold its pipe for ever: ended here, not waited for.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)


#: The program's one pool; the intake's pass parses through it.
pool = ParsePool()


def parse(raw: bytes, *, truncated: bool = False) -> ParsedMessage:
    return pool.parse(raw, truncated=truncated)
