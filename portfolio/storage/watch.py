"""Noticing that someone else changed the portfolio, and that the server went or came back.

A ``Watcher`` runs on a thread of its own and calls ``on_news()`` whenever the
portfolio may hold changes this process did not make; the caller then reads them from
the journal (``portfolio.journal.feed``). It is told, not polling the journal:

* **PostgreSQL**: a dedicated connection ``LISTEN``s on ``portfolio_journal``, which
  every journal entry announces when it commits (migration 0005). That connection is
  also the app's ear for the server: when it breaks, ``on_state("lost", reason)`` is
  called and it reconnects by itself with a back-off, calling ``on_state("back", "")``
  and ``on_news()`` (to catch up on what happened meanwhile) once it is back.
* **SQLite** (a file shared on a drive, or two windows on one file): SQLite's
  ``PRAGMA data_version`` changes when another connection commits to the file; it is
  read every ``SQLITE_POLL`` seconds on a connection of the watcher's own.

``on_news`` and ``on_state`` are called on the watcher's thread; the caller hands them
to its own thread (the desktop app does so with a queued signal).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from portfolio.storage.backup import readonly_uri

#: The channel journal entries are announced on.
CHANNEL = "portfolio_journal"
#: Seconds between two looks at an SQLite file's ``data_version``.
SQLITE_POLL = 0.25
#: Seconds between checks that the listening connection still works.
HEALTH_CHECK = 5.0
#: First and longest wait before reconnecting, in seconds.
RECONNECT_FIRST = 0.5
RECONNECT_LONGEST = 10.0

OnNews = Callable[[], None]
OnState = Callable[[str, str], None]


class Watcher:
    """The thread; ``start()`` once, ``stop()`` when the portfolio closes."""

    def __init__(self, on_news: OnNews, on_state: OnState | None = None) -> None:
        self.on_news = on_news
        self.on_state = on_state or (lambda _state, _reason: None)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()

    def stop(self, wait: float = 3.0) -> None:
        """Ask the thread to end; wait up to ``wait`` seconds for it (0: do not wait)."""
        self._stopping.set()
        if self._thread is not None and wait > 0:
            self._thread.join(wait)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class ServerListener(Watcher):
    """PostgreSQL: ``LISTEN`` on a connection of its own (``connect()`` makes one)."""

    def __init__(self, connect: Callable[[], object], on_news: OnNews, on_state=None) -> None:
        super().__init__(on_news, on_state)
        self._connect = connect
        self.connected = threading.Event()

    def _run(self) -> None:
        import psycopg

        delay = RECONNECT_FIRST
        lost = False
        while not self.stopping:
            connection = None
            try:
                connection = self._connect()
                connection.autocommit = True
                connection.execute(f"LISTEN {CHANNEL}")
                self.connected.set()
                if lost:
                    lost = False
                    self.on_state("back", "")
                # What was committed before LISTEN took effect is read now.
                self.on_news()
                delay = RECONNECT_FIRST
                self._listen(connection)
            except psycopg.Error as error:
                self.connected.clear()
                if not lost and not self.stopping:
                    lost = True
                    self.on_state("lost", _first_line(error))
                self._stopping.wait(delay)
                delay = min(delay * 2, RECONNECT_LONGEST)
            finally:
                if connection is not None:
                    try:
                        connection.close()
                    except psycopg.Error:
                        pass

    def _listen(self, connection) -> None:
        import time

        checked = time.monotonic()
        while not self.stopping:
            heard = False
            for _notice in connection.notifies(timeout=0.5, stop_after=1000):
                heard = True
            if heard:
                self.on_news()
            if time.monotonic() - checked > HEALTH_CHECK:
                connection.execute("SELECT 1")
                checked = time.monotonic()


class FileWatcher(Watcher):
    """SQLite: ``PRAGMA data_version`` of the file, on a read-only connection."""

    def __init__(self, path: Path, on_news: OnNews, on_state=None) -> None:
        super().__init__(on_news, on_state)
        self.path = path

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(readonly_uri(self.path), uri=True, check_same_thread=False)
        except sqlite3.Error as error:
            self.on_state("lost", str(error))
            return
        try:
            version = None
            while not self._stopping.wait(SQLITE_POLL):
                try:
                    now = connection.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error:
                    continue
                if version is None or now != version:
                    # The first look catches up on what came before the watch began.
                    self.on_news()
                version = now
        finally:
            connection.close()


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
