"""Stopping a read that nobody wants any more, from another thread.

A list view loads a big list's ordered ids and money totals in the background; when
the person sorts or filters again before they finish, those reads are stale. Letting
them run on wastes seconds of a core the new query needs (measured: a re-sort of a
million lines took 1.0 s instead of 0.6 s while the previous totals still ran).
``Interruptible.running`` lends a connection to the reading thread and remembers its
driver connection, so ``interrupt()`` from any thread can stop the statement:
SQLite's ``interrupt()``, psycopg's ``cancel()``. The reader then gets an error
instead of rows, and ``Interrupted`` if it had not started yet.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from portfolio.errors import PortfolioError


class Interrupted(PortfolioError):
    def __init__(self) -> None:
        super().__init__("Stopped: a newer request replaced this one")


class Interruptible:
    """One background read that another thread may stop; single use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._driver: Any = None
        self.stopped = False

    @contextmanager
    def running(self, engine: Engine) -> Iterator[Connection]:
        with engine.connect() as connection:
            try:
                with self.attached(connection.connection.dbapi_connection):
                    yield connection
            finally:
                if self.stopped:
                    # A server's cancel is sent later, from a thread of its own: given
                    # back to the pool, this connection could be running the next
                    # statement (a re-sort's first page) when it arrives, and that one
                    # would be stopped instead. Dropped, it cannot be.
                    connection.invalidate()

    @contextmanager
    def attached(self, driver: Any) -> Iterator[None]:
        """While the block runs, ``interrupt()`` stops ``driver``'s statement.

        Raises ``Interrupted`` at once when it was interrupted already."""
        with self._lock:
            if self.stopped:
                raise Interrupted()
            self._driver = driver
        try:
            yield
        finally:
            with self._lock:
                self._driver = None

    def interrupt(self) -> None:
        """Stop the read now; never waits (a server's cancel is sent from a thread of
        its own: it opens a connection of its own, which over a slow link takes round
        trips the caller, often the GUI thread, must not wait for)."""
        with self._lock:
            self.stopped = True
            driver = self._driver
        if driver is None:
            return
        interrupt = getattr(driver, "interrupt", None)  # SQLite: at once, in memory
        if interrupt is not None:
            interrupt()
            return
        cancel = getattr(driver, "cancel_safe", None)
        if cancel is not None:
            threading.Thread(
                target=_quietly, args=(lambda: cancel(timeout=CANCEL_TIMEOUT),), daemon=True
            ).start()
        elif getattr(driver, "cancel", None) is not None:
            threading.Thread(target=_quietly, args=(driver.cancel,), daemon=True).start()


#: Seconds a server's cancel request may take before it is given up.
CANCEL_TIMEOUT = 10.0


def _quietly(call) -> None:
    """A cancel that fails (the server or the link is gone) changes nothing: the
    statement ends with its connection, or at the server's statement timeout."""
    try:
        call()
    except Exception:  # noqa: BLE001 - see the docstring
        pass
