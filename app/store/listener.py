"""Hearing at once that another desk changed something: PostgreSQL's LISTEN/NOTIFY.

Migration 11's trigger sends a notification on ``balcao_changes`` when a use case's change-log
rows are committed. A ``ChangeListener`` holds a connection of its own (autocommit, nothing but
``LISTEN``) on a background thread, waits on its socket with ``select``, and calls ``wake`` when
a notification for this database's schema arrives; the caller then reads the exact rows
(``changes.since``). ``wake`` runs on the listener's thread: it must only hand over (a queued
signal, an event), never do the work there.

When the connection is lost (the server restarting, an administrator's ``pg_terminate_backend``,
a network gone) the listener connects again, waiting 0.2 s, then twice as long each time up to
30 s; once listening again it calls ``wake`` too, since changes may have been missed meanwhile.
A ``wake`` that fails (its receiver gone) is logged and listening goes on.
TCP keepalives make a connection whose server vanished without a word fail within a minute or so.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psycopg2

from app.store.faults import BalcaoPostgresDatabase
from app.store.migration_0011 import CHANNEL

log = logging.getLogger(__name__)

#: The first wait before connecting again, and the longest.
RETRY_FIRST_S = 0.2
RETRY_MAX_S = 30.0
#: A connection that listened this long was good: after losing it, the waits start over.
STEADY_S = 60.0
#: How long one ``select`` waits when nothing arrives, before it looks at the connection again.
WAIT_S = 5.0
#: Shown in ``pg_stat_activity``, so that an administrator sees what the connection is.
APPLICATION_NAME = "balcao-listener"
_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


class ChangeListener:
    """Calls ``wake`` (on its own thread) each time another connection commits a change to
    this database's change log; ``start`` and ``stop`` it. No Qt here."""

    def __init__(self, database: BalcaoPostgresDatabase, wake: Callable[[], None]) -> None:
        self._name: str = str(database.database)
        self._params: dict[str, Any] = (
            _KEEPALIVES | {"application_name": APPLICATION_NAME} | dict(database.connect_params)
        )
        self._wake = wake
        self._stopping = threading.Event()
        # Written to by ``stop``: the waiting ``select`` returns at once.
        self._interrupt_read, self._interrupt_write = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._schema = ""
        #: Set while a connection is listening.
        self.listening = threading.Event()
        #: How many times a connection started listening (a reconnection adds one).
        self.connections = 0
        #: The server process of the current connection (for an administrator, and the tests).
        self.backend_pid: int | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="balcao-changes", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops listening and closes the connection; waits up to ``timeout`` for the thread."""
        self._stopping.set()
        with suppress(OSError):  # stopped already: the socket is closed
            self._interrupt_write.send(b"x")
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():  # still connecting: it ends by itself once that is over
                return
        self._interrupt_read.close()
        self._interrupt_write.close()

    # --- on the listener's thread -----------------------------------------------------------

    def _run(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stopping.is_set():
            try:
                connection = self._connect()
            except psycopg2.Error as error:
                log.info("cannot listen for changes (%s); again in %.1f s", _said(error), delay)
            else:
                began = time.monotonic()
                try:
                    self._listen(connection)
                except (psycopg2.Error, OSError) as error:
                    if not self._stopping.is_set():
                        log.info("stopped hearing changes (%s); listening again", _said(error))
                except Exception:  # a bug: said once, and the desk's poll still runs
                    log.exception("the change listener failed; listening again")
                finally:
                    self.listening.clear()
                    self.backend_pid = None
                    connection.close()
                if time.monotonic() - began > STEADY_S:
                    delay = RETRY_FIRST_S  # it was a good connection: a restart, try again soon
            # A server that refuses, or that drops each connection at once, is asked less often.
            self._stopping.wait(delay)
            delay = min(delay * 2, RETRY_MAX_S)

    def _connect(self) -> Any:
        connection = psycopg2.connect(database=self._name, **self._params)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
                cursor.execute("SELECT current_schema(), pg_backend_pid()")
                self._schema, self.backend_pid = cursor.fetchone()
        except BaseException:
            connection.close()
            raise
        return connection

    def _listen(self, connection: Any) -> None:
        if self.connections:
            self._call_wake()  # listening again: what changed meanwhile was not heard
        self.connections += 1
        self.listening.set()
        while not self._stopping.is_set():
            ready, _, _ = select.select([connection, self._interrupt_read], [], [], WAIT_S)
            if self._interrupt_read in ready:
                return
            connection.poll()  # raises when the server closed the connection
            heard = any(note.payload == self._schema for note in connection.notifies)
            connection.notifies.clear()
            if heard:
                self._call_wake()

    def _call_wake(self) -> None:
        try:
            self._wake()
        except Exception:  # the receiver's fault (a window closing): not a reason to stop
            log.warning("a change was heard but could not be passed on", exc_info=True)


def _said(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
