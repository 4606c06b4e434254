"""The open portfolio as the views share it: the database, the day, undo, change news.

Views never hold sessions: they read through lanes (``ui.jobs``) and change things
through ``perform``, which has the core do one user action (``portfolio.actions``:
one transaction, one journal entry), puts it on the undo stack and tells every view
what changed (``changed``, with the core's typed ``Changes``), so each refreshes once
and only what it shows. Undo and redo go to the core first and move the stack only
when they succeeded: an undo refused as a conflict leaves the stack as it was.

No database call runs on the GUI thread: ``perform``, ``undo``, ``redo`` and the small
look-ups of ``read`` run on a worker while the window keeps painting, with progress and
Cancel after a moment (``ui.waiting``). Other people's changes arrive through
``ui.live`` and are announced on the same ``changed`` signal; news that comes while a
wait is in progress is held until it ends, so a view never reloads under its own save.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.orm import Session

from portfolio import actions
from portfolio.actions import Action, Changes, Edit, Outcome
from portfolio.queries.listing import ListDefinition
from portfolio.queries.lists import ListContext, list_definition
from portfolio.storage import Database
from ui.editing.commands import JournalCommand
from ui.jobs import Lane
from ui.settings import Settings
from ui.waiting import Waiter

T = TypeVar("T")


def _edit_key(action: Action) -> tuple | None:
    """(entity, row, fields) of an action that edits fields of one record, else None."""
    if len(action.steps) != 1 or not isinstance(action.steps[0], Edit):
        return None
    step = action.steps[0]
    return (step.entity, step.row_id, tuple(sorted(step.values)))


class Workspace(QObject):
    #: ``portfolio.actions.Changes``: what an action, an undo or a redo changed.
    changed = Signal(object)
    #: A change or an undo was refused; the message is one line.
    refused = Signal(str)
    #: The server cannot be reached or did not answer: (message, lost) - lost is True
    #: while the connection is gone, False once it is back (message then says so).
    trouble = Signal(str, bool)
    #: Someone else's change arrived: a line for the status bar ("Isla Patel: Edit ...").
    news = Signal(str)
    #: The figures now count actuals to this month (YYYYMM; ``count_actuals_to``).
    as_of_changed = Signal(int)

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
        # Reads on a server mostly wait on the network: more of them may overlap.
        self.pool.setMaxThreadCount(8 if database.is_postgres else 4)
        self._lanes: weakref.WeakSet[Lane] = weakref.WeakSet()
        self.closed = False
        self.waiter = Waiter(database, self)
        self.waiter.waiting.connect(self._waiting_changed)
        #: Journal entries this window wrote (other people's news skips them).
        self.own_entries: set[int] = set()
        self._held: list[Changes] = []
        self.live = None
        self._who_lane: Lane | None = None

    @property
    def today(self) -> dt.date:
        return self.context.today

    @property
    def as_of(self) -> int:
        """The month the figures count actuals to (YYYYMM; ``ListContext``)."""
        return self.context.as_of

    def count_actuals_to(self, month: int) -> None:
        """Have every figure count actuals to ``month`` (YYYYMM), a closed month: e.g.
        October while November's actuals are not in. For this window and this run only:
        the next start counts every closed month again, so a choice made on the 1st
        cannot hide a month whose actuals came in since.

        Every view reads again (``Changes.all``: what it shows depends on the month).
        Raises ``ValueError`` for a month ``ListContext.counting_to`` refuses.
        """
        if month == self.context.as_of:
            return
        self.context = self.context.counting_to(month)
        self.as_of_changed.emit(month)
        self.changed.emit(Changes.all())

    @property
    def user(self):
        """Who is working (``portfolio.identity.User``)."""
        return self.database.user

    def definition(self, name: str) -> ListDefinition:
        return list_definition(name, self.context)

    def lane(self, parent: QObject) -> Lane:
        lane = Lane(self.pool, parent)
        lane.on_trouble = self.report_trouble
        self._lanes.add(lane)
        if self.closed:
            lane.stop()  # a view made while its window closes reads nothing
        return lane

    def who(self, then: Callable[[BaseException | None], None]) -> None:
        """Read who is working off the GUI thread, then call ``then(None)`` (or with
        the error) on it; at once when already known."""
        database = self.database
        if database.known_user is not None:
            then(None)
            return
        if self._who_lane is None:
            self._who_lane = self.lane(self)
        self._who_lane.submit(lambda: database.user, lambda _user: then(None), then)

    def report_trouble(self, error: BaseException) -> None:
        """A read or write met a lost connection or a timeout: say so, with Retry."""
        self.trouble.emit(str(error), True)

    def start_live_updates(self) -> None:
        """Follow other people's changes from now on (``ui.live``)."""
        from ui.live import LiveUpdates

        if self.live is None and not self.closed:
            self.live = LiveUpdates(self)
            self.live.start()

    def run(self, work: Callable[[], T], *, title: str = "Working…", writes: bool = False) -> T:
        """Run ``work()`` off the GUI thread and wait for it here (``ui.waiting``)."""
        from PySide6.QtWidgets import QApplication

        return self.waiter.run(work, title=title, parent=QApplication.activeWindow(), writes=writes)

    def read(self, function: Callable[[Session], T]) -> T:
        """A short read (look-ups for editors and dialogs), off the GUI thread."""
        database = self.database
        return self.run(lambda: database.read(function), title="Reading from the portfolio…")

    # -- actions --------------------------------------------------------------------------

    def perform(self, action: Action, *, origin: Any = None) -> Outcome | None:
        """Have the core do ``action`` now, put it on the undo stack and announce it.

        A refusal (``ValidationError``, ``EditConflictError`` and the like) propagates
        with nothing changed and nothing pushed. Returns ``None`` when the action
        changed nothing.
        """
        database = self.database
        outcome = self.run(
            lambda: actions.perform(database, action, origin=origin),
            title=f"Saving: {action.named(None)}",
            writes=True,
        )
        if outcome.entry_id is None:
            return None
        self.record(outcome.text or action.text, outcome, edit_key=_edit_key(action))
        return outcome

    def record(self, text: str, outcome: Outcome, *, edit_key: tuple | None = None) -> None:
        """Put an entry the core already applied (an import, say) on the undo stack."""
        assert outcome.entry_id is not None
        self.own_entries.add(outcome.entry_id)
        self.undo_stack.push(JournalCommand(text, outcome.entry_id, edit_key=edit_key))
        self.announce(outcome.changes)

    def announce(self, changes: Changes) -> None:
        """Tell every view what changed (they refresh what it touches)."""
        if changes:
            self.changed.emit(changes)

    def announce_news(self, changes: Changes) -> None:
        """Other people's changes: announced now, or when the current wait is over."""
        if self.waiter.depth:
            self._held.append(changes)
        else:
            self.announce(changes)

    def _waiting_changed(self, waiting: bool) -> None:
        if waiting or not self._held:
            return
        held, self._held = self._held, []
        merged = held[0]
        for changes in held[1:]:
            merged = merged.merged(changes)
        self.announce(merged)

    def undo(self, *, overwrite: bool = False) -> Outcome | None:
        """Undo the command before the stack's index; the stack moves only on success.

        Raises what the core raises (``EditConflictError`` when someone changed the same
        fields since), leaving the stack as it was.
        """
        stack = self.undo_stack
        if not stack.canUndo():
            return None
        command = stack.command(stack.index() - 1)
        assert isinstance(command, JournalCommand)
        database, entries = self.database, list(command.entries)
        outcome = self.run(
            lambda: actions.undo(database, entries, overwrite=overwrite),
            title=f"Undoing: {command.label}",
            writes=True,
        )
        self._own(outcome)
        stack.undo()
        self.announce(outcome.changes)
        return outcome

    def redo(self, *, overwrite: bool = False) -> Outcome | None:
        """Redo the command at the stack's index; the stack moves only on success."""
        stack = self.undo_stack
        if not stack.canRedo():
            return None
        command = stack.command(stack.index())
        assert isinstance(command, JournalCommand)
        database, entries = self.database, list(command.entries)
        outcome = self.run(
            lambda: actions.redo(database, entries, overwrite=overwrite),
            title=f"Redoing: {command.label}",
            writes=True,
        )
        self._own(outcome)
        stack.redo()
        self.announce(outcome.changes)
        return outcome

    def _own(self, outcome: Outcome) -> None:
        if outcome.entry_id is not None:
            self.own_entries.add(outcome.entry_id)

    def reload_everything(self) -> None:
        """Every view reads again (View > Refresh, another program changed the file)."""
        self.changed.emit(Changes.all())

    def close(self) -> None:
        """Stop the lanes, wait for running reads, close the database (idempotent)."""
        if self.closed:
            return
        self.closed = True
        if self.live is not None:
            self.live.stop()
        for lane in list(self._lanes):
            lane.stop()
        self.pool.clear()
        self.pool.waitForDone(30_000)
        self.database.close()


def one_line(value: Any) -> str:
    return " ".join(str(value).split())
