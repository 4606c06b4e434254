"""Work off the GUI thread: quiet background reads, and long jobs with progress and Cancel.

Two tools, one mechanism underneath (a ``Lane`` running functions one after another on
a ``QThreadPool`` and handing each result back on the GUI thread):

* ``Lane.submit(function, on_done)`` for the reads a view does to fill itself (a page of
  rows, a roll-up). Nothing is shown; a newer request can make older ones moot.
* ``JobRunner.start(title, work, on_done)`` for what a person starts and may want to stop:
  exports, imports, decks. ``work`` is a core function taking a ``portfolio.jobs.Job``;
  the runner shows its progress in a dialog (or the status bar) with a Cancel button
  that calls ``job.cancel()``. A ``PortfolioError`` (``Cancelled`` included) is shown as
  its one-line message; anything else is a bug and is shown with its type.

Usage from another feature::

    runner = window.jobs  # a JobRunner on the open portfolio's worker pool
    runner.start("Exporting workbook", lambda job: export(db, path, job=job),
                 on_done=lambda result: window.statusBar().showMessage(f"Wrote {path}"))

Results come back through a queued signal into a ``QObject`` that lives on the GUI
thread, so callbacks may touch widgets.
"""

from __future__ import annotations

import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from portfolio.errors import PortfolioError
from portfolio.jobs import Cancelled, Job

Callback = Callable[[Any], None]


@dataclass
class _Task:
    function: Callable[[], Any]
    on_done: Callback | None
    on_error: Callback | None
    #: While it runs: [function] and then (ok, value); see ``Lane._next``.
    box: list | None = None


class Lane(QObject):
    """Runs submitted functions one at a time on a thread pool, in order.

    ``clear()`` drops what has not started yet (the running one still finishes and its
    result is still delivered; callers tell stale results apart themselves, usually with
    a generation counter).
    """

    _finished = Signal(object)
    #: Emitted on the GUI thread when the lane has nothing left to run.
    idle = Signal()

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._queue: deque[_Task] = deque()
        self._running: _Task | None = None
        self._stopped = False
        self._finished.connect(self._deliver)
        #: Told (on the GUI thread) when a task met a lost connection or a timeout, so the
        #: window can say so with Retry (``Workspace.report_trouble``).
        self.on_trouble: Callback | None = None

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._queue)

    def submit(
        self,
        function: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: Callback | None = None,
    ) -> None:
        self._queue.append(_Task(function, on_done, on_error))
        self._next()

    def clear(self) -> None:
        self._queue.clear()

    def stop(self) -> None:
        """Start nothing more (the database is closing); the running task still finishes."""
        self._stopped = True
        self._queue.clear()

    def _next(self) -> None:
        if self._stopped or self._running is not None or not self._queue:
            return
        task = self._running = self._queue.popleft()
        # The worker borrows the function and hands its outcome back in a box this
        # thread owns and empties: the worker never holds the last reference to
        # anything, so no Qt object (a view a closure holds, a window) is ever freed
        # on a worker thread, which corrupts Qt.
        task.box = [task.function]
        task.function = None
        box = task.box
        self._pool.start(lambda: self._run(box))

    def _run(self, box: list) -> None:
        """On a worker thread: run, then tell the GUI thread the outcome is in the box."""
        try:
            box.append((True, box[0]()))
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread
            box.append((False, error))
            del error
        try:
            self._finished.emit(None)
        except RuntimeError:
            pass  # the lane was deleted with its view; nobody wants the result

    @Slot(object)
    def _deliver(self, _signal: Any) -> None:
        task = self._running
        self._running = None
        if task is None or task.box is None or len(task.box) < 2:
            return
        ok, value = task.box[1]
        task.box.clear()
        task.box = None
        if self._stopped:
            return  # the portfolio is closing: nobody wants the result (or its error)
        try:
            if ok:
                if task.on_done is not None:
                    task.on_done(value)
                return
            trouble = _is_trouble(value)
            if trouble and self.on_trouble is not None:
                self.on_trouble(value)
            if task.on_error is not None:
                task.on_error(value)
            elif not trouble:
                report_error(None, value)
        finally:
            self._next()
            if not self.busy:
                self.idle.emit()


def _is_trouble(error: BaseException) -> bool:
    """A lost connection or a timeout: the network's fault, said once with Retry."""
    from portfolio.storage.failures import ConnectionLostError, TimedOutError

    return isinstance(error, ConnectionLostError | TimedOutError)


def report_error(parent: QWidget | None, error: BaseException, title: str = "Portfolio") -> None:
    """Show a refusal as its one-line message; show a bug as a bug."""
    if isinstance(error, PortfolioError):
        QMessageBox.warning(parent, title, str(error))
        return
    detail = "".join(traceback.format_exception(error)).strip()
    box = QMessageBox(
        QMessageBox.Icon.Critical, title, f"Something went wrong: {error!r}", parent=parent
    )
    box.setDetailedText(detail)
    box.exec()


class _Progress(QObject):
    """Carries a job's progress reports from the worker thread to the GUI thread."""

    changed = Signal(float, str)


class JobRunner(QObject):
    """Starts long core functions with a progress dialog and Cancel; one at a time each."""

    #: (title, message) when a job ends: finished, cancelled or failed.
    finished = Signal(str, str)

    def __init__(
        self, make_lane: Callable[[QObject], Lane], parent_widget: QWidget | None = None
    ) -> None:
        """``make_lane(owner)`` gives a lane on the portfolio's pool (``Workspace.lane``)."""
        super().__init__(parent_widget)
        self._make_lane = make_lane
        self._parent = parent_widget
        self._lanes: list[Lane] = []
        #: The job running now, if any (tests and callers may cancel it).
        self.current: Job | None = None
        self.dialog: QProgressDialog | None = None

    @property
    def busy(self) -> bool:
        return any(lane.busy for lane in self._lanes)

    def start(
        self,
        title: str,
        work: Callable[[Job], Any],
        on_done: Callback | None = None,
        *,
        on_error: Callback | None = None,
        show_dialog: bool = True,
    ) -> Job:
        """Run ``work(job)`` on a worker thread; ``on_done(result)`` on the GUI thread."""
        progress = _Progress(self)
        job = Job(on_progress=lambda fraction, message: progress.changed.emit(fraction, message))
        dialog = None
        if show_dialog:
            dialog = QProgressDialog(title, "Cancel", 0, 1000, self._parent)
            dialog.setWindowTitle(title)
            dialog.setAccessibleName(f"{title} progress")
            dialog.setMinimumDuration(400)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.canceled.connect(job.cancel)

            def show(fraction: float, message: str) -> None:
                dialog.setValue(int(fraction * 1000))
                if message:
                    dialog.setLabelText(f"{title}\n{message}")

            progress.changed.connect(show)
        lane = self._make_lane(self)
        self._lanes.append(lane)
        self.current = job
        self.dialog = dialog

        def finish(message: str) -> None:
            if dialog is not None:
                dialog.reset()
                dialog.close()
                dialog.deleteLater()
            self._lanes.remove(lane)
            lane.deleteLater()
            progress.deleteLater()
            if self.current is job:
                self.current = None
                self.dialog = None
            self.finished.emit(title, message)

        def done(result: Any) -> None:
            finish("done")
            if on_done is not None:
                on_done(result)

        def failed(error: BaseException) -> None:
            finish(str(error) if isinstance(error, PortfolioError) else repr(error))
            if on_error is not None:
                on_error(error)
            elif not isinstance(error, Cancelled):
                report_error(self._parent, error, title)

        lane.submit(lambda: work(job), done, failed)
        return job
