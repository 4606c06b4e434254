"""Other people's changes, shown within a second or two without a Refresh.

The core's watcher (``Database.watcher``: PostgreSQL ``LISTEN/NOTIFY``, or an SQLite
file's ``data_version``) says "something changed"; this reads the journal entries after
the last position seen (``portfolio.journal.feed``) on a lane, skips the ones this
window wrote, and announces their ``Changes`` on the workspace's ``changed`` signal, the
same path an action's own changes take, so every view refreshes what it shows and only
that. A view with a cell in edit holds its refresh until the edit ends (the cell the
person types in is never overwritten; saving it goes through the conflict rule).

The watcher also tells when the server connection is lost and back: the workspace's
``trouble`` signal carries it to the status bar, and on its return every view reads
again (what changed meanwhile is also read from the journal).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal

from portfolio.journal.feed import News, news_since, position


class LiveUpdates(QObject):
    _heard = Signal()
    _state = Signal(str, str)

    def __init__(self, workspace) -> None:
        super().__init__(workspace)
        self.workspace = workspace
        self.position: int | None = None
        self._again = False
        self._lane = workspace.lane(self)
        self._heard.connect(self._read, Qt.ConnectionType.QueuedConnection)
        self._state.connect(self._state_changed, Qt.ConnectionType.QueuedConnection)
        # The watcher's thread may call back only while this object lives.
        alive = self._alive = threading.Event()
        alive.set()
        heard, state = self._heard, self._state

        def hear() -> None:
            if alive.is_set():
                heard.emit()

        def tell(what: str, reason: str) -> None:
            if alive.is_set():
                state.emit(what, reason)

        watcher = self.watcher = workspace.database.watcher(hear, tell)
        self.destroyed.connect(lambda *_: (alive.clear(), watcher.stop(wait=0)))

    def start(self) -> None:
        """Note the journal's position now, then start listening."""
        database = self.workspace.database

        def started(found: int) -> None:
            if self.position is None:
                self.position = found
            self.watcher.start()

        self._lane.submit(lambda: database.read(position), started)

    def stop(self) -> None:
        """Stop listening; the watcher's thread ends by itself within a moment (closing
        a window does not wait for it)."""
        self._alive.clear()
        self.watcher.stop(wait=0)

    def _read(self) -> None:
        if self.position is None:
            return
        if self._lane.busy:
            self._again = True
            return
        database = self.workspace.database
        after = self.position
        skip = frozenset(self.workspace.own_entries)
        self._lane.submit(
            lambda: database.read(lambda session: news_since(session, after, skip=skip)),
            self._deliver,
            lambda _error: None,  # the watcher says when the server is gone
        )

    def _deliver(self, news: News) -> None:
        if self.position is not None and news.position > self.position:
            self.position = news.position
            others = [e for e in news.entries if e.id not in self.workspace.own_entries]
            if others:
                self.workspace.announce_news(news.changes)
                last = others[-1]
                more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
                self.workspace.news.emit(f"{last.user_name}: {last.action}{more}")
        if self._again:
            self._again = False
            self._read()

    def _state_changed(self, state: str, reason: str) -> None:
        name = self.workspace.database.name
        if state == "lost":
            self.workspace.trouble.emit(
                f"Lost the connection to {name} ({reason}); reconnecting…", True
            )
        else:
            self.workspace.trouble.emit(f"Connected to {name} again", False)
            self.workspace.reload_everything()
