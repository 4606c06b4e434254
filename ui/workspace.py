"""The open portfolio as the views share it: the database, the day, undo, change news.

Views never hold sessions: they read through lanes (``ui.jobs``) and change things
through ``perform``, which does one user action in one transaction, puts it on the undo
stack and tells every view what kind of record changed (``changed``), so each refreshes
what it shows.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.orm import Session

from portfolio.queries.listing import ListDefinition
from portfolio.queries.lists import ListContext, list_definition
from portfolio.storage import Database
from ui.editing.commands import Action, Step
from ui.jobs import Lane
from ui.settings import Settings

T = TypeVar("T")

#: What else a change of each kind of record moves (budget lines move every figure).
AFFECTS = {
    "budget_line": {"budget_line", "campaign", "client", "variance"},
    "makeup_action": {"makeup_action", "variance"},
    "campaign": {"campaign", "budget_line", "client", "variance"},
    "client": {"client", "campaign", "budget_line", "variance"},
    "material_item": {"material_item", "deadline"},
}


class Workspace(QObject):
    #: The kinds of record (entity names, plus "variance") that a change touched.
    changed = Signal(object)
    #: A change or an undo was refused; the message is one line.
    refused = Signal(str)

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        today: dt.date | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.settings = settings
        self.context = ListContext.for_today(today)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self._lanes: weakref.WeakSet[Lane] = weakref.WeakSet()
        self.closed = False

    @property
    def today(self) -> dt.date:
        return self.context.today

    @property
    def as_of(self) -> int:
        return self.context.as_of

    def definition(self, name: str) -> ListDefinition:
        return list_definition(name, self.context)

    def lane(self, parent: QObject) -> Lane:
        lane = Lane(self.pool, parent)
        self._lanes.add(lane)
        return lane

    def read(self, function: Callable[[Session], T]) -> T:
        """Run a short read on this thread (small lookups for editors and dialogs)."""
        with self.database.session() as session:
            return function(session)

    def perform(self, text: str, steps: Sequence[Step]) -> Action | None:
        """Do a user action now, in one transaction, and put it on the undo stack.

        A refusal (``ValidationError`` and the like) propagates with nothing changed and
        nothing pushed. Returns ``None`` when the action changed nothing.
        """

        def work(session: Session) -> None:
            for step in steps:
                step.do(session, first=True)

        self.database.write(work)  # waits for another program's lock (ui.busy shows it)
        if all(getattr(step, "changed", True) is False for step in steps):
            return None
        action = Action(self, text, steps)
        self.undo_stack.push(action)
        self.notify(action.entities)
        return action

    def notify(self, entities: Iterable[str]) -> None:
        touched: set[str] = set()
        for name in entities:
            touched |= AFFECTS.get(name, {name})
        self.changed.emit(frozenset(touched))

    def close(self) -> None:
        """Stop the lanes, wait for running reads, close the database (idempotent)."""
        if self.closed:
            return
        self.closed = True
        for lane in list(self._lanes):
            lane.stop()
        self.pool.clear()
        self.pool.waitForDone(30_000)
        self.database.close()


def one_line(value: Any) -> str:
    return " ".join(str(value).split())
