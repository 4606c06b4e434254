"""Database work a person waits for, done off the GUI thread while the window paints.

An edit, an undo, a look-up for a form: the person waits for the answer (a refusal must
come back to the very cell), but the window must not freeze while the answer travels
over a slow link. ``Waiter.run(work)`` runs ``work`` on a thread of its own and, until
it is done, keeps the window's event loop turning:

* for the first ``SHOW_AFTER`` seconds only painting, timers and results are handled;
  keys and clicks wait (so what is typed next lands after the save, in order, as in a
  spreadsheet), and nothing flashes for a quick answer;
* after that a progress dialog says what is being done, with **Cancel**; while a write
  waits for another program the dialog says so too. Cancel on a read gives up at once
  (the read has no effect; its statement is stopped). Cancel on a write stops its
  statement on the server and then waits for the real outcome: either the server
  rolled it back ("Cancelled; nothing was changed") or it had committed already, and
  then it counts as done. A cancelled change is never reported as saved, nor the
  other way round.

The result or the exception of ``work`` comes back as if it had run here. Waits may
nest (a wait's timers may start another); each returns when its own work is done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from portfolio.jobs import Cancelled
from portfolio.queries.interrupt import Interrupted, Interruptible
from portfolio.storage.busy import WAITING_TEXT

T = TypeVar("T")

#: Seconds before the progress dialog appears.
SHOW_AFTER = 0.3


class _Outcome:
    """The work and what it gave, owned by the GUI thread, which empties it: the worker
    only borrows, so nothing (a view a closure holds) is ever freed on the worker's
    thread, which corrupts Qt."""

    def __init__(self, number: int, work: Callable[[], Any]) -> None:
        self.number = number
        self.finished = threading.Event()
        self.box: dict[str, Any] = {"work": work}

    def empty(self) -> tuple[Any, BaseException | None]:
        value, error = self.box.get("value"), self.box.get("error")
        self.box.clear()
        return value, error


class Waiter(QObject):
    """Runs waited-for work for one portfolio (``Workspace.waiter``)."""

    #: Emitted when a wait starts (True) and ends (False); nested waits count once.
    waiting = Signal(bool)
    #: From a worker: the wait numbered so has its outcome.
    _done = Signal(int)
    #: From a worker: a write waits for another program (seconds; -1 when it is over).
    _busy = Signal(float)

    def __init__(self, database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.depth = 0
        #: The dialog of the innermost wait that shows one (tests press its Cancel).
        self.dialog: QProgressDialog | None = None
        self._loops: dict[int, QEventLoop] = {}
        #: Waits given up (a cancelled read) whose work still runs: emptied when done.
        self._abandoned: dict[int, _Outcome] = {}
        self._numbers = iter(range(1, 1 << 62))
        self._done.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        database.on_busy = self._on_busy

    def _on_busy(self, elapsed: float | None) -> None:
        """``Database.on_busy``: called on the worker thread while a write waits."""
        try:
            self._busy.emit(-1.0 if elapsed is None else elapsed)
        except RuntimeError:
            pass

    def _finished(self, number: int) -> None:
        loop = self._loops.get(number)
        if loop is not None:
            loop.quit()
        abandoned = self._abandoned.pop(number, None)
        if abandoned is not None:
            abandoned.empty()

    def run(
        self,
        work: Callable[[], T],
        *,
        title: str = "Working…",
        parent: QWidget | None = None,
        writes: bool = False,
    ) -> T:
        """Run ``work()`` on a worker thread and wait for it here; see the module."""
        token = Interruptible()
        outcome = _Outcome(next(self._numbers), work)
        del work
        loop = QEventLoop()
        self._loops[outcome.number] = loop
        database = self.database
        done = self._done
        box, finished, number = outcome.box, outcome.finished, outcome.number

        def worker() -> None:
            try:
                with database.stoppable(token):
                    box["value"] = box["work"]()
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                box["error"] = error
                del error
            finished.set()
            try:
                done.emit(number)
            except RuntimeError:
                pass

        self.depth += 1
        if self.depth == 1:
            self.waiting.emit(True)
        thread = threading.Thread(target=worker, name=f"wait: {title}", daemon=True)
        thread.start()
        dialog = None
        cancelled = False
        try:
            timer = QTimer()
            timer.setSingleShot(True)
            timer.timeout.connect(loop.quit)
            timer.start(int(SHOW_AFTER * 1000))
            if not outcome.finished.is_set():
                loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            timer.stop()
            if not outcome.finished.is_set():
                before = QApplication.activeWindow()
                dialog = self._dialog(title, parent)
                state = {"cancelled": False}

                def cancel() -> None:
                    state["cancelled"] = True
                    token.interrupt()
                    if writes:
                        dialog.setLabelText(f"{title}\nCancelling… (waiting for the server)")
                        dialog.setCancelButtonText("Cancelling…")
                    else:
                        loop.quit()

                def busy(elapsed: float) -> None:
                    if elapsed >= 0 and not state["cancelled"]:
                        dialog.setLabelText(f"{title}\n{WAITING_TEXT} ({elapsed:.0f} s)")
                    elif not state["cancelled"]:
                        dialog.setLabelText(title)

                dialog.canceled.connect(cancel)
                self._busy.connect(busy)
                while not outcome.finished.is_set() and not (state["cancelled"] and not writes):
                    loop.exec()
                cancelled = state["cancelled"]
        finally:
            self._loops.pop(outcome.number, None)
            if dialog is not None:
                try:
                    self._busy.disconnect(busy)
                except (RuntimeError, TypeError):
                    pass
                dialog.hide()
                dialog.deleteLater()
                if self.dialog is dialog:
                    self.dialog = None
                # Hiding the dialog leaves no window active where the platform does not
                # hand activation back (offscreen, some window managers): the window's
                # shortcuts, Ctrl+Z right after a slow Delete, would then do nothing.
                if before is not None and before.isVisible():
                    before.activateWindow()
            self.depth -= 1
            if self.depth == 0:
                self.waiting.emit(False)
        if not outcome.finished.is_set():  # a read given up; emptied when it ends
            self._abandoned[outcome.number] = outcome
            raise Cancelled("Cancelled; nothing was changed")
        value, error = outcome.empty()
        if error is not None:
            if isinstance(error, Interrupted) or (cancelled and _stopped(error)):
                raise Cancelled("Cancelled; nothing was changed") from None
            raise error
        return value

    def _dialog(self, title: str, parent: QWidget | None) -> QProgressDialog:
        dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
        dialog.setWindowTitle("Portfolio")
        dialog.setAccessibleName(title)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.show()
        self.dialog = dialog
        return dialog


def _stopped(error: BaseException) -> bool:
    """Whether ``error`` is what a stopped statement raises."""
    return isinstance(error, Cancelled | Interrupted)
