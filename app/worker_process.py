"""Work done in a process of the program's own, so that no thread beside the window waits for it.

The window and the threads beside it share one Python interpreter: work that runs Python (or
single long C calls) in a thread makes every call the window makes into Python wait (issue 11:
no slice of the window's thread over 16 ms). A ``WorkerProcess`` runs such work in one worker
process, started on first use: "forkserver" where the platform has it (the server imports the
modules named, not the program), else "spawn"; never "fork", which would copy a process with
threads and Qt in it. The calling thread waits on a pipe, with the interpreter released.

Whatever goes wrong with the worker (it died, could not start, did not answer in ``timeout``)
costs the work nothing: it is done in the calling thread as before, the fault is logged, and
the worker is started again for later work, at most ``max_restarts`` times in the program's
life; after that everything is done in the thread. The worker ends with the program, however
the program ends (a kill -9 included).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: What a worker that failed raises (the work's own exceptions come back as they are).
_FAULTS = (BrokenProcessPool, FutureTimeout, OSError, EOFError, pickle.PicklingError)


def _end_with_the_program(initializer: Callable[..., None] | None, *initargs: Any) -> None:
    """In the worker: it ends when the program does, however that ends (a kill -9 included);
    else it would wait for work for ever, holding the program's output open."""
    program = multiprocessing.parent_process()
    if program is not None:

        def watch() -> None:
            program.join()  # returns once the program's end of the pipe is closed
            os._exit(0)

        threading.Thread(target=watch, name="worker-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def start_context(preload: Sequence[str]) -> BaseContext:
    """The way a worker is started (module level: tests replace it)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")


class WorkerProcess:
    """One worker process doing work for every thread that asks (thread-safe)."""

    def __init__(
        self,
        what: str,
        *,
        preload: Sequence[str],
        timeout: float,
        max_restarts: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        #: What the worker does, for the log ("the mail parser").
        self.what = what
        self.preload = tuple(preload)
        self.timeout = timeout
        self.max_restarts = max_restarts
        self._initializer = initializer
        self._initargs = initargs
        #: Workers started so far, and faults met (tests and the log read them).
        self.started = 0
        self.faults = 0
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` in the worker (a module-level function), else here."""
        executor = self._ready()
        if executor is not None:
            try:
                return executor.submit(function, *args, **kwargs).result(timeout=self.timeout)
            except _FAULTS as error:
                self._failed(executor, error)
        return function(*args, **kwargs)

    def close(self, *, wait: bool = True) -> None:
        """Ends the worker once its work is done (the program does not need to: it ends with
        the program); ``wait=False`` returns at once."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)

    def _ready(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._executor is None and self.started <= self.max_restarts:
                self.started += 1
                try:
                    self._executor = ProcessPoolExecutor(
                        1,
                        mp_context=start_context(self.preload),
                        initializer=_end_with_the_program,
                        initargs=(self._initializer, *self._initargs),
                    )
                except Exception:  # no worker: the thread does the work, as before
                    self.faults += 1
                    log.warning("the process of %s could not start", self.what, exc_info=True)
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
            "the process of %s failed (%s: %s); this work is done in the thread%s",
            self.what,
            type(error).__name__,
            error,
            ", and the process is started again for the next" if again else "",
        )
        # A stuck worker would hold its pipe for ever: ended here, not waited for.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
